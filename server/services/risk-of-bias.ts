import "server-only";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { writeTransaction, type Db, type DbOrTx } from "@/db/client";
import { reviewMembers, robAssignments, robConsensus, robJudgments, users, type MemberRole } from "@/db/schema";
import type { RobJudgmentValue } from "@/db/schema/risk-of-bias";
import { AppError, invalid } from "@/server/errors";
import { publishReviewChange } from "@/server/events";
import {
  judgmentOrder,
  ROB_DOMAIN_COUNT,
  robDomains,
  robvisJudgment,
  type AssignInput,
  type RecordConsensusInput,
  type RobSource,
  type SaveJudgmentInput,
} from "@/server/schemas/risk-of-bias";
import { cohensKappa } from "./agreement";
import { runReviewAnalysis, studyLabel } from "./analysis";
import { diffRows, entityHistory, recordAudit, type Actor } from "./audit";
import { getStudy, listStudies } from "./studies";
import { assertVersion } from "./versioning";

/*
 * Blinded dual review, as SYRCLE assessments are done "by two independent investigators":
 * - the two reviewers named in rob_assignments each record their own judgments;
 * - a study is "unblinded" once BOTH have judged all ten domains of it. Before that, nobody but the author
 *   reads a judgment, through any procedure (grid, statistics, figures, export, history). After it, the team
 *   (reviewer role and up) reads both; viewers never read individual judgments, only the consensus;
 * - unblinding locks both reviewers' judgments of that study, so that the agreement statistics describe the
 *   independent judgments and the consensus always sits beside the originals it settled;
 * - the lead, or the arbiter the lead names, records the consensus with a reason.
 */

type AssignmentRow = typeof robAssignments.$inferSelect;
type JudgmentRow = typeof robJudgments.$inferSelect;
type ConsensusRow = typeof robConsensus.$inferSelect;
type Slot = 1 | 2;
type Person = { id: number; name: string };
type Judged = RobJudgmentValue | null;

/** Who is asking: the signed-in user and their role in the review (from reviewProcedure). */
export type Caller = { user: Actor; role: MemberRole };

const forbidden = (message: string) => new AppError("forbidden", message);
const cellKey = (studyId: number, domain: number) => `${studyId}:${domain}`;
const slotKey = (studyId: number, domain: number, slot: Slot) => `${studyId}:${domain}:${slot}`;

function getAssignment(db: DbOrTx, reviewId: number): AssignmentRow | undefined {
  return db.select().from(robAssignments).where(eq(robAssignments.reviewId, reviewId)).get();
}

function slotOf(assignment: AssignmentRow | undefined, userId: number): Slot | null {
  if (assignment?.reviewer1Id === userId) return 1;
  if (assignment?.reviewer2Id === userId) return 2;
  return null;
}

function userNames(db: DbOrTx, ids: (number | null | undefined)[]): Map<number, string> {
  const wanted = [...new Set(ids.filter((i): i is number => typeof i === "number"))];
  if (!wanted.length) return new Map();
  return new Map(db.select({ id: users.id, name: users.displayName }).from(users).where(inArray(users.id, wanted)).all().map((u) => [u.id, u.name]));
}

const person = (names: Map<number, string>, id: number | null | undefined): Person | null =>
  typeof id === "number" ? { id, name: names.get(id) ?? `user ${id}` } : null;

/** The assigned reviewers' judgments of a review (or of one study), with what the blinding rule derives from them. */
type ReviewState = {
  assignment: AssignmentRow | undefined;
  judgments: (JudgmentRow & { slot: Slot })[];
  bySlot: Map<string, JudgmentRow & { slot: Slot }>;
  /** Judged cells (domains with a judgment) per study, for reviewer 1 and reviewer 2. */
  done: Map<number, [number, number]>;
  /** Studies both assigned reviewers have completed: readable by the team, and locked. */
  unblinded: Set<number>;
};

