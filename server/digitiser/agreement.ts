/**
 * Agreement between two readings of the same figure, value by value. PURE (no I/O).
 *
 * Lin's concordance correlation coefficient:
 *   Lin LI. A concordance correlation coefficient to evaluate reproducibility. Biometrics 1989;45(1):255–268.
 *   ρc = 2·s_xy / (s_x² + s_y² + (x̄ − ȳ)²)
 * with the moments taken with divisor n, as in Lin's estimator (eq. 4 of the paper; DescTools::CCC and
 * epiR::epi.ccc use the same). ρc is 1 only when every pair lies on the line y = x: unlike Pearson's r it also
 * penalises a shift or a different slope between the readers (Van der Mierden et al. 2021 report it for
 * digitised preclinical data).
 */

export type Concordance = {
  n: number;
  ccc: number | null;
  /** Why ccc is null: fewer than two pairs, or no spread at all (0/0). */
  undefinedBecause: "fewer than two values" | "no spread" | null;
};

export function linsConcordance(pairs: readonly (readonly [number, number])[]): Concordance {
  const n = pairs.length;
  if (n < 2) return { n, ccc: null, undefinedBecause: "fewer than two values" };
  const meanX = pairs.reduce((s, [x]) => s + x, 0) / n;
  const meanY = pairs.reduce((s, [, y]) => s + y, 0) / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const [x, y] of pairs) {
    sxx += (x - meanX) ** 2;
    syy += (y - meanY) ** 2;
    sxy += (x - meanX) * (y - meanY);
  }
  const denominator = sxx / n + syy / n + (meanX - meanY) ** 2;
  if (!(denominator > 0)) return { n, ccc: null, undefinedBecause: "no spread" };
  return { n, ccc: (2 * sxy) / n / denominator, undefinedBecause: null };
}
