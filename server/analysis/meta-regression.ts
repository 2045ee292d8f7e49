/**
 * Mixed-effects meta-regression on study-level covariates (CONTRACT.md "Preclinical conventions"), as metafor 3.8
 * `rma(yi, vi, mods = ~ x1 + x2, method, test)` fits it (`metafor:::rma.uni`), and the fitted line of a
 * one-moderator model for the bubble plot (as metafor `predict(res, newmods = x)`).
 */
import { criticalValue, pChisqUpper, pFUpper, pNormTwoSided, pTTwoSided } from "./distributions";
import { finiteOrNull, fitModel } from "./fit";
import type { PreparedStudy } from "./effect-sizes";
import { inverseSpd } from "./linear-algebra";
import { INTERCEPT_NAME } from "./schema";
import { estimateTau2, newWlsState, regressionDesign, wlsAt } from "./tau2";
import type { FitOptions, MetaRegressionCoefficient, MetaRegressionExclusion, MetaRegressionResult } from "./types";

/** τ² below this is iteration noise and is reported as 0 (contract). */
const TAU2_ZERO = 1e-10;
/** metafor sets the Knapp-Hartung factor to 0 when the weighted residual sum of squares is below machine epsilon. */
const EPSILON = 2.220446049250313e-16;
/**
 * A column whose part not explained by the earlier columns has a norm below this fraction of its own norm is
 * redundant: the tolerance of R's `lm` QR decomposition (dqrdc2, tol = 1e-7), which metafor uses to drop
 * redundant predictors.
 */
const REDUNDANCY_TOLERANCE = 1e-7;

