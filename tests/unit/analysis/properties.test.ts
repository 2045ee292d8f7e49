/**
 * Properties that must hold for any data, checked with fast-check (1000 runs each, small k to keep it quick).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyze, estimateTau2, fitModel, kendall, type AnalysisRequest, type AnalysisResult, type StudyInput } from "@/server/analysis";
import { design } from "@/server/analysis/tau2";
import { parse, walkLeaves } from "./helpers";

const RUNS = { numRuns: 1000 };
const TAU2_METHODS = ["DL", "REML", "PM", "HS", "SJ", "ML", "EB"] as const;

/** Plausible arm data: means of either sign, SDs from 0, n from 2 (with some edge values in each). */
const plausibleStudy = fc.record({
  m1: fc.oneof(fc.double({ min: -1000, max: 1000, noNaN: true }), fc.constantFrom(0, 1, 1e-6)),
  sd1: fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constantFrom(0, 1e-8, 0.5)),
  n1: fc.integer({ min: 2, max: 500 }),
  m2: fc.oneof(fc.double({ min: -1000, max: 1000, noNaN: true }), fc.constantFrom(0, 1, 1e-6)),
  sd2: fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constantFrom(0, 1e-8, 0.5)),
  n2: fc.integer({ min: 2, max: 500 }),
  group: fc.option(fc.constantFrom("A", "B", "C"), { nil: undefined }),
});

/** Realistic animal-study data: positive means, moderate SDs, small groups; every study analysable. */
const realisticStudy = fc.record({
  m1: fc.double({ min: 1, max: 50, noNaN: true }),
  sd1: fc.double({ min: 0.1, max: 10, noNaN: true }),
  n1: fc.integer({ min: 2, max: 40 }),
  m2: fc.double({ min: 1, max: 50, noNaN: true }),
  sd2: fc.double({ min: 0.1, max: 10, noNaN: true }),
  n2: fc.integer({ min: 2, max: 40 }),
  group: fc.option(fc.constantFrom("A", "B"), { nil: undefined }),
});

const withIds = (studies: Omit<StudyInput, "id">[]): StudyInput[] => studies.map((s, i) => ({ id: `S${i + 1}`, ...s }));

const settings = fc.record({
  measure: fc.constantFrom("MD" as const, "SMD" as const, "ROM" as const),
  model: fc.constantFrom("fixed" as const, "random" as const),
  tau2Method: fc.constantFrom(...TAU2_METHODS),
  ciMethod: fc.constantFrom("z" as const, "hk" as const),
  level: fc.constantFrom(0.5, 0.8, 0.9, 0.95, 0.99, 0.999),
});

const requestOf = (s: Omit<AnalysisRequest, "studies">, studies: StudyInput[]): AnalysisRequest =>
  parse({ ...s, studies });

const requests = (study: fc.Arbitrary<Omit<StudyInput, "id">>, maxLength: number) =>
  fc.tuple(settings, fc.array(study, { minLength: 0, maxLength })).map(([s, studies]) => requestOf(s, withIds(studies)));

/** Every τ² and I² reported anywhere in a result. */
function collect(result: AnalysisResult, key: "tau2" | "I2"): number[] {
  const values: number[] = [];
  walkLeaves(result, (path, leaf) => {
    if (path.endsWith(`.${key}`) && typeof leaf === "number") values.push(leaf);
  });
  return values;
}

/**
 * Every number finite; the quantities defined for any k >= 1 present (not null); with k = 0, null and empty.
 * (The engine maps an overflow to null as a last resort, so checking "finite" alone would not be enough.)
 */
function expectWellFormed(result: AnalysisResult): void {
  walkLeaves(result, (path, leaf) => {
    if (typeof leaf === "number") expect(Number.isFinite(leaf), path).toBe(true);
  });
  if (result.k === 0) {
    expect(result.pooled).toBeNull();
    expect(result.heterogeneity).toBeNull();
    expect(result.leaveOneOut).toEqual([]);
    return;
  }
  for (const key of ["estimate", "se", "ciLower", "ciUpper"] as const) expect(typeof result.pooled![key], key).toBe("number");
  for (const key of ["Q", "pValue", "tau2"] as const) expect(typeof result.heterogeneity![key], key).toBe("number");
  for (const s of result.studies) for (const key of ["yi", "vi", "se", "weight"] as const) expect(typeof s[key], key).toBe("number");
  for (const step of [...result.leaveOneOut, ...(result.cumulative ?? [])]) expect(typeof step.estimate).toBe("number");
  expect(result.leaveOneOut).toHaveLength(result.k > 1 ? result.k : 0);
}

