import "server-only";
import type { DbOrTx } from "@/db/client";
import { runReviewAnalysis, studyLabel } from "./analysis";
import { getOutcome, listOutcomes, reviewArmsAndMeasurements } from "./measurements";
import { toStandardDeviation } from "./outcome-data";
import { armTotalFlag, measurementFlags } from "./plausibility";
import { getReview } from "./reviews";
import { getStudy, listStudies } from "./studies";

/** Counts, completeness, and the pooled result at the first and last time point (from the analysis module). */
export function reviewOverview(db: DbOrTx, reviewId: number) {
  const review = getReview(db, reviewId);
  const studies = listStudies(db, reviewId);
  const { arms, measurements } = reviewArmsAndMeasurements(db, studies.map((s) => s.id));
  const studyOfArm = new Map(arms.map((a) => [a.id, a.studyId]));
  const withData = new Set(measurements.map((m) => studyOfArm.get(m.armId)));
  const tableFields = ["author", "year", "exosomeSourceDetail", "administrationRoute", "injuredSite", "modelingMethod", "possibleMechanism", "reference"] as const;
  const filled = studies.reduce((sum, s) => sum + tableFields.filter((f) => String(s[f] ?? "").trim() !== "").length, 0);
  const first = runReviewAnalysis(db, reviewId, { timepoint: "first" });
  const last = runReviewAnalysis(db, reviewId, { timepoint: "last" });
  return {
    review,
    counts: {
      studies: studies.length,
      studiesWithOutcomeData: withData.size,
      measurements: measurements.length,
      exampleValues: measurements.filter((m) => m.isExampleData).length,
    },
    table1Completeness: studies.length ? filled / (studies.length * tableFields.length) : null,
    pooled: { first, last },
  };
}

/** A study with its outcome grid: per outcome, per day, treated and control values, SDs derived, flags. */
export function studyDetail(db: DbOrTx, reviewId: number, studyId: number) {
  const study = getStudy(db, reviewId, studyId);
  const outcomes = listOutcomes(db, reviewId);
  const { arms, measurements } = reviewArmsAndMeasurements(db, [studyId]);
  const armKind = new Map(arms.map((a) => [a.id, a.kind]));
  const rows = measurements.map((m) => {
    const outcome = getOutcome(db, reviewId, m.outcomeId);
    return { ...m, armKind: armKind.get(m.armId)!, conversion: toStandardDeviation(m), flags: measurementFlags(m, outcome) };
  });
  const days = [...new Set(rows.map((r) => `${r.outcomeId}:${r.day}`))];
  const timepoints = days.map((key) => {
    const [outcomeId, day] = key.split(":").map(Number) as [number, number];
    const at = rows.filter((r) => r.outcomeId === outcomeId && r.day === day);
    const treated = at.find((r) => r.armKind === "treated") ?? null;
    const control = at.find((r) => r.armKind === "control") ?? null;
    return { outcomeId, day, treated, control, totalFlag: armTotalFlag(treated?.n ?? null, control?.n ?? null, study.animalsTotal) };
  });
  return { study, label: studyLabel(study), outcomes, arms, timepoints };
}