function loadState(db: DbOrTx, reviewId: number, studyId?: number): ReviewState {
  const assignment = getAssignment(db, reviewId);
  const reviewerIds = [assignment?.reviewer1Id, assignment?.reviewer2Id].filter((i): i is number => typeof i === "number");
  const rows = reviewerIds.length
    ? db
        .select()
        .from(robJudgments)
        .where(and(eq(robJudgments.reviewId, reviewId), inArray(robJudgments.reviewerId, reviewerIds), studyId === undefined ? undefined : eq(robJudgments.studyId, studyId)))
        .all()
    : [];
  const judgments = rows.map((j) => ({ ...j, slot: slotOf(assignment, j.reviewerId)! }));
  const bySlot = new Map(judgments.map((j) => [slotKey(j.studyId, j.domain, j.slot), j]));
  const done = new Map<number, [number, number]>();
  for (const j of judgments) {
    if (j.judgment === null || j.domain < 1 || j.domain > ROB_DOMAIN_COUNT) continue;
    const counts = done.get(j.studyId) ?? [0, 0];
    counts[(j.slot - 1) as 0 | 1] += 1;
    done.set(j.studyId, counts);
  }
  // Both reviewers must be assigned: with one, nothing is ever compared, so nothing is unblinded.
  const bothAssigned = reviewerIds.length === 2 && reviewerIds[0] !== reviewerIds[1];
  const unblinded = new Set([...done].filter(([, [a, b]]) => bothAssigned && a === ROB_DOMAIN_COUNT && b === ROB_DOMAIN_COUNT).map(([id]) => id));
  return { assignment, judgments, bySlot, done, unblinded };
}

/** Whether the caller may read `slot`'s judgments of a study: their own always; the team's once unblinded. */
function mayRead(state: ReviewState, caller: Caller, studyId: number, slot: Slot): boolean {
  if (slotOf(state.assignment, caller.user.id) === slot) return true;
  return caller.role !== "viewer" && state.unblinded.has(studyId);
}

const readableJudgments = (state: ReviewState, caller: Caller) => state.judgments.filter((j) => mayRead(state, caller, j.studyId, j.slot));

function canDecide(assignment: AssignmentRow | undefined, caller: Caller): boolean {
  return caller.role === "lead" || (caller.role === "reviewer" && assignment?.arbiterId === caller.user.id);
}

function assertCanDecide(assignment: AssignmentRow | undefined, caller: Caller): void {
  if (!canDecide(assignment, caller)) throw forbidden("Only the lead, or the arbiter the lead names, records the consensus.");
}

const publicJudgment = (j: JudgmentRow & { slot: Slot }) => ({
  id: j.id,
  studyId: j.studyId,
  domain: j.domain,
  slot: j.slot,
  judgment: j.judgment,
  quote: j.quote,
  reasoning: j.reasoning,
  isExampleData: j.isExampleData,
  updatedAt: j.updatedAt,
  version: j.version,
});

function consensusRows(db: DbOrTx, reviewId: number) {
  const rows = db.select().from(robConsensus).where(eq(robConsensus.reviewId, reviewId)).all();
  const names = userNames(db, rows.map((r) => r.decidedBy));
  return rows.map((r) => ({ ...r, decidedByName: names.get(r.decidedBy) ?? `user ${r.decidedBy}` }));
}

/**
 * Whose progress the caller may see during blinded review: the lead everyone's; an assigned reviewer only
 * their own (how far the other has got, and when, would tell them more than the rule allows); others none.
 * Once a study is unblinded both counts are complete, and that is no secret.
 */
function progressVisible(state: ReviewState, caller: Caller, slot: Slot): boolean {
  return caller.role === "lead" || slotOf(state.assignment, caller.user.id) === slot;
}

/** The editor's data: studies, assignment, progress, the judgments the caller may read, and the consensus. */
export function robGrid(db: DbOrTx, reviewId: number, caller: Caller) {
  const studies = listStudies(db, reviewId);
  const state = loadState(db, reviewId);
  const a = state.assignment;
  const names = userNames(db, [a?.reviewer1Id, a?.reviewer2Id, a?.arbiterId]);
  const total = studies.length * ROB_DOMAIN_COUNT;
  const doneBy = (slot: Slot) => studies.reduce((sum, s) => sum + (state.done.get(s.id)?.[slot - 1] ?? 0), 0);
  const studyDone = (studyId: number, slot: Slot): number | null =>
    state.unblinded.has(studyId) || progressVisible(state, caller, slot) ? (state.done.get(studyId)?.[slot - 1] ?? 0) : null;
  return {
    studies: studies.map((s) => ({ id: s.id, position: s.position, label: studyLabel(s) })),
    assignment: {
      reviewer1: person(names, a?.reviewer1Id),
      reviewer2: person(names, a?.reviewer2Id),
      arbiter: person(names, a?.arbiterId),
      version: a?.version ?? null,
    },
    me: { slot: slotOf(a, caller.user.id), canDecide: canDecide(a, caller), canAssign: caller.role === "lead", seesIndividual: caller.role !== "viewer" },
    progress: ([1, 2] as const)
      .filter((slot) => progressVisible(state, caller, slot))
      .map((slot) => ({ slot, reviewer: person(names, slot === 1 ? a?.reviewer1Id : a?.reviewer2Id), done: doneBy(slot), total })),
    /** Judged domains per study and reviewer; null where the caller may not see the other reviewer's progress. */
    status: studies.map((s) => ({ studyId: s.id, done: [studyDone(s.id, 1), studyDone(s.id, 2)] as [number | null, number | null], unblinded: state.unblinded.has(s.id) })),
    judgments: readableJudgments(state, caller).map(publicJudgment),
    consensus: consensusRows(db, reviewId),
  };
}

