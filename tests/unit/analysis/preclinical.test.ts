/**
 * The preclinical conventions and helpers on hand-worked examples: NMD, shared control groups, undefined
 * small-study tests, meta-regression (a fixed-effect fit small enough to do on paper), its fitted line,
 * combining arms (Cochrane Handbook Table 6.5.a), p-value adjustment and stratified tests.
 */
import { describe, expect, it } from "vitest";
import { adjustPValues, combineArms, metaRegressionLine, stratifiedTests, type MetaRegressionResult } from "@/server/analysis";
import { parse, run } from "./helpers";

/** MD study with vi = sd²/n + sd²/n = 1 (sd = 1, n = 2) and yi = y. */
const unitVarianceStudy = (id: string, y: number, covariates?: Record<string, number | null>) => ({ id, m1: y, sd1: 1, n1: 2, m2: 0, sd2: 1, n2: 2, covariates });

describe("NMD (normalised mean difference)", () => {
  it("higher is better (BBB, sham 21): yi = 100·(m2 - m1)/(m2 - mSham), vi from both SDs over |d|", () => {
    // d = 5 - 21 = -16; yi = 100·(5 - 8)/(-16) = 18.75; vi = (100·2/16)²/8 + (100·3/16)²/10 = 19.53125 + 35.15625.
    const r = run({ measure: "NMD", model: "fixed", studies: [{ id: "a", m1: 8, sd1: 2, n1: 8, m2: 5, sd2: 3, n2: 10, mSham: 21 }] });
    expect(r.studies[0]!.yi).toBeCloseTo(18.75, 12);
    expect(r.studies[0]!.vi).toBeCloseTo(54.6875, 12);
  });

  it("lower is better (lesion volume, sham 2): an improvement is positive too", () => {
    // d = 50 - 2 = 48; yi = 100·(50 - 30)/48 = 41.666…; vi = (100·6/48)²/6 + (100·12/48)²/12 = 26.041666… + 52.083333…
    const r = run({ measure: "NMD", model: "fixed", studies: [{ id: "a", m1: 30, sd1: 6, n1: 6, m2: 50, sd2: 12, n2: 12, mSham: 2 }] });
    expect(r.studies[0]!.yi).toBeCloseTo(125 / 3, 12);
    expect(r.studies[0]!.vi).toBeCloseTo(625 / 24 + 625 / 12, 10);
  });

  it("excludes a study without a sham value or whose control equals it, with the reason", () => {
    const r = run({
      measure: "NMD",
      model: "fixed",
      studies: [
        { id: "ok", m1: 8, sd1: 2, n1: 8, m2: 5, sd2: 3, n2: 10, mSham: 21 },
        { id: "none", m1: 8, sd1: 2, n1: 8, m2: 5, sd2: 3, n2: 10 },
        { id: "equal", m1: 8, sd1: 2, n1: 8, m2: 21, sd2: 3, n2: 10, mSham: 21 },
      ],
    });
    expect(r.k).toBe(1);
    expect(r.excluded.map((e) => [e.id, e.code])).toEqual([
      ["none", "no-sham"],
      ["equal", "no-sham"],
    ]);
    expect(r.excluded[0]!.reason).toMatch(/mSham is missing/);
    expect(r.excluded[1]!.reason).toMatch(/mSham equals m2 \(21\)/);
  });

  it("mSham is ignored by the other measures", () => {
    const study = { id: "a", m1: 8, sd1: 2, n1: 8, m2: 5, sd2: 3, n2: 10 };
    expect(run({ measure: "MD", model: "fixed", studies: [{ ...study, mSham: 5 }] }).studies).toEqual(run({ measure: "MD", model: "fixed", studies: [study] }).studies);
  });
});

