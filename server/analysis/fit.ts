/**
 * The one model fit used everywhere: the pooled analysis, each subgroup, each leave-one-out and cumulative step,
 * and every trim-and-fill round.
 */
import { criticalValue, pNormTwoSided, pTTwoSided, qChisq } from "./distributions";
import { i2FromQ } from "./heterogeneity";
import { design, estimateTau2, newWlsState, solveGeneralizedQ, wlsAt, type WlsState } from "./tau2";
import type { FitOptions, PredictionInterval } from "./types";

/** τ² below this is iteration noise and is reported as 0 (contract). */
const TAU2_ZERO = 1e-10;
/** metafor sets the Knapp-Hartung factor to 0 when the weighted residual sum of squares is below machine epsilon. */
const EPSILON = 2.220446049250313e-16;

export interface ModelFit {
  k: number;
  estimate: number;
  se: number;
  ciLower: number;
  ciUpper: number;
  /** z, or t (Hartung-Knapp); null when se = 0. */
  statistic: number | null;
  pValue: number | null;
  /** t degrees of freedom with Hartung-Knapp, else null. */
  df: number | null;
  tau2: number;
  /** Cochran's Q (fixed-effect weights), its df = k - 1 and the Q-based I². */
  Q: number;
  Qdf: number;
  I2: number | null;
  /** Σ 1/(v + τ²), the model's total weight (per-study weight = 100·wi/sumW). */
  sumW: number;
}

/** `x` when finite, else null: a statistic divided by a zero standard error is undefined, not infinite. */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * Replaces any non-finite number by null, in place (arrays included: their keys are the indices). Every undefined
 * quantity is already null and the exclusion bounds keep the sums from overflowing, so this should find nothing;
 * it is what makes "never NaN or Infinity" a guarantee rather than an expectation.
 */
export function nullNonFinite<T>(value: T): T {
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (typeof item !== "number") nullNonFinite(item);
      else if (!Number.isFinite(item)) record[key] = null;
    }
  }
  return value;
}

/**
 * Fits the fixed (common) effect or random-effects model to the first n (>= 1) of (y, v).
 * - μ̂ = Σwy/Σw and se = √(1/Σw), w = 1/(v + τ²) (τ² = 0 for the fixed model, and for k = 1).
 * - z interval, or Hartung & Knapp (2001) / Sidik & Jonkman (2002): se² = Σw(y - μ̂)²/((k - 1)Σw) with t_{k-1},
 *   untruncated (metafor `test = "knha"`); random model with k >= 2 only.
 * - Cochran's Q with fixed-effect weights and the Q-based I² (Higgins & Thompson 2002); its p-value is left to
 *   `heterogeneityOf`, since most fits (leave-one-out, cumulative, trim-and-fill rounds) do not report it.
 * `state` is scratch space that a caller fitting in a loop can pass to avoid allocating.
 */
export function fitModel(y: Float64Array, v: Float64Array, options: FitOptions, n = y.length, state: WlsState = newWlsState()): ModelFit {
  if (!(n >= 1)) throw new RangeError("fitModel needs at least one study");
  const d = design(y, v, n);
  const k = n;
  const s = wlsAt(d, 0, state);
  const Q = k > 1 ? s.rss : 0;
  const Qdf = k - 1;
  const random = options.model === "random" && k > 1;
  let tau2 = random ? estimateTau2(d, options.tau2Method, s) : 0;
  if (tau2 < TAU2_ZERO) tau2 = 0;
  // The estimators leave the state at some other τ²; re-evaluate at the final one.
  wlsAt(d, tau2, s);
  const estimate = s.mean;
  const hk = random && options.ciMethod === "hk";
  const df = hk ? k - 1 : null;
  const scale = hk ? (s.rss <= EPSILON ? 0 : s.rss / (k - 1)) : 1;
  const se = Math.sqrt(scale / s.sumW);
  const crit = criticalValue(options.level, df ?? undefined);
  const statistic = finiteOrNull(estimate / se);
  return {
    k,
    estimate,
    se,
    ciLower: estimate - crit * se,
    ciUpper: estimate + crit * se,
    statistic,
    pValue: statistic === null ? null : df === null ? pNormTwoSided(statistic) : pTTwoSided(statistic, df),
    df,
    tau2,
    Q,
    Qdf,
    I2: i2FromQ(Q, Qdf),
    sumW: s.sumW,
  };
}

/** The estimate with its standard error, interval and p-value: the part of a fit that every summary reports. */
export function estimateOf(fit: ModelFit): { estimate: number; se: number; ciLower: number; ciUpper: number; pValue: number | null } {
  return { estimate: fit.estimate, se: fit.se, ciLower: fit.ciLower, ciUpper: fit.ciUpper, pValue: fit.pValue };
}

/**
 * Q-profile confidence interval for τ² (Viechtbauer 2007; metafor `confint(type = "QP")`): the lower bound solves
 * Q(τ²) = χ²_{df, (1+level)/2}, the upper bound Q(τ²) = χ²_{df, (1-level)/2}, Q the generalised Q statistic;
 * a bound is 0 when Q(0) is already below its quantile. Needs k >= 2.
 */
export function tau2ConfidenceInterval(y: Float64Array, v: Float64Array, level: number): { lower: number; upper: number } {
  const df = y.length - 1;
  const d = design(y, v);
  const lower = solveGeneralizedQ(d, qChisq((1 + level) / 2, df));
  return { lower: lower < TAU2_ZERO ? 0 : lower, upper: solveGeneralizedQ(d, qChisq((1 - level) / 2, df)) };
}

/**
 * Prediction interval for the effect in a new study (Higgins, Thompson & Spiegelhalter 2009):
 * μ̂ ± t_{k-2}·√(τ² + se²), se the pooled standard error as reported. Random model with k >= 3, else null.
 */
export function predictionInterval(fit: ModelFit, options: FitOptions): PredictionInterval | null {
  if (options.model !== "random" || fit.k < 3) return null;
  const half = criticalValue(options.level, fit.k - 2) * Math.sqrt(fit.tau2 + fit.se * fit.se);
  return { lower: fit.estimate - half, upper: fit.estimate + half };
}
