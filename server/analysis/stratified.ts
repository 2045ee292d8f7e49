/**
 * Stratified analyses: the test for subgroup differences for several subgroup variables ("stratifications") at
 * once, each p-value adjusted for the number of stratifications tested (Bonferroni and Holm), as CAMARADES reports
 * them (Vesterinen et al. 2014, J Neurosci Methods 221:92, "stratified meta-analysis ... with a Bonferroni
 * correction for multiple comparisons").
 */
import { prepareStudies } from "./effect-sizes";
import { nullNonFinite } from "./fit";
import { prepareAnalysis } from "./prepare";
import { adjustPValues } from "./multiplicity";
import type { AnalysisRequest } from "./schema";
import { subgroupAnalysis } from "./subgroups";
import type { Model, SubgroupAnalysis } from "./types";

/** One subgroup variable: a name, and each study's group in the order of `request.studies` (null: none). */
export interface Stratification {
  name: string;
  groups: readonly (string | null | undefined)[];
}

export interface StratifiedTest {
  name: string;
  /** The subgroups of this variable (each fitted on its own, as `subgroups` in the analysis); null with fewer than two groups. */
  subgroups: SubgroupAnalysis | null;
  /** The test for subgroup differences (Qbetween on df = G - 1, χ²); null when undefined. */
  Qbetween: number | null;
  df: number | null;
  pValue: number | null;
  /** pValue adjusted across the stratifications that have one (R p.adjust "bonferroni" / "holm"). */
  pBonferroni: number | null;
  pHolm: number | null;
}

export interface StratifiedTestsResult {
  /** The model fitted in every subgroup (the request's, or the one model "auto" chose). */
  model: Model;
  /** Number of tests the p-values were adjusted for: the stratifications with a p-value. */
  tests: number;
  stratifications: StratifiedTest[];
}

/**
 * For each stratification, the request's subgroup analysis with that variable as the group (studies without a
 * value form "Unspecified"; the request's own `group` is ignored), then Bonferroni and Holm adjusted p-values of
 * the tests for subgroup differences across the stratifications. Exclusions, shared control groups and the model
 * are those of `analyze(request)`. Throws a RangeError when a stratification's `groups` is not as long as
 * `request.studies`.
 */
export function stratifiedTests(request: AnalysisRequest, stratifications: readonly Stratification[]): StratifiedTestsResult {
  for (const s of stratifications) {
    if (s.groups.length !== request.studies.length) {
      throw new RangeError(`stratifiedTests: "${s.name}" has ${s.groups.length} groups for ${request.studies.length} studies`);
    }
  }
  // The model does not depend on the groups (with "auto" it is chosen from all the studies' heterogeneity).
  const { options } = prepareAnalysis(request);
  const results = stratifications.map(({ name, groups }) => {
    const { included } = prepareStudies(
      request.measure,
      request.studies.map((study, i) => ({ ...study, group: groups[i] ?? null })),
    );
    const subgroups = subgroupAnalysis(included, options);
    return { name, subgroups, Qbetween: subgroups?.Qbetween ?? null, df: subgroups ? subgroups.df : null, pValue: subgroups?.pValue ?? null };
  });
  const p = results.map((r) => r.pValue);
  const bonferroni = adjustPValues(p, "bonferroni");
  const holm = adjustPValues(p, "holm");
  return nullNonFinite({
    model: options.model,
    tests: p.filter((x) => x !== null).length,
    stratifications: results.map((r, i) => ({ ...r, pBonferroni: bonferroni[i] ?? null, pHolm: holm[i] ?? null })),
  });
}
