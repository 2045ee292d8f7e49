/**
 * The seed paper's rule (random effects when I² > 50% or p(Q) <= 0.05, else fixed), as model "auto".
 * Heterogeneity statistics and the fits it must reproduce come from the R metafor references.
 */
import { describe, expect, it } from "vitest";
import { MODEL_SELECTION_RULE, selectModel } from "@/server/analysis";
import { formatAgainst } from "@/server/analysis/model-selection";
import { compareWithReference, loadReference, run } from "./helpers";

function referenceCase(dataset: string, request: Record<string, unknown>) {
  const found = loadReference(dataset).cases.find((c) => JSON.stringify(c.request) === JSON.stringify(request));
  if (!found) throw new Error(`no reference case ${JSON.stringify(request)}`);
  return found.expected as { heterogeneity: { I2: number; pValue: number }; pooled: unknown };
}

describe("model selection (model: auto)", () => {
  it("picks the fixed model when I² <= 50% and p(Q) > 0.05, and says so with the numbers", () => {
    const data = loadReference("bbb_homogeneous_10");
    // R (fixed, MD): Q = 13.398, df = 9, p = 0.14539, I² = 32.83%
    const fixed = referenceCase("bbb_homogeneous_10", { measure: "MD", model: "fixed", ciMethod: "z", level: 0.95 });
    const result = run({ measure: "MD", model: "auto", studies: data.studies });
    expect(result.modelSelection).toMatchObject({ rule: "I2>50 or pQ<=0.05", chosen: "fixed" });
    expect(result.modelSelection!.I2).toBeCloseTo(fixed.heterogeneity.I2, 6);
    expect(result.modelSelection!.pValue).toBeCloseTo(fixed.heterogeneity.pValue, 6);
    expect(result.modelSelection!.reason).toBe("I² = 32.8% ≤ 50% and p(Q) = 0.145 > 0.05, so the fixed-effect model was used.");
    expect(compareWithReference(fixed.pooled, result.pooled)).toEqual([]);
  });

  it("picks the random model (with the request's τ² method) when I² > 50%", () => {
    const data = loadReference("bbb_like_21");
    // R (fixed, MD): I² = 65.30%, p = 1.64e-5; random REML/z is the reference case below.
    const random = referenceCase("bbb_like_21", { measure: "MD", model: "random", tau2Method: "REML", ciMethod: "z", level: 0.95 });
    const result = run({ measure: "MD", model: "auto", tau2Method: "REML", studies: data.studies });
    expect(result.modelSelection!.chosen).toBe("random");
    expect(result.modelSelection!.reason).toBe("I² = 65.3% > 50% and p(Q) = 0.0000164 ≤ 0.05, so the random-effects model (REML) was used.");
    expect(compareWithReference(random.pooled, result.pooled)).toEqual([]);
    expect(run({ measure: "MD", model: "random", studies: data.studies }).modelSelection).toBeUndefined();
  });

  it("I² alone can trigger the random model (edge_k2, SMD: I² = 50.23%, p = 0.156)", () => {
    const data = loadReference("edge_k2");
    const result = run({ measure: "SMD", model: "auto", tau2Method: "DL", studies: data.studies });
    expect(result.modelSelection!.chosen).toBe("random");
    expect(result.modelSelection!.reason).toBe("I² = 50.2% > 50% but p(Q) = 0.156 > 0.05, so the random-effects model (DL) was used.");
  });

  it("p(Q) alone can trigger it, the thresholds are inclusive/exclusive as stated, and k = 1 gives fixed", () => {
    expect(selectModel(30, 0.01, "PM")).toEqual({
      rule: MODEL_SELECTION_RULE,
      chosen: "random",
      reason: "I² = 30% ≤ 50% but p(Q) = 0.01 ≤ 0.05, so the random-effects model (PM) was used.",
      I2: 30,
      pValue: 0.01,
    });
    expect(selectModel(50, 0.05, "REML").chosen).toBe("random");
    expect(selectModel(50, 0.0500001, "REML").chosen).toBe("fixed");
    expect(selectModel(null, 1, "REML")).toMatchObject({ chosen: "fixed", reason: "I² is undefined and p(Q) = 1 > 0.05, so the fixed-effect model was used." });
  });

  it("never prints a number equal to the threshold it failed", () => {
    expect(formatAgainst(50.0004, 50)).toBe("50.0004");
    expect(formatAgainst(0.050000001, 0.05)).toBe("0.050000001");
    expect(formatAgainst(62.345, 50)).toBe("62.3");
  });

  it("k = 0: no model can be selected", () => {
    const result = run({ measure: "MD", model: "auto", studies: [] });
    expect(result.k).toBe(0);
    expect(result.modelSelection).toMatchObject({ chosen: "fixed", I2: null, pValue: null });
  });
});
