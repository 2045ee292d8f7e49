/**
 * How the page and the report word the definitions behind the heterogeneity and prediction numbers, in one place
 * (the report reuses these sentences). They describe what server/analysis computes: I² from Cochran's Q
 * (heterogeneity.ts `i2FromQ`) and the prediction interval with t on k − 2 df (fit.ts `predictionInterval`).
 */

/** I² as the engine computes it, whatever the model and τ² estimator (not metafor's τ²-based default). */
export const I2_METHOD =
  "I² is computed from Cochran's Q with inverse-variance weights: I² = 100% × (Q − df) / Q, and 0 when Q ≤ df (Higgins & Thompson 2002), whatever the model and τ² estimator.";

/** The prediction interval at the analysis's confidence level (a percentage such as "95%"). */
export function predictionIntervalMethod(level: string): string {
  return `The ${level} prediction interval for the effect in a new study is μ̂ ± t(k − 2) × √(τ² + SE(μ̂)²), with t on k − 2 degrees of freedom (Higgins, Thompson & Spiegelhalter 2009); it is given for random-effects models with at least 3 studies.`;
}

/** Both sentences, as one paragraph. */
export function heterogeneityMethods(level: string): string {
  return `${I2_METHOD} ${predictionIntervalMethod(level)}`;
}

/** The multiplicity correction of stratified analyses (CAMARADES practice). */
export const STRATIFIED_METHOD =
  "For each stratification, the test for subgroup differences is Q between subgroups on (number of subgroups − 1) df; its p-value is adjusted for the number of stratifications tested, by Bonferroni (× number of tests) and by Holm's step-down method (as R's p.adjust), as CAMARADES recommends (Vesterinen et al. 2014). Comparisons without a value form the subgroup “Unspecified”.";

/** The shared-control correction and its alternative. */
export const SHARED_CONTROL_METHOD =
  "Treated arms that share a control group are analysed as separate comparisons, each with the control's n divided by the number of comparisons sharing it (Vesterinen et al. 2014; Cochrane Handbook 23.3.4); alternatively they are combined into one treated group with the Cochrane Handbook's formulas (section 6.5.2.10, Table 6.5.a).";

/** NMD as the engine computes it. */
export const NMD_METHOD =
  "The normalised mean difference is 100 × (control mean − treated mean) / (control mean − sham mean): the share of the injury effect the treatment reverses, positive for an improvement whichever direction is better (Vesterinen et al. 2014). The sham mean is a sham arm's value on the same day, else the outcome's normal value.";

/** Significant at the chosen level? null when the p-value is not defined. */
export const significant = (p: number | null | undefined, alpha: number) => (p === null || p === undefined ? null : p < alpha);

/**
 * What leaving one study out does to the pooled effect's significance (the leave-one-out plot and the report's
 * summary say the same): null when it does not change it.
 */
export function significanceChange(overallP: number | null | undefined, withoutP: number | null | undefined, alpha: number): string | null {
  const overall = significant(overallP, alpha);
  const without = significant(withoutP, alpha);
  if (overall === null || without === null || without === overall) return null;
  const level = alpha.toFixed(2);
  return without ? `Without this study the pooled effect becomes significant (p < ${level})` : `Without this study the pooled effect is no longer significant (p ≥ ${level})`;
}
