import "server-only";
import type { DbOrTx } from "@/db/client";
import { analyze, metaRegressionLine, stratifiedTests, type AnalysisResult, type RegressionLinePoint } from "@/server/analysis";
import { settingsOrDefaults, type AnalysisSettings } from "@/server/schemas/analysis-settings";
import { variableLabel } from "@/server/schemas/analysis-variables";
import { columnLabel } from "@/server/schemas/columns";
import {
  covariateOf,
  explainExclusions,
  loadReviewData,
  requestOf,
  restrictToLowRisk,
  reviewComparisons,
  stratumOf,
  timepointChoice,
  variableLabels,
  type Comparison,
  type ReviewData,
  type StudyInputRow,
} from "./comparisons";
import { assertSettingsBelongToReview, reviewDefaultSettings } from "./saved-analyses";
import { studyLabel } from "./studies";

export { studyLabel };
export type { AnalysisSettings, StudyInputRow };

/**
 * Loads a review's data for one outcome and time point, and runs the analysis module on it: one comparison per
 * treated arm (or per shared control with the arms combined), restricted to low risk of bias on request. The result
 * carries the module's numbers untouched, plus the per-comparison inputs (labels, means, SDs, n, day) the tables
 * show, every study or arm not analysed with its reason, and, when the settings ask for them, the stratified tests
 * (`stratifiedTests`) and the meta-regression's bubble-plot data.
 */
export function runReviewAnalysis(db: DbOrTx, reviewId: number, overrides: Partial<AnalysisSettings> = {}, options: { cumulative?: "year"; blindReaderId?: number } = {}) {
  const settings = settingsOrDefaults({ ...reviewDefaultSettings(db, reviewId), ...overrides });
  assertSettingsBelongToReview(db, reviewId, settings);
  const data = loadReviewData(db, reviewId, settings, options.blindReaderId);
  const all = reviewComparisons(data, timepointChoice(settings));
  const { kept, left } = restrictToLowRisk(data, all.comparisons, settings.lowRiskDomain);
  const { request, rows: inputs } = requestOf(data, kept, { moderators: settings.moderators, ...(options.cumulative ? { cumulative: options.cumulative } : {}) });
  const result = analyze(request);
  const labels: Record<string, string> = Object.fromEntries([...inputs.map((r) => [r.id, r.label] as const), ...all.notAnalysed.map((n) => [n.id, n.label] as const)]);
  for (const study of data.studies) labels[String(study.id)] ??= studyLabel(study);
  return {
    settings,
    subgroupLabel: settings.subgroupField ? columnLabel(data.definitions, settings.subgroupField) : null,
    outcome: data.outcome,
    inputs,
    labels,
    /** Studies and arms with nothing to analyse at this time point, those restricted out, and those the module excluded, each with its reason. */
    excluded: [...all.notAnalysed.map(({ id, reason }) => ({ id, reason })), ...left, ...explainExclusions(result.excluded, inputs, data.outcome)],
    result,
    variableLabels: variableLabels(data, [...settings.strata, ...settings.moderators]),
    stratified: settings.strata.length ? stratifiedTests(request, settings.strata.map((key) => ({ name: key, groups: kept.map((c) => stratumOf(data, c, key)) }))) : null,
    regression: settings.moderators.length ? regressionDetails(data, kept, inputs, result) : null,
    /** Figures whose values this requester does not see yet (their blind reading is in progress): said on the page. */
    hiddenFromBlindReader: data.hiddenFromBlindReader,
  };
}

/** How many points the fitted line of the bubble plot is drawn through. */
const LINE_POINTS = 60;

/**
 * What the meta-regression section shows beyond the module's `metaRegression`: why each left-out comparison has no
 * value (in the variables' labels), the dose units met (a regression on doses in several units mixes scales), and
 * for a one-moderator model the bubble plot: each comparison's x, effect and weight in the model (1/(vi + τ²res), as
 * metafor's `regplot` sizes points), and the fitted line with its confidence band (`metaRegressionLine`).
 */
function regressionDetails(data: ReviewData, comparisons: readonly Comparison[], inputs: readonly StudyInputRow[], result: AnalysisResult) {
  const model = result.metaRegression;
  const moderators = data.settings.moderators;
  const labelOf = (key: string) => variableLabel(data.definitions, key);
  const covariates = new Map(comparisons.map((c, i) => [inputs[i]!.id, Object.fromEntries(moderators.map((key) => [key, covariateOf(data, c, key)]))]));
  const excluded = (model?.excluded ?? []).map((e) => {
    const missing = moderators.filter((key) => covariates.get(e.id)?.[key] === null);
    return { id: e.id, reason: missing.length ? `no value of ${missing.map(labelOf).join(", ")}` : e.reason };
  });
  const doseUnits = moderators.includes("dose") ? [...new Set(comparisons.filter((c) => c.dose !== null).map((c) => c.doseUnit || "no unit"))] : [];
  let bubble: { key: string; points: { id: string; x: number; yi: number; vi: number; weight: number }[]; line: RegressionLinePoint[] } | null = null;
  const key = moderators[0];
  if (model && model.problem === null && moderators.length === 1 && key !== undefined) {
    const out = new Set(model.excluded.map((e) => e.id));
    const tau2 = model.tau2 ?? 0;
    const inModel = result.studies.filter((s) => !out.has(s.id) && covariates.get(s.id)?.[key] != null);
    const w = inModel.map((s) => 1 / (s.vi + tau2));
    const total = w.reduce((a, b) => a + b, 0);
    const points = inModel.map((s, i) => ({ id: s.id, x: covariates.get(s.id)![key] as number, yi: s.yi, vi: s.vi, weight: (100 * w[i]!) / total }));
    const xs = points.map((p) => p.x);
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    const grid = points.length && hi > lo ? Array.from({ length: LINE_POINTS }, (_, i) => lo + ((hi - lo) * i) / (LINE_POINTS - 1)) : [];
    const line = grid.length ? metaRegressionLine(model, key, grid) : null;
    if (line) bubble = { key, points, line };
  }
  return { excluded, doseUnits, bubble };
}

export type ReviewAnalysis = ReturnType<typeof runReviewAnalysis>;

/**
 * The pooled result at the first and at the last time point (the seed paper reports both), with the saved
 * settings otherwise. Slimmer than two full runs: per-study effects and the summary, without the sensitivity and
 * publication-bias analyses that the side-by-side view does not show.
 */
export function compareTimepoints(db: DbOrTx, reviewId: number, overrides: Partial<AnalysisSettings> = {}, blindReaderId?: number) {
  const summarise = (timepoint: "first" | "last") => {
    const { settings, outcome, inputs, labels, excluded, result } = runReviewAnalysis(db, reviewId, { ...overrides, timepoint }, { blindReaderId });
    const inputById = new Map(inputs.map((s) => [s.id, s]));
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
