import "server-only";
import { createHash } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { writeTransaction, type Db, type DbOrTx } from "@/db/client";
import { studies } from "@/db/schema";
import { AppError } from "@/server/errors";
import { publishReviewChange } from "@/server/events";
import { assertFileSize, decodeText } from "@/server/io/spreadsheet";
import { parseStudyField, studyFieldLabels, type StudyField } from "@/server/schemas/study";
import { diffRows, recordAudit, type Actor } from "../audit";
import { insertStudy, listStudies, studyLabel, type StudyRow } from "../studies";
import { citationAuthor, formatReferences, parseReferences, ReferenceParseError, type ReferenceFormat } from "@/server/screening/references";

export type { ReferenceRecord } from "@/server/screening/references";

/*
 * References in: each record fills the empty title, journal and DOI of the study it matches (same DOI, else same
 * first author and year), or becomes a new study (first author "Smith et al.", year, title, journal, DOI) when the
 * lead asks for that. Values already entered are never overwritten: a differing one is listed as kept.
 * References out: the included studies as RIS or BibTeX.
 */

type Fill = { field: StudyField; value: string | number };
type RecordPlan = {
  record: number;
  label: string;
  action: "create" | "fill" | "unchanged" | "skip";
  studyId: number | null;
  fills: { field: string; value: string }[];
  kept: { field: string; stored: string; file: string }[];
  message: string | null;
};
export type ReferencesPlan = { format: ReferenceFormat; records: number; plans: RecordPlan[]; problems: { record: number; message: string }[]; fingerprint: string };

const normDoi = (doi: string) => doi.trim().toLowerCase();
const family = (author: string) =>
  author
    .replace(/\s+et\s+al\.?$/i, "")
    .split(",")[0]!
    .trim()
    .toLowerCase();

function plan(db: DbOrTx, reviewId: number, fileName: string, base64: string, createMissing: boolean) {
  const bytes = Buffer.from(base64, "base64");
  assertFileSize(bytes.length);
  let parsed: ReturnType<typeof parseReferences>;
  try {
    parsed = parseReferences(decodeText(new Uint8Array(bytes)));
  } catch (error) {
    if (error instanceof ReferenceParseError) throw new AppError("invalid", `File ${fileName}: ${error.message}`, "file");
    throw error;
  }
  if (parsed.records.length > 50_000) throw new AppError("invalid", "File: at most 50 000 references can be imported at once.", "file");
  const existing = listStudies(db, reviewId);
  // Entries the parser could not read are listed as problems: nothing is imported until the file is fixed.
  const problems: ReferencesPlan["problems"] = parsed.skipped.map((s) => ({ record: s.entry, message: `Record ${s.entry}: ${s.reason}` }));
  const plans: (RecordPlan & { fillValues: Fill[]; create: Record<string, string | number> | null })[] = [];
  const claimed = new Set<number>();
  parsed.records.forEach((r, index) => {
    const record = index + 1;
    const author = citationAuthor(r.authors);
    const label = author && r.year ? studyLabel({ author, year: r.year }) : r.title.slice(0, 60) || `Record ${record}`;
    const byDoi = r.doi ? existing.filter((s) => s.doi && normDoi(s.doi) === normDoi(r.doi)) : [];
    const byAuthor = byDoi.length === 0 && author && r.year ? existing.filter((s) => family(s.author) === family(author) && s.year === r.year) : [];
    const matches = byDoi.length ? byDoi : byAuthor;
    const base = { record, label, fills: [], kept: [], message: null, fillValues: [], create: null };
    if (matches.length > 1) {
      problems.push({ record, message: `Record ${record} (${label}) matches ${matches.length} studies (${matches.map(studyLabel).join(", ")}); give it a DOI.` });
      plans.push({ ...base, action: "skip", studyId: null, message: "matches several studies" });
      return;
    }
    const values: Partial<Record<StudyField, unknown>> = { title: r.title.slice(0, 1000), journal: r.journal.slice(0, 300), doi: r.doi };
    const checked: Fill[] = [];
    for (const [field, value] of Object.entries(values) as [StudyField, string][]) {
      if (!value) continue;
      const result = parseStudyField(field, value);
      if (!result.ok) problems.push({ record, message: `Record ${record} (${label}): ${result.message}` });
      else checked.push({ field, value: result.value as string });
    }
    const study: StudyRow | undefined = matches[0];
    if (study) {
      if (claimed.has(study.id)) {
        problems.push({ record, message: `Record ${record} (${label}) matches ${studyLabel(study)}, which an earlier record of the file matches too.` });
        plans.push({ ...base, action: "skip", studyId: study.id, message: "duplicate of an earlier record" });
        return;
      }
      claimed.add(study.id);
      const fills = checked.filter((f) => study[f.field] === "" || study[f.field] === null);
      const kept = checked.filter((f) => study[f.field] !== "" && study[f.field] !== null && String(study[f.field]) !== String(f.value));
      plans.push({
        ...base,
        label: studyLabel(study),
        action: fills.length ? "fill" : "unchanged",
        studyId: study.id,
        fills: fills.map((f) => ({ field: studyFieldLabels[f.field], value: String(f.value) })),
        kept: kept.map((f) => ({ field: studyFieldLabels[f.field], stored: String(study[f.field]), file: String(f.value) })),
        fillValues: fills,
      });
      return;
    }
    if (!createMissing) {
      plans.push({ ...base, action: "skip", studyId: null, message: "no matching study (new studies not requested)" });
      return;
    }
    const authorCheck = parseStudyField("author", author);
    const yearCheck = parseStudyField("year", r.year);
    if (!authorCheck.ok || !yearCheck.ok) {
      problems.push({ record, message: `Record ${record} (${label}) cannot become a study: ${[authorCheck, yearCheck].flatMap((c) => (c.ok ? [] : [c.message])).join("; ")}.` });
      plans.push({ ...base, action: "skip", studyId: null, message: "no author or year" });
      return;
    }
    const create = { author: authorCheck.value as string, year: yearCheck.value as number, ...Object.fromEntries(checked.map((f) => [f.field, f.value])) };
    plans.push({ ...base, action: "create", studyId: null, fills: checked.map((f) => ({ field: studyFieldLabels[f.field], value: String(f.value) })), create });
  });
  const fingerprint = createHash("sha256")
    .update(JSON.stringify({ plans: plans.map((p) => [p.action, p.studyId, p.fillValues, p.create]), versions: existing.filter((s) => claimed.has(s.id)).map((s) => [s.id, s.version]) }))
    .digest("hex");
  return { format: parsed.format, plans, problems, fingerprint };
}

