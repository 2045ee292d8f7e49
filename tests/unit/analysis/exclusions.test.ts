/**
 * Every exclusion rule of the contract, with its human-readable reason, and the k = 0 result.
 */
import { describe, expect, it } from "vitest";
import { analyze, checkStudy, type Measure, type StudyInput } from "@/server/analysis";
import { parse } from "./helpers";

const good = { m1: 6, sd1: 1, n1: 8, m2: 5, sd2: 1.5, n2: 9 };

function reasonFor(study: Partial<StudyInput>, measure: Measure = "MD"): { code?: string; reason?: string } {
  const checked = checkStudy(measure, { id: "X", ...good, ...study });
  return checked.ok ? {} : { code: checked.code, reason: checked.reason };
}

describe("exclusion reasons", () => {
  it("accepts a complete study", () => {
    expect(checkStudy("MD", { id: "ok", ...good })).toEqual({ ok: true, effect: { yi: 1, vi: 1 / 8 + 2.25 / 9 } });
  });

  it("a missing value (null or absent)", () => {
    expect(reasonFor({ m1: null })).toEqual({ code: "missing", reason: "m1 is missing" });
    expect(reasonFor({ sd2: undefined })).toEqual({ code: "missing", reason: "sd2 is missing" });
    expect(reasonFor({ m1: null, sd1: null })).toEqual({ code: "missing", reason: "m1 and sd1 are missing" });
    expect(reasonFor({ m1: null, n1: null, n2: null })).toEqual({ code: "missing", reason: "m1, n1 and n2 are missing" });
  });

  it("a value that is not finite", () => {
    expect(reasonFor({ sd1: Number.NaN })).toEqual({ code: "missing", reason: "sd1 is not a finite number" });
    expect(reasonFor({ m2: null, n1: Infinity })).toEqual({ code: "missing", reason: "m2 is missing; n1 is not a finite number" });
  });

  it("n1 or n2 below 2", () => {
    expect(reasonFor({ n1: 1 })).toEqual({ code: "sample-size", reason: "n1 is below 2 (n1 = 1)" });
    expect(reasonFor({ n1: 0, n2: 1 })).toEqual({ code: "sample-size", reason: "n1 and n2 are below 2 (n1 = 0, n2 = 1)" });
  });

  it("a negative standard deviation", () => {
    expect(reasonFor({ sd2: -1 })).toEqual({ code: "negative-sd", reason: "sd2 is negative (sd2 = -1)" });
  });

  it("ROM needs positive means; MD and SMD do not", () => {
    expect(reasonFor({ m2: -1 }, "ROM")).toEqual({ code: "non-positive-mean", reason: "ROM needs positive means (m2 = -1)" });
    expect(reasonFor({ m1: 0, m2: -2 }, "ROM")).toEqual({ code: "non-positive-mean", reason: "ROM needs positive means (m1 = 0, m2 = -2)" });
    expect(reasonFor({ m2: -1 }, "MD")).toEqual({});
    expect(reasonFor({ m2: -1 }, "SMD")).toEqual({});
  });

  it("a variance that is not positive (both SDs 0), or an undefined SMD", () => {
    expect(reasonFor({ sd1: 0, sd2: 0 }, "MD")).toEqual({ code: "invalid-effect", reason: "variance is not positive (both SDs are 0)" });
    expect(reasonFor({ sd1: 0, sd2: 0 }, "ROM")).toEqual({ code: "invalid-effect", reason: "variance is not positive (both SDs are 0)" });
    expect(reasonFor({ sd1: 0, sd2: 0 }, "SMD")).toEqual({ code: "invalid-effect", reason: "SMD is undefined (both SDs are 0)" });
    // One SD of 0 is fine.
    expect(reasonFor({ sd1: 0 }, "MD")).toEqual({});
  });

  it("an effect size or variance that overflows", () => {
    expect(reasonFor({ m1: 1e308, m2: -1e308 })).toEqual({ code: "invalid-effect", reason: "effect size is not finite" });
    expect(reasonFor({ sd1: 1e200 })).toEqual({ code: "invalid-effect", reason: "variance is not finite" });
  });

  it("values too extreme to compute with (extension)", () => {
    expect(reasonFor({ m1: 1e60, m2: 0 })).toEqual({ code: "invalid-effect", reason: "effect size is too large to analyse (yi = 1e+60)" });
    expect(reasonFor({ sd1: 1e-30, sd2: 0, n1: 100 }).reason).toBe("variance is outside the range that can be analysed (vi = 1e-62)");
  });

  it("applies the rules in the contract's order (missing, n, SD, mean, variance)", () => {
    expect(reasonFor({ m1: null, n1: 1, sd1: -1 }).code).toBe("missing");
    expect(reasonFor({ n1: 1, sd1: -1 }).code).toBe("sample-size");
    expect(reasonFor({ sd1: -1, m1: -1 }, "ROM").code).toBe("negative-sd");
  });

  it("lists excluded studies with their reasons and analyses the rest", () => {
    const result = analyze(
      parse({
        measure: "MD",
        model: "fixed",
        studies: [
          { id: "a", ...good },
          { id: "b", ...good, n2: 1 },
          { id: "c", ...good, m1: 7 },
          { id: "d", ...good, sd1: 0, sd2: 0 },
        ],
      }),
    );
    expect(result.k).toBe(2);
    expect(result.studies.map((s) => s.id)).toEqual(["a", "c"]);
    expect(result.excluded).toEqual([
      { id: "b", code: "sample-size", reason: "n2 is below 2 (n2 = 1)" },
      { id: "d", code: "invalid-effect", reason: "variance is not positive (both SDs are 0)" },
    ]);
  });

  it("k = 0: the exclusions, null elsewhere, empty lists", () => {
    const result = analyze(parse({ measure: "SMD", model: "random", studies: [{ id: "only", ...good, n1: 1 }] }));
    expect(result).toEqual({
      k: 0,
      excluded: [{ id: "only", code: "sample-size", reason: "n1 is below 2 (n1 = 1)" }],
      studies: [],
      pooled: null,
      heterogeneity: null,
      prediction: null,
      subgroups: null,
      egger: null,
      begg: null,
      trimFill: null,
      leaveOneOut: [],
    });
  });
});
