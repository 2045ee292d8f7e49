/**
 * The seed paper's model-selection rule: random effects when I² > 50% or p(Q) <= 0.05, else fixed effect.
 * (A data-driven choice that methodologists discourage, e.g. Borenstein et al. 2010; it is offered because the
 * seed paper used it, and the result states which model it picked and why, so that the choice is reported.)
 */
import type { ModelSelection, Tau2Method } from "./types";

export const MODEL_SELECTION_RULE = "I2>50 or pQ<=0.05" as const;
const I2_THRESHOLD = 50;
const P_THRESHOLD = 0.05;

/**
 * Formats x with 3 significant digits, or more when rounding would make it print as the threshold it is compared
 * with (I² = 50.04 must not read "50.0 > 50").
 */
export function formatAgainst(x: number, threshold: number): string {
  for (let digits = 3; digits < 17; digits++) {
    const text = String(Number(x.toPrecision(digits)));
    if (Number(text) !== threshold || x === threshold) return text;
  }
  return String(x);
}

/**
 * Applies the rule to the fixed-effect heterogeneity statistics (Q, its p-value and the Q-based I², which do not
 * depend on the model). With one study I² is undefined and p(Q) = 1, so the rule picks the fixed model.
 */
export function selectModel(I2: number | null, pValue: number | null, tau2Method: Tau2Method): ModelSelection {
  const highI2 = I2 !== null && I2 > I2_THRESHOLD;
  const lowP = pValue !== null && pValue <= P_THRESHOLD;
  const i2Text = I2 === null ? "I² is undefined" : `I² = ${formatAgainst(I2, I2_THRESHOLD)}% ${highI2 ? ">" : "≤"} ${I2_THRESHOLD}%`;
  const pText = pValue === null ? "p(Q) is undefined" : `p(Q) = ${formatAgainst(pValue, P_THRESHOLD)} ${lowP ? "≤" : ">"} ${P_THRESHOLD}`;
  const chosen = highI2 || lowP ? "random" : "fixed";
  const reason =
    I2 === null && pValue === null
      ? "No study could be analysed, so the rule could not be applied; the fixed-effect model is reported."
      : chosen === "random"
        ? `${i2Text} ${highI2 && lowP ? "and" : "but"} ${pText}, so the random-effects model (${tau2Method}) was used.`
        : `${i2Text} and ${pText}, so the fixed-effect model was used.`;
  return { rule: MODEL_SELECTION_RULE, chosen, reason, I2, pValue };
}
