/**
 * Cumulative meta-analysis. Expected values from R metafor 3.8-1 (gibson2002 reference input, MD, REML):
 *   res <- rma(yi, vi, data = es, method = "REML", control = list(threshold = 1e-13, maxiter = 10000))
 *   cu <- cumul(res, order = ds$year)      # stable: ties in input order
 * I² is the contract's Q-based I² of cu$Q.
 */
import { describe, expect, it } from "vitest";
import { cumulativeOrder, type PreparedStudy } from "@/server/analysis";
import { loadReference, run } from "./helpers";

const R_CUMUL = [
  // id, estimate, se, ciLower, ciUpper, pValue, tau2, I2 (Q-based)
  ["Hilton", 0.26, 0.19967415316425, -0.131354148845465, 0.651354148845465, 0.192874867936493, 0, null],
  ["Zeiger", -0.126411878674904, 0.546739096170943, -1.19800081610993, 0.945177058760126, 0.817151189511058, 0.408368011821028, 60.6967912932562],
  ["Garret", -0.00302040810564905, 0.414097214040389, -0.814636033723186, 0.808595217511888, 0.994180314321288, 0.213130509141839, 23.1957728858258],
  ["Ignacio-Garcia", -2.44944202526533, 2.73042859730151, -7.80098373833451, 2.90209968780385, 0.369670535775071, 25.804869303879, 78.1689190331967],
  ["Sommaruga", -3.05022587455061, 2.43851823478841, -7.82963379038009, 1.72918204127886, 0.210988409638885, 23.3828189661895, 75.6403979457029],
  ["Hayward", 0.146711075012586, 0.10970516063884, -0.0683070887577213, 0.361729238782894, 0.181117700975849, 0, 69.5538257949546],
  ["Lahdensuo", 0.135656324239357, 0.109422325986675, -0.0788074937991276, 0.350120142277841, 0.215067892009385, 0, 67.3811107759886],
  ["Neri", 0.130934622692407, 0.109339910352398, -0.0833676636711323, 0.345236909055946, 0.231111442385435, 0, 64.3417662099717],
  ["Cote", 0.124844846978334, 0.109233523649227, -0.0892489252785554, 0.338938619235223, 0.253073069425549, 0, 62.3097568601103],
  ["Ghosh", -3.40399133605174, 1.59651287888438, -6.53309907951948, -0.274883592584004, 0.0329952173454102, 19.801063985829, 77.1179204734483],
  ["Knoell", -2.95021541961445, 1.32684678802238, -5.55078733714095, -0.349643502087937, 0.0261835458004047, 14.4545381820365, 75.3353740461701],
  ["Heard", -2.33093973269544, 1.03621683339189, -4.36188740631769, -0.299992059073184, 0.0244825448549131, 9.00724966117459, 73.33746748911],
  ["Gallefoss", -2.45702698431022, 1.06403286057828, -4.54249306941079, -0.371560899209657, 0.0209344507298747, 9.67921400030402, 71.8252743607583],
] as const;

const near = (a: number | null, e: number | null) => (e === null ? a === null : a !== null && Math.abs(a - e) <= 1e-9 + 1e-6 * Math.abs(e));

describe("cumulative meta-analysis", () => {
  const gibson = loadReference("gibson2002");

  it("by year matches metafor's cumul(), step by step", () => {
    const result = run({ measure: "MD", model: "random", tau2Method: "REML", cumulative: "year", studies: gibson.studies });
    const steps = result.cumulative!;
    expect(steps.map((s) => s.id)).toEqual(R_CUMUL.map((r) => r[0]));
    expect(steps.map((s) => s.k)).toEqual(R_CUMUL.map((_, i) => i + 1));
    steps.forEach((s, i) => {
      const [, estimate, se, ciLower, ciUpper, pValue, tau2, I2] = R_CUMUL[i]!;
      const actual = [s.estimate, s.se, s.ciLower, s.ciUpper, s.pValue, s.tau2, s.I2];
      const expected = [estimate, se, ciLower, ciUpper, pValue, tau2, I2];
      actual.forEach((a, j) => expect(near(a, expected[j]!), `${s.id} field ${j}: ${a} vs ${expected[j]}`).toBe(true));
    });
  });

  it("the last step is the pooled analysis, the first is the first study alone", () => {
    const result = run({ measure: "SMD", model: "random", tau2Method: "DL", ciMethod: "hk", cumulative: "input", studies: gibson.studies });
    const last = result.cumulative!.at(-1)!;
    expect(last.estimate).toBeCloseTo(result.pooled!.estimate, 12);
    expect(last.ciLower).toBeCloseTo(result.pooled!.ciLower, 12);
    expect(last.tau2).toBeCloseTo(result.heterogeneity!.tau2, 12);
    const first = result.cumulative![0]!;
    expect(first.id).toBe(result.studies[0]!.id);
    expect(first.estimate).toBe(result.studies[0]!.yi);
    expect(first.se).toBeCloseTo(result.studies[0]!.se, 14);
  });

  it("is absent unless requested", () => {
    expect(run({ measure: "MD", model: "fixed", studies: gibson.studies }).cumulative).toBeUndefined();
  });

  it("orders by year (missing years last), by input, or by a list of ids", () => {
    const study = (id: string, year: number | null): PreparedStudy => ({ id, year, yi: 0, vi: 1, group: null });
    const studies = [study("a", 2010), study("b", null), study("c", 2001), study("d", 2010)];
    expect(cumulativeOrder(studies, "year")).toEqual([2, 0, 3, 1]);
    expect(cumulativeOrder(studies, "input")).toEqual([0, 1, 2, 3]);
    expect(cumulativeOrder(studies, ["d", "b"])).toEqual([3, 1, 0, 2]);
  });
});
