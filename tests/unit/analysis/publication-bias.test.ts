/**
 * Begg's and Egger's tests and trim-and-fill beyond what the references compare. Expected values from R:
 * cor.test(..., method = "kendall") and metafor 3.8-1 trimfill(); see each test.
 */
import { describe, expect, it } from "vitest";
import { beggTest, eggerTest, kendall, kendallPValue } from "@/server/analysis";
import { roundHalfEven } from "@/server/analysis/publication-bias";
import { loadReference, run } from "./helpers";

describe("Kendall's τ and its p-value (R cor.test)", () => {
  it("exact p without ties", () => {
    // x <- c(1.2, 0.3, 2.5, -0.7, 1.9, 0.8); y <- c(0.5, 0.1, 0.9, 0.3, 0.7, 0.2)
    // cor.test(x, y, method = "kendall"): tau = 0.733333333333333, p = 0.0555555555555556
    const r = kendall([1.2, 0.3, 2.5, -0.7, 1.9, 0.8], [0.5, 0.1, 0.9, 0.3, 0.7, 0.2]);
    expect(r.tau).toBeCloseTo(0.733333333333333, 14);
    expect(kendallPValue(r, true)).toBeCloseTo(0.0555555555555556, 14);
    // x4 <- c(5, 4, 3, 2, 1, 6, 7); cor.test(x4, 1:7, method = "kendall"): tau = 0.0476190476190476, p = 1
    const r4 = kendall([5, 4, 3, 2, 1, 6, 7], [1, 2, 3, 4, 5, 6, 7]);
    expect(r4.tau).toBeCloseTo(0.0476190476190476, 14);
    expect(kendallPValue(r4, true)).toBeCloseTo(1, 14);
  });

  it("normal approximation with the tie-corrected variance when there are ties", () => {
    // x2 <- c(1, 2, 2, 3, 4, 5, 5, 6); y2 <- c(3, 1, 2, 2, 5, 4, 6, 6)
    // cor.test(x2, y2, method = "kendall", exact = TRUE): tau = 0.615384615384615, p = 0.0412865701314601
    const r = kendall([1, 2, 2, 3, 4, 5, 5, 6], [3, 1, 2, 2, 5, 4, 6, 6]);
    expect(r.tau).toBeCloseTo(0.615384615384615, 14);
    expect(kendallPValue(r, true)).toBeCloseTo(0.0412865701314601, 14);
  });

  it("τ is null (not NaN) when one variable is constant", () => {
    const r = kendall([1, 1, 1], [1, 2, 3]);
    expect(r.tau).toBeNull();
  });

  it("Begg and Egger need k >= 3", () => {
    const two = Float64Array.from([0.1, 0.2]);
    expect(beggTest(two, two)).toBeNull();
    expect(eggerTest(two, two)).toBeNull();
  });

  it("Egger's test is exactly a weighted regression of y on se (hand computation)", () => {
    // y = 1 + 2·se exactly, so bias = 2 with zero residual variance.
    const se = [0.1, 0.2, 0.3, 0.4];
    const v = Float64Array.from(se, (s) => s * s);
    const exact = eggerTest(Float64Array.from(se, (s) => 1 + 2 * s), v)!;
    expect(exact.bias).toBeCloseTo(2, 12);
    expect(exact.se).toBeCloseTo(0, 12);
    expect(exact.df).toBe(2);
    // Off the line. R: se <- c(0.1, 0.2, 0.3, 0.4); y <- c(1.3, 1.3, 1.7, 1.7)
    //   coef(summary(lm(y ~ se, weights = 1/se^2)))["se", ]: 1.38461538461539, 0.5687454618671495, 2.43450801360207, 0.13530796945252924
    const off = eggerTest(Float64Array.from([1.3, 1.3, 1.7, 1.7]), v)!;
    expect(off.bias).toBeCloseTo(1.38461538461539, 12);
    expect(off.se).toBeCloseTo(0.5687454618671495, 12);
    expect(off.statistic).toBeCloseTo(2.43450801360207, 12);
    expect(off.pValue).toBeCloseTo(0.13530796945252924, 12);
  });
});

describe("trim and fill", () => {
  it("reports the filled studies on the original scale (metafor trimfill, ROM, fixed)", () => {
    // res <- rma(yi, vi, data = escalc("ROM", ...bbb_homogeneous_10...), method = "EE"); tf <- trimfill(res)
    // tf$k0 = 4, tf$side = "right", tf$yi[tf$fill], tf$vi[tf$fill]:
    const rYi = [0.272076494823433, 0.303277850262523, 0.335807816948934, 0.383014514471020];
    const rVi = [0.01557754277255454, 0.00314465981462777, 0.00313644266491553, 0.00779516011435081];
    const result = run({ measure: "ROM", model: "fixed", studies: loadReference("bbb_homogeneous_10").studies });
    const tf = result.trimFill!;
    expect(tf.k0).toBe(4);
    expect(tf.side).toBe("right");
    expect(tf.imputed).toHaveLength(4);
    tf.imputed.forEach((s, i) => {
      expect(s.yi).toBeCloseTo(rYi[i]!, 12);
      expect(s.vi).toBeCloseTo(rVi[i]!, 14);
      expect(s.se).toBeCloseTo(Math.sqrt(rVi[i]!), 14);
    });
  });

  it("with k0 = 0 reports the model itself and no imputed study", () => {
    const result = run({ measure: "SMD", model: "random", tau2Method: "REML", studies: loadReference("bbb_like_21").studies });
    expect(result.trimFill!.k0).toBe(0);
    expect(result.trimFill!.imputed).toEqual([]);
    expect(result.trimFill!.estimate).toBe(result.pooled!.estimate);
  });

  it("rounds k0 half to even, as R's round()", () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, 2, 3]);
  });
});
