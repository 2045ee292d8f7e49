/**
 * Shapes shared by the analysis engine, its callers (tRPC procedures, report, CLI) and its tests.
 * The result follows ../shared/reference/CONTRACT.md; fields beyond the contract are marked "extension".
 * Every number in a result is finite; what is not defined is `null` (never NaN or Infinity).
 */

/** "NMD": normalised mean difference in percent of the injury effect (Vesterinen et al. 2014; CONTRACT.md "Preclinical conventions"). */
export type Measure = "MD" | "SMD" | "ROM" | "NMD";
export type Model = "fixed" | "random";
export type Tau2Method = "DL" | "REML" | "PM" | "HS" | "SJ" | "ML" | "EB";
export type CiMethod = "z" | "hk";

/** How one model is fitted; every secondary analysis (subgroups, leave-one-out, trim-and-fill...) reuses it. */
export interface FitOptions {
  model: Model;
  /** Ignored for the fixed model. */
  tau2Method: Tau2Method;
  /** "hk" applies to the random model with k >= 2 only; otherwise the z interval is used. */
  ciMethod: CiMethod;
  /** Confidence level, 0 < level < 1. */
  level: number;
}

/** Raw arm-level data of one study, as entered. */
export interface StudyInput {
  id: string;
  m1?: number | null;
  sd1?: number | null;
  n1?: number | null;
  m2?: number | null;
  sd2?: number | null;
  n2?: number | null;
  group?: string | null;
  year?: number | null;
  /**
   * Comparisons with the same key share one control group: each uses n2/c, c the number of comparisons in the
   * request with that key (excluded ones included). A blank key is no key.
   */
  controlGroup?: string | null;
  /** NMD only: the mean of sham-operated (or normal) animals on this outcome. */
  mSham?: number | null;
  /** Values of the request's `moderators` for this study (meta-regression). */
  covariates?: Record<string, number | null> | null;
}

export type ExclusionCode = "missing" | "sample-size" | "negative-sd" | "non-positive-mean" | "no-sham" | "invalid-effect";

/** A study left out of the analysis, with a reason a reviewer can act on. */
export interface Exclusion {
  id: string;
  /** Human-readable, e.g. "n1 is below 2 (n1 = 1)" or "variance is not positive (both SDs are 0)". */
  reason: string;
  /** Machine-readable category (extension). */
  code: ExclusionCode;
}

/** Per-study record for the forest plot and the study table. */
export interface StudyResult {
  id: string;
  yi: number;
  vi: number;
  se: number;
  ciLower: number;
  ciUpper: number;
  /** Percent of the total weight of the requested model. */
  weight: number;
  /**
   * extension: present only when the study's control group is shared with other comparisons of the request
   * (same `controlGroup` key): how many share it and the control n this comparison was analysed with (n2/c),
   * e.g. for the forest plot's Total column.
   */
  sharedControl?: SharedControl;
}

/** extension: a control group shared by several comparisons (Vesterinen et al. 2014; Cochrane Handbook 23.3.4). */
export interface SharedControl {
  key: string;
  /** c: comparisons in the request with this key, excluded ones included. */
  comparisons: number;
  /** n2 as entered. */
  n2Entered: number;
  /** n2/c (not rounded), the n used in every formula. */
  n2Used: number;
}

export interface PooledResult {
  estimate: number;
  se: number;
  ciLower: number;
  ciUpper: number;
  /** z, or t with ciMethod "hk"; null when the standard error is 0. */
  statistic: number | null;
  pValue: number | null;
  /** Degrees of freedom of the t distribution; present only with ciMethod "hk" and k >= 2. */
  df?: number;
}

export interface HeterogeneityResult {
  Q: number;
  df: number;
  pValue: number;
  /** Q-based I² in percent; null when df = 0. */
  I2: number | null;
  tau2: number;
  tau: number;
  /** Q-profile confidence interval for τ² (random model, k >= 2). */
  tau2CiLower?: number | null;
  tau2CiUpper?: number | null;
}

export interface PredictionInterval {
  lower: number;
  upper: number;
}

export interface SubgroupResult {
  name: string;
  k: number;
  estimate: number;
  se: number;
  ciLower: number;
  ciUpper: number;
  /** extension */
  pValue: number | null;
  tau2: number;
  Q: number;
  I2: number | null;
  /** extension: χ² p-value of the group's Q on k - 1 df (1 for a single study). */
  QpValue: number;
}

export interface SubgroupAnalysis {
  groups: SubgroupResult[];
  Qbetween: number | null;
  df: number;
  pValue: number | null;
}

