import "server-only";
import { XMLParser } from "fast-xml-parser";
import { AppError } from "@/server/errors";
import { assertFileSize, decodeText, isZip, readCsv, readXlsx, unzipBounded, type Cell, type Row, type Sheet } from "@/server/io/spreadsheet";
import { fixedTargetLabels, normaliseHeader, STUDY_KEY_LABEL, valueTargetLabels } from "@/server/schemas/data-import";

/**
 * The layouts an import understands, each turned into sheets with the workbench's own headers (the template's), so
 * that one validation and one commit serve them all. Formats that name things differently (SyRF, RevMan) are
 * translated here, keeping the original column name of every value for the problem messages.
 */
export type Layout = "workbench" | "syrf" | "revman-web" | "rm5" | "other";
export const layoutLabels: Record<Layout, string> = {
  workbench: "Workbench template or export",
  syrf: "SyRF quantitative data export",
  "revman-web": "RevMan Web data package (data rows)",
  rm5: "RevMan 5 review (.rm5), continuous outcomes",
  other: "Other layout (map its columns)",
};

/** A sheet ready for mapping; `sourceColumn` names the original column behind a translated header. */
export type ImportSheet = Sheet & { sourceColumn?: Record<string, string> };
export type OutcomeHint = { higherIsBetter?: boolean; unit?: string };
export type ReadUpload = { layout: Layout; sheets: ImportSheet[]; notes: string[]; outcomeHints: Map<string, OutcomeHint> };

const L = { ...fixedTargetLabels };
const invalidFile = (message: string) => new AppError("invalid", `File: ${message}`, "file");

/** Decodes an upload and recognises its layout. */
export function readUpload(bytes: Uint8Array, filename: string): ReadUpload {
  assertFileSize(bytes.length);
  const lower = filename.toLowerCase();
  if (isZip(bytes)) {
    const files = unzipBounded(bytes);
    if ([...files.keys()].some((e) => e.startsWith("xl/"))) return recognise(readXlsx(files));
    // A RevMan Web data package: a zip of CSVs, of which "…data-rows.csv" holds the analysed numbers.
    const rowsFile = [...files.entries()].find(([name]) => /data-rows\.csv$/i.test(name));
    if (!rowsFile) throw invalidFile("is a zip archive without an XLSX workbook or a RevMan Web data-rows.csv.");
    return fromRevmanWeb(readCsv(decodeText(rowsFile[1]), rowsFile[0]));
  }
  if (lower.endsWith(".xls") || (bytes[0] === 0xd0 && bytes[1] === 0xcf)) throw invalidFile("is an old Excel .xls workbook; save it as .xlsx or CSV first.");
  const text = decodeText(bytes);
  if (/^\s*(<\?xml[^>]*>\s*)?(<!DOCTYPE[^>]*>\s*)?<COCHRANE_REVIEW\b/i.test(text.slice(0, 2000)) || lower.endsWith(".rm5")) return fromRm5(text);
  if (text.includes("\u0000")) throw invalidFile("is not a text, CSV or XLSX file.");
  return recognise([readCsv(text, lower.endsWith(".tsv") ? "TSV" : "CSV")]);
}

function recognise(sheets: Sheet[]): ReadUpload {
  const headers = new Set(sheets.flatMap((s) => s.header.map(normaliseHeader)));
  if (headers.has("outcomeaverage") && (headers.has("cohortlabel") || headers.has("cohortid"))) return fromSyrf(sheets[0]!);
  if (headers.has("experimental mean") && headers.has("control mean") && headers.has("study")) return fromRevmanWeb(sheets[0]!);
  const own = new Set(Object.values(fixedTargetLabels).map(normaliseHeader));
  const known = [...headers].filter((h) => own.has(h)).length;
  return { layout: known >= 3 ? "workbench" : "other", sheets, notes: [], outcomeHints: new Map() };
}

/** Reads one column of a translated row by its original name(s), case-insensitively. */
function reader(sheet: Sheet) {
  const index = new Map(sheet.header.map((h, i) => [normaliseHeader(h), i]));
  const column = (...names: string[]) => names.map((n) => ({ name: n, at: index.get(normaliseHeader(n)) })).find((c) => c.at !== undefined);
  return {
    has: (...names: string[]) => column(...names) !== undefined,
    name: (...names: string[]) => (column(...names) ? sheet.header[column(...names)!.at!]! : names[0]!),
    get: (row: Row, ...names: string[]): Cell => {
      const c = column(...names);
      return c ? (row.cells[c.at!] ?? null) : null;
    },
  };
}