export function previewReferences(db: Db, reviewId: number, file: { name: string; base64: string }, createMissing: boolean): ReferencesPlan {
  const p = plan(db, reviewId, file.name, file.base64, createMissing);
  return { format: p.format, records: p.plans.length, plans: p.plans.slice(0, 2000).map(({ fillValues: _f, create: _c, ...rest }) => rest), problems: p.problems.slice(0, 2000), fingerprint: p.fingerprint };
}

export function commitReferences(db: Db, actor: Actor, reviewId: number, file: { name: string; base64: string }, createMissing: boolean, fingerprint: string) {
  const counts = writeTransaction(db, (tx) => {
    const p = plan(tx, reviewId, file.name, file.base64, createMissing);
    if (p.problems.length > 0) throw new AppError("invalid", `The file has ${p.problems.length} problems; nothing was imported. First: ${p.problems[0]!.message}`, "file");
    if (p.fingerprint !== fingerprint) throw new AppError("conflict", "The review changed since the preview: preview again before importing.", undefined, { row: null, by: "another user" });
    let created = 0;
    let filled = 0;
    for (const r of p.plans) {
      const reason = `imported from ${file.name}, record ${r.record}`;
      if (r.action === "create" && r.create) {
        // A new study gets the usual two arms, as one added by hand does.
        insertStudy(tx, actor, reviewId, r.create as { author: string; year: number }, { reason });
        created += 1;
      } else if (r.action === "fill" && r.studyId !== null) {
        const before = tx.select().from(studies).where(eq(studies.id, r.studyId)).get()!;
        const after = tx
          .update(studies)
          .set({ ...Object.fromEntries(r.fillValues.map((f) => [f.field, f.value])), version: sql`${studies.version} + 1`, updatedAt: new Date().toISOString() })
          .where(eq(studies.id, r.studyId))
          .returning()
          .get();
        recordAudit(tx, actor, { reviewId, entity: "study", entityId: r.studyId, action: "update", changes: diffRows(before, after), reason });
        filled += 1;
      }
    }
    return { created, filled };
  });
  publishReviewChange(reviewId, "study", actor.displayName);
  return counts;
}

/** One line per value: a line break inside a field would end an RIS record early. */
const oneLine = (s: string) => s.replace(/[\r\n]+/g, " ").trim();

/** The included studies as RIS or BibTeX (first author as entered, e.g. "Chang et al." becomes the author "Chang"). */
export function referencesExport(db: DbOrTx, reviewId: number, format: "ris" | "bibtex"): string {
  const records = listStudies(db, reviewId).map((s) => ({
    id: `${family(s.author).replace(/[^a-z0-9]/g, "") || "study"}${s.year}_${s.position}`,
    title: oneLine(s.title),
    authors: [oneLine(s.author.replace(/\s+et\s+al\.?$/i, ""))].filter(Boolean),
    year: s.year,
    journal: oneLine(s.journal),
    doi: oneLine(s.doi),
    pmid: "",
    abstract: "",
    keywords: [],
  }));
  return formatReferences(records, format);
}
