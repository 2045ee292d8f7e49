import "server-only";
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import {
  screeningDecisions,
  screeningExclusionReasons,
  screeningRecords,
  screeningResolutions,
  screeningSearches,
  screeningSettings,
  users,
  type MemberRole,
  type ScreeningStage,
} from "@/db/schema";
import { AppError } from "@/server/errors";
import type { Actor } from "./audit";

/*
 * The screening rules, derived in one place from the stored decisions, for every procedure and for PRISMA:
 * - two assigned reviewers decide each record independently at each stage;
 * - a record is "unblinded" at a stage once both have decided it; before that nobody but its author reads a
 *   decision (through any procedure), and viewers never read individual decisions, only outcomes and counts;
 * - title/abstract: "maybe" counts as include (the record goes on to full text, as Covidence does); full text:
 *   both include, or both exclude for the same reason, is an agreement; anything else is a conflict;
 * - a conflict is settled by the lead or the named third reviewer (a resolution, which may also overrule an
 *   agreement, with a note);
 * - only primary records (not merged into another as duplicates) of completed imports are screened.
 */

export type Caller = { user: Actor; role: MemberRole };
export type Slot = 1 | 2;
export type SettingsRow = typeof screeningSettings.$inferSelect;
export type DecisionRow = typeof screeningDecisions.$inferSelect;
export type ResolutionRow = typeof screeningResolutions.$inferSelect;
export type Outcome = { status: "not_eligible" | "awaiting" | "conflict" | "included" | "excluded"; reasonId: number | null; via: "agreement" | "resolution" | null };

export const DEFAULT_EXCLUSION_REASONS = [
  "Not an animal study (in vitro, human, review)",
  "Wrong disease model",
  "Wrong intervention",
  "No control group",
  "Wrong outcome (no usable outcome data)",
  "Duplicate publication of included data",
  "Not primary research (review, editorial, protocol)",
] as const;

export const forbidden = (message: string) => new AppError("forbidden", message);

export function getSettings(db: DbOrTx, reviewId: number): SettingsRow {
  return (
    db.select().from(screeningSettings).where(eq(screeningSettings.reviewId, reviewId)).get() ?? {
      reviewId,
      reviewer1Id: null,
      reviewer2Id: null,
      arbiterId: null,
      includeTerms: "[]",
      excludeTerms: "[]",
      order: "prioritised",
      updatedAt: "",
      version: 0,
    }
  );
}

export const parseList = (json: string): string[] => {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
};

export function slotOf(settings: SettingsRow, userId: number): Slot | null {
  if (settings.reviewer1Id === userId) return 1;
  if (settings.reviewer2Id === userId) return 2;
  return null;
}

export const canResolve = (settings: SettingsRow, caller: Caller) => caller.role === "lead" || (caller.role === "reviewer" && settings.arbiterId === caller.user.id);

export function userNames(db: DbOrTx, ids: (number | null | undefined)[]): Map<number, string> {
  const wanted = [...new Set(ids.filter((i): i is number => typeof i === "number"))];
  if (!wanted.length) return new Map();
  return new Map(db.select({ id: users.id, name: users.displayName }).from(users).where(inArray(users.id, wanted)).all().map((u) => [u.id, u.name]));
}

export function listReasons(db: DbOrTx, reviewId: number) {
  return db.select().from(screeningExclusionReasons).where(eq(screeningExclusionReasons.reviewId, reviewId)).orderBy(asc(screeningExclusionReasons.position), asc(screeningExclusionReasons.id)).all();
}

/** Ids of the review's records that are screened: primary records of completed imports, in import order. */
export function screenedRecordIds(db: DbOrTx, reviewId: number): number[] {
  return db
    .select({ id: screeningRecords.id })
    .from(screeningRecords)
    .innerJoin(screeningSearches, eq(screeningSearches.id, screeningRecords.searchId))
    .where(and(eq(screeningRecords.reviewId, reviewId), eq(screeningSearches.status, "complete"), isNull(screeningRecords.duplicateOf)))
    .orderBy(asc(screeningRecords.id))
    .all()
    .map((r) => r.id);
}

export type StageState = {
  stage: ScreeningStage;
  /** Records at this stage, in import order. */
  eligible: number[];
  eligibleSet: Set<number>;
  /** Assigned reviewers' decisions by record: [reviewer 1's, reviewer 2's]. */
  decisions: Map<number, [DecisionRow | undefined, DecisionRow | undefined]>;
  resolutions: Map<number, ResolutionRow>;
  unblinded: (recordId: number) => boolean;
  outcome: (recordId: number) => Outcome;
};