const judgmentFields = (row: Partial<JudgmentRow>) => ({ judgment: row.judgment, quote: row.quote, reasoning: row.reasoning, isExampleData: row.isExampleData });

/** One reviewer's own judgment (and its quote and reasoning) of one domain of one study. */
export function saveJudgment(db: Db, caller: Caller, reviewId: number, input: SaveJudgmentInput) {
  const { studyId, domain, patch } = input;
  const result = writeTransaction(db, (tx) => {
    getStudy(tx, reviewId, studyId);
    const state = loadState(tx, reviewId, studyId);
    const slot = slotOf(state.assignment, caller.user.id);
    if (!slot) throw forbidden("Only the two reviewers assigned to risk of bias record judgments, each their own; you are not assigned.");
    if (state.unblinded.has(studyId))
      throw forbidden("Both reviewers have completed this study, so its judgments are locked as given; the lead settles differences in the consensus.");
    const current = state.bySlot.get(slotKey(studyId, domain, slot));
    // A cell never saved has no version to compare; judgments are never deleted on their own, so a missing
    // row means nobody has written it yet.
    if (current) assertVersion(tx, "robJudgment", current, input.version ?? 0);
    const values = {
      ...(patch.judgment !== undefined ? { judgment: patch.judgment } : {}),
      ...(patch.quote !== undefined ? { quote: patch.quote } : {}),
      ...(patch.reasoning !== undefined ? { reasoning: patch.reasoning } : {}),
    };
    if (current && diffRows(judgmentFields(current), { ...judgmentFields(current), ...values }).length === 0) return { row: current, changed: false, unblinded: false };
    // The demo's invented quote and reasoning ("Example: …") belong to the example judgment: once a reviewer
    // changes the cell it is theirs, and must not carry text they never wrote.
    const exampleTextCleared = current?.isExampleData ? { quote: values.quote ?? "", reasoning: values.reasoning ?? "" } : {};
    const row = current
      ? tx
          .update(robJudgments)
          // A reviewer's edit makes the cell their own judgment: no longer the demo's example value.
          .set({ ...values, ...exampleTextCleared, isExampleData: false, version: sql`${robJudgments.version} + 1`, updatedAt: new Date().toISOString() })
          .where(eq(robJudgments.id, current.id))
          .returning()
          .get()
      : tx.insert(robJudgments).values({ reviewId, studyId, reviewerId: caller.user.id, domain, ...values }).returning().get();
    recordAudit(tx, caller.user, {
      reviewId,
      entity: "robJudgment",
      entityId: row.id,
      action: current ? "update" : "create",
      changes: diffRows(current ? judgmentFields(current) : {}, judgmentFields(row)),
    });
    return { row: { ...row, slot }, changed: true, unblinded: loadState(tx, reviewId, studyId).unblinded.has(studyId) };
  });
  // While the study is blinded, who saved when is the author's and the lead's to know; the save that
  // completes it unblinds it for the team, so everyone hears of that one.
  if (result.changed) publishReviewChange(reviewId, "robJudgment", caller.user.displayName, result.unblinded ? undefined : { userIds: [caller.user.id], roles: ["lead"] });
  return publicJudgment(result.row);
}

