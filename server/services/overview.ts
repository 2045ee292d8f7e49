import "server-only";
import type { DbOrTx } from "@/db/client";
import type { CharacteristicValue } from "@/server/schemas/characteristics";
import { runReviewAnalysis } from "./analysis";
import { armCharacteristicValuesOf } from "./arms";
import { armKindOrder } from "@/server/schemas/arms";
import { studyHistory } from "./audit";
import { columnText } from "@/server/schemas/columns";
import { characteristicValuesByStudy, listCharacteristics } from "./characteristics";
import { reviewArmsAndMeasurements } from "./measurements";
import { listOutcomes } from "./outcomes";
import { toStandardDeviation } from "./outcome-data";
import { armTotalFlag, measurementFlags } from "./plausibility";
import { getReview } from "./reviews";
import { listSavedAnalyses } from "./saved-analyses";
import { valuesHiddenFromBlindReader } from "./figures";
import { getStudy, listStudies, studyLabel } from "./studies";

/** Counts, Table 1 completeness, and the pooled result at the first and last time point (from the analysis module). */
export function reviewOverview(db: DbOrTx, reviewId: number) {
  const review = getReview(db, reviewId);
  const studies = listStudies(db, reviewId);
  const { arms, measurements } = reviewArmsAndMeasurements(
    db,
    studies.map((s) => s.id),
  );
  const studyOfArm = new Map(arms.map((a) => [a.id, a.studyId]));
  const withData = new Set(measurements.map((m) => studyOfArm.get(m.armId)));
  const definitions = listCharacteristics(db, reviewId);
  const values = characteristicValuesByStudy(
    db,
    studies.map((s) => s.id),
  );
  const columns = ["author", "year", ...review.table1Columns];
  const filled = studies.reduce((sum, s) => sum + columns.filter((key) => columnText(definitions, key, s, values.get(s.id)).trim() !== "").length, 0);
  const hasOutcome = listOutcomes(db, reviewId).length > 0;
  return {
    review,
    counts: {
      studies: studies.length,
      studiesWithOutcomeData: withData.size,
      measurements: measurements.length,
      exampleValues: measurements.filter((m) => m.isExampleData).length,
      savedAnalyses: listSavedAnalyses(db, reviewId).length,
    },
    table1Completeness: studies.length ? filled / (studies.length * columns.length) : null,
    pooled: hasOutcome ? { first: runReviewAnalysis(db, reviewId, { timepoint: "first" }), last: runReviewAnalysis(db, reviewId, { timepoint: "last" }) } : null,
  };
}

/**
 * A study with everything its page shows: fixed fields, the review's characteristics with this study's values, and
 * the outcome grid (per outcome and day, each arm's value with the SD derived and plausibility flags).
 */
export function studyDetail(db: DbOrTx, reviewId: number, studyId: number, viewerId?: number) {
  const study = getStudy(db, reviewId, studyId);
  const outcomes = listOutcomes(db, reviewId);
  const definitions = listCharacteristics(db, reviewId);
  const characteristicValues = characteristicValuesByStudy(db, [studyId]).get(studyId) ?? new Map<number, CharacteristicValue>();
  const loaded = reviewArmsAndMeasurements(db, [studyId]);
  const arms = [...loaded.arms].sort((a, b) => armKindOrder[a.kind] - armKindOrder[b.kind] || a.id - b.id);
  // A member reading a figure blind does not see what another reading wrote to the grid from it (until theirs is done).
  const hidden = viewerId === undefined ? new Map<number, string>() : valuesHiddenFromBlindReader(db, reviewId, viewerId);
  const measurements = loaded.measurements.filter((m) => !hidden.has(m.id));
  const hiddenByFigure = new Map<string, number>();
  for (const m of loaded.measurements) {
    const label = hidden.get(m.id);
    if (label !== undefined) hiddenByFigure.set(label, (hiddenByFigure.get(label) ?? 0) + 1);
  }
  const outcomeById = new Map(outcomes.map((o) => [o.id, o]));
  const rows = measurements.map((m) => {
    const outcome = outcomeById.get(m.outcomeId)!;
    return { ...m, conversion: toStandardDeviation(m), flags: measurementFlags(m, outcome) };
  });
  const keys = [...new Set(rows.map((r) => `${r.outcomeId}:${r.day}`))];
  const timepoints = keys.map((key) => {
    const [outcomeId, day] = key.split(":").map(Number) as [number, number];
    const at = rows.filter((r) => r.outcomeId === outcomeId && r.day === day);
    const byArm = Object.fromEntries(at.map((r) => [String(r.armId), r])) as Record<string, (typeof rows)[number]>;
    const n = (kind: "treated" | "control") => {
      const ns = arms.filter((a) => a.kind === kind).flatMap((a) => (byArm[String(a.id)] ? [byArm[String(a.id)]!.n] : []));
      return ns.length ? ns.reduce((x, y) => x + y, 0) : null;
    };
    return { outcomeId, day, values: byArm, totalFlag: armTotalFlag(n("treated"), n("control"), study.animalsTotal) };
  });
  return {
    study,
    label: studyLabel(study),
    characteristics: definitions.map((d) => ({ ...d, value: characteristicValues.get(d.id) ?? null })),
    outcomes,
    arms,
    /** Each treated arm's own characteristic values, by arm id then characteristic id. */
    armValues: armCharacteristicValuesOf(
      db,
      arms.map((a) => a.id),
    ),
    timepoints,
    hiddenWhileReadingBlind: [...hiddenByFigure].map(([figureLabel, values]) => ({ figureLabel, values })),
  };
}

/** A study's history as a member may read it: without the values of a figure they are reading blind. */
export function studyHistoryFor(db: DbOrTx, reviewId: number, studyId: number, viewerId: number) {
  const hidden = valuesHiddenFromBlindReader(db, reviewId, viewerId);
  return studyHistory(db, reviewId, studyId).filter((entry) => !(entry.entity === "measurement" && entry.entityId !== null && hidden.has(entry.entityId)));
}
