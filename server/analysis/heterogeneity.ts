/**
 * Heterogeneity summaries. I² is the Q-based definition of Higgins & Thompson (2002), as in R `meta` and RevMan,
 * whatever the model; metafor's default, τ²-based I² is deliberately not used (contract).
 */
import { pChisqUpper } from "./distributions";
import type { ModelFit } from "./fit";
import type { HeterogeneityResult } from "./types";

/** I² = 100·(Q - df)/Q when Q > df, else 0; null when df < 1 (one study: heterogeneity is undefined). */
export function i2FromQ(Q: number, df: number): number | null {
  if (df < 1) return null;
  // min: for a huge Q, rounding can give 100.00000000000001.
  return Q > df ? Math.min(100, (100 * (Q - df)) / Q) : 0;
}

/** P(χ²_{k-1} > Q), the p-value of Cochran's (1954) test of homogeneity; 1 when k = 1 (nothing to test). */
export function qTestPValue(fit: Pick<ModelFit, "Q" | "Qdf">): number {
  return fit.Qdf > 0 ? pChisqUpper(fit.Q, fit.Qdf) : 1;
}

/**
 * Q (Cochran 1954) with its df and χ² p-value, I², τ² and τ of a fit, plus the Q-profile interval for τ²
 * when one was computed (random model, k >= 2).
 */
export function heterogeneityOf(fit: ModelFit, tau2Ci: { lower: number; upper: number } | null): HeterogeneityResult {
  const result: HeterogeneityResult = {
    Q: fit.Q,
    df: fit.Qdf,
    pValue: qTestPValue(fit),
    I2: fit.I2,
    tau2: fit.tau2,
    tau: Math.sqrt(fit.tau2),
  };
  if (tau2Ci) {
    result.tau2CiLower = tau2Ci.lower;
    result.tau2CiUpper = tau2Ci.upper;
  }
  return result;
}