/** Both reviewers' judgments of one cell of an unblinded study, or an error saying why there are none yet. */
function originalsOf(tx: DbOrTx, reviewId: number, studyId: number, domain: number) {
  const state = loadState(tx, reviewId, studyId);
  if (!state.unblinded.has(studyId)) throw invalid("studyId", "both assigned reviewers must complete this study (all ten domains) before the consensus");
  const first = state.bySlot.get(slotKey(studyId, domain, 1))!;
  const second = state.bySlot.get(slotKey(studyId, domain, 2))!;
  return { state, first, second };
}

const consensusFields = (row: Partial<ConsensusRow>) => ({ judgment: row.judgment, reason: row.reason, decidedBy: row.decidedBy });

/** The consensus's audit rows: what changed, who decided and why, and both reviewers' original judgments beside it. */
function auditConsensus(tx: DbOrTx, caller: Caller, before: ConsensusRow | undefined, saved: ConsensusRow, first: JudgmentRow, second: JudgmentRow) {
  const names = userNames(tx, [first.reviewerId, second.reviewerId]);
  const originals = {
    reviewer1: { name: names.get(first.reviewerId), judgment: first.judgment, reasoning: first.reasoning },
    reviewer2: { name: names.get(second.reviewerId), judgment: second.judgment, reasoning: second.reasoning },
  };
  recordAudit(tx, caller.user, {
    reviewId: saved.reviewId,
    entity: "robConsensus",
    entityId: saved.id,
    action: before ? "update" : "create",
    changes: [...diffRows(before ? consensusFields(before) : {}, consensusFields(saved)), { field: "originals", oldValue: null, newValue: originals }],
    reason: saved.reason,
  });
}

/** The final judgment of one cell, by the lead or the arbiter; a reason is required unless both reviewers agreed on it. */
export function recordConsensus(db: Db, caller: Caller, reviewId: number, input: RecordConsensusInput) {
  const { studyId, domain, judgment, reason } = input;
  const row = writeTransaction(db, (tx) => {
    assertCanDecide(getAssignment(tx, reviewId), caller);
    getStudy(tx, reviewId, studyId);
    const { first, second } = originalsOf(tx, reviewId, studyId, domain);
    const agreed = first.judgment === second.judgment ? first.judgment : null;
    if (judgment !== agreed && !reason)
      throw invalid("reason", agreed ? "is required when the consensus differs from what both reviewers judged" : "is required to settle a disagreement: say why");
    const current = tx.select().from(robConsensus).where(and(eq(robConsensus.studyId, studyId), eq(robConsensus.domain, domain))).get();
    if (current) assertVersion(tx, "robConsensus", current, input.version ?? 0);
    const values = { judgment, reason, decidedBy: caller.user.id };
    const saved = current
      ? tx
          .update(robConsensus)
          .set({ ...values, version: sql`${robConsensus.version} + 1`, updatedAt: new Date().toISOString() })
          .where(eq(robConsensus.id, current.id))
          .returning()
          .get()
      : tx.insert(robConsensus).values({ reviewId, studyId, domain, ...values }).returning().get();
    auditConsensus(tx, caller, current, saved, first, second);
    return saved;
  });
  publishReviewChange(reviewId, "robConsensus", caller.user.displayName);
  return row;
}

export const BULK_REASON = "Both reviewers agreed (accepted in bulk).";

/** Accepts, as the consensus, every agreed cell of the unblinded studies (or of one study) that has none yet. */
export function acceptAgreed(db: Db, caller: Caller, reviewId: number, studyId?: number): { accepted: number } {
  const accepted = writeTransaction(db, (tx) => {
    assertCanDecide(getAssignment(tx, reviewId), caller);
    if (studyId !== undefined) getStudy(tx, reviewId, studyId);
    const state = loadState(tx, reviewId, studyId);
    const decided = new Set(consensusRows(tx, reviewId).map((c) => cellKey(c.studyId, c.domain)));
    let count = 0;
    for (const study of state.unblinded) {
      for (let domain = 1; domain <= ROB_DOMAIN_COUNT; domain++) {
        const first = state.bySlot.get(slotKey(study, domain, 1))!;
        const second = state.bySlot.get(slotKey(study, domain, 2))!;
        if (first.judgment === null || first.judgment !== second.judgment || decided.has(cellKey(study, domain))) continue;
        const saved = tx.insert(robConsensus).values({ reviewId, studyId: study, domain, judgment: first.judgment, reason: BULK_REASON, decidedBy: caller.user.id }).returning().get();
        auditConsensus(tx, caller, undefined, saved, first, second);
        count += 1;
      }
    }
    return count;
  });
  if (accepted) publishReviewChange(reviewId, "robConsensus", caller.user.displayName);
  return { accepted };
}