describe("shared control groups", () => {
  const arms = [
    { id: "low", m1: 7, sd1: 2, n1: 8, m2: 5, sd2: 3, n2: 12, controlGroup: "S1" },
    { id: "high", m1: 9, sd1: 2, n1: 8, m2: 5, sd2: 3, n2: 12, controlGroup: "S1" },
    { id: "mid", m1: 8, sd1: 2, n1: 1, m2: 5, sd2: 3, n2: 12, controlGroup: "S1" },
  ];

  it("each comparison uses n2/c, c counting the excluded comparison too", () => {
    const r = run({ measure: "MD", model: "fixed", studies: arms });
    expect(r.excluded.map((e) => e.id)).toEqual(["mid"]);
    // c = 3: vi = 2²/8 + 3²/(12/3) = 0.5 + 2.25.
    for (const s of r.studies) {
      expect(s.vi).toBeCloseTo(2.75, 12);
      expect(s.sharedControl).toEqual({ key: "S1", comparisons: 3, n2Entered: 12, n2Used: 4 });
    }
  });

  it("SMD uses the split n2 in N, m and J too", () => {
    const r = run({ measure: "SMD", model: "fixed", studies: arms.slice(0, 2) });
    const separate = run({ measure: "SMD", model: "fixed", studies: arms.slice(0, 2).map(({ controlGroup: _, ...s }) => ({ ...s, n2: 6 })) });
    expect(r.studies.map((s) => [s.yi, s.vi])).toEqual(separate.studies.map((s) => [s.yi, s.vi]));
  });

  it("a unique or blank key is a control group of its own", () => {
    const alone = run({ measure: "MD", model: "fixed", studies: [{ ...arms[0]!, controlGroup: "only" }, { ...arms[1]!, controlGroup: "  " }] });
    const plain = run({ measure: "MD", model: "fixed", studies: [arms[0]!, arms[1]!].map(({ controlGroup: _, ...s }) => s) });
    expect(alone).toEqual(plain);
    expect(alone.studies[0]!.vi).toBeCloseTo(0.5 + 0.75, 12);
  });
});

describe("undefined small-study tests", () => {
  it("Egger and trim-and-fill are null when every standard error is the same, defined when one differs", () => {
    const studies = [5, 6.1, 4.3, 5.7, 5.2].map((m1, i) => ({ id: `E${i}`, m1, sd1: 2, n1: 10, m2: 3, sd2: 2, n2: 10 }));
    const equal = run({ measure: "MD", model: "random", studies });
    expect(equal.egger).toBeNull();
    expect(equal.trimFill).toBeNull();
    expect(equal.begg).not.toBeNull();
    const differs = run({ measure: "MD", model: "random", studies: studies.map((s, i) => (i === 0 ? { ...s, n1: 12 } : s)) });
    expect(differs.egger).not.toBeNull();
    expect(differs.trimFill).not.toBeNull();
  });
});