const text = (c: Cell) => (c === null ? "" : String(c).trim());
const truthy = (c: Cell) => /^(true|yes|1)$/i.test(text(c));

/** "Chang Q, Hao Y; …" or "Chang, Qing and Hao, Yu" → "Chang et al." (a single author keeps their name alone). */
export function firstAuthorCitation(authors: string): string {
  const list = authors.split(/;|\band\b|\n/).map((a) => a.trim()).filter(Boolean);
  const first = list[0] ?? "";
  const family = first.includes(",") ? first.split(",")[0]!.trim() : first.split(/\s+/)[0]!.trim();
  const many = list.length > 1 || (!authors.includes(";") && authors.split(",").length > 2);
  return family ? (many ? `${family} et al.` : family) : "";
}

/**
 * SyRF's quantitative export: one row per cohort, outcome and time point. Its guide and its example disagree on
 * some headers (`TimeInMinutes`/`TimeInMinute`, `OutcomeErrorType`/`ErrorType`), so both are read. A cohort
 * marked as a disease-model control (sham) is not an arm of the treated-versus-control comparison and is skipped.
 */
function fromSyrf(sheet: Sheet): ReadUpload {
  const r = reader(sheet);
  const notes: string[] = [];
  const outcomeHints = new Map<string, OutcomeHint>();
  const header = [L.study, L.author, L.year, L.title, L.journal, L.doi, L.outcome, L.arm, L.armKind, L.sharedControl, L.day, L.mean, L.errorType, L.errorValue, L.n, L.sourceDetail];
  const sourceColumn: Record<string, string> = {
    [L.study]: r.name("StudyId"),
    [L.author]: r.name("Authors", "Author"),
    [L.year]: r.name("Year", "PublicationYear"),
    [L.title]: r.name("Title"),
    [L.journal]: r.name("PublicationName", "Journal"),
    [L.doi]: r.name("DOI", "Doi"),
    [L.outcome]: r.name("OutcomeLabel"),
    [L.arm]: r.name("CohortLabel"),
    [L.armKind]: r.name("IsTreatmentControl"),
    [L.sharedControl]: r.name("ExperimentLabel", "ExperimentId"),
    [L.day]: r.name("TimeInMinutes", "TimeInMinute"),
    [L.mean]: r.name("OutcomeAverage"),
    [L.errorType]: r.name("OutcomeErrorType", "ErrorType"),
    [L.errorValue]: r.name("OutcomeError"),
    [L.n]: r.name("NumberOfAnimals"),
  };
  const rows: Row[] = [];
  let shams = 0;
  // A cohort label can repeat across experiments of one study; the arm label must be unique within the study.
  const cohortLabels = new Map<string, Map<string, string>>();
  for (const row of sheet.rows) {
    if (text(r.get(row, "IsDiseaseModelControl")).split(";").some((v) => /^true$/i.test(v.trim()))) {
      shams += 1;
      continue;
    }
    const study = text(r.get(row, "StudyId")) || `${text(r.get(row, "Authors", "Author"))} ${text(r.get(row, "Year", "PublicationYear"))}`.trim();
    const cohortId = text(r.get(row, "CohortId")) || text(r.get(row, "CohortLabel"));
    const labels = cohortLabels.get(study) ?? new Map<string, string>();
    cohortLabels.set(study, labels);
    let label = labels.get(cohortId) ?? text(r.get(row, "CohortLabel"));
    if (!labels.has(cohortId)) {
      const taken = new Set(labels.values());
      if (taken.has(label)) label = `${label} (${text(r.get(row, "ExperimentLabel")) || cohortId})`;
      labels.set(cohortId, label);
    }
    const averageType = text(r.get(row, "OutcomeAverageType"));
    const minutes = r.get(row, "TimeInMinutes", "TimeInMinute");
    const minutesNumber = typeof minutes === "number" ? minutes : Number(text(minutes).replace(",", "."));
    const outcome = text(r.get(row, "OutcomeLabel"));
    const greaterIsWorse = text(r.get(row, "GreaterIsWorse"));
    if (outcome && greaterIsWorse) outcomeHints.set(outcome.toLowerCase(), { higherIsBetter: !truthy(greaterIsWorse), unit: text(r.get(row, "OutcomeUnit")) });
    const controlKind = text(r.get(row, "IsTreatmentControl"))
      .split(";")
      .map((v) => v.trim());
    rows.push({
      line: row.line,
      cells: [
        study,
        r.get(row, "Authors", "Author") === null ? null : firstAuthorCitation(text(r.get(row, "Authors", "Author"))),
        r.get(row, "Year", "PublicationYear"),
        r.get(row, "Title"),
        r.get(row, "PublicationName", "Journal"),
        r.get(row, "DOI", "Doi"),
        outcome || null,
        label || null,
        controlKind.length && controlKind.every((v) => /^true$/i.test(v)) ? "control" : "treated",
        text(r.get(row, "ExperimentId")) || text(r.get(row, "ExperimentLabel")) || null,
        // SyRF times are minutes; the workbench counts days after injury.
        minutes === null ? null : Number.isFinite(minutesNumber) ? minutesNumber / 1440 : text(minutes),
        averageType && !/^mean$/i.test(averageType) ? `${averageType} (not a mean)` : r.get(row, "OutcomeAverage"),
        r.get(row, "OutcomeErrorType", "ErrorType"),
        r.get(row, "OutcomeError"),
        r.get(row, "NumberOfAnimals"),
        `SyRF cohort ${cohortId}`,
      ],
    });
  }
  if (shams > 0) notes.push(`${shams} sham (disease-model control) rows were skipped: they are not treated or control arms of the comparison.`);
  notes.push("SyRF time points are in minutes; they are stored as days after injury (minutes ÷ 1440).");
  return { layout: "syrf", sheets: [{ name: sheet.name, header, rows, sourceColumn }], notes, outcomeHints };
}