/** The lead names the two reviewers and the optional arbiter. A reviewer who has judgments stays assigned. */
export function assignReviewers(db: Db, caller: Caller, reviewId: number, input: AssignInput) {
  const row = writeTransaction(db, (tx) => {
    const current = getAssignment(tx, reviewId);
    if (current) assertVersion(tx, "robAssignment", { ...current, id: reviewId }, input.version ?? 0);
    const { reviewer1Id, reviewer2Id, arbiterId } = input;
    if (reviewer1Id !== null && reviewer1Id === reviewer2Id) throw invalid("reviewer2Id", "must be someone other than reviewer 1");
    if (arbiterId !== null && (arbiterId === reviewer1Id || arbiterId === reviewer2Id)) throw invalid("arbiterId", "must not be one of the two reviewers");
    for (const [field, userId] of [["reviewer1Id", reviewer1Id], ["reviewer2Id", reviewer2Id], ["arbiterId", arbiterId]] as const) {
      if (userId === null) continue;
      const member = tx.select({ role: reviewMembers.role }).from(reviewMembers).where(and(eq(reviewMembers.reviewId, reviewId), eq(reviewMembers.userId, userId))).get();
      if (member?.role !== "reviewer" && member?.role !== "lead") throw invalid(field, "must be a member of this review with the reviewer or lead role");
    }
    // Judgments belong to their author: replacing a reviewer who has judged would orphan them, or mix two
    // people's judgments in one column.
    for (const outgoing of [current?.reviewer1Id, current?.reviewer2Id]) {
      if (typeof outgoing !== "number" || outgoing === reviewer1Id || outgoing === reviewer2Id) continue;
      const judged = tx.select({ id: robJudgments.id }).from(robJudgments).where(and(eq(robJudgments.reviewId, reviewId), eq(robJudgments.reviewerId, outgoing))).limit(1).get();
      if (judged) throw invalid(outgoing === current?.reviewer1Id ? "reviewer1Id" : "reviewer2Id", `${userNames(tx, [outgoing]).get(outgoing)} has recorded judgments in this review and stays assigned`);
    }
    const values = { reviewer1Id, reviewer2Id, arbiterId };
    const saved = current
      ? tx.update(robAssignments).set({ ...values, version: sql`${robAssignments.version} + 1` }).where(eq(robAssignments.reviewId, reviewId)).returning().get()
      : tx.insert(robAssignments).values({ reviewId, ...values }).returning().get();
    recordAudit(tx, caller.user, { reviewId, entity: "robAssignment", entityId: reviewId, action: current ? "update" : "create", changes: diffRows(current ?? {}, saved, ["version", "reviewId"]) });
    return saved;
  });
  publishReviewChange(reviewId, "robAssignment", caller.user.displayName);
  return row;
}

export const AUTO_ASSIGN_REASON = "The review's two reviewers, assigned automatically (the lead can change this).";

/**
 * When nobody is assigned to risk of bias yet and the review has exactly two members with the reviewer role,
 * they become the two assessors (in the order they joined), so that a team that adds its two reviewers can
 * start judging at once. Called inside the transaction that changed the membership; returns whether it
 * assigned anyone. With more reviewers the lead chooses (the page offers two at once).
 */
export function assignTheTwoReviewers(tx: DbOrTx, actor: Actor, reviewId: number): boolean {
  const current = getAssignment(tx, reviewId);
  if (typeof current?.reviewer1Id === "number" || typeof current?.reviewer2Id === "number") return false;
  const reviewers = tx
    .select({ userId: reviewMembers.userId })
    .from(reviewMembers)
    .where(and(eq(reviewMembers.reviewId, reviewId), eq(reviewMembers.role, "reviewer")))
    .orderBy(asc(reviewMembers.createdAt), asc(reviewMembers.userId))
    .all();
  if (reviewers.length !== 2) return false;
  const [reviewer1Id, reviewer2Id] = reviewers.map((r) => r.userId) as [number, number];
  // The arbiter must not be one of the two; a stale one (now a reviewer here) is dropped.
  const arbiterId = current?.arbiterId === reviewer1Id || current?.arbiterId === reviewer2Id ? null : (current?.arbiterId ?? null);
  const saved = current
    ? tx.update(robAssignments).set({ reviewer1Id, reviewer2Id, arbiterId, version: sql`${robAssignments.version} + 1` }).where(eq(robAssignments.reviewId, reviewId)).returning().get()
    : tx.insert(robAssignments).values({ reviewId, reviewer1Id, reviewer2Id, arbiterId }).returning().get();
  recordAudit(tx, actor, {
    reviewId,
    entity: "robAssignment",
    entityId: reviewId,
    action: current ? "update" : "create",
    changes: diffRows(current ?? {}, saved, ["version", "reviewId"]),
    reason: AUTO_ASSIGN_REASON,
  });
  return true;
}

