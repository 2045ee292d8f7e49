/**
 * Adjusting p-values for multiple testing, as R's `p.adjust` (stats package) does, for the tests of subgroup
 * differences of several stratifications (CAMARADES practice, Vesterinen et al. 2014, J Neurosci Methods 221:92).
 */

export type PAdjustMethod = "bonferroni" | "holm";

/**
 * R `p.adjust(p, method)`, with n the number of p-values that are not null (nulls stay null, as R's NAs):
 * - "bonferroni" (Dunn 1961): min(1, n·p);
 * - "holm" (Holm 1979): sort ascending, p(i) multiplied by n - i + 1 (i = 1..n), made non-decreasing by a running
 *   maximum, capped at 1, and put back in the input order.
 * Throws a RangeError for a value that is not a probability (not in [0, 1]).
 */
export function adjustPValues(p: readonly (number | null)[], method: PAdjustMethod): (number | null)[] {
  p.forEach((value, i) => {
    if (value !== null && !(value >= 0 && value <= 1)) throw new RangeError(`adjustPValues: p[${i}] is not a probability (${value})`);
  });
  const present = p.flatMap((value, i) => (value === null ? [] : [i]));
  const n = present.length;
  const adjusted: (number | null)[] = p.map(() => null);
  if (method === "bonferroni") {
    for (const i of present) adjusted[i] = Math.min(1, n * p[i]!);
    return adjusted;
  }
  // Stable sort, as R's order(); ties get the same adjusted value through the running maximum anyway.
  const order = [...present].sort((a, b) => p[a]! - p[b]! || a - b);
  let runningMax = 0;
  order.forEach((i, rank) => {
    runningMax = Math.max(runningMax, (n - rank) * p[i]!);
    adjusted[i] = Math.min(1, runningMax);
  });
  return adjusted;
}
