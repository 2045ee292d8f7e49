import "server-only";
import { and, count, eq, isNotNull } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { screeningRecords, screeningSearches } from "@/db/schema";
import { listReasons, loadScreeningState } from "./screening-state";

/**
 * The PRISMA 2020 flow diagram's numbers (Page MJ et al. BMJ 2021;372:n71, Figure 1, "new systematic reviews
 * which included searches of databases and registers only"), counted from the imported records and the
 * screening decisions — never typed. Box names in comments are the PRISMA2020 R package's template nodes.
 *
 * Records of unfinished imports count nowhere. "Reports" are records here: one imported record is one report;
 * several reports linked to one study count once among the included studies.
 */
export function computePrismaCounts(db: DbOrTx, reviewId: number) {
  const state = loadScreeningState(db, reviewId);
  const bySource = db
    .select({ source: screeningSearches.source, records: count(screeningRecords.id) })
    .from(screeningSearches)
    .leftJoin(screeningRecords, eq(screeningRecords.searchId, screeningSearches.id))
    .where(and(eq(screeningSearches.reviewId, reviewId), eq(screeningSearches.status, "complete")))
    .groupBy(screeningSearches.source)
    .orderBy(screeningSearches.source)
    .all();
  const duplicatesRemoved =
    db
      .select({ n: count() })
      .from(screeningRecords)
      .innerJoin(screeningSearches, eq(screeningSearches.id, screeningRecords.searchId))
      .where(and(eq(screeningRecords.reviewId, reviewId), eq(screeningSearches.status, "complete"), isNotNull(screeningRecords.duplicateOf)))
      .get()?.n ?? 0;
  const tally = (ids: number[], outcome: (id: number) => { status: string }) => {
    const counts = { awaiting: 0, conflict: 0, included: 0, excluded: 0 };
    for (const id of ids) {
      const status = outcome(id).status as keyof typeof counts;
      if (status in counts) counts[status] += 1;
    }
    return counts;
  };
  const ta = tally(state.ta.eligible, state.ta.outcome);
  const ft = tally(state.ft.eligible, state.ft.outcome);
  const reasons = listReasons(db, reviewId);
  const byReason = new Map<number | null, number>();
  const includedIds: number[] = [];
  for (const id of state.ft.eligible) {
    const outcome = state.ft.outcome(id);
    if (outcome.status === "excluded") byReason.set(outcome.reasonId, (byReason.get(outcome.reasonId) ?? 0) + 1);
    if (outcome.status === "included") includedIds.push(id);
  }
  const studyOf = new Map(
    db
      .select({ id: screeningRecords.id, studyId: screeningRecords.studyId })
      .from(screeningRecords)
      .where(and(eq(screeningRecords.reviewId, reviewId), isNotNull(screeningRecords.studyId)))
      .all()
      .map((r) => [r.id, r.studyId!]),
  );
  const linkedStudies = new Set(includedIds.flatMap((id) => (studyOf.has(id) ? [studyOf.get(id)!] : [])));
  const unlinked = includedIds.filter((id) => !studyOf.has(id)).length;
  const identified = bySource.reduce((sum, s) => sum + s.records, 0);
  const sought = ta.included;
  const notRetrieved = state.notRetrieved.size;
  return {
    /** database_results: records identified, per database or register searched. */
    identified: { total: identified, bySource },
    /** duplicates: records removed before screening as duplicates (exact and merged by a person). */
    duplicatesRemoved,
    /** automated / removed_other: not used by the workbench (kept for the template's boxes). */
    markedIneligibleByAutomation: 0,
    removedForOtherReasons: 0,
    /** records_screened, records_excluded (title and abstract). */
    screened: state.ta.eligible.length,
    screenedExcluded: ta.excluded,
    /** dbr_sought_reports, dbr_notretrieved_reports. */
    reportsSought: sought,
    reportsNotRetrieved: notRetrieved,
    /** dbr_assessed, dbr_excluded (with reasons). */
    reportsAssessed: state.ft.eligible.length,
    reportsExcluded: ft.excluded,
    exclusionReasons: [
      ...reasons.map((r) => ({ reasonId: r.id as number | null, reason: r.label, count: byReason.get(r.id) ?? 0 })).filter((r) => r.count > 0),
      ...(byReason.get(null) ? [{ reasonId: null, reason: "No reason given", count: byReason.get(null)! }] : []),
    ],
    /** new_studies, new_reports: included studies (records of one study counted once) and their reports. */
    studiesIncluded: linkedStudies.size + unlinked,
    reportsIncluded: includedIds.length,
    /** Not PRISMA boxes: what is still open, so that a diagram is never drawn from half-finished screening unknowingly. */
    pending: { titleAbstract: ta.awaiting + ta.conflict, fullText: ft.awaiting + ft.conflict, conflicts: ta.conflict + ft.conflict },
    complete: identified > 0 && ta.awaiting + ta.conflict + ft.awaiting + ft.conflict === 0,
  };
}

export type PrismaCounts = ReturnType<typeof computePrismaCounts>;
