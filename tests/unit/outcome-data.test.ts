import { describe, expect, it } from "vitest";
import { pairStudy, toStandardDeviation, type StoredValue } from "@/server/services/outcome-data";
import { measurementFlags, armTotalFlag } from "@/server/services/plausibility";

const value = (armKind: "treated" | "control", day: number, mean: number, extra: Partial<StoredValue> = {}): StoredValue => ({
  armKind,
  armId: armKind === "treated" ? 1 : 2,
  outcomeId: 1,
  day,
  mean,
  errorType: "SD",
  errorValue: 2,
  ciLower: null,
  ciUpper: null,
  n: 10,
  isExampleData: false,
  ...extra,
});

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

describe("pairing treated with control per study", () => {
  const values = [value("treated", 3, 4), value("control", 3, 3), value("treated", 28, 12), value("control", 28, 10), value("treated", 42, 13)];

  it("resolves first and last as the earliest and latest day with both arms", () => {
    const first = pairStudy(1, values, 1, { mode: "first" });
    const last = pairStudy(1, values, 1, { mode: "last" });
    expect("day" in first && first.day).toBe(3);
    expect("day" in last && last.day).toBe(28); // day 42 has no control value
  });

  it("gives a reason when a study cannot be paired", () => {
    expect(pairStudy(1, [], 1, { mode: "first" })).toEqual({ studyId: 1, reason: "no outcome data entered" });
    expect(pairStudy(1, [value("treated", 3, 4)], 1, { mode: "last" })).toEqual({ studyId: 1, reason: "no day with both a treated and a control value" });
    expect(pairStudy(1, values, 1, { mode: "day", day: 7 })).toEqual({ studyId: 1, reason: "no treated and control values on day 7" });
    expect(pairStudy(1, values, 2, { mode: "first" })).toEqual({ studyId: 1, reason: "no outcome data entered" });
  });

  it("carries the example-data mark of either arm", () => {
    const paired = pairStudy(1, [value("treated", 3, 4, { isExampleData: true }), value("control", 3, 3)], 1, { mode: "first" });
    expect("isExampleData" in paired && paired.isExampleData).toBe(true);
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
