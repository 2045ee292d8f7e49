/**
 * Properties of the preclinical conventions that must hold for any data (fast-check; small k to keep it quick):
 * shared control groups, NMD, meta-regression, and no NaN/Infinity anywhere.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyze, stratifiedTests, type AnalysisRequest, type AnalysisResult, type StudyInput } from "@/server/analysis";
import { parse, walkLeaves } from "./helpers";

const RUNS = { numRuns: 500 };
const TAU2_METHODS = ["DL", "REML", "PM", "HS", "SJ", "ML", "EB"] as const;

const settings = fc.record({
  model: fc.constantFrom("fixed" as const, "random" as const),
  tau2Method: fc.constantFrom(...TAU2_METHODS),
  ciMethod: fc.constantFrom("z" as const, "hk" as const),
  level: fc.constantFrom(0.8, 0.9, 0.95, 0.99),
});

/** Animal-study data: positive means, moderate SDs, small groups; a control-group key from a small set or none. */
const armStudy = fc.record({
  m1: fc.double({ min: 1, max: 50, noNaN: true }),
  sd1: fc.double({ min: 0.1, max: 10, noNaN: true }),
  n1: fc.integer({ min: 2, max: 30 }),
  m2: fc.double({ min: 1, max: 50, noNaN: true }),
  sd2: fc.double({ min: 0.1, max: 10, noNaN: true }),
  n2: fc.integer({ min: 2, max: 30 }),
  mSham: fc.double({ min: 0, max: 60, noNaN: true }),
  controlGroup: fc.option(fc.constantFrom("A", "B", "C"), { nil: undefined }),
  // Doses as reported (to 0.1), days after injury.
  covariates: fc.record({ dose: fc.integer({ min: 0, max: 5000 }).map((d) => d / 10), day: fc.integer({ min: 1, max: 90 }) }),
});

const withIds = <T extends object>(studies: T[]): (T & { id: string })[] => studies.map((s, i) => ({ id: `S${i + 1}`, ...s }));
const withoutKeys = (studies: StudyInput[]): StudyInput[] => studies.map(({ controlGroup: _, ...s }) => s);

const close = (a: number | null | undefined, b: number | null | undefined, tol = 1e-7) =>
  typeof a === "number" && typeof b === "number" ? Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b)) : a === b;

function expectFinite(result: unknown): void {
  walkLeaves(result, (path, leaf) => {
    if (typeof leaf === "number") expect(Number.isFinite(leaf), path).toBe(true);
    expect(leaf, path).not.toBeUndefined();
  });
}

