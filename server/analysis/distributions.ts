/**
 * Thin wrappers over the stdlib distributions, phrased the way the engine uses them (two-sided p-values,
 * upper critical values, upper tails). Upper tails are computed directly, not as 1 - cdf, so that small
 * p-values keep their relative precision (R prints p = 5.6e-28 for a large Q; so do we).
 */
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import tCdf from "@stdlib/stats-base-dists-t-cdf";
import tQuantile from "@stdlib/stats-base-dists-t-quantile";
import chisqQuantile from "@stdlib/stats-base-dists-chisquare-quantile";
import gammainc from "@stdlib/math-base-special-gammainc";
import betainc from "@stdlib/math-base-special-betainc";

/** Φ(x), the standard normal distribution function. */
export function pnorm(x: number): number {
  return normalCdf(x, 0, 1);
}

/** Two-sided p-value of a z statistic: 2·Φ(-|z|). */
export function pNormTwoSided(z: number): number {
  return 2 * normalCdf(-Math.abs(z), 0, 1);
}

/** Two-sided p-value of a t statistic with df degrees of freedom: 2·F_t(-|t|; df). */
export function pTTwoSided(t: number, df: number): number {
  return 2 * tCdf(-Math.abs(t), df);
}

const criticalValues = new Map<number, Map<number, number>>();

/**
 * Upper critical value of a two-sided interval at confidence `level`: z_{1-α/2}, or t_{1-α/2, df} when df is
 * given. Computed as minus the lower α/2 quantile, which keeps precision for levels close to 1. Memoised, since
 * leave-one-out and cumulative analyses ask for the same few values thousands of times.
 */
export function criticalValue(level: number, df?: number): number {
  let byDf = criticalValues.get(level);
  if (!byDf) {
    // A long-running server sees few distinct levels; forget them all if a caller sweeps through many.
    if (criticalValues.size >= 64) criticalValues.clear();
    criticalValues.set(level, (byDf = new Map()));
  }
  const key = df ?? Infinity;
  let value = byDf.get(key);
  if (value === undefined) {
    const half = (1 - level) / 2;
    value = df === undefined ? -normalQuantile(half, 0, 1) : -tQuantile(half, df);
    byDf.set(key, value);
  }
  return value;
}

/** P(χ²_df > x), the regularised upper incomplete gamma function Q(df/2, x/2). */
export function pChisqUpper(x: number, df: number): number {
  if (x <= 0) return 1;
  return gammainc(x / 2, df / 2, true, true);
}

/** The p-quantile of χ²_df. */
export function qChisq(p: number, df: number): number {
  return chisqQuantile(p, df);
}

/**
 * P(F_{d1,d2} > x), the upper tail of Fisher's F distribution, as the regularised incomplete beta function
 * I_{d2/(d2 + d1·x)}(d2/2, d1/2) (Abramowitz & Stegun 26.6.2), evaluated directly so that small p-values keep
 * their precision (R's pf(lower.tail = FALSE) does the same through pbeta).
 */
export function pFUpper(x: number, d1: number, d2: number): number {
  if (x <= 0) return 1;
  return betainc(d2 / (d2 + d1 * x), d2 / 2, d1 / 2);
}