export interface EggerResult {
  bias: number;
  se: number;
  statistic: number | null;
  df: number;
  pValue: number | null;
}

export interface BeggResult {
  tau: number | null;
  pValue: number | null;
}

export interface ImputedStudy {
  yi: number;
  vi: number;
  se: number;
}

export interface TrimFillResult {
  k0: number;
  side: "left" | "right";
  estimate: number;
  se: number;
  ciLower: number;
  ciUpper: number;
  /** extension */
  pValue: number | null;
  /** extension: the filled-in studies on the original scale, for the funnel plot. */
  imputed: ImputedStudy[];
}

export interface LeaveOneOutResult {
  id: string;
  estimate: number;
  se: number;
  ciLower: number;
  ciUpper: number;
  pValue: number | null;
  tau2: number;
  Q: number;
  I2: number | null;
}

/** One step of a cumulative meta-analysis: the fit of the first k studies in the chosen order. */
export interface CumulativeStep {
  /** The study added at this step. */
  id: string;
  year: number | null;
  k: number;
  estimate: number;
  se: number;
  ciLower: number;
  ciUpper: number;
  pValue: number | null;
  tau2: number;
  I2: number | null;
}

export interface ModelSelection {
  rule: "I2>50 or pQ<=0.05";
  chosen: Model;
  /** Says which numbers triggered the choice, e.g. "I² = 62.1% > 50% ... so the random-effects model (REML) was used." */
  reason: string;
  I2: number | null;
  pValue: number | null;
}

/** A study left out of the meta-regression only (it is still in every other analysis). */
export interface MetaRegressionExclusion {
  id: string;
  /** e.g. "dose is missing". extension */
  reason: string;
}

export interface MetaRegressionCoefficient {
  /** "intrcpt" first, then the moderators in request order (those dropped as redundant left out). */
  name: string;
  estimate: number;
  se: number;
  /** z, or t with k - p df (ciMethod "hk"); null when se = 0. */
  statistic: number | null;
  pValue: number | null;
  ciLower: number;
  ciUpper: number;
}

/**
 * Mixed-effects meta-regression (CONTRACT.md "Preclinical conventions"; metafor `rma(yi, vi, mods = ...)`).
 * When it cannot be fitted (too few studies with every moderator), `problem` says why and every statistic is null.
 */
export interface MetaRegressionResult {
  /** Studies in the model: analysed studies with a finite value for every moderator. */
  k: number;
  excluded: MetaRegressionExclusion[];
  coefficients: MetaRegressionCoefficient[];
  /** Test of the moderators: Wald χ²(QMdf1) with "z"; F(QMdf1, QMdf2) with "hk". Null when no moderator is left. */
  QM: number | null;
  QMdf1: number;
  /** k - p with "hk"; null with "z" (and when no moderator is left to test). */
  QMdf2: number | null;
  QMp: number | null;
  /** Residual heterogeneity (weights 1/vi) on QEdf = k - p. */
  QE: number | null;
  QEdf: number | null;
  QEp: number | null;
  /** Residual τ² (0 for the fixed model). */
  tau2: number | null;
  /** Random models only: residual I² = 100·τ²/(τ² + (k - p)/tr P) and pseudo-R² in percent. */
  I2?: number | null;
  R2?: number | null;
  /** extension: covariance matrix of the coefficients, in `coefficients` order (scaled by s² with "hk"). */
  vcov: number[][];
  /** extension: "z" or "t" (t with k - p df); the test and intervals of the coefficients. */
  test: "z" | "t";
  /** extension: confidence level of the intervals. */
  level: number;
  /** extension: moderators left out of the model because they do not vary or are collinear with earlier columns (as metafor drops redundant predictors). */
  dropped: { name: string; reason: string }[];
  /** extension: why the model could not be fitted; null when it was. */
  problem: string | null;
}

export interface AnalysisResult {
  k: number;
  excluded: Exclusion[];
  studies: StudyResult[];
  pooled: PooledResult | null;
  heterogeneity: HeterogeneityResult | null;
  prediction: PredictionInterval | null;
  subgroups: SubgroupAnalysis | null;
  egger: EggerResult | null;
  begg: BeggResult | null;
  trimFill: TrimFillResult | null;
  leaveOneOut: LeaveOneOutResult[];
  /** extension: present when the request asks for it. */
  cumulative?: CumulativeStep[];
  /** extension: present when the request's model is "auto". */
  modelSelection?: ModelSelection;
  /** Present when the request names `moderators`. */
  metaRegression?: MetaRegressionResult;
}