describe("preclinical properties", { timeout: 120_000 }, () => {
  it("splitting a shared control never lowers any vi (MD, ROM, NMD)", () => {
    // Not SMD: its vi = 1/n1 + 1/n2 + yi²/(2N) also falls with |yi|, and the split changes yi through the pooled SD
    // and J(n1 + n2/c - 2). It can then lower vi: n1 = 2, sd1 = 10, n2 = 100, sd2 = 0.01, 50 comparisons gives
    // 48.8 → 9.0 (see the test below); even with equal SDs, n1 = 2, n2 = 3 split in two lowers it in the 16th digit.
    const data = fc.tuple(fc.constantFrom("MD" as const, "ROM" as const, "NMD" as const), fc.array(armStudy, { minLength: 1, maxLength: 8 }));
    fc.assert(
      fc.property(data, ([measure, raw]) => {
        const studies = withIds(raw);
        const split = analyze(parse({ measure, model: "fixed", studies }));
        const alone = analyze(parse({ measure, model: "fixed", studies: withoutKeys(studies) }));
        expect(split.studies.map((s) => s.id)).toEqual(alone.studies.map((s) => s.id));
        split.studies.forEach((s, i) => {
          const before = alone.studies[i]!.vi;
          expect(s.vi).toBeGreaterThanOrEqual(before * (1 - 1e-12));
          if (s.sharedControl) expect(s.sharedControl.n2Used).toBeCloseTo(s.sharedControl.n2Entered / s.sharedControl.comparisons, 12);
          else expect(s.vi).toBe(before);
        });
      }),
      RUNS,
    );
  });

  it("SMD: the split can lower vi, because yi shrinks with the pooled SD and J (documented counterexample)", () => {
    const studies = [
      { id: "a", m1: 100, sd1: 10, n1: 2, m2: 0, sd2: 0.01, n2: 100, controlGroup: "g" },
      ...Array.from({ length: 49 }, (_, i) => ({ id: `x${i}`, controlGroup: "g" })),
    ];
    const split = analyze(parse({ measure: "SMD", model: "fixed", studies }));
    const alone = analyze(parse({ measure: "SMD", model: "fixed", studies: withoutKeys(studies) }));
    expect(split.studies[0]!.sharedControl?.n2Used).toBe(2);
    expect(split.studies[0]!.vi).toBeLessThan(alone.studies[0]!.vi / 5);
  });

  it("a comparison with its own control (no key, a blank key or a key of its own) gives exactly the result it gave without the field", () => {
    const data = fc.tuple(settings, fc.constantFrom("MD" as const, "SMD" as const, "ROM" as const, "NMD" as const), fc.array(armStudy, { minLength: 1, maxLength: 8 }), fc.constantFrom("unique", "blank", "none"));
    fc.assert(
      fc.property(data, ([s, measure, raw, how]) => {
        const plain = withoutKeys(withIds(raw));
        const keyed = plain.map((study, i) => (how === "none" ? study : { ...study, controlGroup: how === "unique" ? `own-${i}` : " " }));
        const a = analyze(parse({ ...s, measure, studies: plain }));
        const b = analyze(parse({ ...s, measure, studies: keyed }));
        expect(b).toEqual(a);
      }),
      RUNS,
    );
  });

  it("NMD does not change when a constant is added to m1, m2 and mSham, nor when they and the SDs are scaled", () => {
    const data = fc.tuple(settings, fc.array(armStudy, { minLength: 1, maxLength: 8 }), fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: 1e-2, max: 1e2, noNaN: true }), fc.boolean());
    fc.assert(
      fc.property(data, ([s, raw, shift, factor, negative]) => {
        const studies = withIds(raw);
        const c = negative ? -factor : factor;
        const shifted = studies.map((st) => ({ ...st, m1: st.m1 + shift, m2: st.m2 + shift, mSham: st.mSham + shift }));
        const scaled = studies.map((st) => ({ ...st, m1: st.m1 * c, m2: st.m2 * c, mSham: st.mSham * c, sd1: st.sd1 * factor, sd2: st.sd2 * factor }));
        const base = analyze(parse({ ...s, measure: "NMD", studies }));
        for (const other of [shifted, scaled]) {
          const r = analyze(parse({ ...s, measure: "NMD", studies: other }));
          expect(r.k).toBe(base.k);
          if (base.k === 0) continue;
          // Relative to the spread of the effects: a shift of 1e3 on means near 0 costs about 1e-13·1e3/|d| in yi.
          const scale = Math.max(...base.studies.map((st) => Math.abs(st.yi) + st.se));
          const tol = 1e-8;
          base.studies.forEach((st, i) => {
            expect(Math.abs(r.studies[i]!.yi - st.yi)).toBeLessThanOrEqual(tol * scale);
            expect(Math.abs(r.studies[i]!.vi - st.vi)).toBeLessThanOrEqual(tol * (st.vi + scale * scale * 1e-8));
          });
          expect(Math.abs(r.pooled!.estimate - base.pooled!.estimate)).toBeLessThanOrEqual(1e-6 * scale);
        }
      }),
      RUNS,
    );
  });

  it("a moderator with no variation is dropped and the model is the analysis without moderators", () => {
    const data = fc.tuple(settings, fc.array(armStudy, { minLength: 3, maxLength: 8 }), fc.double({ min: -100, max: 100, noNaN: true }));
    fc.assert(
      fc.property(data, ([s, raw, constant]) => {
        const studies = withIds(raw).map((st) => ({ ...st, covariates: { ...st.covariates, strain: constant } }));
        const r = analyze(parse({ ...s, measure: "MD", moderators: ["strain"], studies }));
        const mr = r.metaRegression!;
        expect(mr.dropped.map((d) => d.name)).toEqual(["strain"]);
        expect(mr.coefficients.map((c) => c.name)).toEqual(["intrcpt"]);
        expect(close(mr.coefficients[0]!.estimate, r.pooled!.estimate, 1e-9)).toBe(true);
        expect(close(mr.coefficients[0]!.se, r.pooled!.se, 1e-7)).toBe(true);
        expect(close(mr.tau2, r.heterogeneity!.tau2, 1e-7)).toBe(true);
        expect(close(mr.QE, r.heterogeneity!.Q, 1e-9)).toBe(true);
        expect(mr.QM).toBeNull();
        if (s.model === "random") expect(mr.R2).toBe(0);
      }),
      RUNS,
    );
  });

  it("shifting a moderator changes only the intercept; scaling it divides its slope and se, and leaves QM, τ² and R² alone", () => {
    const data = fc.tuple(settings, fc.array(armStudy, { minLength: 4, maxLength: 10 }), fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: 1e-2, max: 1e2, noNaN: true }));
    fc.assert(
      fc.property(data, ([s, raw, shift, factor]) => {
        const studies = withIds(raw);
        const moved = studies.map((st) => ({ ...st, covariates: { ...st.covariates, dose: (st.covariates.dose + shift) * factor } }));
        const a = analyze(parse({ ...s, measure: "MD", moderators: ["dose", "day"], studies })).metaRegression!;
        const b = analyze(parse({ ...s, measure: "MD", moderators: ["dose", "day"], studies: moved })).metaRegression!;
        expect(b.coefficients.length).toBe(a.coefficients.length);
        if (a.coefficients.length < 3) return; // dose or day did not vary among these few studies
        const [, doseA, dayA] = a.coefficients;
        const [, doseB, dayB] = b.coefficients;
        expect(close(doseB!.estimate * factor, doseA!.estimate, 1e-6)).toBe(true);
        expect(close(doseB!.se * factor, doseA!.se, 1e-6)).toBe(true);
        expect(close(dayB!.estimate, dayA!.estimate, 1e-6)).toBe(true);
        expect(close(b.QM, a.QM, 1e-6)).toBe(true);
        expect(close(b.QE, a.QE, 1e-6)).toBe(true);
        expect(close(b.tau2, a.tau2, 1e-6)).toBe(true);
        if (s.model === "random") expect(close(b.R2, a.R2, 1e-5)).toBe(true);
      }),
      RUNS,
    );
  });

  it("the fixed-effect meta-regression on one moderator is the weighted least-squares line of the normal equations", () => {
    fc.assert(
      fc.property(fc.array(armStudy, { minLength: 3, maxLength: 10 }), (raw) => {
        const r = analyze(parse({ measure: "MD", model: "fixed", moderators: ["dose"], studies: withIds(raw) }));
        const mr = r.metaRegression!;
        if (mr.coefficients.length < 2) return;
        // Direct: Σw, Σwx, Σwx², Σwy, Σwxy; b1 = (SwSwxy - SwxSwy)/det, Var(b1) = Sw/det.
        let sw = 0, swx = 0, swxx = 0, swy = 0, swxy = 0;
        r.studies.forEach((st, i) => {
          const w = 1 / st.vi;
          const x = raw[i]!.covariates.dose;
          sw += w; swx += w * x; swxx += w * x * x; swy += w * st.yi; swxy += w * x * st.yi;
        });
        const det = sw * swxx - swx * swx;
        const b1 = (sw * swxy - swx * swy) / det;
        const b0 = (swy - b1 * swx) / sw;
        expect(close(mr.coefficients[1]!.estimate, b1, 1e-6)).toBe(true);
        expect(close(mr.coefficients[0]!.estimate, b0, 1e-6)).toBe(true);
        expect(close(mr.coefficients[1]!.se, Math.sqrt(sw / det), 1e-6)).toBe(true);
      }),
      RUNS,
    );
  });

  it("no NaN, Infinity or undefined anywhere: wild values, shared controls, NMD, covariates, moderators and stratifications", () => {
    const anyValue = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: -3, max: 1000 }),
      fc.constantFrom(null, 0, -0, Number.MIN_VALUE, Number.MAX_VALUE, 1e-300, 1e300),
    );
    const wild = fc.record({
      m1: anyValue,
      sd1: anyValue,
      n1: anyValue,
      m2: anyValue,
      sd2: anyValue,
      n2: anyValue,
      mSham: anyValue,
      group: fc.option(fc.constantFrom("A", "B"), { nil: undefined }),
      controlGroup: fc.option(fc.constantFrom("A", "B", ""), { nil: undefined }),
      covariates: fc.option(fc.record({ dose: anyValue, day: fc.oneof(anyValue, fc.constant(5)) }, { requiredKeys: [] }), { nil: undefined }),
    });
    const data = fc.tuple(
      settings,
      fc.constantFrom("MD" as const, "SMD" as const, "ROM" as const, "NMD" as const),
      fc.array(wild, { minLength: 0, maxLength: 7 }),
      fc.constantFrom([], ["dose"], ["dose", "day"], ["day"]),
    );
    fc.assert(
      fc.property(data, ([s, measure, raw, moderators]) => {
        const request: AnalysisRequest = parse({ ...s, model: "auto", measure, moderators, studies: withIds(raw) });
        const result: AnalysisResult = analyze(request);
        expectFinite(result);
        if (moderators.length) expect(result.metaRegression).toBeDefined();
        const strata = stratifiedTests(request, [
          { name: "group", groups: raw.map((st) => st.group) },
          { name: "key", groups: raw.map((st) => st.controlGroup) },
        ]);
        expectFinite(strata);
      }),
      RUNS,
    );
  });
});
