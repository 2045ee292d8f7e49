/**
 * Every case of every dataset in ../shared/reference (R metafor 3.8-1, see make_refs.R) must match with the rules
 * of check.mjs. One test per dataset; a failure lists the first differing fields of each failing case.
 */
import { describe, expect, it } from "vitest";
import { compareWithReference, loadReferences, run } from "./helpers";

const datasets = loadReferences();

describe("R metafor references", () => {
  it("finds the reference datasets", () => {
    expect(datasets.length).toBeGreaterThanOrEqual(10);
    expect(datasets.reduce((n, d) => n + d.cases.length, 0)).toBe(433);
  });

  for (const dataset of datasets) {
    it(`${dataset.name}: all ${dataset.cases.length} cases match`, () => {
      const failures: string[] = [];
      for (const c of dataset.cases) {
        const problems = compareWithReference(c.expected, run({ ...c.request, studies: dataset.studies }));
        if (problems.length) failures.push(`${Object.values(c.request).join("/")}: ${problems.slice(0, 3).join("; ")}`);
      }
      expect(failures).toEqual([]);
    });
  }
});