/**
 * Percent agreement and Cohen's κ per domain and overall (all cells pooled), over the studies both reviewers
 * have completed: their judgments as given, before any consensus. Aggregates only, so every member may read
 * it; the report uses it for PRISMA 2020 item 11 (how many assessed each study, and whether independently).
 */
export function robAgreement(db: DbOrTx, reviewId: number) {
  const state = loadState(db, reviewId);
  const a = state.assignment;
  const names = userNames(db, [a?.reviewer1Id, a?.reviewer2Id]);
  const pairsByDomain = robDomains.map(() => [] as [RobJudgmentValue, RobJudgmentValue][]);
  for (const study of state.unblinded) {
    pairsByDomain.forEach((pairs, i) => {
      const first = state.bySlot.get(slotKey(study, i + 1, 1))?.judgment;
      const second = state.bySlot.get(slotKey(study, i + 1, 2))?.judgment;
      if (first && second) pairs.push([first, second]);
    });
  }
  return {
    reviewers: [person(names, a?.reviewer1Id), person(names, a?.reviewer2Id)],
    studiesTotal: listStudies(db, reviewId).length,
    /** Studies assessed by both reviewers, each blind to the other's judgments until both had finished it. */
    studiesAssessed: state.unblinded.size,
    reviewersPerStudy: 2,
    independent: true,
    domains: robDomains.map((d, i) => ({ domain: i + 1, code: d.code, name: d.name, ...cohensKappa(pairsByDomain[i]!, judgmentOrder) })),
    overall: cohensKappa(pairsByDomain.flat(), judgmentOrder),
  };
}

/** Meta-analysis weights (% of the total) by study id; none, with the reason, when the analysis cannot run. */
function analysisWeights(db: DbOrTx, reviewId: number): { byStudy: Map<number, number>; note: string | null } {
  try {
    const analysis = runReviewAnalysis(db, reviewId);
    // A study with several treated arms has one weight per comparison: its share is their sum.
    const studyOf = new Map(analysis.inputs.map((s) => [s.id, s.studyId]));
    const byStudy = new Map<number, number>();
    for (const s of analysis.result.studies) {
      const studyId = studyOf.get(s.id);
      if (studyId !== undefined && Number.isFinite(s.weight)) byStudy.set(studyId, (byStudy.get(studyId) ?? 0) + s.weight);
    }
    return { byStudy, note: byStudy.size ? null : "No study has a meta-analysis weight yet." };
  } catch (error) {
    // The figures do not depend on the analysis; only the weighting does, so say why it is unavailable.
    return { byStudy: new Map(), note: `Meta-analysis weights are unavailable: ${error instanceof Error ? error.message : String(error)}` };
  }
}

type Share = Record<RobJudgmentValue | "missing", number>;
type FigureRow = { studyId: number; label: string; judgments: Judged[]; weight: number | null; hidden: boolean };

/** Per domain, the share of studies (or of meta-analysis weight) judged low / unclear / high / not judged. */
function summarise(rows: FigureRow[], weightOf: (row: FigureRow) => number): Share[] | null {
  const shown = rows.filter((r) => !r.hidden && weightOf(r) > 0);
  const total = shown.reduce((sum, r) => sum + weightOf(r), 0);
  if (!(total > 0)) return null;
  return robDomains.map((_, i) => {
    const sums: Share = { low: 0, unclear: 0, high: 0, missing: 0 };
    for (const r of shown) sums[r.judgments[i] ?? "missing"] += weightOf(r);
    return { low: sums.low / total, unclear: sums.unclear / total, high: sums.high / total, missing: sums.missing / total };
  });
}

/**
 * The judgments a figure or export shows: the consensus (every member), or one reviewer's own judgments
 * (reviewer role and up; a study appears only where the blinding rule lets the caller read it).
 */
