/**
 * Shapes shared by the analysis engine, its callers (tRPC procedures, report, CLI) and its tests.
 * The result follows ../shared/reference/CONTRACT.md; fields beyond the contract are marked "extension".
 * Every number in a result is finite; what is not defined is `null` (never NaN or Infinity).
 */

export type Measure = "MD" | "SMD" | "ROM";
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
}

export type ExclusionCode = "missing" | "sample-size" | "negative-sd" | "non-positive-mean" | "invalid-effect";

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
}
