/**
 * Subgroup analysis with a separate τ² in each subgroup (R `meta` with `tau.common = FALSE`) and the test for
 * subgroup differences between the subgroup estimates (Borenstein, Hedges, Higgins & Rothstein 2009, ch. 19).
 */
import { pChisqUpper } from "./distributions";
import { estimateOf, fitModel } from "./fit";
import { qTestPValue } from "./heterogeneity";
import type { PreparedStudy } from "./effect-sizes";
import type { FitOptions, SubgroupAnalysis, SubgroupResult } from "./types";

/** Name of the subgroup of studies that carry no group. */
export const UNSPECIFIED_GROUP = "Unspecified";

/**
 * Fits each subgroup on its own with the request's model, then Qbetween = Σ(μ̂_g - μ̄)²/se_g², μ̄ the
 * inverse-variance mean of the subgroup estimates, compared with χ²_{G-1}. Needs at least one study with a group
 * and at least two groups; subgroups are sorted by name in code-unit order (JavaScript's default sort).
 * Qbetween is null when a subgroup's standard error is 0 (Hartung-Knapp with identical effects).
 */
export function subgroupAnalysis(studies: readonly PreparedStudy[], options: FitOptions): SubgroupAnalysis | null {
  if (!studies.some((s) => s.group !== null)) return null;
  const members = new Map<string, PreparedStudy[]>();
  for (const s of studies) {
    const name = s.group ?? UNSPECIFIED_GROUP;
    const list = members.get(name);
    if (list) list.push(s);
    else members.set(name, [s]);
  }
  if (members.size < 2) return null;
  const groups: SubgroupResult[] = [...members.keys()].sort().map((name) => {
    const list = members.get(name)!;
    const fit = fitModel(Float64Array.from(list, (s) => s.yi), Float64Array.from(list, (s) => s.vi), options);
    return { name, k: fit.k, ...estimateOf(fit), tau2: fit.tau2, Q: fit.Q, I2: fit.I2, QpValue: qTestPValue(fit) };
  });
  const df = groups.length - 1;
  if (!groups.every((g) => g.se > 0 && Number.isFinite(g.se))) return { groups, Qbetween: null, df, pValue: null };
  let sw = 0;
  let swy = 0;
  for (const g of groups) {
    sw += 1 / (g.se * g.se);
    swy += g.estimate / (g.se * g.se);
  }
  const mu = swy / sw;
  let Qbetween = 0;
  for (const g of groups) Qbetween += ((g.estimate - mu) / g.se) ** 2;
  return { groups, Qbetween, df, pValue: pChisqUpper(Qbetween, df) };
}
