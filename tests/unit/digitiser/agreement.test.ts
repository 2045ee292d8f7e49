import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { linsConcordance } from "@/server/digitiser/agreement";

describe("Lin's concordance correlation coefficient", () => {
  it("matches a small example worked by hand", () => {
    // x = 1, 2, 3; y = 2, 3, 4 (a constant shift of 1).
    // means 2 and 3; s_x² = s_y² = s_xy = 2/3 (divisor n); ρc = 2·(2/3) / (2/3 + 2/3 + 1²) = (4/3)/(7/3) = 4/7.
    const result = linsConcordance([
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
    expect(result.ccc).toBeCloseTo(4 / 7, 14);
    expect(result.n).toBe(3);
  });

  it("is 1 for identical readings and −1 for readings mirrored about their common mean", () => {
    expect(linsConcordance([[1, 1], [5, 5], [9, 9]]).ccc).toBeCloseTo(1, 14);
    // x = 1, 2, 3 and y = 3, 2, 1: same mean and spread, s_xy = −2/3 → ρc = −(4/3)/(4/3) = −1.
    expect(linsConcordance([[1, 3], [2, 2], [3, 1]]).ccc).toBeCloseTo(-1, 14);
  });

  it("says why it is undefined instead of returning NaN", () => {
    expect(linsConcordance([[1, 1]])).toEqual({ n: 1, ccc: null, undefinedBecause: "fewer than two values" });
    expect(linsConcordance([[2, 2], [2, 2]])).toEqual({ n: 2, ccc: null, undefinedBecause: "no spread" });
  });

  it("never exceeds |Pearson's r| and lies in [−1, 1]", () => {
    const pair = fc.tuple(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: -100, max: 100, noNaN: true }));
    fc.assert(
      fc.property(fc.array(pair, { minLength: 2, maxLength: 30 }), (pairs) => {
        const { ccc } = linsConcordance(pairs);
        if (ccc === null) return;
        const n = pairs.length;
        const mx = pairs.reduce((s, [x]) => s + x, 0) / n;
        const my = pairs.reduce((s, [, y]) => s + y, 0) / n;
        const sxy = pairs.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
        const sxx = pairs.reduce((s, [x]) => s + (x - mx) ** 2, 0);
        const syy = pairs.reduce((s, [, y]) => s + (y - my) ** 2, 0);
        expect(Math.abs(ccc)).toBeLessThanOrEqual(1 + 1e-12);
        if (sxx > 0 && syy > 0) expect(Math.abs(ccc)).toBeLessThanOrEqual(Math.abs(sxy / Math.sqrt(sxx * syy)) + 1e-9);
      }),
    );
  });
});
