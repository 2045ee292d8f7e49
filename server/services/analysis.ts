import "server-only";
import type { DbOrTx } from "@/db/client";
import { analyze, type AnalysisRequest } from "@/server/analysis";
import type { CharacteristicValue } from "@/server/schemas/characteristics";
import { settingsOrDefaults, type AnalysisSettings } from "@/server/schemas/analysis-settings";
import { columnLabel, columnText } from "@/server/schemas/columns";
import { characteristicValuesByStudy, listCharacteristics } from "./characteristics";
import { reviewArmsAndMeasurements } from "./measurements";
import { listOutcomes } from "./outcomes";
import { pairStudy, type StoredValue, type TimepointChoice } from "./outcome-data";
import { assertSettingsBelongToReview, reviewDefaultSettings } from "./saved-analyses";
import { listStudies, studyLabel } from "./studies";

export { studyLabel };
export type { AnalysisSettings };

export type StudyInputRow = {
  studyId: number;
  label: string;
  year: number;
  group: string | null;
  day: number | null;
  isExampleData: boolean;
  m1: number | null;
  sd1: number | null;
  n1: number | null;
  m2: number | null;
  sd2: number | null;
  n2: number | null;
};

/**
 * Loads a review's data for one outcome and time point, and runs the analysis module on it. The result carries
 * the module's numbers untouched, plus the per-study inputs (labels, means, SDs, n, day) that the tables show.
 */
export function runReviewAnalysis(db: DbOrTx, reviewId: number, overrides: Partial<AnalysisSettings> = {}, options: { cumulative?: "year" } = {}) {
  const settings = settingsOrDefaults({ ...reviewDefaultSettings(db, reviewId), ...overrides });
  assertSettingsBelongToReview(db, reviewId, settings);
  const outcomeList = listOutcomes(db, reviewId);
  const outcome = outcomeList.find((o) => o.id === settings.outcomeId) ?? outcomeList[0];
  const studies = listStudies(db, reviewId);
  const definitions = listCharacteristics(db, reviewId);
  const characteristicValues = characteristicValuesByStudy(
    db,
    studies.map((s) => s.id),
  );
  /** The study's subgroup: the text of its value in the chosen column; none when it has no value. */
  const groupOf = (study: (typeof studies)[number]) => {
    if (!settings.subgroupField) return null;
    const text = columnText(definitions, settings.subgroupField, study, characteristicValues.get(study.id) ?? new Map<number, CharacteristicValue>());
    return text.trim() === "" ? null : text;
  };
  const data = reviewArmsAndMeasurements(db, studies.map((s) => s.id));
  const armById = new Map(data.arms.map((a) => [a.id, a]));
  const valuesByStudy = new Map<number, StoredValue[]>();
  for (const m of data.measurements) {
    const arm = armById.get(m.armId);
    if (!arm) continue;
    const list = valuesByStudy.get(arm.studyId) ?? [];
    list.push({ ...m, armKind: arm.kind, armId: arm.id });
    valuesByStudy.set(arm.studyId, list);
  }
  const choice: TimepointChoice = settings.timepoint === "day" ? { mode: "day", day: settings.day ?? 0 } : { mode: settings.timepoint };

  const inputs: StudyInputRow[] = [];
  const notPaired: { id: string; reason: string }[] = [];
  for (const study of studies) {
    const label = studyLabel(study);
    const paired = outcome ? pairStudy(study.id, valuesByStudy.get(study.id) ?? [], outcome.id, choice) : { studyId: study.id, reason: "the review has no outcome defined" };
    if ("reason" in paired) {
      notPaired.push({ id: String(study.id), reason: paired.reason });
      continue;
    }
    inputs.push({
      studyId: study.id,
      label,
      year: study.year,
      group: groupOf(study),
      day: paired.day,
      isExampleData: paired.isExampleData,
      m1: paired.treated.mean,
      sd1: paired.sd1,
      n1: paired.treated.n,
      m2: paired.control.mean,
      sd2: paired.sd2,
      n2: paired.control.n,
    });
  }

  const request: AnalysisRequest = {
    measure: settings.measure,
    model: settings.model,
    tau2Method: settings.tau2Method,
    ciMethod: settings.ciMethod,
    level: settings.level,
    studies: inputs.map((s) => ({
      id: String(s.studyId),
      m1: s.m1,
      sd1: s.sd1,
      n1: s.n1,
      m2: s.m2,
      sd2: s.sd2,
      n2: s.n2,
      year: s.year,
      ...(settings.subgroupField && s.group !== null ? { group: s.group } : {}),
    })),
    ...(options.cumulative ? { cumulative: options.cumulative } : {}),
  } as AnalysisRequest;
  const result = analyze(request);
  const labels = new Map(studies.map((s) => [String(s.id), studyLabel(s)]));
  return {
    settings,
    subgroupLabel: settings.subgroupField ? columnLabel(definitions, settings.subgroupField) : null,
    outcome: outcome ?? null,
    inputs,
    labels: Object.fromEntries(labels),
    /** Studies with no pair of values at this time point, and those the module excluded, each with its reason. */
    excluded: [...notPaired, ...result.excluded],
    result,
  };
}

export type ReviewAnalysis = ReturnType<typeof runReviewAnalysis>;

/**
 * The pooled result at the first and at the last time point (the seed paper reports both), with the saved
 * settings otherwise. Slimmer than two full runs: per-study effects and the summary, without the sensitivity and
 * publication-bias analyses that the side-by-side view does not show.
 */
export function compareTimepoints(db: DbOrTx, reviewId: number, overrides: Partial<AnalysisSettings> = {}) {
  const summarise = (timepoint: "first" | "last") => {
    const { settings, outcome, inputs, labels, excluded, result } = runReviewAnalysis(db, reviewId, { ...overrides, timepoint });
    const inputById = new Map(inputs.map((s) => [String(s.studyId), s]));
    return {
      timepoint,
      settings,
      outcome,
      labels,
      excluded,
      k: result.k,
      pooled: result.pooled,
      heterogeneity: result.heterogeneity,
      prediction: result.prediction,
      modelSelection: result.modelSelection ?? null,
      studies: result.studies.map((s) => {
        const input = inputById.get(s.id);
        return { ...s, label: labels[s.id] ?? s.id, year: input?.year ?? null, day: input?.day ?? null, isExampleData: input?.isExampleData ?? false };
      }),
    };
  };
  return { first: summarise("first"), last: summarise("last") };
}

export type TimepointComparison = ReturnType<typeof compareTimepoints>;