/** "a", "a and b", "a, b and c". */
function listOf(names: readonly string[]): string {
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** The study's value of a covariate when it is a finite number (own property only: names come from users). */
function covariateOf(study: PreparedStudy, name: string): number | null | undefined {
  const covariates = study.covariates;
  if (!covariates || !Object.hasOwn(covariates, name)) return undefined;
  return covariates[name];
}

/** Why a study has no usable value for some moderators, or null when it has a finite value for each. */
function missingCovariates(study: PreparedStudy, moderators: readonly string[]): string | null {
  const missing: string[] = [];
  const nonFinite: string[] = [];
  for (const name of moderators) {
    const value = covariateOf(study, name);
    if (value === undefined || value === null) missing.push(name);
    else if (!Number.isFinite(value)) nonFinite.push(name);
  }
  const parts: string[] = [];
  if (missing.length) parts.push(`${listOf(missing)} ${missing.length > 1 ? "are" : "is"} missing`);
  if (nonFinite.length) parts.push(`${listOf(nonFinite)} ${nonFinite.length > 1 ? "are" : "is"} not a finite number`);
  return parts.length ? parts.join("; ") : null;
}

/**
 * Which moderator columns to keep, in order: a column is redundant when, after removing its projection on the
 * intercept and the columns kept before it (modified Gram-Schmidt), less than REDUNDANCY_TOLERANCE of its norm
 * is left, as R's `lm` decides (metafor then drops it with "Redundant predictors dropped from the model").
 */
function independentColumns(columns: readonly Float64Array[], names: readonly string[]): { kept: number[]; dropped: { name: string; reason: string }[] } {
  const k = columns[0]?.length ?? 0;
  const basis: Float64Array[] = [new Float64Array(k).fill(1 / Math.sqrt(k))];
  const keptNames: string[] = [];
  const kept: number[] = [];
  const dropped: { name: string; reason: string }[] = [];
  columns.forEach((column, j) => {
    // Scaled to a largest |x| of 1 first: the decision does not depend on the unit, and tiny values (down to
    // subnormal numbers) keep their relative precision.
    let largest = 0;
    for (const x of column) largest = Math.max(largest, Math.abs(x));
    const residual = largest > 0 ? column.map((x) => x / largest) : Float64Array.from(column);
    const scaled = Float64Array.from(residual);
    const norm = euclideanNorm(residual);
    for (const q of basis) {
      let dot = 0;
      for (let i = 0; i < k; i++) dot += q[i]! * residual[i]!;
      for (let i = 0; i < k; i++) residual[i]! -= dot * q[i]!;
    }
    const left = euclideanNorm(residual);
    if (!(left > REDUNDANCY_TOLERANCE * norm)) {
      const name = names[j]!;
      const constant = basis.length === 1 || euclideanNorm(centred(scaled)) <= REDUNDANCY_TOLERANCE * norm;
      dropped.push({
        name,
        reason: constant
          ? `${name} has the same value in all ${k} studies of the meta-regression`
          : `${name} is a linear combination of the intercept and ${listOf(keptNames)} in these ${k} studies`,
      });
      return;
    }
    basis.push(residual.map((r) => r / left));
    kept.push(j);
    keptNames.push(names[j]!);
  });
  return { kept, dropped };
}

/** √Σx², computed on x/max|x| so that neither huge covariates overflow nor tiny ones underflow. */
function euclideanNorm(x: Float64Array): number {
  let scale = 0;
  for (const xi of x) scale = Math.max(scale, Math.abs(xi));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let sum = 0;
  for (const xi of x) sum += (xi / scale) ** 2;
  return scale * Math.sqrt(sum);
}

/** x minus its mean: all (near) zero when x does not vary. */
function centred(x: Float64Array): Float64Array {
  let mean = 0;
  for (const xi of x) mean += xi / x.length;
  return x.map((xi) => xi - mean);
}

/** A result with nothing fitted: `problem` says why. */
function notFitted(k: number, excluded: MetaRegressionExclusion[], dropped: MetaRegressionResult["dropped"], options: FitOptions, problem: string): MetaRegressionResult {
  const random = options.model === "random";
  return {
    k,
    excluded,
    coefficients: [],
    QM: null,
    QMdf1: 0,
    QMdf2: null,
    QMp: null,
    QE: null,
    QEdf: null,
    QEp: null,
    tau2: null,
    ...(random && { I2: null, R2: null }),
    vcov: [],
    test: random && options.ciMethod === "hk" ? "t" : "z",
    level: options.level,
    dropped,
    problem,
  };
}

/**
 * Fits the request's model with the moderators as covariates (X = [1, x1, ..., xm], p columns) to the analysed
 * studies that have a finite value for every moderator; the others are listed in `excluded`. Moderators that do
 * not vary, or are linear combinations of earlier ones, are dropped (listed in `dropped`), as metafor does.
 *
 * - τ²: the request's estimator with X (see `estimateTau2`: DL (QE - (k - p))/tr P; HS (QE - k)/Σw; SJ; PM the
 *   root of QE(τ²) = k - p; ML, REML, EB by Fisher scoring from the HE estimate), 0 for the fixed model, and 0
 *   below 1e-10.
 * - b = (XᵀWX)⁻¹XᵀWy, V = (XᵀWX)⁻¹, W = diag(1/(vi + τ²)). "z": z tests and intervals, QM = b'ᵀV'⁻¹b' over the
 *   moderators (b', V' without the intercept) against χ²(p - 1). "hk" (random only; Knapp & Hartung 2003):
 *   V·s², s² = Σwi(yi - xiᵀb)²/(k - p) untruncated, t(k - p), QM/(p - 1) against F(p - 1, k - p).
 * - QE = yᵀPy at W = diag(1/vi) on k - p df (Cochran-type test of residual heterogeneity).
 * - Random models: I² = 100·τ²/(τ² + (k - p)/tr P) (P at W = diag(1/vi); Higgins & Thompson 2002 as metafor
 *   extends it to meta-regression) and pseudo-R² = max(0, 100·(τ²₀ - τ²)/τ²₀) (Raudenbush 2009), τ²₀ from the same
 *   estimator without moderators on the same studies; 0 when τ²₀ = 0.
 * Needs k >= p (fixed) or k >= p + 1 (random), as metafor; otherwise `problem` says how many studies it lacks.
 */
export function metaRegression(studies: readonly PreparedStudy[], moderators: readonly string[], options: FitOptions): MetaRegressionResult {
  const used: PreparedStudy[] = [];
  const excluded: MetaRegressionExclusion[] = [];
  for (const study of studies) {
    const reason = missingCovariates(study, moderators);
    if (reason === null) used.push(study);
    else excluded.push({ id: study.id, reason });
  }
  const k = used.length;
  const random = options.model === "random";
  const model = random ? "a random-effects" : "a fixed-effect";
  // Studies needed: one per coefficient, and one more to estimate τ² (metafor's rule).
  const studiesNeeded = (p: number) => (random ? p + 1 : p);
  if (k < 2) {
    const found = k === 0 ? "no analysed study has" : "only 1 analysed study has";
    const needed = studiesNeeded(1 + moderators.length);
    return notFitted(k, excluded, [], options, `${found} a value for ${listOf(moderators)}; ${model} meta-regression on ${moderators.length > 1 ? "them" : "it"} needs at least ${needed}`);
  }

  const raw = moderators.map((name) => Float64Array.from(used, (s) => covariateOf(s, name) as number));
  const { kept, dropped } = independentColumns(raw, moderators);
  const p = 1 + kept.length;
  if (k < studiesNeeded(p)) {
    const on = kept.length ? ` on ${listOf(kept.map((j) => moderators[j]!))}` : "";
    return notFitted(k, excluded, dropped, options, `${model} meta-regression${on} needs at least ${studiesNeeded(p)} studies with a value for every moderator; ${k} have`);
  }

  const y = Float64Array.from(used, (s) => s.yi);
  const v = Float64Array.from(used, (s) => s.vi);
  const { design, centres } = regressionDesign(
    y,
    v,
    kept.map((j) => raw[j]!),
  );
  const state = newWlsState();
  let tau2 = random ? estimateTau2(design, options.tau2Method, state) : 0;
  if (tau2 < TAU2_ZERO) tau2 = 0;

  // Residual heterogeneity and tr P, at W = diag(1/vi).
  const fe = wlsAt(design, 0, state);
  const QE = k > p ? Math.max(0, fe.rss) : 0;
  const trP0 = fe.trP;

  const fit = wlsAt(design, tau2, state);
  if (!fit.beta || !fit.inverse) {
    return notFitted(k, excluded, dropped, options, "the moderators' values are too extreme, or too close to collinear, for the model to be fitted");
  }
  // Back from the centred columns (X·T, T unit upper triangular) to X: b = T·bc, V = T·Vc·Tᵀ, with the
  // intercept row of T = [1, -centres] and the moderator rows the identity.
  const bc = fit.beta;
  const vc = fit.inverse;
  const t = (row: number, col: number) => (row === 0 ? (col === 0 ? 1 : -centres[col - 1]!) : row === col ? 1 : 0);
  const beta = Array.from({ length: p }, (_, i) => {
    let b = 0;
    for (let j = 0; j < p; j++) b += t(i, j) * bc[j]!;
    return i === 0 ? b + design.shift : b;
  });
  const hk = random && options.ciMethod === "hk";
  const s2 = hk ? (fit.rss <= EPSILON ? 0 : fit.rss / (k - p)) : 1;
  const vcov = Array.from({ length: p }, (_, i) =>
    Array.from({ length: p }, (_, j) => {
      let sum = 0;
      for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) sum += t(i, a) * vc[a * p + b]! * t(j, b);
      return s2 * sum;
    }),
  );
  const df = hk ? k - p : null;
  const crit = criticalValue(options.level, df ?? undefined);
  const names = [INTERCEPT_NAME, ...kept.map((j) => moderators[j]!)];
  const coefficients: MetaRegressionCoefficient[] = names.map((name, i) => {
    const estimate = beta[i]!;
    const se = Math.sqrt(vcov[i]![i]!);
    const statistic = finiteOrNull(estimate / se);
    const pValue = statistic === null ? null : df === null ? pNormTwoSided(statistic) : pTTwoSided(statistic, df);
    return { name, estimate, se, statistic, pValue, ciLower: estimate - crit * se, ciUpper: estimate + crit * se };
  });

  // Omnibus test of the moderators: Wald QM = b'ᵀV'⁻¹b'.
  const m = p - 1;
  let QM: number | null = null;
  let QMp: number | null = null;
  if (m > 0) {
    const block = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) block[i * m + j] = vcov[i + 1]![j + 1]!;
    const solved = inverseSpd(block, m);
    if (solved) {
      let q = 0;
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) q += beta[i + 1]! * solved.inverse[i * m + j]! * beta[j + 1]!;
      QM = hk ? q / m : q;
      QMp = hk ? pFUpper(QM, m, k - p) : pChisqUpper(QM, m);
    }
  }

  const result: MetaRegressionResult = {
    k,
    excluded,
    coefficients,
    QM,
    QMdf1: m,
    QMdf2: hk && m > 0 ? k - p : null,
    QMp,
    QE,
    QEdf: k - p,
    QEp: k > p ? pChisqUpper(QE, k - p) : 1,
    tau2,
    vcov,
    test: hk ? "t" : "z",
    level: options.level,
    dropped,
    problem: null,
  };
  if (random) {
    result.I2 = tau2 === 0 ? 0 : (100 * tau2) / (tau2 + (k - p) / trP0);
    // With every moderator dropped the two models are the same one: R² is 0, not the rounding between two fits.
    const tau2WithoutModerators = m > 0 ? fitModel(y, v, options).tau2 : tau2;
    result.R2 = tau2WithoutModerators === 0 ? 0 : Math.max(0, (100 * (tau2WithoutModerators - tau2)) / tau2WithoutModerators);
  }
  return result;
}

