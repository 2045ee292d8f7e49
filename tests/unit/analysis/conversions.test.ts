/**
 * SD from a standard error of the mean or from a confidence interval; expected values by hand and from R.
 */
import { describe, expect, it } from "vitest";
import { hedgesJ, sdFromCi, sdFromSem, toSd } from "@/server/analysis";

describe("SD from SEM", () => {
  it("SD = SEM·√n", () => {
    expect(sdFromSem(0.5, 9)).toBe(1.5);
    expect(sdFromSem(2, 16)).toBe(8);
    expect(sdFromSem(0, 5)).toBe(0);
  });

  it("null for an invalid SEM or n", () => {
    expect(sdFromSem(-0.5, 9)).toBeNull();
    expect(sdFromSem(0.5, 0)).toBeNull();
    expect(sdFromSem(Number.NaN, 9)).toBeNull();
  });
});

describe("SD from a confidence interval", () => {
  it("95% CI: SD = √n·(upper - lower)/(2·t_{0.975, n-1})", () => {
    // R: qt(0.975, 9) = 2.2621571627982049; sqrt(10) * 2 / (2 * qt(0.975, 9)) = 1.3979036081899627
    expect(sdFromCi(1, 3, 10)).toBeCloseTo(1.3979036081899627, 12);
    expect(sdFromCi(1, 3, 10)).toBeCloseTo((Math.sqrt(10) * 2) / (2 * 2.2621571627982049), 12);
  });

  it("any level: t_{(1+level)/2, n-1}", () => {
    // R: sqrt(25) * (14.2 - 10.6) / (2 * qt(0.95, 24)) = 5.260444367081365
    expect(sdFromCi(10.6, 14.2, 25, 0.9)).toBeCloseTo(5.260444367081365, 12);
  });

  it("approaches the large-sample z rule (width·√n/3.92) for large n", () => {
    expect(sdFromCi(0, 3.92, 10000)! / 100).toBeCloseTo(1, 3);
  });

  it("null when the interval or n cannot give an SD", () => {
    expect(sdFromCi(3, 1, 10)).toBeNull();
    expect(sdFromCi(1, 3, 1)).toBeNull();
    expect(sdFromCi(1, 3, 10, 1)).toBeNull();
  });
});

describe("toSd", () => {
  it("dispatches on how the dispersion was reported", () => {
    expect(toSd({ kind: "sd", sd: 2.5 }, 10)).toBe(2.5);
    expect(toSd({ kind: "sem", sem: 0.5 }, 9)).toBe(1.5);
    expect(toSd({ kind: "ci", lower: 1, upper: 3 }, 10)).toBeCloseTo(1.3979036081899627, 12);
  });
});

describe("Hedges' exact correction", () => {
  it("J(m) = Γ(m/2)/(√(m/2)·Γ((m-1)/2))", () => {
    // m = 2: Γ(1)/(1·Γ(0.5)) = 1/√π; m = 4: Γ(2)/(√2·Γ(1.5)) = 1/(√2·√π/2)
    expect(hedgesJ(2)).toBeCloseTo(1 / Math.sqrt(Math.PI), 14);
    expect(hedgesJ(4)).toBeCloseTo(2 / Math.sqrt(2 * Math.PI), 14);
    // Stays finite and close to 1 - 3/(4m - 1) where Γ itself overflows.
    expect(hedgesJ(5000)).toBeCloseTo(1 - 3 / (4 * 5000 - 1), 8);
  });
});
