import "server-only";
import { and, asc, count, eq, inArray, like, max, or, sql } from "drizzle-orm";
import { writeTransaction, type Db, type DbOrTx, type Tx } from "@/db/client";
import {
  reviewMembers,
  screeningDecisions,
  screeningExclusionReasons,
  screeningRecords,
  screeningResolutions,
  screeningSearches,
  screeningSettings,
  studies,
  type ScreeningDecisionValue,
  type ScreeningOrder,
  type ScreeningStage,
} from "@/db/schema";
import { AppError, invalid, notFound } from "@/server/errors";
import { publishReviewChange } from "@/server/events";
import { stageLabels, type DecideInput, type ResolveInput, type SettingsInput } from "@/server/schemas/screening";
import { recallCurve } from "@/server/screening/ranking";
import { citationAuthor } from "@/server/screening/references";
import { cohensKappa } from "./agreement";
import { diffRows, entityHistory, recordAudit } from "./audit";
import { computePrismaCounts } from "./screening-prisma";
import { ensureScreeningSetup, getRecord, listMerges, listSearches } from "./screening-import";
import { prioritise } from "./screening-ranking";
import {
  canResolve,
  forbidden,
  getSettings,
  listReasons,
  loadScreeningState,
  mayReadDecision,
  parseList,
  slotOf,
  userNames,
  type Caller,
  type DecisionRow,
  type ScreeningState,
  type Slot,
  type StageState,
} from "./screening-state";
import { fullTextPolicy, inspectFile, storeFile } from "./stored-files";
import { insertStudy } from "./studies";
import { assertVersion } from "./versioning";

export type { Caller } from "./screening-state";

/**
 * A reviewer may take back (undo) or change their own decision while the other reviewer has not decided the
 * record; once both have, the decisions are locked so that κ describes independent decisions — except the
 * decision just made, which stays undoable for this long (a mistyped key), as long as nobody has settled it.
 */
export const UNDO_WINDOW_MS = 2 * 60 * 1000;

const stageName = (stage: ScreeningStage) => stageLabels[stage].toLowerCase();

// ---- settings and exclusion reasons (lead) ----

export function screeningSettingsView(db: DbOrTx, reviewId: number) {
  const s = getSettings(db, reviewId);
  const names = userNames(db, [s.reviewer1Id, s.reviewer2Id, s.arbiterId]);
  const person = (id: number | null) => (id === null ? null : { id, name: names.get(id) ?? `user ${id}` });
  return {
    reviewer1: person(s.reviewer1Id),
    reviewer2: person(s.reviewer2Id),
    arbiter: person(s.arbiterId),
    includeTerms: parseList(s.includeTerms),
    excludeTerms: parseList(s.excludeTerms),
    order: s.order,
    version: s.version || null,
  };
}