export type ScreeningState = {
  settings: SettingsRow;
  bothAssigned: boolean;
  /** Records screened at title/abstract (primary, complete imports). */
  records: number[];
  notRetrieved: Set<number>;
  ta: StageState;
  ft: StageState;
  stage: (stage: ScreeningStage) => StageState;
};

function loadStage(db: DbOrTx, reviewId: number, settings: SettingsRow, stage: ScreeningStage, eligible: number[], bothAssigned: boolean): StageState {
  const reviewerIds = [settings.reviewer1Id, settings.reviewer2Id].filter((i): i is number => typeof i === "number");
  const rows = reviewerIds.length
    ? db
        .select()
        .from(screeningDecisions)
        .where(and(eq(screeningDecisions.reviewId, reviewId), eq(screeningDecisions.stage, stage), inArray(screeningDecisions.reviewerId, reviewerIds)))
        .all()
    : [];
  const decisions = new Map<number, [DecisionRow | undefined, DecisionRow | undefined]>();
  for (const row of rows) {
    const slot = slotOf(settings, row.reviewerId);
    if (!slot) continue;
    const pair = decisions.get(row.recordId) ?? [undefined, undefined];
    pair[slot - 1] = row;
    decisions.set(row.recordId, pair);
  }
  const resolutions = new Map(
    db
      .select()
      .from(screeningResolutions)
      .where(and(eq(screeningResolutions.reviewId, reviewId), eq(screeningResolutions.stage, stage)))
      .all()
      .map((r) => [r.recordId, r]),
  );
  const eligibleSet = new Set(eligible);
  const unblinded = (recordId: number) => {
    const pair = decisions.get(recordId);
    return bothAssigned && !!pair?.[0] && !!pair[1];
  };
  const outcome = (recordId: number): Outcome => {
    if (!eligibleSet.has(recordId)) return { status: "not_eligible", reasonId: null, via: null };
    const resolution = resolutions.get(recordId);
    if (resolution) return { status: resolution.decision === "include" ? "included" : "excluded", reasonId: resolution.reasonId, via: "resolution" };
    if (!unblinded(recordId)) return { status: "awaiting", reasonId: null, via: null };
    const [a, b] = decisions.get(recordId)!;
    if (stage === "title_abstract") {
      const inA = a!.decision !== "exclude";
      const inB = b!.decision !== "exclude";
      if (inA !== inB) return { status: "conflict", reasonId: null, via: null };
      return { status: inA ? "included" : "excluded", reasonId: null, via: "agreement" };
    }
    if (a!.decision === "include" && b!.decision === "include") return { status: "included", reasonId: null, via: "agreement" };
    if (a!.decision === "exclude" && b!.decision === "exclude" && a!.reasonId === b!.reasonId) return { status: "excluded", reasonId: a!.reasonId, via: "agreement" };
    return { status: "conflict", reasonId: null, via: null };
  };
  return { stage, eligible, eligibleSet, decisions, resolutions, unblinded, outcome };
}

/** Everything the rules need, for the whole review, read in a few indexed queries. */
export function loadScreeningState(db: DbOrTx, reviewId: number): ScreeningState {
  const settings = getSettings(db, reviewId);
  const bothAssigned = settings.reviewer1Id !== null && settings.reviewer2Id !== null && settings.reviewer1Id !== settings.reviewer2Id;
  const records = screenedRecordIds(db, reviewId);
  const ta = loadStage(db, reviewId, settings, "title_abstract", records, bothAssigned);
  const included = records.filter((id) => ta.outcome(id).status === "included");
  const notRetrieved = new Set(
    included.length
      ? db
          .select({ id: screeningRecords.id })
          .from(screeningRecords)
          .where(and(eq(screeningRecords.reviewId, reviewId), eq(screeningRecords.notRetrieved, true)))
          .all()
          .map((r) => r.id)
      : [],
  );
  const ft = loadStage(
    db,
    reviewId,
    settings,
    "full_text",
    included.filter((id) => !notRetrieved.has(id)),
    bothAssigned,
  );
  return { settings, bothAssigned, records, notRetrieved, ta, ft, stage: (s) => (s === "title_abstract" ? ta : ft) };
}

/** Whether the caller may read `slot`'s decision on a record: their own always; the team's (not viewers') once both decided. */
export function mayReadDecision(state: StageState, settings: SettingsRow, caller: Caller, recordId: number, slot: Slot): boolean {
  if (slotOf(settings, caller.user.id) === slot) return true;
  return caller.role !== "viewer" && state.unblinded(recordId);
}