const close = (a: number | null | undefined, b: number | null | undefined, tol = 1e-7) =>
  typeof a === "number" && typeof b === "number" ? Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b)) : a === b;

describe("properties", { timeout: 120_000 }, () => {
  it("τ² >= 0 everywhere (pooled, subgroups, leave-one-out, cumulative, τ² interval)", () => {
    fc.assert(
      fc.property(requests(plausibleStudy, 8), (request) => {
        const result = analyze({ ...request, cumulative: "input" });
        for (const t of collect(result, "tau2")) expect(t).toBeGreaterThanOrEqual(0);
        const h = result.heterogeneity;
        if (h?.tau2CiLower != null && h.tau2CiUpper != null) {
          expect(h.tau2CiLower).toBeGreaterThanOrEqual(0);
          expect(h.tau2CiUpper).toBeGreaterThanOrEqual(h.tau2CiLower);
        }
      }),
      RUNS,
    );
  });

  it("0 <= I² <= 100 everywhere", () => {
    fc.assert(
      fc.property(requests(plausibleStudy, 8), (request) => {
        for (const i2 of collect(analyze({ ...request, cumulative: "year" }), "I2")) {
          expect(i2).toBeGreaterThanOrEqual(0);
          expect(i2).toBeLessThanOrEqual(100);
        }
      }),
      RUNS,
    );
  });

  it("the fixed-effect estimate lies within [min yi, max yi]", () => {
    fc.assert(
      fc.property(requests(plausibleStudy, 8), (request) => {
        const result = analyze({ ...request, model: "fixed" });
        if (result.k === 0) return;
        const ys = result.studies.map((s) => s.yi);
        const lo = Math.min(...ys);
        const hi = Math.max(...ys);
        // Relative slack, plus an absolute one far below any real effect for subnormal yi (seed 828576204: yi 0 and
        // −3.5e-323), where Σwy/Σw is rounded to a grid of 2⁻¹⁰⁷⁴ and relative precision is gone.
        const slack = 1e-12 * Math.max(Math.abs(lo), Math.abs(hi)) + 2 ** -1000;
        expect(result.pooled!.estimate).toBeGreaterThanOrEqual(lo - slack);
        expect(result.pooled!.estimate).toBeLessThanOrEqual(hi + slack);
      }),
      RUNS,
    );
  });

  it("the pooled estimate, Q and τ² do not depend on the order of the studies", () => {
    const shuffled = fc
      .tuple(settings, fc.array(realisticStudy, { minLength: 1, maxLength: 8 }))
      .chain(([s, studies]) => {
        const list = withIds(studies);
        return fc.tuple(fc.constant(s), fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }));
      });
    fc.assert(
      fc.property(shuffled, ([s, studies, permuted]) => {
        const a = analyze(requestOf(s, studies));
        const b = analyze(requestOf(s, permuted));
        expect(close(a.pooled!.estimate, b.pooled!.estimate)).toBe(true);
        expect(close(a.pooled!.se, b.pooled!.se)).toBe(true);
        expect(close(a.heterogeneity!.Q, b.heterogeneity!.Q)).toBe(true);
        expect(close(a.heterogeneity!.tau2, b.heterogeneity!.tau2)).toBe(true);
      }),
      RUNS,
    );
  });

  it("MD scales with a change of units (estimate × c, se × |c|) and SMD does not change (up to sign for c < 0)", () => {
    const factor = fc.tuple(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.boolean()).map(([c, negative]) => (negative ? -c : c));
    const scaled = fc.tuple(settings, fc.array(realisticStudy, { minLength: 1, maxLength: 8 }), factor);
    fc.assert(
      fc.property(scaled, ([s, studies, c]) => {
        const a = Math.abs(c);
        const rescaled = studies.map((st) => ({ ...st, m1: st.m1 * c, sd1: st.sd1 * a, m2: st.m2 * c, sd2: st.sd2 * a }));
        for (const measure of ["MD", "SMD"] as const) {
          const before = analyze(requestOf({ ...s, measure }, withIds(studies))).pooled!;
          const after = analyze(requestOf({ ...s, measure }, withIds(rescaled))).pooled!;
          const [estimateFactor, seFactor] = measure === "MD" ? [c, a] : [Math.sign(c), 1];
          // Relative to the result's own scale, not to 1, so that a small c is tested as strictly as a large one;
          // plus the rounding of m × c itself (about ε·|m|·|c| per mean, so ε·|m|/SD in an SMD; allowed 500 ε), which
          // dominates when m1 − m2 cancels to almost nothing (seed 892388495: means 1 and 1 + 2⁻⁵², c = 0.001).
          const largestMean = Math.max(...studies.flatMap((st) => [Math.abs(st.m1), Math.abs(st.m2)]));
          const smallestSd = Math.min(...studies.flatMap((st) => [st.sd1, st.sd2]));
          const inputRounding = 1e-6 * largestMean * (measure === "MD" ? a : 1 / smallestSd);
          const scale = (Math.abs(before.estimate) + before.se) * seFactor + inputRounding;
          expect(Math.abs(after.estimate - before.estimate * estimateFactor)).toBeLessThanOrEqual(1e-7 * scale);
          expect(Math.abs(after.se - before.se * seFactor)).toBeLessThanOrEqual(1e-7 * scale);
        }
      }),
      RUNS,
    );
  });

  it("identical effects give Q = 0 and τ² = 0 with every estimator", () => {
    // Integer means make every yi exactly equal; SDs and ns (hence variances) differ.
    const identical = fc.record({
      base: fc.integer({ min: -50, max: 50 }),
      delta: fc.integer({ min: -20, max: 20 }),
      arms: fc.array(fc.record({ shift: fc.integer({ min: 0, max: 30 }), sd1: fc.double({ min: 0.1, max: 5, noNaN: true }), sd2: fc.double({ min: 0.1, max: 5, noNaN: true }), n1: fc.integer({ min: 2, max: 40 }), n2: fc.integer({ min: 2, max: 40 }) }), { minLength: 2, maxLength: 8 }),
      tau2Method: fc.constantFrom(...TAU2_METHODS),
    });
    fc.assert(
      fc.property(identical, ({ base, delta, arms, tau2Method }) => {
        const studies = withIds(arms.map((a) => ({ m1: base + a.shift + delta, sd1: a.sd1, n1: a.n1, m2: base + a.shift, sd2: a.sd2, n2: a.n2 })));
        const result = analyze(parse({ measure: "MD", model: "random", tau2Method, studies }));
        expect(new Set(result.studies.map((st) => st.yi)).size).toBe(1);
        expect(result.heterogeneity!.Q).toBeLessThanOrEqual(1e-20);
        expect(result.heterogeneity!.tau2).toBe(0);
        expect(result.heterogeneity!.I2).toBe(0);
      }),
      RUNS,
    );
  });

  it("no NaN or Infinity anywhere for plausible input, and nothing null that is always defined", () => {
    fc.assert(
      fc.property(requests(plausibleStudy, 8), fc.constantFrom("input" as const, "year" as const), (request, order) => {
        expectWellFormed(analyze({ ...request, cumulative: order }));
      }),
      RUNS,
    );
  });

  it("no NaN or Infinity anywhere for extreme finite input (any double, any n, missing values), model auto", () => {
    const anyValue = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: -3, max: 1000 }),
      fc.constantFrom(null, 0, -0, Number.MIN_VALUE, Number.MAX_VALUE, 1e-300, 1e300),
    );
    const wild = fc.record({ m1: anyValue, sd1: anyValue, n1: anyValue, m2: anyValue, sd2: anyValue, n2: anyValue, group: fc.option(fc.constantFrom("A", "B"), { nil: undefined }) });
    fc.assert(
      fc.property(requests(wild, 6), (request) => {
        expectWellFormed(analyze({ ...request, model: "auto", cumulative: "input" }));
      }),
      RUNS,
    );
  });

  it("random-effects weights sum to 100% and the random estimate lies within the study range too", () => {
    fc.assert(
      fc.property(requests(realisticStudy, 8), (request) => {
        const result = analyze({ ...request, model: "random" });
        if (result.k === 0) return;
        const total = result.studies.reduce((sum, s) => sum + s.weight, 0);
        expect(Math.abs(total - 100)).toBeLessThan(1e-9);
        const ys = result.studies.map((s) => s.yi);
        expect(result.pooled!.estimate).toBeGreaterThanOrEqual(Math.min(...ys) - 1e-9);
        expect(result.pooled!.estimate).toBeLessThanOrEqual(Math.max(...ys) + 1e-9);
      }),
      RUNS,
    );
  });

  it("ML and REML estimates maximise the (restricted) likelihood: score 0 inside, never below the value at τ² = 0", () => {
    // Direct formulas, independent of the engine's closed-form sums:
    // ll(τ²) = -½Σlog(v + τ²) - ½Σw(y - μ̂)² (- ½log Σw for REML), w = 1/(v + τ²).
    const logLik = (y: number[], v: number[], t: number, reml: boolean) => {
      const w = v.map((vi) => 1 / (vi + t));
      const sw = w.reduce((a, b) => a + b, 0);
      const mu = w.reduce((a, wi, i) => a + wi * y[i]!, 0) / sw;
      const q = w.reduce((a, wi, i) => a + wi * (y[i]! - mu) ** 2, 0);
      return -0.5 * v.reduce((a, vi) => a + Math.log(vi + t), 0) - 0.5 * q - (reml ? 0.5 * Math.log(sw) : 0);
    };
    const data = fc.tuple(
      fc.array(fc.tuple(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: 0.01, max: 2, noNaN: true })), { minLength: 3, maxLength: 10 }),
      fc.constantFrom("ML" as const, "REML" as const),
    );
    fc.assert(
      fc.property(data, ([pairs, method]) => {
        const y = pairs.map((p) => p[0]);
        const v = pairs.map((p) => p[1]);
        const reml = method === "REML";
        const t = estimateTau2(design(Float64Array.from(y), Float64Array.from(v)), method);
        expect(t).toBeGreaterThanOrEqual(0);
        const ll = (x: number) => logLik(y, v, x, reml);
        expect(ll(t)).toBeGreaterThanOrEqual(ll(0) - 1e-9);
        if (t > 1e-6) {
          const h = 1e-6 * t;
          const score = (ll(t + h) - ll(t - h)) / (2 * h);
          const curvature = Math.abs((ll(t + h) - 2 * ll(t) + ll(t - h)) / (h * h));
          expect(Math.abs(score)).toBeLessThanOrEqual(1e-4 * (1 + curvature * t));
        }
      }),
      RUNS,
    );
  });

  it("Kendall's τ-b in O(n log n) equals the O(n²) pair count, ties included", () => {
    const data = fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 })), { minLength: 2, maxLength: 30 });
    fc.assert(
      fc.property(data, (pairs) => {
        const x = pairs.map((p) => p[0]);
        const y = pairs.map((p) => p[1]);
        let s = 0;
        let tx = 0;
        let ty = 0;
        for (let i = 0; i < x.length; i++)
          for (let j = i + 1; j < x.length; j++) {
            s += Math.sign(x[i]! - x[j]!) * Math.sign(y[i]! - y[j]!);
            if (x[i] === x[j]) tx++;
            if (y[i] === y[j]) ty++;
          }
        const n0 = (x.length * (x.length - 1)) / 2;
        const expectedTau = s / Math.sqrt((n0 - tx) * (n0 - ty));
        const r = kendall(x, y);
        expect(r.S).toBe(s);
        if (Number.isFinite(expectedTau)) expect(r.tau).toBeCloseTo(expectedTau, 12);
        else expect(r.tau).toBeNull();
      }),
      RUNS,
    );
  });

  it("fitModel agrees with a direct weighted mean for the fixed model", () => {
    const data = fc.array(fc.tuple(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: 1e-3, max: 10, noNaN: true })), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(data, (pairs) => {
        const y = Float64Array.from(pairs, (p) => p[0]);
        const v = Float64Array.from(pairs, (p) => p[1]);
        const fit = fitModel(y, v, { model: "fixed", tau2Method: "REML", ciMethod: "z", level: 0.95 });
        const sw = pairs.reduce((a, p) => a + 1 / p[1], 0);
        const mu = pairs.reduce((a, p) => a + p[0] / p[1], 0) / sw;
        const q = pairs.reduce((a, p) => a + (p[0] - mu) ** 2 / p[1], 0);
        expect(close(fit.estimate, mu, 1e-9)).toBe(true);
        expect(close(fit.se, Math.sqrt(1 / sw), 1e-12)).toBe(true);
        expect(Math.abs(fit.Q - q)).toBeLessThanOrEqual(1e-9 * Math.max(1, q, sw * mu * mu));
      }),
      RUNS,
    );
  });
});