export function updateScreeningSettings(db: Db, caller: Caller, reviewId: number, input: SettingsInput) {
  writeTransaction(db, (tx) => {
    ensureScreeningSetup(tx, caller.user, reviewId);
    const current = getSettings(tx, reviewId);
    // A settings row created just now (version 1) by ensureScreeningSetup is what a first save (version null) expects.
    assertVersion(tx, "screeningSettings", { ...current, id: reviewId }, input.version ?? 1);
    const { reviewer1Id, reviewer2Id, arbiterId } = input;
    if (reviewer1Id !== null && reviewer1Id === reviewer2Id) throw invalid("reviewer2Id", "Reviewer 2 must be someone other than reviewer 1");
    if (arbiterId !== null && (arbiterId === reviewer1Id || arbiterId === reviewer2Id)) throw invalid("arbiterId", "The third reviewer must not be one of the two screeners");
    for (const [field, label, userId] of [
      ["reviewer1Id", "Reviewer 1", reviewer1Id],
      ["reviewer2Id", "Reviewer 2", reviewer2Id],
      ["arbiterId", "Third reviewer", arbiterId],
    ] as const) {
      if (userId === null) continue;
      const member = tx.select({ role: reviewMembers.role }).from(reviewMembers).where(and(eq(reviewMembers.reviewId, reviewId), eq(reviewMembers.userId, userId))).get();
      if (member?.role !== "reviewer" && member?.role !== "lead") throw invalid(field, `${label} must be a member of this review with the reviewer or lead role`);
    }
    // Decisions belong to their author: replacing a screener who has decided would orphan them or mix two people's.
    for (const [field, label, outgoing] of [
      ["reviewer1Id", "Reviewer 1", current.reviewer1Id],
      ["reviewer2Id", "Reviewer 2", current.reviewer2Id],
    ] as const) {
      if (outgoing === null || outgoing === reviewer1Id || outgoing === reviewer2Id) continue;
      const decided = tx.select({ id: screeningDecisions.id }).from(screeningDecisions).where(and(eq(screeningDecisions.reviewId, reviewId), eq(screeningDecisions.reviewerId, outgoing))).limit(1).get();
      if (decided) throw invalid(field, `${label} (${userNames(tx, [outgoing]).get(outgoing)}) has screening decisions in this review and stays assigned`);
    }
    const values = {
      reviewer1Id,
      reviewer2Id,
      arbiterId,
      includeTerms: JSON.stringify(input.includeTerms),
      excludeTerms: JSON.stringify(input.excludeTerms),
      order: input.order,
    };
    const saved = tx
      .update(screeningSettings)
      .set({ ...values, version: sql`${screeningSettings.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(screeningSettings.reviewId, reviewId))
      .returning()
      .get();
    recordAudit(tx, caller.user, { reviewId, entity: "screeningSettings", entityId: reviewId, action: "update", changes: diffRows(current, saved, ["version", "updatedAt", "reviewId"]) });
  });
  publishReviewChange(reviewId, "screening", caller.user.displayName);
  return screeningSettingsView(db, reviewId);
}

function getReason(db: DbOrTx, reviewId: number, reasonId: number) {
  const row = db.select().from(screeningExclusionReasons).where(and(eq(screeningExclusionReasons.id, reasonId), eq(screeningExclusionReasons.reviewId, reviewId))).get();
  if (!row) throw invalid("reasonId", "Exclusion reason is not one of this review's reasons");
  return row;
}

const assertLabelFree = (tx: Tx, reviewId: number, label: string, except?: number) => {
  const same = tx
    .select({ id: screeningExclusionReasons.id })
    .from(screeningExclusionReasons)
    .where(and(eq(screeningExclusionReasons.reviewId, reviewId), sql`lower(${screeningExclusionReasons.label}) = lower(${label})`))
    .all()
    .filter((r) => r.id !== except);
  if (same.length) throw invalid("label", "Exclusion reason is already in the list");
};

export function addReason(db: Db, caller: Caller, reviewId: number, label: string) {
  const row = writeTransaction(db, (tx) => {
    ensureScreeningSetup(tx, caller.user, reviewId);
    assertLabelFree(tx, reviewId, label);
    const position = (tx.select({ last: max(screeningExclusionReasons.position) }).from(screeningExclusionReasons).where(eq(screeningExclusionReasons.reviewId, reviewId)).get()?.last ?? 0) + 1;
    const saved = tx.insert(screeningExclusionReasons).values({ reviewId, label, position }).returning().get();
    recordAudit(tx, caller.user, { reviewId, entity: "screeningReason", entityId: saved.id, action: "create", changes: [{ field: "label", oldValue: null, newValue: label }] });
    return saved;
  });
  publishReviewChange(reviewId, "screening", caller.user.displayName);
  return row;
}

export function renameReason(db: Db, caller: Caller, reviewId: number, reasonId: number, label: string, expectedVersion: number) {
  const row = writeTransaction(db, (tx) => {
    const current = getReason(tx, reviewId, reasonId);
    assertVersion(tx, "screeningReason", current, expectedVersion);
    assertLabelFree(tx, reviewId, label, reasonId);
    const saved = tx
      .update(screeningExclusionReasons)
      .set({ label, version: sql`${screeningExclusionReasons.version} + 1` })
      .where(eq(screeningExclusionReasons.id, reasonId))
      .returning()
      .get();
    recordAudit(tx, caller.user, { reviewId, entity: "screeningReason", entityId: reasonId, action: "update", changes: [{ field: "label", oldValue: current.label, newValue: label }] });
    return saved;
  });
  publishReviewChange(reviewId, "screening", caller.user.displayName);
  return row;
}

export function removeReason(db: Db, caller: Caller, reviewId: number, reasonId: number, expectedVersion: number) {
  writeTransaction(db, (tx) => {
    const current = getReason(tx, reviewId, reasonId);
    assertVersion(tx, "screeningReason", current, expectedVersion);
    const used =
      (tx.select({ n: count() }).from(screeningDecisions).where(eq(screeningDecisions.reasonId, reasonId)).get()?.n ?? 0) +
      (tx.select({ n: count() }).from(screeningResolutions).where(eq(screeningResolutions.reasonId, reasonId)).get()?.n ?? 0);
    if (used) throw invalid("reasonId", `Exclusion reason "${current.label}" is given in ${used} decision${used === 1 ? "" : "s"}: rename it instead`);
    tx.delete(screeningExclusionReasons).where(eq(screeningExclusionReasons.id, reasonId)).run();
    recordAudit(tx, caller.user, { reviewId, entity: "screeningReason", entityId: reasonId, action: "delete", changes: [{ field: "label", oldValue: current.label, newValue: null }] });
  });
  publishReviewChange(reviewId, "screening", caller.user.displayName);
  return { removed: reasonId };
}

// ---- records as a screener sees them ----

type RecordRow = typeof screeningRecords.$inferSelect;

function recordView(r: RecordRow, sources: Map<number, string>) {
  return {
    id: r.id,
    title: r.title,
    abstract: r.abstract,
    authors: parseList(r.authors),
    year: r.year,
    journal: r.journal,
    doi: r.doi,
    pmid: r.pmid,
    keywords: parseList(r.keywords),
    url: r.url,
    source: sources.get(r.searchId) ?? "",
    notRetrieved: r.notRetrieved,
    notRetrievedReason: r.notRetrievedReason,
    studyId: r.studyId,
    duplicateOf: r.duplicateOf,
    fullTextFileId: r.fullTextFileId,
    version: r.version,
  };
}

const sourcesOf = (db: DbOrTx, reviewId: number) =>
  new Map(db.select({ id: screeningSearches.id, source: screeningSearches.source }).from(screeningSearches).where(eq(screeningSearches.reviewId, reviewId)).all().map((s) => [s.id, s.source]));

function loadRecords(db: DbOrTx, ids: number[]): Map<number, RecordRow> {
  const out = new Map<number, RecordRow>();
  for (let i = 0; i < ids.length; i += 500) {
    for (const r of db.select().from(screeningRecords).where(inArray(screeningRecords.id, ids.slice(i, i + 500))).all()) out.set(r.id, r);
  }
  return out;
}

const ownDecision = (stage: StageState, slot: Slot, recordId: number) => stage.decisions.get(recordId)?.[slot - 1];

/**
 * The caller's next records at a stage (their own screening queue): those they have not decided yet, by
 * predicted relevance or in import order. The page keeps the next ones in hand, so that the next record shows
 * at once after a decision while the ranking is retrained.
 */
export function screeningQueue(db: DbOrTx, reviewId: number, caller: Caller, stage: ScreeningStage, order: ScreeningOrder, limit: number) {
  const state = loadScreeningState(db, reviewId);
  const slot = slotOf(state.settings, caller.user.id);
  const stageState = state.stage(stage);
  if (!slot) return { assigned: false as const, slot: null, records: [], remaining: 0, decided: 0, total: stageState.eligible.length, model: null };
  const pool = stageState.eligible.filter((id) => !ownDecision(stageState, slot, id));
  const ranked = order === "prioritised" ? prioritise(db, reviewId, state, slot, pool) : { ordered: pool, scores: new Map<number, number>(), model: null };
  const next = ranked.ordered.slice(0, limit);
  const rows = loadRecords(db, next);
  const sources = sourcesOf(db, reviewId);
  return {
    assigned: true as const,
    slot,
    records: next.map((id) => ({ ...recordView(rows.get(id)!, sources), relevance: ranked.scores.get(id) ?? null })),
    remaining: pool.length,
    decided: stageState.eligible.length - pool.length,
    total: stageState.eligible.length,
    model: ranked.model,
  };
}

function publicDecision(d: DecisionRow, slot: Slot, names: Map<number, string>, reasons: Map<number, string>) {
  return {
    slot,
    reviewer: names.get(d.reviewerId) ?? `user ${d.reviewerId}`,
    decision: d.decision,
    reason: d.reasonId === null ? null : (reasons.get(d.reasonId) ?? null),
    reasonId: d.reasonId,
    note: d.note,
    order: d.screeningOrder,
    updatedAt: d.updatedAt,
    version: d.version,
  };
}

/** One record with, per stage, the decisions the caller may read, the outcome and what the caller may do. */
export function screeningRecord(db: DbOrTx, reviewId: number, caller: Caller, recordId: number) {
  const record = getRecord(db, reviewId, recordId);
  const state = loadScreeningState(db, reviewId);
  const names = userNames(db, [state.settings.reviewer1Id, state.settings.reviewer2Id]);
  const reasons = new Map(listReasons(db, reviewId).map((r) => [r.id, r.label]));
  const resolverNames = userNames(db, [...state.ta.resolutions.values(), ...state.ft.resolutions.values()].map((r) => r.decidedBy));
  const stages = (["title_abstract", "full_text"] as const).map((stage) => {
    const s = state.stage(stage);
    const pair = s.decisions.get(recordId) ?? [undefined, undefined];
    const resolution = s.resolutions.get(recordId);
    return {
      stage,
      eligible: s.eligibleSet.has(recordId),
      outcome: s.outcome(recordId),
      unblinded: s.unblinded(recordId),
      decisions: ([1, 2] as const).flatMap((slot) => {
        const d = pair[slot - 1];
        return d && mayReadDecision(s, state.settings, caller, recordId, slot) ? [publicDecision(d, slot, names, reasons)] : [];
      }),
      decidedCount: pair.filter(Boolean).length,
      resolution: resolution
        ? { decision: resolution.decision, reason: resolution.reasonId === null ? null : (reasons.get(resolution.reasonId) ?? null), reasonId: resolution.reasonId, note: resolution.note, by: resolverNames.get(resolution.decidedBy) ?? "", version: resolution.version }
        : null,
    };
  });
  return { record: recordView(record, sourcesOf(db, reviewId)), stages, history: entityHistory(db, reviewId, "screeningRecord", recordId) };
}

// ---- decisions ----

function assertDecidable(state: ScreeningState, stage: ScreeningStage, recordId: number): void {
  const s = state.stage(stage);
  if (s.eligibleSet.has(recordId)) return;
  if (stage === "title_abstract") throw invalid("recordId", "this record is not screened (a duplicate, or its import is unfinished)");
  if (state.notRetrieved.has(recordId)) throw invalid("recordId", "this record's full text is marked as not retrieved");
  throw invalid("recordId", "this record is not at the full-text stage: it must be included at title and abstract first");
}

/** Whether the caller may still change (or take back) their own decision; the message says why not. */
function lockedBecause(s: StageState, recordId: number, own: DecisionRow): string | null {
  if (s.resolutions.has(recordId)) return "the lead has settled this record: the settled decision stands";
  if (!s.unblinded(recordId)) return null;
  if (Date.now() - Date.parse(own.updatedAt) <= UNDO_WINDOW_MS) return null;
  return "both reviewers have decided this record, so the decisions are locked as given; the lead settles differences";
}

/** The caller's own decision on one record at one stage (first decision, or a change while still allowed). */
export function decide(db: Db, caller: Caller, reviewId: number, input: DecideInput) {
  const result = writeTransaction(db, (tx) => {
    getRecord(tx, reviewId, input.recordId);
    const state = loadScreeningState(tx, reviewId);
    const slot = slotOf(state.settings, caller.user.id);
    if (!slot) throw forbidden("Only the two reviewers assigned to screening record decisions, each their own; you are not assigned.");
    if (!state.bothAssigned) throw invalid("reviewer2Id", "the lead must assign both screeners before screening starts");
    assertDecidable(state, input.stage, input.recordId);
    const s = state.stage(input.stage);
    let reasonId: number | null = null;
    if (input.stage === "full_text" && input.decision === "exclude") {
      if (input.reasonId === null) throw invalid("reasonId", "Exclusion reason is required to exclude a full text");
      reasonId = getReason(tx, reviewId, input.reasonId).id;
    } else if (input.reasonId !== null) {
      throw invalid("reasonId", "Exclusion reason is only given when excluding a full text");
    }
    if (input.stage === "full_text" && input.decision === "maybe") throw invalid("decision", "Decision at full text must be include or exclude (with a reason)");
    const current = ownDecision(s, slot, input.recordId);
    if (current) {
      assertVersion(tx, "screeningDecision", current, input.version ?? 0);
      const why = lockedBecause(s, input.recordId, current);
      if (why) throw forbidden(`Your decision cannot change: ${why}.`);
    } else if (input.version !== null) {
      throw new AppError("conflict", "Your decision on this record was taken back meanwhile: decide again.", undefined, { row: null, by: caller.user.displayName });
    }
    const values = { decision: input.decision as ScreeningDecisionValue, reasonId, note: input.note, screeningOrder: input.order };
    const row = current
      ? tx
          .update(screeningDecisions)
          .set({ ...values, version: sql`${screeningDecisions.version} + 1`, updatedAt: new Date().toISOString() })
          .where(eq(screeningDecisions.id, current.id))
          .returning()
          .get()
      : tx
          .insert(screeningDecisions)
          .values({ reviewId, recordId: input.recordId, stage: input.stage, reviewerId: caller.user.id, ...values })
          .returning()
          .get();
    recordAudit(tx, caller.user, {
      reviewId,
      entity: "screeningDecision",
      entityId: row.id,
      action: current ? "update" : "create",
      changes: [
        ...(current ? [] : [{ field: "record", oldValue: null, newValue: input.recordId }, { field: "stage", oldValue: null, newValue: input.stage }]),
        ...diffRows(current ? { decision: current.decision, reasonId: current.reasonId, note: current.note } : {}, { decision: row.decision, reasonId: row.reasonId, note: row.note }),
      ],
    });
    return row;
  });
  publishReviewChange(reviewId, "screening", caller.user.displayName);
  return { id: result.id, recordId: result.recordId, stage: result.stage, decision: result.decision, reasonId: result.reasonId, version: result.version };
}

/** Takes back the caller's own decision (the "undo" key), under the same rule as changing it. */
export function undoDecision(db: Db, caller: Caller, reviewId: number, recordId: number, stage: ScreeningStage, expectedVersion: number) {
  writeTransaction(db, (tx) => {
    getRecord(tx, reviewId, recordId);
    const state = loadScreeningState(tx, reviewId);
    const slot = slotOf(state.settings, caller.user.id);
    if (!slot) throw forbidden("Only the assigned screeners have decisions to take back.");
    const s = state.stage(stage);
    const current = ownDecision(s, slot, recordId);
    if (!current) throw notFound(`Your ${stageName(stage)} decision on record ${recordId}`);
    assertVersion(tx, "screeningDecision", current, expectedVersion);
    const why = lockedBecause(s, recordId, current);
    if (why) throw forbidden(`Your decision cannot be taken back: ${why}.`);
    if (stage === "title_abstract" && state.ft.decisions.has(recordId)) throw forbidden("Your decision cannot be taken back: the record already has full-text decisions.");
    tx.delete(screeningDecisions).where(eq(screeningDecisions.id, current.id)).run();
    recordAudit(tx, caller.user, { reviewId, entity: "screeningDecision", entityId: current.id, action: "delete", changes: [{ field: null, oldValue: current, newValue: null }], reason: "Undone by its author" });
  });
  publishReviewChange(reviewId, "screening", caller.user.displayName);
  return { undone: recordId };
}

// ---- conflicts and their resolution ----

/** Records at a stage where both reviewers decided and disagree (or were settled), with both decisions: the team only. */
export function screeningConflicts(db: DbOrTx, reviewId: number, caller: Caller, stage: ScreeningStage) {
  if (caller.role === "viewer") throw forbidden("Viewers see the screening counts, not individual decisions.");
  const state = loadScreeningState(db, reviewId);
  const s = state.stage(stage);
  const names = userNames(db, [state.settings.reviewer1Id, state.settings.reviewer2Id]);
  const reasons = new Map(listReasons(db, reviewId).map((r) => [r.id, r.label]));
  const conflictIds = s.eligible.filter((id) => {
    if (!s.unblinded(id)) return false;
    const [a, b] = s.decisions.get(id)!;
    return s.outcome(id).status === "conflict" || (s.resolutions.has(id) && (a!.decision !== b!.decision || a!.reasonId !== b!.reasonId));
  });
  const rows = loadRecords(db, conflictIds);
  const sources = sourcesOf(db, reviewId);
  return {
    canResolve: canResolve(state.settings, caller),
    conflicts: conflictIds.map((id) => {
      const [a, b] = s.decisions.get(id)!;
      const resolution = s.resolutions.get(id);
      return {
        record: recordView(rows.get(id)!, sources),
        decisions: [publicDecision(a!, 1, names, reasons), publicDecision(b!, 2, names, reasons)],
        resolution: resolution ? { decision: resolution.decision, reasonId: resolution.reasonId, reason: resolution.reasonId === null ? null : (reasons.get(resolution.reasonId) ?? null), note: resolution.note, version: resolution.version } : null,
      };
    }),
  };
}

/** The lead's (or third reviewer's) final decision on a record at a stage, once both reviewers have decided it. */
export function resolve(db: Db, caller: Caller, reviewId: number, input: ResolveInput) {
  const saved = writeTransaction(db, (tx) => {
    getRecord(tx, reviewId, input.recordId);
    const state = loadScreeningState(tx, reviewId);
    if (!canResolve(state.settings, caller)) throw forbidden("Only the lead, or the third reviewer the lead names, settles screening conflicts.");
    const s = state.stage(input.stage);
    assertDecidable(state, input.stage, input.recordId);
    if (!s.unblinded(input.recordId)) throw invalid("recordId", "both reviewers must decide this record before it is settled");
    let reasonId: number | null = null;
    if (input.stage === "full_text" && input.decision === "exclude") {
      if (input.reasonId === null) throw invalid("reasonId", "Exclusion reason is required to exclude a full text");
      reasonId = getReason(tx, reviewId, input.reasonId).id;
    }
    const [a, b] = s.decisions.get(input.recordId)!;
    const agreed = s.outcome(input.recordId);
    const current = s.resolutions.get(input.recordId);
    const overrules = agreed.via === "agreement" && (agreed.status !== (input.decision === "include" ? "included" : "excluded") || agreed.reasonId !== reasonId);
    if (overrules && !input.note) throw invalid("note", "Reason for the decision is required to overrule what both reviewers decided");
    if (current) assertVersion(tx, "screeningResolution", current, input.version ?? 0);
    if (input.stage === "title_abstract" && input.decision === "exclude" && state.ft.decisions.has(input.recordId))
      throw invalid("decision", "the record already has full-text decisions: settle it at full text instead");
    const values = { decision: input.decision, reasonId, note: input.note, decidedBy: caller.user.id };
    const row = current
      ? tx
          .update(screeningResolutions)
          .set({ ...values, version: sql`${screeningResolutions.version} + 1`, updatedAt: new Date().toISOString() })
          .where(eq(screeningResolutions.id, current.id))
          .returning()
          .get()
      : tx
          .insert(screeningResolutions)
          .values({ reviewId, recordId: input.recordId, stage: input.stage, ...values })
          .returning()
          .get();
    recordAudit(tx, caller.user, {
      reviewId,
      entity: "screeningResolution",
      entityId: row.id,
      action: current ? "update" : "create",
      changes: [
        ...diffRows(current ? { decision: current.decision, reasonId: current.reasonId, note: current.note } : { record: null, stage: null }, {
          ...(current ? {} : { record: input.recordId, stage: input.stage }),
          decision: row.decision,
          reasonId: row.reasonId,
          note: row.note,
        }),
        { field: "originals", oldValue: null, newValue: { reviewer1: { decision: a!.decision, reasonId: a!.reasonId }, reviewer2: { decision: b!.decision, reasonId: b!.reasonId } } },
      ],
      reason: row.note || null,
    });
    return row;
  });
  publishReviewChange(reviewId, "screening", caller.user.displayName);
  return { id: saved.id, recordId: saved.recordId, stage: saved.stage, decision: saved.decision, version: saved.version };
}

// ---- full text not retrieved; records to studies ----

export function setNotRetrieved(db: Db, caller: Caller, reviewId: number, recordId: number, notRetrieved: boolean, reason: string, expectedVersion: number) {
  const row = writeTransaction(db, (tx) => {
    const current = getRecord(tx, reviewId, recordId);
    assertVersion(tx, "screeningRecord", current, expectedVersion);
    const state = loadScreeningState(tx, reviewId);
    if (state.ta.outcome(recordId).status !== "included") throw invalid("recordId", "only records included at title and abstract are sought for full text");
    if (state.ft.decisions.has(recordId) || state.ft.resolutions.has(recordId)) throw invalid("recordId", "this record already has full-text decisions");
    if (notRetrieved && !reason) throw invalid("reason", "Why not retrieved is required");
    const saved = tx
      .update(screeningRecords)
      .set({ notRetrieved, notRetrievedReason: notRetrieved ? reason : "", version: sql`${screeningRecords.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(screeningRecords.id, recordId))
      .returning()
      .get();
    recordAudit(tx, caller.user, {
      reviewId,
      entity: "screeningRecord",
      entityId: recordId,
      action: "update",
      changes: diffRows({ notRetrieved: current.notRetrieved, notRetrievedReason: current.notRetrievedReason }, { notRetrieved: saved.notRetrieved, notRetrievedReason: saved.notRetrievedReason }),
    });
    return saved;
  });
  publishReviewChange(reviewId, "screening", caller.user.displayName);
  return { id: row.id, notRetrieved: row.notRetrieved, version: row.version };
}


/**
 * THE place where a screened record becomes a study (issue 15). Today's study columns are author, year and
 * doi; `title` and `journal` are returned for the restructured studies table (issue 10), which has columns
 * for them: write them here when it lands. Arms as createStudy makes them (one treated, one control).
 */
export function createStudyFromRecord(db: Db, caller: Caller, reviewId: number, recordId: number, expectedVersion: number) {
  const created = writeTransaction(db, (tx) => {
    const record = getRecord(tx, reviewId, recordId);
    assertVersion(tx, "screeningRecord", record, expectedVersion);
    if (record.studyId !== null) throw invalid("recordId", `this record is already linked to study ${record.studyId}`);
    const state = loadScreeningState(tx, reviewId);
    if (state.ft.outcome(recordId).status !== "included") throw invalid("recordId", "only records included at full text become studies; link a study by hand otherwise");
    const fields = studyFieldsFromRecord(record);
    if (!fields.author) throw invalid("author", "the record has no author: add the study by hand and link it");
    if (fields.year === null) throw invalid("year", "the record has no publication year: add the study by hand and link it");
    const study = insertStudy(tx, caller.user, reviewId, { author: fields.author, year: fields.year, title: fields.title, journal: fields.journal, doi: fields.doi }, { extraAudit: [{ field: "screeningRecord", newValue: recordId }] });
    tx.update(screeningRecords)
      .set({ studyId: study.id, version: sql`${screeningRecords.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(screeningRecords.id, recordId))
      .run();
    recordAudit(tx, caller.user, { reviewId, entity: "screeningRecord", entityId: recordId, action: "update", changes: [{ field: "studyId", oldValue: null, newValue: study.id }] });
    return study;
  });
  publishReviewChange(reviewId, "study", caller.user.displayName);
  return { studyId: created.id, author: created.author, year: created.year, doi: created.doi, title: created.title, journal: created.journal };
}

/**
 * Attaches (or replaces) a record's full-text PDF, stored in the review's file store with the figure images. The
 * file is checked by its content first (a PDF to its end-of-file marker, within the size cap), outside the write
 * transaction, so a large upload never holds the database lock while it is read.
 */
export async function attachFullText(db: Db, caller: Caller, reviewId: number, recordId: number, bytes: Uint8Array, fileName: string, expectedVersion: number) {
  const file = await inspectFile(bytes, fullTextPolicy);
  const row = writeTransaction(db, (tx) => {
    const record = getRecord(tx, reviewId, recordId);
    assertVersion(tx, "screeningRecord", record, expectedVersion);
    const stored = storeFile(tx, caller.user, reviewId, file, fileName);
    const saved = tx
      .update(screeningRecords)
      .set({ fullTextFileId: stored.id, version: sql`${screeningRecords.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(screeningRecords.id, recordId))
      .returning()
      .get();
    recordAudit(tx, caller.user, { reviewId, entity: "screeningRecord", entityId: recordId, action: "update", changes: [{ field: "fullTextFileId", oldValue: record.fullTextFileId, newValue: stored.id }] });
    return { id: saved.id, version: saved.version, fullText: { fileId: stored.id, name: stored.originalName, byteSize: stored.byteSize } };
  });
  publishReviewChange(reviewId, "screening", caller.user.displayName);
  return row;
}

/** Detaches a record's full text (the file stays in the store and in the audit trail). */
export function detachFullText(db: Db, caller: Caller, reviewId: number, recordId: number, expectedVersion: number) {
  const row = writeTransaction(db, (tx) => {
    const record = getRecord(tx, reviewId, recordId);
    assertVersion(tx, "screeningRecord", record, expectedVersion);
    if (record.fullTextFileId === null) throw invalid("recordId", "this record has no full text attached");
    const saved = tx
      .update(screeningRecords)
      .set({ fullTextFileId: null, version: sql`${screeningRecords.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(screeningRecords.id, recordId))
      .returning()
      .get();
    recordAudit(tx, caller.user, { reviewId, entity: "screeningRecord", entityId: recordId, action: "update", changes: [{ field: "fullTextFileId", oldValue: record.fullTextFileId, newValue: null }] });
    return { id: saved.id, version: saved.version };
  });
  publishReviewChange(reviewId, "screening", caller.user.displayName);
  return row;
}

/** The study fields a record fills; pure over the row, so the data import (issue 12) can reuse it. */
export function studyFieldsFromRecord(record: Pick<RecordRow, "authors" | "year" | "doi" | "title" | "journal">) {
  const doi = /^10\.\d{4,9}\/\S+$/.test(record.doi) && record.doi.length <= 200 ? record.doi : "";
  const year = record.year !== null && record.year >= 1900 && record.year <= new Date().getUTCFullYear() + 1 ? record.year : null;
  return { author: citationAuthor(parseList(record.authors)).slice(0, 200), year, doi, title: record.title.trim().slice(0, 1000), journal: record.journal.trim().slice(0, 300) };
}

/** Links a record to an existing study of the review (a study entered by hand), or unlinks it (studyId null). */
export function linkStudy(db: Db, caller: Caller, reviewId: number, recordId: number, studyId: number | null, expectedVersion: number) {
  const row = writeTransaction(db, (tx) => {
    const record = getRecord(tx, reviewId, recordId);
    assertVersion(tx, "screeningRecord", record, expectedVersion);
    if (record.duplicateOf !== null) throw invalid("recordId", "this record is a merged duplicate: link the record it was merged into");
    if (studyId !== null) {
      const study = tx.select({ id: studies.id }).from(studies).where(and(eq(studies.id, studyId), eq(studies.reviewId, reviewId))).get();
      if (!study) throw notFound(`Study ${studyId}`);
    }
    const saved = tx
      .update(screeningRecords)
      .set({ studyId, version: sql`${screeningRecords.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(screeningRecords.id, recordId))
      .returning()
      .get();
    recordAudit(tx, caller.user, { reviewId, entity: "screeningRecord", entityId: recordId, action: "update", changes: [{ field: "studyId", oldValue: record.studyId, newValue: studyId }] });
    return saved;
  });
  publishReviewChange(reviewId, "screening", caller.user.displayName);
  return { id: row.id, studyId: row.studyId, version: row.version };
}

/** The records linked to a study (its reports), for the study page. */
export function recordsOfStudy(db: DbOrTx, reviewId: number, studyId: number) {
  return db
    .select({ id: screeningRecords.id, title: screeningRecords.title, year: screeningRecords.year, doi: screeningRecords.doi, pmid: screeningRecords.pmid })
    .from(screeningRecords)
    .where(and(eq(screeningRecords.reviewId, reviewId), eq(screeningRecords.studyId, studyId)))
    .all();
}

// ---- the records list ----

const PAGE_SIZE = 50;

export function listRecords(db: DbOrTx, reviewId: number, caller: Caller, filter: string, search: string, page: number) {
  const state = loadScreeningState(db, reviewId);
  const slot = slotOf(state.settings, caller.user.id);
  let ids: number[];
  if (filter === "duplicates") {
    ids = db
      .select({ id: screeningRecords.id })
      .from(screeningRecords)
      .where(and(eq(screeningRecords.reviewId, reviewId), sql`${screeningRecords.duplicateOf} is not null`))
      .orderBy(asc(screeningRecords.id))
      .all()
      .map((r) => r.id);
  } else {
    const finalStatus = (id: number) => {
      const ft = state.ft.outcome(id);
      if (ft.status !== "not_eligible") return ft.status;
      const ta = state.ta.outcome(id);
      return state.notRetrieved.has(id) ? "not_retrieved" : ta.status;
    };
    ids = state.records.filter((id) => {
      if (filter === "all") return true;
      const status = finalStatus(id);
      if (filter === "included") return status === "included" && state.ft.eligibleSet.has(id);
      if (filter === "excluded") return status === "excluded";
      if (filter === "conflicts") return status === "conflict";
      return status === "awaiting";
    });
  }
  if (search) {
    const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const matching = new Set(
      db
        .select({ id: screeningRecords.id })
        .from(screeningRecords)
        .where(and(eq(screeningRecords.reviewId, reviewId), or(sql`${screeningRecords.title} like ${pattern} escape '\\'`, like(screeningRecords.doi, pattern), eq(screeningRecords.pmid, search))))
        .all()
        .map((r) => r.id),
    );
    ids = ids.filter((id) => matching.has(id));
  }
  const total = ids.length;
  const pageIds = ids.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const rows = loadRecords(db, pageIds);
  const sources = sourcesOf(db, reviewId);
  return {
    total,
    page,
    pageSize: PAGE_SIZE,
    records: pageIds.map((id) => {
      const r = rows.get(id)!;
      const stageView = (stage: ScreeningStage) => {
        const s = state.stage(stage);
        const own = slot ? ownDecision(s, slot, id) : undefined;
        return { outcome: s.outcome(id).status, mine: own?.decision ?? null, decided: (s.decisions.get(id) ?? []).filter(Boolean).length };
      };
      return {
        id,
        title: r.title,
        authors: parseList(r.authors).slice(0, 3),
        year: r.year,
        journal: r.journal,
        source: sources.get(r.searchId) ?? "",
        duplicateOf: r.duplicateOf,
        studyId: r.studyId,
        notRetrieved: r.notRetrieved,
        titleAbstract: stageView("title_abstract"),
        fullText: stageView("full_text"),
      };
    }),
  };
}

// ---- the overview: progress, agreement, order used, PRISMA ----

const taCategories = ["include", "maybe", "exclude"] as const;

function stageAgreement(s: StageState) {
  const pairs: [ScreeningDecisionValue, ScreeningDecisionValue][] = [];
  for (const id of s.eligible) {
    if (!s.unblinded(id)) continue;
    const [a, b] = s.decisions.get(id)!;
    pairs.push([a!.decision, b!.decision]);
  }
  return cohensKappa(pairs, taCategories);
}

export function screeningOverview(db: DbOrTx, reviewId: number, caller: Caller) {
  const state = loadScreeningState(db, reviewId);
  const settings = screeningSettingsView(db, reviewId);
  const slot = slotOf(state.settings, caller.user.id);
  const stages = (["title_abstract", "full_text"] as const).map((stage) => {
    const s = state.stage(stage);
    const doneBy = (slotIndex: 0 | 1) => s.eligible.filter((id) => s.decisions.get(id)?.[slotIndex]).length;
    const counts = { awaiting: 0, conflict: 0, included: 0, excluded: 0 };
    for (const id of s.eligible) {
      const o = s.outcome(id).status;
      if (o !== "not_eligible") counts[o] += 1;
    }
    const orders = { prioritised: 0, original: 0 };
    for (const pair of s.decisions.values()) for (const d of pair) if (d) orders[d.screeningOrder] += 1;
    return {
      stage,
      total: s.eligible.length,
      progress: [
        { slot: 1 as const, reviewer: settings.reviewer1, done: doneBy(0) },
        { slot: 2 as const, reviewer: settings.reviewer2, done: doneBy(1) },
      ],
      ...counts,
      agreement: stageAgreement(s),
      /** Decisions made while screening in each order: the report states which was used. */
      orders,
    };
  });
  return {
    me: { userId: caller.user.id, slot, canResolve: canResolve(state.settings, caller), canManage: caller.role === "lead", seesDecisions: caller.role !== "viewer", role: caller.role },
    settings,
    reasons: listReasons(db, reviewId).map((r) => ({ id: r.id, label: r.label, version: r.version })),
    searches: listSearches(db, reviewId),
    stages,
    merges: listMerges(db, reviewId, 0).byKind,
    prisma: computePrismaCounts(db, reviewId),
  };
}

/**
 * What the report's methods section needs (PRISMA 2020 items 7, 8 and 16a), for issue 11: the searches as run,
 * how duplicates were removed, how records were screened (two reviewers, independently, blind), the agreement
 * per stage, and the order used (prioritised by predicted relevance, original import order, or both).
 */
export function screeningMethods(db: DbOrTx, reviewId: number) {
  const state = loadScreeningState(db, reviewId);
  return {
    searches: listSearches(db, reviewId)
      .filter((search) => search.status === "complete")
      .map((search) => ({ source: search.source, searchedOn: search.searchedOn, query: search.query, format: search.format, records: search.recordCount })),
    duplicatesRemoved: listMerges(db, reviewId, 0).byKind,
    reviewersPerRecord: 2,
    independent: true,
    stages: (["title_abstract", "full_text"] as const).map((stage) => {
      const s = state.stage(stage);
      const orders = { prioritised: 0, original: 0 };
      for (const pair of s.decisions.values()) for (const d of pair) if (d) orders[d.screeningOrder] += 1;
      const used = orders.prioritised && orders.original ? "both" : orders.prioritised ? "prioritised" : orders.original ? "original" : null;
      return { stage, agreement: stageAgreement(s), orders, orderUsed: used };
    }),
  };
}

/**
 * Relevant records found against records screened, per reviewer and stage, in the order each reviewer
 * decided (first decision time). A curve is counts, but counts in a known order can reveal a decision (in
 * import order, "1 found after 1 screened" tells which record was included), so another reviewer's curve
 * covers only the records both have decided; the caller's own curve covers all of theirs.
 */
export function screeningRecallCurves(db: DbOrTx, reviewId: number, caller: Caller) {
  const state = loadScreeningState(db, reviewId);
  const names = userNames(db, [state.settings.reviewer1Id, state.settings.reviewer2Id]);
  const mySlot = slotOf(state.settings, caller.user.id);
  return (["title_abstract", "full_text"] as const).map((stage) => {
    const s = state.stage(stage);
    return {
      stage,
      total: s.eligible.length,
      reviewers: ([1, 2] as const).map((slot) => {
        const own = [...s.decisions.values()]
          .map((pair) => pair[slot - 1])
          .filter((d): d is DecisionRow => !!d && s.eligibleSet.has(d.recordId) && (slot === mySlot || s.unblinded(d.recordId)));
        own.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
        const curve = recallCurve(own.map((d) => d.decision !== "exclude"));
        const reviewerId = slot === 1 ? state.settings.reviewer1Id : state.settings.reviewer2Id;
        return { slot, reviewer: reviewerId === null ? null : (names.get(reviewerId) ?? null), complete: slot === mySlot, points: thin(curve, 200) };
      }),
    };
  });
}

/** At most `n` points of a curve, keeping the first and last (a plot needs no more). */
function thin<T>(points: T[], n: number): T[] {
  if (points.length <= n) return points;
  const step = (points.length - 1) / (n - 1);
  return Array.from({ length: n }, (_, i) => points[Math.round(i * step)]!);
}