/** "Smith 2020a" → author "Smith et al.", year 2020 (RevMan's study identifiers). */
function revmanStudyName(name: string, year: Cell): { author: string; year: Cell } {
  const match = /^(.*?)[\s,]+((?:19|20)\d{2})[a-z]?$/.exec(name.trim());
  const author = (match ? match[1]! : name).trim();
  return { author: author ? `${author.replace(/\s+et al\.?$/i, "")} et al.` : "", year: year ?? (match ? Number(match[2]) : null) };
}

/**
 * RevMan Web's analysis data ("…-data-rows.csv"): one row per study and analysis, both groups side by side
 * ("Experimental mean/SD/N", "Control mean/SD/N"). Each becomes two arms, treated and control; the analysis name
 * is the outcome. RevMan has no time point, so values are stored at day 0 (said in the preview).
 */
function fromRevmanWeb(sheet: Sheet): ReadUpload {
  const r = reader(sheet);
  const header = [L.study, L.author, L.year, L.outcome, L.arm, L.armKind, L.sharedControl, L.day, L.mean, L.sd, L.n, L.sourceDetail];
  const rows: Row[] = [];
  let skipped = 0;
  for (const row of sheet.rows) {
    const subgroup = text(r.get(row, "Subgroup number"));
    const hasMeans = r.get(row, "Experimental mean") !== null || r.get(row, "Control mean") !== null;
    if (!hasMeans) {
      skipped += 1;
      continue;
    }
    const study = text(r.get(row, "Study"));
    const { author, year } = revmanStudyName(study, r.get(row, "Study year"));
    const outcome = text(r.get(row, "Analysis name")) || `Analysis ${text(r.get(row, "Analysis number"))}`;
    const detail = `RevMan analysis ${text(r.get(row, "Analysis number"))}${subgroup ? `, subgroup ${subgroup}` : ""}`;
    for (const [kind, prefix] of [
      ["treated", "Experimental"],
      ["control", "Control"],
    ] as const)
      rows.push({
        line: row.line,
        cells: [study, author, year, outcome, prefix, kind, "Control", 0, r.get(row, `${prefix} mean`), r.get(row, `${prefix} SD`), r.get(row, `${prefix} N`), detail],
      });
  }
  const notes = ["RevMan stores no time point: the values are stored at day 0. Change the day in each study's outcome grid if it matters."];
  if (skipped) notes.push(`${skipped} rows without means (dichotomous or generic inverse-variance data) were skipped: only continuous outcomes are imported.`);
  const sourceColumn: Record<string, string> = { [L.study]: "Study", [L.year]: "Study year", [L.outcome]: "Analysis name", [L.mean]: "Experimental/Control mean", [L.sd]: "Experimental/Control SD", [L.n]: "Experimental/Control N" };
  return { layout: "revman-web", sheets: [{ name: sheet.name, header, rows, sourceColumn }], notes, outcomeHints: new Map() };
}

type XmlNode = Record<string, unknown>;
const asArray = (v: unknown): XmlNode[] => (Array.isArray(v) ? (v as XmlNode[]) : v && typeof v === "object" ? [v as XmlNode] : []);
const xmlText = (v: unknown): string => (v === null || v === undefined ? "" : typeof v === "object" ? xmlText((v as XmlNode)["#text"]) : String(v)).trim();

