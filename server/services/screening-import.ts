import "server-only";
import { and, count, desc, eq, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import { writeTransaction, type Db, type DbOrTx, type Tx } from "@/db/client";
import {
  screeningDecisions,
  screeningDuplicateCandidates,
  screeningExclusionReasons,
  screeningMerges,
  screeningRecords,
  screeningResolutions,
  screeningSearches,
  screeningSettings,
} from "@/db/schema";
import { AppError, invalid, notFound } from "@/server/errors";
import { publishReviewChange } from "@/server/events";
import type { ImportChunkInput, StartImportInput } from "@/server/schemas/screening";
import { findLikelyDuplicates } from "@/server/screening/dedup";
import { familyName } from "@/server/screening/references";
import { normaliseTitle } from "@/server/screening/dedup";
import { recordAudit, type Actor } from "./audit";
import { assertVersion } from "./versioning";
import { DEFAULT_EXCLUSION_REASONS, userNames, type Caller } from "./screening-state";

/*
 * Imports arrive as a search (source, date, query) followed by bounded chunks of parsed records, each chunk
 * one transaction; the search counts nowhere until it is finished. Exact duplicates (same DOI or PMID as a
 * record already imported) are merged as each chunk lands; likely duplicates are looked for when the search
 * is finished, and queued for a person.
 */

type SearchRow = typeof screeningSearches.$inferSelect;
type RecordRow = typeof screeningRecords.$inferSelect;

/** The settings row and the default exclusion reasons, created (and audited) the first time a review screens. */
export function ensureScreeningSetup(tx: Tx, actor: Actor, reviewId: number): void {
  if (tx.select({ id: screeningSettings.reviewId }).from(screeningSettings).where(eq(screeningSettings.reviewId, reviewId)).get()) return;
  tx.insert(screeningSettings).values({ reviewId }).run();
  recordAudit(tx, actor, { reviewId, entity: "screeningSettings", entityId: reviewId, action: "create" });
  const hasReasons = tx.select({ id: screeningExclusionReasons.id }).from(screeningExclusionReasons).where(eq(screeningExclusionReasons.reviewId, reviewId)).limit(1).get();
  if (hasReasons) return;
  const rows = tx
    .insert(screeningExclusionReasons)
    .values(DEFAULT_EXCLUSION_REASONS.map((label, i) => ({ reviewId, label, position: i + 1 })))
    .returning()
    .all();
  for (const row of rows) recordAudit(tx, actor, { reviewId, entity: "screeningReason", entityId: row.id, action: "create", changes: [{ field: "label", oldValue: null, newValue: row.label }] });
}

function getSearch(db: DbOrTx, reviewId: number, searchId: number): SearchRow {
  const row = db.select().from(screeningSearches).where(and(eq(screeningSearches.id, searchId), eq(screeningSearches.reviewId, reviewId))).get();
  if (!row) throw notFound(`Search ${searchId}`);
  return row;
}

export function getRecord(db: DbOrTx, reviewId: number, recordId: number): RecordRow {
  const row = db.select().from(screeningRecords).where(and(eq(screeningRecords.id, recordId), eq(screeningRecords.reviewId, reviewId))).get();
  if (!row) throw notFound(`Record ${recordId}`);
  return row;
}

export function startImport(db: Db, caller: Caller, reviewId: number, input: StartImportInput): SearchRow {
  return writeTransaction(db, (tx) => {
    ensureScreeningSetup(tx, caller.user, reviewId);
    const { expectedRecords, ...fields } = input;
    const row = tx
      .insert(screeningSearches)
      .values({ ...fields, reviewId, importedBy: caller.user.id })
      .returning()
      .get();
    recordAudit(tx, caller.user, {
      reviewId,
      entity: "screeningSearch",
      entityId: row.id,
      action: "create",
      changes: [...Object.entries(fields).map(([field, newValue]) => ({ field, oldValue: null, newValue })), { field: "expectedRecords", oldValue: null, newValue: expectedRecords }],
    });
    return row;
  });
}

function assertImporting(search: SearchRow, caller: Caller): void {
  if (search.status !== "importing") throw invalid("searchId", "this search is already imported");
  if (search.importedBy !== caller.user.id && caller.role !== "lead") throw new AppError("forbidden", "Only the person who started this import, or the lead, may add to it.");
}

/**
 * One chunk of parsed records, in one transaction. `offset` makes a retried chunk harmless: a chunk that was
 * already stored is acknowledged again without storing it twice; a gap is refused.
 */
export function importChunk(db: Db, caller: Caller, reviewId: number, input: ImportChunkInput) {
  return writeTransaction(db, (tx) => {
    const search = getSearch(tx, reviewId, input.searchId);
    assertImporting(search, caller);
    if (input.offset < search.recordCount) {
      if (input.offset + input.records.length <= search.recordCount) return { received: search.recordCount, merged: 0, repeated: true };
      throw invalid("offset", `this chunk overlaps records already received (${search.recordCount} so far)`);
    }
    if (input.offset > search.recordCount) throw invalid("offset", `records ${search.recordCount + 1}–${input.offset} have not arrived yet: send them first`);
    // Exact duplicates: the first record (by id) with the same DOI or PMID among finished searches and this
    // one, looked up for the whole chunk at once; duplicates within the chunk map to their earlier record.
    const keptBy = { doi: new Map<string, number>(), pmid: new Map<string, number>() };
    for (const field of ["doi", "pmid"] as const) {
      const column = field === "doi" ? screeningRecords.doi : screeningRecords.pmid;
      const values = [...new Set(input.records.map((r) => (field === "doi" ? r.doi.toLowerCase() : r.pmid)).filter(Boolean))];
      if (!values.length) continue;
      const rows = tx
        .select({ id: screeningRecords.id, duplicateOf: screeningRecords.duplicateOf, value: column })
        .from(screeningRecords)
        .innerJoin(screeningSearches, eq(screeningSearches.id, screeningRecords.searchId))
        .where(and(eq(screeningRecords.reviewId, reviewId), inArray(column, values), or(eq(screeningSearches.status, "complete"), eq(screeningSearches.id, search.id))))
        .orderBy(screeningRecords.id)
        .all();
      for (const row of rows) if (!keptBy[field].has(row.value)) keptBy[field].set(row.value, row.duplicateOf ?? row.id);
    }
    // One prepared INSERT run per record: drizzle builds a 250-row VALUES list parameter by parameter (about
    // 1 ms per record here), which alone would take a 10 000-record import past its 15 s budget. The same
    // connection, so it is part of this transaction; plain portable SQL.
    const insertRecord = db.$client.prepare(
      "insert into screening_records (review_id, search_id, title, abstract, authors, year, journal, doi, pmid, keywords, url, title_key, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    const now = new Date().toISOString();
    const merges: { duplicateId: number; keptId: number; kind: "doi" | "pmid" }[] = [];
    for (const record of input.records) {
      const doi = record.doi.toLowerCase();
      const titleKey = `${normaliseTitle(record.title).slice(0, 200)}|${record.authors[0] ? normaliseTitle(familyName(record.authors[0])) : ""}`;
      const id = Number(
        insertRecord.run(reviewId, search.id, record.title, record.abstract, JSON.stringify(record.authors), record.year, record.journal, doi, record.pmid, JSON.stringify(record.keywords), record.url, titleKey, now, now)
          .lastInsertRowid,
      );
      // DOI first (the stronger identifier), then PMID.
      const byDoi = doi ? keptBy.doi.get(doi) : undefined;
      const byPmid = record.pmid ? keptBy.pmid.get(record.pmid) : undefined;
      const kept = byDoi ?? byPmid;
      if (kept !== undefined) merges.push({ duplicateId: id, keptId: kept, kind: byDoi !== undefined ? "doi" : "pmid" });
      if (doi && !keptBy.doi.has(doi)) keptBy.doi.set(doi, kept ?? id);
      if (record.pmid && !keptBy.pmid.has(record.pmid)) keptBy.pmid.set(record.pmid, kept ?? id);
    }
    for (const m of merges) tx.update(screeningRecords).set({ duplicateOf: m.keptId }).where(eq(screeningRecords.id, m.duplicateId)).run();
    const mergeIds = merges.length
      ? tx
          .insert(screeningMerges)
          .values(merges.map((m) => ({ reviewId, ...m, mergedBy: caller.user.id })))
          .returning({ id: screeningMerges.id })
          .all()
          .map((m) => m.id)
      : [];
    const merged = merges.length;
    const received = search.recordCount + input.records.length;
    tx.update(screeningSearches).set({ recordCount: received }).where(eq(screeningSearches.id, search.id)).run();
    recordAudit(tx, caller.user, {
      reviewId,
      entity: "screeningSearch",
      entityId: search.id,
      action: "update",
      changes: [
        { field: "recordCount", oldValue: search.recordCount, newValue: received },
        ...(merged ? [{ field: "exactDuplicatesMerged", oldValue: null, newValue: { count: merged, mergeIds } }] : []),
      ],
    });
    return { received, merged, repeated: false };
  });
}

/** Ends an import: the search counts from now on, and its records are compared with all others for likely duplicates. */
export function finishImport(db: Db, caller: Caller, reviewId: number, searchId: number) {
  const before = getSearch(db, reviewId, searchId);
  assertImporting(before, caller);
  // The comparison reads only; it runs before the write transaction so that the lock is held briefly.
  const candidates = likelyDuplicatesOf(db, reviewId, searchId);
  const result = writeTransaction(db, (tx) => {
    const search = getSearch(tx, reviewId, searchId);
    assertImporting(search, caller);
    if (search.recordCount === 0) throw invalid("searchId", "no records have arrived for this search");
    tx.update(screeningSearches)
      .set({ status: "complete", version: sql`${screeningSearches.version} + 1` })
      .where(eq(screeningSearches.id, searchId))
      .run();
    let queued = 0;
    for (const c of candidates) {
      const inserted = tx
        .insert(screeningDuplicateCandidates)
        .values({ reviewId, recordA: c.a, recordB: c.b, score: c.score, evidence: JSON.stringify(c.evidence) })
        .onConflictDoNothing()
        .run();
      queued += inserted.changes;
    }
    const exact = tx.select({ n: count() }).from(screeningRecords).where(and(eq(screeningRecords.searchId, searchId), isNotNull(screeningRecords.duplicateOf))).get()?.n ?? 0;
    recordAudit(tx, caller.user, {
      reviewId,
      entity: "screeningSearch",
      entityId: searchId,
      action: "update",
      changes: [
        { field: "status", oldValue: "importing", newValue: "complete" },
        { field: "likelyDuplicatesQueued", oldValue: null, newValue: queued },
      ],
    });
    return { records: search.recordCount, exactDuplicates: exact, likelyDuplicates: queued };
  });
  publishReviewChange(reviewId, "screening", caller.user.displayName);
  return result;
}

function likelyDuplicatesOf(db: DbOrTx, reviewId: number, searchId: number) {
  const rows = db
    .select({
      id: screeningRecords.id,
      searchId: screeningRecords.searchId,
      title: screeningRecords.title,
      year: screeningRecords.year,
      authors: screeningRecords.authors,
      journal: screeningRecords.journal,
    })
    .from(screeningRecords)
    .innerJoin(screeningSearches, eq(screeningSearches.id, screeningRecords.searchId))
    .where(and(eq(screeningRecords.reviewId, reviewId), isNull(screeningRecords.duplicateOf), or(eq(screeningSearches.status, "complete"), eq(screeningSearches.id, searchId))))
    .all();
  const records = rows.map((r) => ({ ...r, authors: firstAuthorOnly(r.authors) }));
  const newIds = new Set(records.filter((r) => r.searchId === searchId).map((r) => r.id));
  return findLikelyDuplicates(records, newIds);
}

/** Only the first author is compared: parse no more of the JSON list than needed. */
function firstAuthorOnly(json: string): string[] {
  try {
    const list: unknown = JSON.parse(json);
    return Array.isArray(list) && typeof list[0] === "string" ? [list[0]] : [];
  } catch {
    return [];
  }
}

/** Abandons an import that was not finished (a closed tab, a wrong file): its records go with it. */
export function cancelImport(db: Db, caller: Caller, reviewId: number, searchId: number) {
  writeTransaction(db, (tx) => {
    const search = getSearch(tx, reviewId, searchId);
    assertImporting(search, caller);
    tx.delete(screeningSearches).where(eq(screeningSearches.id, searchId)).run();
    recordAudit(tx, caller.user, { reviewId, entity: "screeningSearch", entityId: searchId, action: "delete", changes: [{ field: null, oldValue: search, newValue: null }] });
  });
  publishReviewChange(reviewId, "screening", caller.user.displayName);
  return { cancelled: searchId };
}

export function listSearches(db: DbOrTx, reviewId: number) {
  const rows = db.select().from(screeningSearches).where(eq(screeningSearches.reviewId, reviewId)).orderBy(screeningSearches.id).all();
  const names = userNames(
    db,
    rows.map((r) => r.importedBy),
  );
  const duplicates = new Map(
    db
      .select({ searchId: screeningRecords.searchId, n: count() })
      .from(screeningRecords)
      .where(and(eq(screeningRecords.reviewId, reviewId), isNotNull(screeningRecords.duplicateOf)))
      .groupBy(screeningRecords.searchId)
      .all()
      .map((r) => [r.searchId, r.n]),
  );
  return rows.map((r) => ({ ...r, importedByName: names.get(r.importedBy) ?? `user ${r.importedBy}`, duplicates: duplicates.get(r.id) ?? 0 }));
}

// ---- duplicates: the queue, merges and their undoing ----

const hasScreeningWork = (tx: DbOrTx, recordId: number) =>
  !!tx.select({ id: screeningDecisions.id }).from(screeningDecisions).where(eq(screeningDecisions.recordId, recordId)).limit(1).get() ||
  !!tx.select({ id: screeningResolutions.id }).from(screeningResolutions).where(eq(screeningResolutions.recordId, recordId)).limit(1).get();
const hasDuplicates = (tx: DbOrTx, recordId: number) => !!tx.select({ id: screeningRecords.id }).from(screeningRecords).where(eq(screeningRecords.duplicateOf, recordId)).limit(1).get();

/** Why `record` cannot become the duplicate in a merge, or null when it can. */
function cannotBeDuplicate(tx: DbOrTx, record: RecordRow): string | null {
  if (record.studyId !== null) return "it is linked to a study";
  if (hasScreeningWork(tx, record.id)) return "it has screening decisions";
  if (hasDuplicates(tx, record.id)) return "other records are merged into it";
  return null;
}

export function pendingCandidates(db: DbOrTx, reviewId: number, limit = 50) {
  const rows = db
    .select()
    .from(screeningDuplicateCandidates)
    .where(and(eq(screeningDuplicateCandidates.reviewId, reviewId), eq(screeningDuplicateCandidates.status, "pending")))
    .orderBy(desc(screeningDuplicateCandidates.score), screeningDuplicateCandidates.id)
    .limit(limit)
    .all();
  const ids = [...new Set(rows.flatMap((r) => [r.recordA, r.recordB]))];
  const records = new Map(ids.length ? db.select().from(screeningRecords).where(inArray(screeningRecords.id, ids)).all().map((r) => [r.id, r]) : []);
  const searches = new Map(db.select({ id: screeningSearches.id, source: screeningSearches.source }).from(screeningSearches).where(eq(screeningSearches.reviewId, reviewId)).all().map((s) => [s.id, s.source]));
  const view = (id: number) => {
    const r = records.get(id)!;
    return { id, title: r.title, authors: JSON.parse(r.authors) as string[], year: r.year, journal: r.journal, doi: r.doi, pmid: r.pmid, source: searches.get(r.searchId) ?? "", duplicateOf: r.duplicateOf };
  };
  const total = db.select({ n: count() }).from(screeningDuplicateCandidates).where(and(eq(screeningDuplicateCandidates.reviewId, reviewId), eq(screeningDuplicateCandidates.status, "pending"))).get()?.n ?? 0;
  return {
    total,
    candidates: rows.map((c) => ({ id: c.id, score: c.score, evidence: JSON.parse(c.evidence) as Record<string, number | null>, version: c.version, a: view(c.recordA), b: view(c.recordB) })),
  };
}

/** A person's call on a queued pair: merge (the later record into the earlier, unless only the other way works) or keep apart. */
export function decideCandidate(db: Db, caller: Caller, reviewId: number, candidateId: number, action: "merge" | "keep_apart", expectedVersion: number) {
  const result = writeTransaction(db, (tx) => {
    const candidate = tx
      .select()
      .from(screeningDuplicateCandidates)
      .where(and(eq(screeningDuplicateCandidates.id, candidateId), eq(screeningDuplicateCandidates.reviewId, reviewId)))
      .get();
    if (!candidate) throw notFound(`Likely duplicate ${candidateId}`);
    assertVersion(tx, "screeningCandidate", candidate, expectedVersion);
    if (candidate.status !== "pending") throw invalid("candidateId", "this pair has already been decided");
    const decided = { decidedBy: caller.user.id, decidedAt: new Date().toISOString(), version: sql`${screeningDuplicateCandidates.version} + 1` };
    let mergeId: number | null = null;
    if (action === "merge") {
      const a = getRecord(tx, reviewId, candidate.recordA);
      const b = getRecord(tx, reviewId, candidate.recordB);
      if (a.duplicateOf !== null || b.duplicateOf !== null) throw invalid("candidateId", "one of these records has been merged into another meanwhile");
      const whyNotB = cannotBeDuplicate(tx, b);
      const whyNotA = cannotBeDuplicate(tx, a);
      if (whyNotB && whyNotA) throw invalid("candidateId", `neither record can be merged into the other: the later one because ${whyNotB}, the earlier because ${whyNotA}`);
      const [duplicate, kept] = whyNotB ? [a, b] : [b, a];
      tx.update(screeningRecords)
        .set({ duplicateOf: kept.id, version: sql`${screeningRecords.version} + 1`, updatedAt: new Date().toISOString() })
        .where(eq(screeningRecords.id, duplicate.id))
        .run();
      const merge = tx
        .insert(screeningMerges)
        .values({ reviewId, duplicateId: duplicate.id, keptId: kept.id, kind: "manual", score: candidate.score, mergedBy: caller.user.id })
        .returning()
        .get();
      mergeId = merge.id;
      recordAudit(tx, caller.user, {
        reviewId,
        entity: "screeningMerge",
        entityId: merge.id,
        action: "create",
        changes: [
          { field: "duplicateId", oldValue: null, newValue: duplicate.id },
          { field: "keptId", oldValue: null, newValue: kept.id },
          { field: "score", oldValue: null, newValue: candidate.score },
        ],
      });
    }
    tx.update(screeningDuplicateCandidates)
      .set({ status: action === "merge" ? "merged" : "kept_apart", ...decided })
      .where(eq(screeningDuplicateCandidates.id, candidateId))
      .run();
    recordAudit(tx, caller.user, {
      reviewId,
      entity: "screeningCandidate",
      entityId: candidateId,
      action: "update",
      changes: [{ field: "status", oldValue: "pending", newValue: action === "merge" ? "merged" : "kept_apart" }],
    });
    return { status: action === "merge" ? "merged" : "kept_apart", mergeId };
  });
  publishReviewChange(reviewId, "screening", caller.user.displayName);
  return result;
}

/** Undoes a merge, exact or by a person: the duplicate is screened again and no longer counted as removed. */
export function undoMerge(db: Db, caller: Caller, reviewId: number, mergeId: number) {
  const result = writeTransaction(db, (tx) => {
    const merge = tx.select().from(screeningMerges).where(and(eq(screeningMerges.id, mergeId), eq(screeningMerges.reviewId, reviewId))).get();
    if (!merge) throw notFound(`Merge ${mergeId}`);
    if (merge.undoneAt) throw invalid("mergeId", "this merge has already been undone");
    const duplicate = getRecord(tx, reviewId, merge.duplicateId);
    if (duplicate.duplicateOf !== merge.keptId) throw new AppError("conflict", "This record's merge has changed meanwhile: reload.");
    const at = new Date().toISOString();
    tx.update(screeningRecords)
      .set({ duplicateOf: null, version: sql`${screeningRecords.version} + 1`, updatedAt: at })
      .where(eq(screeningRecords.id, duplicate.id))
      .run();
    tx.update(screeningMerges).set({ undoneAt: at, undoneBy: caller.user.id }).where(eq(screeningMerges.id, mergeId)).run();
    // A queued pair goes back to the queue, so that the person can keep them apart for good.
    const [low, high] = merge.duplicateId < merge.keptId ? [merge.duplicateId, merge.keptId] : [merge.keptId, merge.duplicateId];
    tx.update(screeningDuplicateCandidates)
      .set({ status: "pending", decidedBy: null, decidedAt: null, version: sql`${screeningDuplicateCandidates.version} + 1` })
      .where(and(eq(screeningDuplicateCandidates.recordA, low), eq(screeningDuplicateCandidates.recordB, high)))
      .run();
    recordAudit(tx, caller.user, {
      reviewId,
      entity: "screeningMerge",
      entityId: mergeId,
      action: "update",
      changes: [{ field: "undoneAt", oldValue: null, newValue: at }],
      reason: `Record ${duplicate.id} is no longer a duplicate of record ${merge.keptId}`,
    });
    return { undone: mergeId, recordId: duplicate.id };
  });
  publishReviewChange(reviewId, "screening", caller.user.displayName);
  return result;
}

/** Active merges, newest first (a page of them), with the total by kind for the PRISMA "duplicates removed" box. */
export function listMerges(db: DbOrTx, reviewId: number, limit = 100) {
  const rows = db
    .select({
      id: screeningMerges.id,
      kind: screeningMerges.kind,
      score: screeningMerges.score,
      createdAt: screeningMerges.createdAt,
      duplicateId: screeningMerges.duplicateId,
      keptId: screeningMerges.keptId,
      title: screeningRecords.title,
      year: screeningRecords.year,
      doi: screeningRecords.doi,
      pmid: screeningRecords.pmid,
    })
    .from(screeningMerges)
    .innerJoin(screeningRecords, eq(screeningRecords.id, screeningMerges.duplicateId))
    .where(and(eq(screeningMerges.reviewId, reviewId), isNull(screeningMerges.undoneAt)))
    .orderBy(desc(screeningMerges.id))
    .limit(limit)
    .all();
  const byKind = db
    .select({ kind: screeningMerges.kind, n: count() })
    .from(screeningMerges)
    .where(and(eq(screeningMerges.reviewId, reviewId), isNull(screeningMerges.undoneAt)))
    .groupBy(screeningMerges.kind)
    .all();
  const undone = db.select({ n: count() }).from(screeningMerges).where(and(eq(screeningMerges.reviewId, reviewId), isNotNull(screeningMerges.undoneAt))).get()?.n ?? 0;
  return { merges: rows, byKind: Object.fromEntries(byKind.map((k) => [k.kind, k.n])) as Partial<Record<"doi" | "pmid" | "manual", number>>, undone };
}