export function robFigureData(db: DbOrTx, reviewId: number, caller: Caller, source: RobSource) {
  if (source !== "consensus" && caller.role === "viewer") throw forbidden("Viewers see the figures from the consensus judgments only.");
  const studies = listStudies(db, reviewId);
  const state = loadState(db, reviewId);
  const weights = analysisWeights(db, reviewId);
  const exampleCells = new Set(state.judgments.filter((j) => j.isExampleData).map((j) => cellKey(j.studyId, j.domain)));
  let cell: (studyId: number, domain: number) => Judged;
  let hidden: (studyId: number) => boolean = () => false;
  let label: string;
  let containsExample: boolean;
  if (source === "consensus") {
    const consensus = new Map(consensusRows(db, reviewId).map((c) => [cellKey(c.studyId, c.domain), c.judgment]));
    cell = (studyId, domain) => consensus.get(cellKey(studyId, domain)) ?? null;
    label = "Consensus judgments";
    containsExample = [...consensus.keys()].some((k) => exampleCells.has(k));
  } else {
    const slot: Slot = source === "reviewer1" ? 1 : 2;
    const reviewerId = slot === 1 ? state.assignment?.reviewer1Id : state.assignment?.reviewer2Id;
    cell = (studyId, domain) => state.bySlot.get(slotKey(studyId, domain, slot))?.judgment ?? null;
    hidden = (studyId) => !mayRead(state, caller, studyId, slot);
    label = `Reviewer ${slot} (${reviewerId ? userNames(db, [reviewerId]).get(reviewerId) : "not assigned"}): own judgments, not the consensus`;
    containsExample = state.judgments.some((j) => j.slot === slot && j.isExampleData && !hidden(j.studyId));
  }
  const rows: FigureRow[] = studies.map((s) => {
    const isHidden = hidden(s.id);
    return {
      studyId: s.id,
      label: studyLabel(s),
      judgments: robDomains.map((_, i) => (isHidden ? null : cell(s.id, i + 1))),
      weight: weights.byStudy.get(s.id) ?? null,
      hidden: isHidden,
    };
  });
  return {
    source,
    label,
    containsExample,
    /** Studies whose judgments the blinding rule does not let the caller read yet: left out of the figures. */
    hiddenCount: rows.filter((r) => r.hidden).length,
    studies: rows.filter((r) => !r.hidden),
    summary: { unweighted: summarise(rows, () => 1), weighted: summarise(rows, (r) => r.weight ?? 0) },
    weightNote: weights.note,
  };
}

/** A CSV field: quoted when needed; a leading = + - @ is defused so a spreadsheet does not run it as a formula. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The judgments in robvis's "Generic" layout (Study, D1…D10, Weight), to replot with robvis::rob_traffic_light
 * / rob_summary(tool = "Generic", overall = FALSE). A cell not judged is "No information"; Weight is the
 * study's % weight in the meta-analysis, empty when the study is not in it.
 */
export function robCsv(db: DbOrTx, reviewId: number, caller: Caller, source: RobSource) {
  const data = robFigureData(db, reviewId, caller, source);
  const header = ["Study", ...robDomains.map((d) => d.code), "Weight"];
  const lines = data.studies.map((s) => [s.label, ...s.judgments.map((j) => (j ? robvisJudgment[j] : "No information")), s.weight === null ? "" : s.weight.toFixed(4)]);
  return {
    filename: `risk-of-bias-${source}-review-${reviewId}.csv`,
    csv: [header, ...lines].map((line) => line.map(csvField).join(",")).join("\r\n") + "\r\n",
  };
}

/** One cell's audit trail: the consensus's, and each judgment's that the caller may read. */
export function robCellHistory(db: DbOrTx, reviewId: number, caller: Caller, studyId: number, domain: number) {
  getStudy(db, reviewId, studyId);
  const state = loadState(db, reviewId, studyId);
  const consensus = db.select({ id: robConsensus.id }).from(robConsensus).where(and(eq(robConsensus.studyId, studyId), eq(robConsensus.domain, domain))).get();
  return {
    consensus: consensus ? entityHistory(db, reviewId, "robConsensus", consensus.id) : [],
    judgments: readableJudgments(state, caller)
      .filter((j) => j.domain === domain)
      .map((j) => ({ slot: j.slot, entries: entityHistory(db, reviewId, "robJudgment", j.id) })),
  };
}
