/**
 * The first step of every analysis of a request: effect sizes with exclusions, and the model to fit.
 */
import { prepareStudies, type PreparedStudy } from "./effect-sizes";
import { fitModel } from "./fit";
import { qTestPValue } from "./heterogeneity";
import { selectModel } from "./model-selection";
import type { AnalysisRequest } from "./schema";
import type { AnalysisResult, FitOptions, ModelSelection } from "./types";

/**
 * The studies of a request with their effect sizes (shared controls split, exclusions applied) and the model to
 * fit: the request's, or with model "auto" the one the seed paper's rule picks (`modelSelection` says why).
 */
export function prepareAnalysis(request: AnalysisRequest): {
  included: PreparedStudy[];
  excluded: AnalysisResult["excluded"];
  options: FitOptions;
  modelSelection?: ModelSelection;
} {
  const { included, excluded } = prepareStudies(request.measure, request.studies);
  const base = { tau2Method: request.tau2Method, ciMethod: request.ciMethod, level: request.level };
  if (request.model !== "auto") return { included, excluded, options: { ...base, model: request.model } };
  const fixed =
    included.length > 0
      ? fitModel(
          Float64Array.from(included, (s) => s.yi),
          Float64Array.from(included, (s) => s.vi),
          { ...base, model: "fixed" },
        )
      : null;
  const modelSelection = selectModel(fixed?.I2 ?? null, fixed ? qTestPValue(fixed) : null, request.tau2Method);
  return { included, excluded, options: { ...base, model: modelSelection.chosen }, modelSelection };
}