/** One point of a fitted meta-regression line with its confidence band. */
export interface RegressionLinePoint {
  x: number;
  /** b0 + b1·x */
  fit: number;
  se: number;
  ciLower: number;
  ciUpper: number;
}

/**
 * The fitted line of a one-moderator meta-regression and its confidence band at each x (as metafor
 * `predict(res, newmods = x)`): fit = b0 + b1·x, se = √(V00 + 2x·V01 + x²·V11), fit ± crit·se with crit from z or
 * t(k - p), as the model was tested, at the model's level. Null when the model was not fitted or its only
 * moderator is not `moderator`; throws a RangeError for an x that is not a finite number.
 */
export function metaRegressionLine(model: MetaRegressionResult, moderator: string, xs: readonly number[]): RegressionLinePoint[] | null {
  const [intercept, slope] = model.coefficients;
  if (model.coefficients.length !== 2 || !intercept || !slope || slope.name !== moderator) return null;
  const [v0, v1] = model.vcov;
  if (!v0 || !v1) return null;
  const v00 = v0[0]!;
  const v01 = v0[1]!;
  const v11 = v1[1]!;
  const crit = criticalValue(model.level, model.test === "t" ? (model.QEdf ?? undefined) : undefined);
  return xs.map((x) => {
    if (!Number.isFinite(x)) throw new RangeError(`metaRegressionLine: x must be a finite number (got ${x})`);
    const fit = intercept.estimate + slope.estimate * x;
    const se = Math.sqrt(Math.max(0, v00 + 2 * x * v01 + x * x * v11));
    return { x, fit, se, ciLower: fit - crit * se, ciUpper: fit + crit * se };
  });
}