describe("meta-regression", () => {
  // Fixed effect, vi = 1, x = 0, 1, 2, y = 1, 2, 4: ordinary least squares by hand.
  // x̄ = 1, ȳ = 7/3, Sxy = 3, Sxx = 2 → b1 = 1.5, b0 = 7/3 - 1.5 = 5/6.
  // V = (XᵀX)⁻¹ = [[3, 3], [3, 5]]⁻¹ = [[5, -3], [-3, 3]]/6; QM = b1²/V11 = 4.5; residuals 1/6, -1/3, 1/6 → QE = 1/6.
  const studies = [unitVarianceStudy("a", 1, { dose: 0 }), unitVarianceStudy("b", 2, { dose: 1 }), unitVarianceStudy("c", 4, { dose: 2 })];

  it("fixed effect, one moderator: coefficients, V, QM and QE as worked by hand", () => {
    const mr = run({ measure: "MD", model: "fixed", moderators: ["dose"], studies }).metaRegression!;
    expect(mr.k).toBe(3);
    expect(mr.coefficients.map((c) => c.name)).toEqual(["intrcpt", "dose"]);
    expect(mr.coefficients[0]!.estimate).toBeCloseTo(5 / 6, 12);
    expect(mr.coefficients[1]!.estimate).toBeCloseTo(1.5, 12);
    expect(mr.coefficients[1]!.se).toBeCloseTo(Math.sqrt(0.5), 12);
    expect(mr.vcov[0]![0]).toBeCloseTo(5 / 6, 12);
    expect(mr.vcov[0]![1]).toBeCloseTo(-0.5, 12);
    expect(mr.QM).toBeCloseTo(4.5, 12);
    expect(mr.QMdf1).toBe(1);
    expect(mr.QMdf2).toBeNull();
    expect(mr.QE).toBeCloseTo(1 / 6, 12);
    expect(mr.QEdf).toBe(1);
    expect(mr.tau2).toBe(0);
    expect(mr).not.toHaveProperty("I2");
    expect(mr.test).toBe("z");
  });

  it("the fitted line at x = 3: b0 + 3·b1 with se √(V00 + 6·V01 + 9·V11), ± 1.96 se", () => {
    const mr = run({ measure: "MD", model: "fixed", moderators: ["dose"], studies }).metaRegression!;
    const [point] = metaRegressionLine(mr, "dose", [3])!;
    expect(point!.fit).toBeCloseTo(5 / 6 + 4.5, 12);
    expect(point!.se).toBeCloseTo(Math.sqrt(5 / 6 - 3 + 4.5), 12);
    expect(point!.ciUpper - point!.fit).toBeCloseTo(1.959963984540054 * point!.se, 10);
  });

  it("no line for another moderator or a model with two; a non-finite x is an error", () => {
    const two = run({ measure: "MD", model: "fixed", moderators: ["dose", "day"], studies: [...studies, unitVarianceStudy("d", 3, { dose: 3 })].map((s, i) => ({ ...s, covariates: { ...s.covariates, day: [7, 14, 28, 7][i]! } })) }).metaRegression!;
    expect(two.coefficients).toHaveLength(3);
    expect(metaRegressionLine(two, "dose", [1])).toBeNull();
    const one = run({ measure: "MD", model: "fixed", moderators: ["dose"], studies }).metaRegression!;
    expect(metaRegressionLine(one, "day", [1])).toBeNull();
    expect(() => metaRegressionLine(one, "dose", [Number.NaN])).toThrow(RangeError);
  });

  it("lists studies without a usable covariate value, and says why a model cannot be fitted", () => {
    const r = run({
      measure: "MD",
      model: "random",
      moderators: ["dose", "day"],
      studies: [
        unitVarianceStudy("a", 1, { dose: 0, day: 7 }),
        unitVarianceStudy("b", 2, { dose: 1 }),
        unitVarianceStudy("c", 4),
        unitVarianceStudy("d", 4, { dose: null, day: 3 }),
      ],
    });
    expect(r.k).toBe(4);
    const mr = r.metaRegression!;
    expect(mr.excluded).toEqual([
      { id: "b", reason: "day is missing" },
      { id: "c", reason: "dose and day are missing" },
      { id: "d", reason: "dose is missing" },
    ]);
    expect(mr.k).toBe(1);
    expect(mr.problem).toBe("only 1 analysed study has a value for dose and day; a random-effects meta-regression on them needs at least 4");
    expect(mr.coefficients).toEqual([]);
    expect(mr.QM).toBeNull();
    expect(mr.R2).toBeNull();
    const three = run({ measure: "MD", model: "random", moderators: ["dose", "day"], studies: [1, 2, 4].map((y, i) => unitVarianceStudy(`s${i}`, y, { dose: i, day: i * i })) });
    expect(three.metaRegression!.problem).toBe("a random-effects meta-regression on dose and day needs at least 4 studies with a value for every moderator; 3 have");
    expect(three.metaRegression!.QE).toBeNull();
  });

  it("a moderator that does not vary is dropped: the model is the intercept-only one, with no moderator test", () => {
    const flat = [1, 2, 4, 3.5, 0.5].map((y, i) => ({ ...unitVarianceStudy(`s${i}`, y, { strain: 2 }), sd1: 1 + i / 4 }));
    const r = run({ measure: "MD", model: "random", tau2Method: "DL", moderators: ["strain"], studies: flat });
    const mr = r.metaRegression as MetaRegressionResult;
    expect(mr.dropped).toEqual([{ name: "strain", reason: "strain has the same value in all 5 studies of the meta-regression" }]);
    expect(mr.coefficients.map((c) => c.name)).toEqual(["intrcpt"]);
    expect(mr.coefficients[0]!.estimate).toBeCloseTo(r.pooled!.estimate, 12);
    expect(mr.tau2).toBeCloseTo(r.heterogeneity!.tau2, 12);
    expect(mr.QE).toBeCloseTo(r.heterogeneity!.Q, 12);
    expect(mr.QM).toBeNull();
    expect(mr.QMdf1).toBe(0);
    expect(mr.R2).toBe(0);
  });

  it("a moderator that is a multiple of another is dropped as collinear", () => {
    const data = [1, 2, 4, 3.5, 0.5].map((y, i) => unitVarianceStudy(`s${i}`, y, { dose: i * 10, mgPerKg: i * 40 }));
    const mr = run({ measure: "MD", model: "fixed", moderators: ["dose", "mgPerKg"], studies: data }).metaRegression!;
    expect(mr.coefficients.map((c) => c.name)).toEqual(["intrcpt", "dose"]);
    expect(mr.dropped).toEqual([{ name: "mgPerKg", reason: "mgPerKg is a linear combination of the intercept and dose in these 5 studies" }]);
  });

  it("a covariate named like an Object property is looked up as an own property only", () => {
    const mr = run({ measure: "MD", model: "fixed", moderators: ["constructor"], studies }).metaRegression!;
    expect(mr.k).toBe(0);
    expect(mr.excluded.map((e) => e.reason)).toEqual(["constructor is missing", "constructor is missing", "constructor is missing"]);
  });
});