/**
 * A RevMan 5 review file: the included studies (name, year, first reference's title, journal, DOI) and every
 * continuous outcome's data (`CONT_OUTCOME` / `CONT_DATA`: MEAN_1 SD_1 TOTAL_1 for group 1, the experimental one,
 * and MEAN_2 SD_2 TOTAL_2 for group 2, the control), also inside subgroups (`CONT_SUBGROUP`).
 */
function fromRm5(xml: string): ReadUpload {
  let doc: XmlNode;
  try {
    doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", parseAttributeValue: false, parseTagValue: false, trimValues: true }).parse(xml) as XmlNode;
  } catch (error) {
    throw invalidFile(`is not a readable RevMan 5 file (${error instanceof Error ? error.message : String(error)}).`);
  }
  const review = doc.COCHRANE_REVIEW as XmlNode | undefined;
  if (!review) throw invalidFile("is XML but not a RevMan 5 review (no COCHRANE_REVIEW element).");
  const studies = new Map<string, { name: string; year: string; title: string; journal: string; doi: string }>();
  const included = ((review.STUDIES_AND_REFERENCES as XmlNode | undefined)?.STUDIES as XmlNode | undefined)?.INCLUDED_STUDIES as XmlNode | undefined;
  for (const study of asArray(included?.STUDY)) {
    const reference = asArray(study.REFERENCE).find((ref) => ref.PRIMARY === "YES") ?? asArray(study.REFERENCE)[0];
    const doi = asArray((reference?.IDENTIFIERS as XmlNode | undefined)?.IDENTIFIER).find((i) => String(i.TYPE).toUpperCase() === "DOI");
    studies.set(String(study.ID), {
      name: String(study.NAME ?? study.ID),
      year: String(study.YEAR ?? ""),
      title: xmlText(reference?.TI),
      journal: xmlText(reference?.SO),
      doi: doi ? String(doi.VALUE ?? "") : "",
    });
  }
  const header = [L.study, L.author, L.year, L.title, L.journal, L.doi, L.outcome, L.arm, L.armKind, L.sharedControl, L.day, L.mean, L.sd, L.n, L.sourceDetail];
  const rows: Row[] = [];
  let record = 0;
  const comparisons = asArray((review.ANALYSES_AND_DATA as XmlNode | undefined)?.COMPARISON);
  for (const comparison of comparisons) {
    for (const outcome of asArray(comparison.CONT_OUTCOME)) {
      const name = xmlText(outcome.NAME) || `Outcome ${String(outcome.NO ?? "")}`;
      const label1 = xmlText(outcome.GROUP_LABEL_1) || "Experimental";
      const label2 = xmlText(outcome.GROUP_LABEL_2) || "Control";
      const data = [...asArray(outcome.CONT_DATA), ...asArray(outcome.CONT_SUBGROUP).flatMap((g) => asArray(g.CONT_DATA))];
      for (const d of data) {
        record += 1;
        const study = studies.get(String(d.STUDY_ID)) ?? { name: String(d.STUDY_ID), year: "", title: "", journal: "", doi: "" };
        const { author, year } = revmanStudyName(study.name, study.year ? Number(study.year) : null);
        const detail = `RevMan comparison ${String(comparison.NO ?? "")}, outcome ${String(outcome.NO ?? "")}`;
        for (const [kind, label, suffix] of [
          ["treated", label1, "1"],
          ["control", label2, "2"],
        ] as const)
          rows.push({
            line: record,
            cells: [study.name, author, year, study.title || null, study.journal || null, study.doi || null, name, label, kind, label2, 0, d[`MEAN_${suffix}`] as Cell, d[`SD_${suffix}`] as Cell, d[`TOTAL_${suffix}`] as Cell, detail],
          });
      }
    }
  }
  if (rows.length === 0) throw invalidFile("is a RevMan 5 review without continuous outcome data (CONT_OUTCOME / CONT_DATA).");
  const notes = [
    "Rows are the RevMan data entries (CONT_DATA) in file order.",
    "RevMan stores no time point: the values are stored at day 0. Change the day in each study's outcome grid if it matters.",
  ];
  return { layout: "rm5", sheets: [{ name: "RevMan 5", header, rows, sourceColumn: { [L.mean]: "MEAN_1/MEAN_2", [L.sd]: "SD_1/SD_2", [L.n]: "TOTAL_1/TOTAL_2" } }], notes, outcomeHints: new Map() };
}

export { STUDY_KEY_LABEL, valueTargetLabels };
