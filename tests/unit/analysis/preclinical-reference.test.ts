/**
 * The preclinical conventions (CONTRACT.md: shared control groups, NMD, meta-regression, undefined small-study
 * tests) against R metafor 3.8-1, with the rules of check.mjs:
 * - the contract's references, ../shared/reference/preclinical (make_preclinical.R);
 * - this project's own, tests/fixtures/preclinical (make_more.R): several moderators, every estimator, Hartung-Knapp,
 *   redundant moderators, the coefficients' covariance matrix, and the fitted line of one-moderator models against
 *   metafor's predict(res, newmods = x).
 */
import { describe, expect, it } from "vitest";
import { metaRegressionLine } from "@/server/analysis";
import { compareWithReference, loadReferences, MORE_PRECLINICAL_DIR, PRECLINICAL_REFERENCE_DIR, run, type ReferenceDataset } from "./helpers";

function checkAll(dataset: ReferenceDataset): string[] {
  const failures: string[] = [];
  for (const c of dataset.cases) {
    const problems = compareWithReference(c.expected, run({ ...c.request, studies: dataset.studies }));
    if (problems.length) failures.push(`${Object.values(c.request).join("/")}: ${problems.slice(0, 3).join("; ")}`);
  }
  return failures;
}

describe("R metafor references: preclinical conventions (contract)", () => {
  const datasets = loadReferences(PRECLINICAL_REFERENCE_DIR);

  it("finds the contract's preclinical datasets", () => {
    expect(datasets.map((d) => d.name)).toEqual(expect.arrayContaining(["pre_bbb_multiarm", "pre_egger_equal_variance", "pre_lesion_nmd"]));
    expect(datasets.reduce((n, d) => n + d.cases.length, 0)).toBeGreaterThanOrEqual(144);
  });

  for (const dataset of datasets) {
    it(`${dataset.name}: all ${dataset.cases.length} cases match`, () => {
      expect(checkAll(dataset)).toEqual([]);
    });
  }
});

describe("R metafor references: make_more.R", () => {
  const datasets = loadReferences(MORE_PRECLINICAL_DIR);

  it("finds the project's datasets, covering every estimator with moderators, z and hk", () => {
    expect(datasets.length).toBe(7);
    const withModerators = datasets.flatMap((d) => d.cases.map((c) => c.request)).filter((r) => Array.isArray(r.moderators));
    for (const method of ["DL", "REML", "PM", "ML", "EB", "HS", "SJ"]) {
      for (const ciMethod of ["z", "hk"]) {
        expect(withModerators.some((r) => r.tau2Method === method && r.ciMethod === ciMethod && r.model === "random"), `${method}/${ciMethod}`).toBe(true);
      }
    }
    expect(withModerators.some((r) => (r.moderators as string[]).length === 3)).toBe(true);
    expect(datasets.reduce((n, d) => n + d.cases.filter((c) => c.line).length, 0)).toBeGreaterThan(50);
  });

  for (const dataset of datasets) {
    it(`${dataset.name}: all ${dataset.cases.length} cases match`, () => {
      expect(checkAll(dataset)).toEqual([]);
    });
  }

  it("metaRegressionLine equals metafor's predict(newmods = x): fit, se and confidence band", () => {
    const failures: string[] = [];
    let checked = 0;
    for (const dataset of datasets) {
      for (const c of dataset.cases) {
        if (!c.line) continue;
        const result = run({ ...c.request, studies: dataset.studies });
        const points = metaRegressionLine(result.metaRegression!, c.line.moderator, c.line.xs);
        if (!points) {
          failures.push(`${dataset.name} ${Object.values(c.request).join("/")}: no line`);
          continue;
        }
        const expected = c.line.xs.map((x, i) => ({ x, fit: c.line!.fit[i], se: c.line!.se[i], ciLower: c.line!.ciLower[i], ciUpper: c.line!.ciUpper[i] }));
        const problems = compareWithReference(expected, points);
        if (problems.length) failures.push(`${dataset.name} ${Object.values(c.request).join("/")}: ${problems.slice(0, 3).join("; ")}`);
        checked += points.length;
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(300);
  });
});
