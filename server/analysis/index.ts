/**
 * The meta-analysis engine of the review workbench. Pure TypeScript: no database, framework or I/O, so the tRPC
 * procedures, the report and the command line all get the same numbers. The definitions are those of
 * ../shared/reference/CONTRACT.md and are checked against R metafor 3.8-1.
 */
import { criticalValue } from "./distributions";
import type { PreparedStudy } from "./effect-sizes";
import { estimateOf, fitModel, nullNonFinite, predictionInterval, tau2ConfidenceInterval } from "./fit";
import { prepareAnalysis } from "./prepare";
import { heterogeneityOf } from "./heterogeneity";
import { metaRegression } from "./meta-regression";
import { beggTest, eggerTest, trimAndFill } from "./publication-bias";
import type { AnalysisRequest } from "./schema";
import { cumulativeAnalysis, leaveOneOut } from "./sensitivity";
import { subgroupAnalysis } from "./subgroups";
import type { AnalysisResult, StudyResult } from "./types";

export type * from "./types";
export { parseAnalysisRequest, analysisRequestSchema, studySchema, formatPath, MEASURES, MODELS, TAU2_METHODS, CI_METHODS } from "./schema";
export type { AnalysisRequest, AnalysisRequestInput, ParseResult, RequestError } from "./schema";
export { sdFromSem, sdFromCi, toSd, type Dispersion } from "./conversions";
export {
  checkStudy,
  prepareStudies,
  controlGroupSizes,
  effectSize,
  hedgesJ,
  meanDifference,
  standardizedMeanDifference,
  logRatioOfMeans,
  normalisedMeanDifference,
} from "./effect-sizes";
export type { PreparedStudy, EffectSize, ArmData, StudyCheck } from "./effect-sizes";
export { fitModel, estimateOf, finiteOrNull, nullNonFinite, tau2ConfidenceInterval, predictionInterval, type ModelFit } from "./fit";
export { i2FromQ, qTestPValue, heterogeneityOf } from "./heterogeneity";
export { selectModel, MODEL_SELECTION_RULE } from "./model-selection";
export { eggerTest, beggTest, trimAndFill, kendall, kendallPValue, standardErrorsAllEqual } from "./publication-bias";
export { metaRegression, metaRegressionLine, type RegressionLinePoint } from "./meta-regression";
export { leaveOneOut, cumulativeAnalysis, cumulativeOrder, type CumulativeOrder } from "./sensitivity";
export { subgroupAnalysis, UNSPECIFIED_GROUP } from "./subgroups";
export { stratifiedTests, type Stratification, type StratifiedTest, type StratifiedTestsResult } from "./stratified";
export { adjustPValues, type PAdjustMethod } from "./multiplicity";
export { combineArms, type ArmSummary, type CombinedArms } from "./arms";
export { prepareAnalysis } from "./prepare";
export { estimateTau2, design, regressionDesign, type Design } from "./tau2";

/** Per-study records: yi ± z·√vi at the requested level, and the weight in percent of the model's total. */
function studyRecords(studies: readonly PreparedStudy[], tau2: number, sumW: number, level: number): StudyResult[] {
  const z = criticalValue(level);
  return studies.map(({ id, yi, vi, sharedControl }) => {
    const se = Math.sqrt(vi);
    const record: StudyResult = { id, yi, vi, se, ciLower: yi - z * se, ciUpper: yi + z * se, weight: (100 / (vi + tau2)) / sumW };
    if (sharedControl) record.sharedControl = sharedControl;
    return record;
  });
}

function emptyResult(excluded: AnalysisResult["excluded"]): AnalysisResult {
  return {
    k: 0,
    excluded,
    studies: [],
    pooled: null,
    heterogeneity: null,
    prediction: null,
    subgroups: null,
    egger: null,
    begg: null,
    trimFill: null,
    leaveOneOut: [],
  };
}

/**
 * Runs the whole analysis of one validated request (see `parseAnalysisRequest`): effect sizes (shared control
 * groups split) and exclusions, the pooled estimate with heterogeneity, the Q-profile interval for τ² and the
 * prediction interval, subgroups, Egger's and Begg's tests, trim-and-fill, leave-one-out, and, on request, a
 * cumulative meta-analysis and a meta-regression on the request's `moderators`.
 * With model "auto" the seed paper's rule (random effects when I² > 50% or p(Q) <= 0.05) picks the model and
 * `modelSelection` says why.
 */
export function analyze(request: AnalysisRequest): AnalysisResult {
  const { included, excluded, options, modelSelection } = prepareAnalysis(request);
  const k = included.length;
  const y = Float64Array.from(included, (s) => s.yi);
  const v = Float64Array.from(included, (s) => s.vi);
  const moderators = request.moderators ?? [];
  if (k === 0) {
    const empty: AnalysisResult = { ...emptyResult(excluded), ...(modelSelection && { modelSelection }) };
    if (moderators.length) empty.metaRegression = metaRegression(included, moderators, options);
    return empty;
  }

  const fit = fitModel(y, v, options);
  const random = options.model === "random";
  const result: AnalysisResult = {
    k,
    excluded,
    studies: studyRecords(included, fit.tau2, fit.sumW, options.level),
    pooled: { ...estimateOf(fit), statistic: fit.statistic, ...(fit.df !== null && { df: fit.df }) },
    heterogeneity: heterogeneityOf(fit, random && k >= 2 ? tau2ConfidenceInterval(y, v, options.level) : null),
    prediction: predictionInterval(fit, options),
    subgroups: subgroupAnalysis(included, options),
    egger: eggerTest(y, v),
    begg: beggTest(y, v),
    trimFill: trimAndFill(y, v, options, fit),
    leaveOneOut: leaveOneOut(
      included.map((s) => s.id),
      y,
      v,
      options,
    ),
  };
  if (request.cumulative !== undefined) result.cumulative = cumulativeAnalysis(included, options, request.cumulative);
  if (modelSelection) result.modelSelection = modelSelection;
  if (moderators.length) result.metaRegression = metaRegression(included, moderators, options);
  return nullNonFinite(result);
}
