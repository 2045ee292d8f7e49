/**
 * Agreement between two raters on a nominal scale: percent agreement and Cohen's kappa.
 *
 * Cohen J. A coefficient of agreement for nominal scales. Educ Psychol Meas 1960;20(1):37–46.
 *   κ = (po − pe) / (1 − pe), where po is the observed proportion of agreement and pe = Σk p1k·p2k the
 *   agreement expected by chance from each rater's own marginal proportions.
 *
 * Pure (no I/O), so the unit tests check it on hand-worked and published examples.
 */

export type Agreement = {
  /** Items rated by both raters. */
  n: number;
  /** Items on which they gave the same rating. */
  agreed: number;
  /** po, 0..1; null when there is nothing to compare. */
  observed: number | null;
  /** pe, 0..1; null when there is nothing to compare. */
  expected: number | null;
  /** Cohen's κ; null when it is not defined (see `undefinedBecause`). */
  kappa: number | null;
  /**
   * Why κ is null: no items, or chance agreement is already 1 (both raters put every item in the same single
   * category), where κ is 0/0. R's irr::kappa2 and psy::ckappa return NaN there; we say why instead.
   */
  undefinedBecause: "no items" | "one category only" | null;
};

/**
 * Percent agreement and Cohen's κ over `pairs` (rater A's, rater B's rating of the same item).
 * Works on counts, so po and pe are exact ratios and the "pe = 1" case is detected without rounding.
 */
export function cohensKappa<C extends string>(pairs: readonly (readonly [C, C])[], categories: readonly C[]): Agreement {
  const index = new Map(categories.map((c, i) => [c, i]));
  const marginA = categories.map(() => 0);
  const marginB = categories.map(() => 0);
  let agreed = 0;
  for (const [a, b] of pairs) {
    const i = index.get(a);
    const j = index.get(b);
    if (i === undefined || j === undefined) throw new Error(`Rating outside the categories ${categories.join(", ")}: ${a} / ${b}`);
    marginA[i]! += 1;
    marginB[j]! += 1;
    if (i === j) agreed += 1;
  }
  const n = pairs.length;
  if (n === 0) return { n, agreed, observed: null, expected: null, kappa: null, undefinedBecause: "no items" };
  // n²·pe as an integer: the sum over categories of the product of the two raters' counts.
  const chanceCount = marginA.reduce((sum, count, k) => sum + count * marginB[k]!, 0);
  const squared = n * n;
  const observed = agreed / n;
  const expected = chanceCount / squared;
  if (chanceCount === squared) return { n, agreed, observed, expected, kappa: null, undefinedBecause: "one category only" };
  // (po − pe)/(1 − pe) multiplied through by n², to stay in exact integers until the one division.
  const kappa = (agreed * n - chanceCount) / (squared - chanceCount);
  return { n, agreed, observed, expected, kappa, undefinedBecause: null };
}
