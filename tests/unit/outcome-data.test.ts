import { describe, expect, it } from "vitest";
import { toStandardDeviation } from "@/server/services/outcome-data";
import { measurementFlags, armTotalFlag } from "@/server/services/plausibility";

describe("SD used by the analysis", () => {
  it("takes an SD as entered and converts an SEM as SEM·√n", () => {
    expect(toStandardDeviation({ errorType: "SD", errorValue: 1.7, ciLower: null, ciUpper: null, n: 9 }).sd).toBe(1.7);
    const fromSem = toStandardDeviation({ errorType: "SEM", errorValue: 0.5, ciLower: null, ciUpper: null, n: 9 });
    expect(fromSem.sd).toBeCloseTo(1.5, 12);
    expect(fromSem.note).toBe("SD = SEM × √n = 0.5 × √9 = 1.5");
  });

  it("converts a 95% CI with the t quantile on n - 1 df (t(0.975, 9) = 2.262157)", () => {
    const fromCi = toStandardDeviation({ errorType: "CI95", errorValue: null, ciLower: 8, ciUpper: 12, n: 10 });
    expect(fromCi.sd).toBeCloseTo((Math.sqrt(10) * 4) / (2 * 2.262157163), 6);
    expect(fromCi.note).toContain("t₀.₉₇₅,9");
  });

  it("explains why a value cannot be converted", () => {
    expect(toStandardDeviation({ errorType: "CI95", errorValue: null, ciLower: 8, ciUpper: 12, n: 1 })).toEqual({ sd: null, note: "a 95% CI needs n ≥ 2 to give an SD" });
    expect(toStandardDeviation({ errorType: "SEM", errorValue: null, ciLower: null, ciUpper: null, n: 5 }).sd).toBeNull();
  });
});

describe("plausibility flags", () => {
  it("flags an SD under 3% of the scale as a probable SEM, and keeps larger ones", () => {
    expect(measurementFlags({ errorType: "SD", errorValue: 0.5, n: 16, mean: 10 }, { scaleMin: 0, scaleMax: 21 })[0]?.message).toContain("SEM × √n would give 2.00");
    expect(measurementFlags({ errorType: "SD", errorValue: 0.7, n: 16, mean: 10 }, { scaleMin: 0, scaleMax: 21 })).toEqual([]);
    expect(measurementFlags({ errorType: "SEM", errorValue: 0.1, n: 16, mean: 10 }, { scaleMin: 0, scaleMax: 21 })).toEqual([]);
  });

  it("flags arm sizes that exceed the study's animals", () => {
    expect(armTotalFlag(10, 11, 20)?.message).toContain("exceeds the study's 20 animals");
    expect(armTotalFlag(10, 10, 20)).toBeNull();
    expect(armTotalFlag(10, 10, null)).toBeNull();
  });
});