describe("combineArms (Cochrane Handbook Table 6.5.a)", () => {
  it("two arms: N, mean and SD as worked by hand", () => {
    // N = 30, M = (10·5 + 20·8)/30 = 7; SD² = (9·4 + 19·9 + (200/30)·9)/29 = 267/29 (= the total sum of squares
    // about 7: 36 + 10·2² + 171 + 20·1² = 267).
    const r = combineArms([
      { n: 10, mean: 5, sd: 2 },
      { n: 20, mean: 8, sd: 3 },
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.arm.n).toBe(30);
    expect(r.arm.mean).toBeCloseTo(7, 12);
    expect(r.arm.sd).toBeCloseTo(Math.sqrt(267 / 29), 12);
  });

  it("three arms, pairwise: the same as the pooled sample of all animals", () => {
    // N = 40, M = (50 + 160 + 10)/40 = 5.5; sum of squares about 5.5: 36 + 10·0.25 + 171 + 20·6.25 + 9 + 10·20.25 = 546.
    const arms = [
      { n: 10, mean: 5, sd: 2 },
      { n: 20, mean: 8, sd: 3 },
      { n: 10, mean: 1, sd: 1 },
    ];
    for (const order of [arms, [...arms].reverse()]) {
      const r = combineArms(order);
      if (!r.ok) throw new Error(r.reason);
      expect(r.arm.n).toBe(40);
      expect(r.arm.mean).toBeCloseTo(5.5, 12);
      expect(r.arm.sd).toBeCloseTo(Math.sqrt(14), 12);
    }
  });

  it("one arm is itself; no arm or a bad value is refused with the arm named", () => {
    expect(combineArms([{ n: 7, mean: 3, sd: 1 }])).toEqual({ ok: true, arm: { n: 7, mean: 3, sd: 1 } });
    expect(combineArms([])).toEqual({ ok: false, reason: "there is no arm to combine" });
    expect(combineArms([{ n: 7, mean: 3, sd: 1 }, { n: 5, mean: 2, sd: -1 }])).toEqual({ ok: false, reason: "arm 2: the SD must be a number of at least 0 (SD = -1)" });
    expect(combineArms([{ n: 0, mean: 3, sd: 1 }])).toMatchObject({ ok: false, reason: "arm 1: n must be a number of at least 1 (n = 0)" });
    expect(combineArms([{ n: 4, mean: Number.NaN, sd: 1 }])).toMatchObject({ ok: false });
  });
});

describe("adjustPValues (R p.adjust)", () => {
  it("Bonferroni and Holm as worked by hand (and as R prints them)", () => {
    const p = [0.01, 0.04, 0.03, 0.2];
    const bonferroni = adjustPValues(p, "bonferroni");
    [0.04, 0.16, 0.12, 0.8].forEach((e, i) => expect(bonferroni[i]).toBeCloseTo(e, 14));
    // Holm: sorted 0.01·4 = 0.04, 0.03·3 = 0.09, 0.04·2 = 0.08 → running max 0.09, 0.2·1 = 0.2.
    const holm = adjustPValues(p, "holm");
    [0.04, 0.09, 0.09, 0.2].forEach((e, i) => expect(holm[i]).toBeCloseTo(e, 14));
  });

  it("nulls stay null and do not count; results are capped at 1", () => {
    expect(adjustPValues([0.01, null, 0.04], "bonferroni")).toEqual([0.02, null, 0.08]);
    expect(adjustPValues([0.01, null, 0.04], "holm")).toEqual([0.02, null, 0.04]);
    expect(adjustPValues([0.5, 0.6], "bonferroni")).toEqual([1, 1]);
    expect(adjustPValues([0.6, 0.5], "holm")).toEqual([1, 1]);
    expect(adjustPValues([], "holm")).toEqual([]);
  });

  it("refuses a value that is not a probability", () => {
    expect(() => adjustPValues([0.2, 1.5], "holm")).toThrow(/p\[1\] is not a probability/);
    expect(() => adjustPValues([Number.NaN], "bonferroni")).toThrow(RangeError);
  });
});

describe("stratifiedTests", () => {
  // Four studies with vi = 1 and y = 1, 3, 5, 7 (fixed effect).
  const request = parse({ measure: "MD", model: "fixed", studies: [1, 3, 5, 7].map((y, i) => unitVarianceStudy(`s${i}`, y)) });

  it("a test for subgroup differences per variable, p adjusted across the variables that have one", () => {
    const r = stratifiedTests(request, [
      // {1, 3} vs {5, 7}: estimates 2 and 6, se² 1/2 each, mean 4 → Qbetween = 4/0.5 + 4/0.5 = 16.
      { name: "source", groups: ["BM", "BM", "UC", "UC"] },
      // {1, 5} vs {3, 7}: estimates 3 and 5 → Qbetween = 1/0.5 + 1/0.5 = 4.
      { name: "route", groups: ["iv", "it", "iv", "it"] },
      // One group: no test, not counted.
      { name: "species", groups: ["rat", "rat", "rat", "rat"] },
    ]);
    expect(r.model).toBe("fixed");
    expect(r.tests).toBe(2);
    const [source, route, species] = r.stratifications;
    expect(source!.Qbetween).toBeCloseTo(16, 12);
    expect(route!.Qbetween).toBeCloseTo(4, 12);
    // P(χ²₁ > 16) = 2Φ(-4), P(χ²₁ > 4) = 2Φ(-2).
    const p16 = 6.334248366623996e-5;
    const p4 = 0.04550026389635842;
    expect(source!.pValue).toBeCloseTo(p16, 15);
    expect(route!.pValue).toBeCloseTo(p4, 14);
    expect(source!.pBonferroni).toBeCloseTo(2 * p16, 15);
    expect(route!.pBonferroni).toBeCloseTo(2 * p4, 14);
    expect(source!.pHolm).toBeCloseTo(2 * p16, 15);
    expect(route!.pHolm).toBeCloseTo(p4, 14);
    expect(species).toMatchObject({ subgroups: null, pValue: null, pBonferroni: null, pHolm: null });
  });

  it("studies without a value form the group \"Unspecified\"; a groups list of the wrong length is an error", () => {
    const r = stratifiedTests(request, [{ name: "sex", groups: ["m", "m", "m", null] }]);
    expect(r.stratifications[0]!.subgroups?.groups.map((g) => [g.name, g.k])).toEqual([
      ["Unspecified", 1],
      ["m", 3],
    ]);
    expect(r.tests).toBe(1);
    expect(r.stratifications[0]!.pBonferroni).toBe(r.stratifications[0]!.pValue);
    expect(() => stratifiedTests(request, [{ name: "short", groups: ["x"] }])).toThrow(/"short" has 1 groups for 4 studies/);
  });
});
