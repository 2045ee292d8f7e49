/**
 * Between-study variance (τ²) estimators, as metafor `rma.uni` 3.8 computes them, for the intercept-only model,
 * for a model with one moderator (which trim-and-fill needs to pick its side) and for a meta-regression on any
 * number of moderators.
 *
 * Everything is expressed through the sums of one weighted least-squares fit at a given τ² (`wlsAt`), which costs
 * O(k·p²): the traces of P = W - WX(XᵀWX)⁻¹XᵀW and of PP are closed forms in Σw, Σw², Σw³ (and their moderator
 * analogues XᵀWᵐX), so Fisher scoring never builds a k×k matrix.
 */
import { inverseSpd, multiply, traceOfProductSymmetric, traceOfSquare } from "./linear-algebra";
import type { Tau2Method } from "./types";

/**
 * Effect sizes y with sampling variances v, the first n of them used; x is the moderator, or null; `columns` the
 * design matrix of a meta-regression (see `regressionDesign`), or null.
 * `shift` is a value near the fitted mean that y is centred at in the one-pass sums of the intercept-only model
 * (see `wlsAt`); `design` sets it to the unweighted mean, as metafor centres y.
 */
export interface Design {
  y: Float64Array;
  v: Float64Array;
  n: number;
  x: Float64Array | null;
  /**
   * Meta-regression: the p columns of X, the intercept (all 1) first, each moderator centred at its unweighted
   * mean. Centring changes neither P, its traces nor det(XᵀWX) (it is X·T with T unit triangular), only the
   * intercept's meaning, and keeps XᵀWX well conditioned for covariates such as a year.
   */
  columns: readonly Float64Array[] | null;
  shift: number;
}

/** A design over the first n of (y, v), centred at the unweighted mean of y. */
export function design(y: Float64Array, v: Float64Array, n = y.length, x: Float64Array | null = null): Design {
  return { y, v, n, x, columns: null, shift: n > 0 ? mean(y, n) : 0 };
}

/**
 * The design of a meta-regression of y on the given moderator columns (all of length n = y.length), which must
 * be linearly independent of each other and of the intercept. `centres` are the means the moderators were
 * centred at (to turn the intercept back into the value at x = 0).
 */
export function regressionDesign(y: Float64Array, v: Float64Array, moderators: readonly Float64Array[]): { design: Design; centres: number[] } {
  const n = y.length;
  const centres = moderators.map((x) => mean(x, n));
  const columns = [new Float64Array(n).fill(1), ...moderators.map((x, j) => x.map((xi) => xi - centres[j]!))];
  return { design: { y, v, n, x: null, columns, shift: n > 0 ? mean(y, n) : 0 }, centres };
}

/** p, the number of columns of X (the intercept included). */
export function parameterCount(d: Design): number {
  return d.columns ? d.columns.length : d.x ? 2 : 1;
}

/** The sums of one weighted least-squares fit with weights w = 1/(v + τ²). Reused across iterations. */
export interface WlsState {
  sumW: number;
  sumW2: number;
  sumW3: number;
  /** Intercept-only: μ̂ = Σwy/Σw. With a moderator: the weighted mean of y (the fit's value at x = x̄). */
  mean: number;
  /** Coefficient of the moderator (0 without one). */
  slope: number;
  /** Σw(x - x̄)², the moderator's weighted sum of squares (0 without one). */
  sxx: number;
  /** Generalised Q: yᵀPy = Σw r². */
  rss: number;
  /** yᵀPPy = Σw² r². */
  rssW: number;
  trP: number;
  trPP: number;
  /** log det(XᵀWX), for the restricted likelihood. */
  logDet: number;
  /**
   * Meta-regression designs only (else null): b = (XᵀWX)⁻¹XᵀW(y - shift) and (XᵀWX)⁻¹ (row-major p×p), in the
   * centred parametrisation of `Design.columns`.
   */
  beta: Float64Array | null;
  inverse: Float64Array | null;
}

/** Scratch for `wlsAt`; one per loop of fits, so that iterations do not allocate. */
export function newWlsState(): WlsState {
  return { sumW: 0, sumW2: 0, sumW3: 0, mean: 0, slope: 0, sxx: 0, rss: 0, rssW: 0, trP: 0, trPP: 0, logDet: 0, beta: null, inverse: null };
}

/**
 * Intercept-only sums in one pass over the data (the hot loop of every iterative estimator). The residual sums are
 * expanded around d.shift: with c = y - shift and m = Σwc/Σw, Σw r² = Σwc² - m·Σwc and
 * Σw²r² = Σw²c² - 2mΣw²c + m²Σw². That loses about log10(1 + m²Σw/Σw r²) digits, so d.shift then moves to the
 * fitted mean: at the next, nearby τ² m is tiny. When m is not small (a jump in τ², or weights spanning many
 * orders of magnitude), the pass is repeated around the new mean until it is.
 */
function interceptSums(d: Design, tau2: number, out: WlsState): WlsState {
  const { y, v, n } = d;
  for (let pass = 0; ; pass++) {
    const shift = d.shift;
    let s0 = 0;
    let s2 = 0;
    let s3 = 0;
    let sc = 0;
    let scc = 0;
    let s2c = 0;
    let s2cc = 0;
    let crossW = 0;
    for (let i = 0; i < n; i++) {
      const w = 1 / (v[i]! + tau2);
      const c = y[i]! - shift;
      const wc = w * c;
      const w2 = w * w;
      crossW += w * s0;
      s0 += w;
      s2 += w2;
      s3 += w2 * w;
      sc += wc;
      scc += wc * c;
      s2c += w * wc;
      s2cc += w * wc * c;
    }
    const m = sc / s0;
    const rss = scc - m * sc;
    const rssW = s2cc - 2 * m * s2c + m * m * s2;
    d.shift = shift + m;
    // Each repeat gains about 16 digits on the centre; weights spanning 50 orders of magnitude need three.
    if (pass < 4 && (m * m * s0 > 1e3 * rss || m * m * s2 > 1e3 * rssW)) continue;
    const ab00 = s2 / s0;
    out.sumW = s0;
    out.sumW2 = s2;
    out.sumW3 = s3;
    out.mean = shift + m;
    out.slope = 0;
    out.sxx = 0;
    out.rss = Math.max(0, rss);
    out.rssW = Math.max(0, rssW);
    // tr P = Σw - Σw²/Σw = 2·Σ_{i<j} wi·wj/Σw: the sum of positive terms keeps its precision when one weight
    // dominates, where the difference would cancel (DL and the REML fixed point depend on tr P).
    out.trP = (2 * crossW) / s0;
    out.trPP = s2 - (2 * s3) / s0 + ab00 * ab00;
    out.logDet = Math.log(s0);
    return out;
  }
}

/**
 * Sums of the model with one moderator x, centred at its weighted mean x̄ (which makes XᵀWX diagonal without
 * changing P, the traces or the determinant). With A = (XᵀWX)⁻¹ and Bm = XᵀWᵐX: tr P = Σw - tr(A·B2) and
 * tr(PP) = Σw² - 2·tr(A·B3) + tr((A·B2)²).
 */
function moderatorSums(d: Design, x: Float64Array, tau2: number, out: WlsState): WlsState {
  const { y, v, n } = d;
  let s0 = 0;
  let sy = 0;
  let sx = 0;
  for (let i = 0; i < n; i++) {
    const w = 1 / (v[i]! + tau2);
    s0 += w;
    sy += w * y[i]!;
    sx += w * x[i]!;
  }
  const ybar = sy / s0;
  const xbar = sx / s0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const w = 1 / (v[i]! + tau2);
    const dx = x[i]! - xbar;
    sxx += w * dx * dx;
    sxy += w * dx * (y[i]! - ybar);
  }
  const slope = sxy / sxx;
  let rss = 0;
  let rssW = 0;
  let s2 = 0;
  let s3 = 0;
  // Moderator terms of B2 and B3: Σw²dx, Σw²dx², Σw³dx².
  let t1 = 0;
  let t2 = 0;
  let u2 = 0;
  for (let i = 0; i < n; i++) {
    const w = 1 / (v[i]! + tau2);
    const w2 = w * w;
    const dx = x[i]! - xbar;
    const r = y[i]! - ybar - slope * dx;
    rss += w * r * r;
    rssW += w2 * r * r;
    s2 += w2;
    s3 += w2 * w;
    t1 += w2 * dx;
    t2 += w2 * dx * dx;
    u2 += w2 * w * dx * dx;
  }
  const ab00 = s2 / s0;
  const ab11 = t2 / sxx;
  out.sumW = s0;
  out.sumW2 = s2;
  out.sumW3 = s3;
  out.mean = ybar;
  out.slope = slope;
  out.sxx = sxx;
  out.rss = rss;
  out.rssW = rssW;
  out.trP = s0 - ab00 - ab11;
  out.trPP = s2 - 2 * (s3 / s0 + u2 / sxx) + ab00 * ab00 + (2 * t1 * t1) / (s0 * sxx) + ab11 * ab11;
  out.logDet = Math.log(s0) + Math.log(sxx);
  return out;
}

/** Marks a fit that cannot be computed (XᵀWX not positive definite): every sum NaN, which the estimators treat as no estimate. */
function undefinedFit(out: WlsState): WlsState {
  out.rss = out.rssW = out.trP = out.trPP = out.logDet = out.mean = Number.NaN;
  out.beta = out.inverse = null;
  return out;
}

/**
 * Sums of a meta-regression with design matrix X (p columns, `Design.columns`) at τ², in O(k·p²) plus the
 * inversion of the p×p matrix A = XᵀWX: with Bm = XᵀWᵐX, tr P = Σw - tr(A⁻¹B2) and
 * tr(PP) = Σw² - 2·tr(A⁻¹B3) + tr((A⁻¹B2)²) (P = W - WXA⁻¹XᵀW, so PP = W² - 2W²XA⁻¹XᵀW + WXA⁻¹B2A⁻¹XᵀW),
 * yᵀPy = Σw r² and yᵀPPy = Σw² r² with r = y - Xb (Py = W r).
 */
function regressionSums(d: Design, columns: readonly Float64Array[], tau2: number, out: WlsState): WlsState {
  const { y, v, n, shift } = d;
  const p = columns.length;
  const a = new Float64Array(p * p);
  const b2 = new Float64Array(p * p);
  const b3 = new Float64Array(p * p);
  const c = new Float64Array(p);
  const row = new Float64Array(p);
  let s0 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let i = 0; i < n; i++) {
    const w = 1 / (v[i]! + tau2);
    const w2 = w * w;
    const w3 = w2 * w;
    const yc = y[i]! - shift;
    s0 += w;
    s2 += w2;
    s3 += w3;
    for (let j = 0; j < p; j++) row[j] = columns[j]![i]!;
    for (let j = 0; j < p; j++) {
      const xj = row[j]!;
      c[j]! += w * xj * yc;
      for (let l = 0; l <= j; l++) {
        const xjl = xj * row[l]!;
        a[j * p + l]! += w * xjl;
        b2[j * p + l]! += w2 * xjl;
        b3[j * p + l]! += w3 * xjl;
      }
    }
  }
  for (let j = 0; j < p; j++)
    for (let l = 0; l < j; l++) {
      a[l * p + j] = a[j * p + l]!;
      b2[l * p + j] = b2[j * p + l]!;
      b3[l * p + j] = b3[j * p + l]!;
    }
  out.sumW = s0;
  out.sumW2 = s2;
  out.sumW3 = s3;
  const solved = inverseSpd(a, p);
  if (!solved) return undefinedFit(out);
  const { inverse, logDet } = solved;
  const beta = new Float64Array(p);
  for (let j = 0; j < p; j++) for (let l = 0; l < p; l++) beta[j]! += inverse[j * p + l]! * c[l]!;
  let rss = 0;
  let rssW = 0;
  for (let i = 0; i < n; i++) {
    const w = 1 / (v[i]! + tau2);
    let fitted = 0;
    for (let j = 0; j < p; j++) fitted += columns[j]![i]! * beta[j]!;
    const r = y[i]! - shift - fitted;
    rss += w * r * r;
    rssW += w * w * r * r;
  }
  const ab2 = multiply(inverse, b2, p);
  out.mean = beta[0]! + shift;
  out.slope = 0;
  out.sxx = 0;
  out.rss = rss;
  out.rssW = rssW;
  out.trP = s0 - traceOfProductSymmetric(inverse, b2);
  out.trPP = s2 - 2 * traceOfProductSymmetric(inverse, b3) + traceOfSquare(ab2, p);
  out.logDet = logDet;
  out.beta = beta;
  out.inverse = inverse;
  return out;
}

/**
 * Fills `out` with the weighted least-squares fit at τ²: the traces of P = W - WX(XᵀWX)⁻¹XᵀW and PP are closed
 * forms in Σw, Σw², Σw³ (intercept-only: tr P = Σw - Σw²/Σw, tr(PP) = Σw² - 2Σw³/Σw + (Σw²/Σw)²). The
 * intercept-only and one-moderator cases cost O(k) and do not allocate.
 */
export function wlsAt(d: Design, tau2: number, out: WlsState): WlsState {
  if (d.columns) return regressionSums(d, d.columns, tau2, out);
  return d.x ? moderatorSums(d, d.x, tau2, out) : interceptSums(d, tau2, out);
}

/** Unweighted mean of the first n values. */
function mean(a: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i]!;
  return s / n;
}

/** Σ(y - ȳ)², unweighted. */
function sumSquaredDeviations(y: Float64Array, n: number): number {
  const m = mean(y, n);
  let s = 0;
  for (let i = 0; i < n; i++) s += (y[i]! - m) ** 2;
  return s;
}

/**
 * Hedges (HE) estimator (Hedges & Olkin 1985), metafor's starting value for the iterative estimators:
 * (RSS_OLS - tr(P_OLS·V))/(k - p), i.e. var(y) - mean(v) for the intercept-only model.
 */
export function hedgesEstimate(d: Design): number {
  const { y, v, n, x } = d;
  if (d.columns) return regressionHedgesEstimate(d, d.columns);
  if (!x) return sumSquaredDeviations(y, n) / (n - 1) - mean(v, n);
  const xbar = mean(x, n);
  const ybar = mean(y, n);
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i]! - xbar) ** 2;
    sxy += (x[i]! - xbar) * (y[i]! - ybar);
  }
  const slope = sxy / sxx;
  let rss = 0;
  let trPV = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - xbar;
    rss += (y[i]! - ybar - slope * dx) ** 2;
    trPV += v[i]! * (1 - 1 / n - (dx * dx) / sxx);
  }
  return (rss - trPV) / (n - 2);
}

/**
 * The HE estimator of a meta-regression: ordinary least squares e = (I - H)y, H = X(XᵀX)⁻¹Xᵀ, and
 * (eᵀe - Σvᵢ(1 - hᵢᵢ))/(k - p), hᵢᵢ = xᵢᵀ(XᵀX)⁻¹xᵢ (metafor's start for ML/REML/EB).
 */
function regressionHedgesEstimate(d: Design, columns: readonly Float64Array[]): number {
  const { y, v, n, shift } = d;
  const p = columns.length;
  const a = new Float64Array(p * p);
  const c = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      const xj = columns[j]![i]!;
      c[j]! += xj * (y[i]! - shift);
      for (let l = 0; l < p; l++) a[j * p + l]! += xj * columns[l]![i]!;
    }
  }
  const solved = inverseSpd(a, p);
  if (!solved) return Number.NaN;
  const { inverse } = solved;
  const beta = new Float64Array(p);
  for (let j = 0; j < p; j++) for (let l = 0; l < p; l++) beta[j]! += inverse[j * p + l]! * c[l]!;
  let rss = 0;
  let trPV = 0;
  for (let i = 0; i < n; i++) {
    let fitted = 0;
    let leverage = 0;
    for (let j = 0; j < p; j++) {
      const xj = columns[j]![i]!;
      fitted += xj * beta[j]!;
      for (let l = 0; l < p; l++) leverage += xj * inverse[j * p + l]! * columns[l]![i]!;
    }
    rss += (y[i]! - shift - fitted) ** 2;
    trPV += v[i]! * (1 - leverage);
  }
  return (rss - trPV) / (n - p);
}

/**
 * The τ² ≥ 0 at which the generalised Q statistic, Q(τ²) = Σ(y - Xβ̂)²/(v + τ²), equals `target`; 0 when
 * Q(0) <= target. Q is decreasing and convex in τ² with dQ/dτ² = -yᵀPPy, so Newton's method started at 0
 * approaches the root from below; a bracket guards against rounding near the root. Serves the Paule-Mandel
 * estimator and the Q-profile interval.
 */
export function solveGeneralizedQ(d: Design, target: number, state: WlsState = newWlsState()): number {
  let t = 0;
  let lo = 0;
  let hi = Infinity;
  for (let iter = 0; iter < 500; iter++) {
    wlsAt(d, t, state);
    const f = state.rss - target;
    if (f === 0) return t;
    if (f > 0) lo = t;
    else hi = t;
    if (iter === 0 && f < 0) return 0;
    let next = t + f / state.rssW;
    if (!(next > lo && next < hi)) next = Number.isFinite(hi) ? (lo + hi) / 2 : 2 * lo + 1;
    if (Math.abs(next - t) <= 1e-15 * next || (Number.isFinite(hi) && hi - lo <= 1e-15 * hi)) return next;
    t = next;
  }
  return t;
}

const MAX_ITER = 1000;

/**
 * metafor's `ll0check`: is the (restricted) log-likelihood higher at τ² = 0 than at the estimate? Up to constants,
 * ll(τ²) = -½Σlog(v + τ²) - ½Q(τ²) (- ½log det XᵀWX for REML). The k logarithms are the costly part, and are
 * usually not needed: with x = τ²/v, Σlog(1 + x) <= Σ(x - x²/2 + x³/3) gives a lower bound on ll(τ²) - ll(0)
 * from sums at τ² = 0; when that bound is positive the answer is no.
 */
function higherAtZero(d: Design, tau2: number, reml: boolean, state: WlsState): boolean {
  const { rss: qTau, logDet: detTau } = wlsAt(d, tau2, state);
  const z = wlsAt(d, 0, state);
  const logRatioBound = tau2 * z.sumW - (tau2 * tau2 * z.sumW2) / 2 + (tau2 * tau2 * tau2 * z.sumW3) / 3;
  const common = 0.5 * (z.rss - qTau) + (reml ? 0.5 * (z.logDet - detTau) : 0);
  if (common - 0.5 * logRatioBound > 1e-9 * (1 + Math.abs(z.rss) + logRatioBound)) return false;
  let logRatio = 0;
  for (let i = 0; i < d.n; i++) logRatio += Math.log1p(tau2 / d.v[i]!);
  const llTau = -0.5 * logRatio + common; // ll(τ²) - ll(0)
  return -llTau > 1e-12 * Math.max(1, Math.abs(z.rss) + logRatio);
}

/**
 * Fisher scoring for ML, REML (Viechtbauer 2005) and the empirical Bayes estimator (Morris 1983; Berkey et al.
 * 1995), as metafor iterates: start at max(0, HE); steps ML (yᵀPPy - Σw)/Σw², REML (yᵀPPy - tr P)/tr(PP),
 * EB (Q(τ²)·k/(k-p) - k)/Σw; a step is halved while it would make τ² negative. For ML and REML, when the
 * likelihood at τ² = 0 is higher than at the estimate (a local maximum), the estimate is 0 (metafor's `ll0check`).
 *
 * Each step is g(τ²)/I(τ²), g the estimating function (the numerator above, 0 at the estimate) and I > 0, so the
 * fixed point is the root of g. Fisher scoring converges only linearly, and when τ² is small against the sampling
 * variances it oscillates around the root with a rate near -1 (thousands of iterations). So once two iterates lie
 * on either side of the root, the next one comes from the secant of g through the bracket's ends (regula falsi,
 * Illinois variant; bisection if it leaves the bracket): the same root, reached superlinearly. Stops when a step
 * is below 1e-12 relative (1e-16 absolute).
 */
function fisherScoring(d: Design, method: "ML" | "REML" | "EB", state: WlsState): number {
  const k = d.n;
  const p = parameterCount(d);
  let tau2 = Math.max(0, hedgesEstimate(d));
  if (!Number.isFinite(tau2)) tau2 = 0;
  // Bracket: g > 0 at lo, g < 0 at hi (NaN: not yet seen).
  let lo = Number.NaN;
  let gLo = 0;
  let hi = Number.NaN;
  let gHi = 0;
  let lastMoved = 0;
  for (let iter = 0; iter < MAX_ITER; iter++) {
    const s = wlsAt(d, tau2, state);
    const g = method === "ML" ? s.rssW - s.sumW : method === "REML" ? s.rssW - s.trP : (s.rss * k) / (k - p) - k;
    const information = method === "ML" ? s.sumW2 : method === "REML" ? s.trPP : s.sumW;
    if (g === 0 || !Number.isFinite(g)) break;
    // Illinois rule: when the same end moves twice in a row, halve g at the other end, so that the secant does
    // not stall against a fixed end.
    if (g > 0) {
      if (lastMoved === 1) gHi /= 2;
      lo = tau2;
      gLo = g;
      lastMoved = 1;
    } else {
      if (lastMoved === -1) gLo /= 2;
      hi = tau2;
      gHi = g;
      lastMoved = -1;
    }
    let next: number;
    if (lo >= 0 && hi >= 0) {
      next = lo - (gLo * (hi - lo)) / (gHi - gLo);
      if (!(next > Math.min(lo, hi) && next < Math.max(lo, hi))) next = (lo + hi) / 2;
    } else {
      let adj = g / information;
      if (!Number.isFinite(adj)) adj = 0;
      while (tau2 + adj < 0) adj /= 2;
      next = tau2 + adj;
    }
    const change = Math.abs(next - tau2);
    tau2 = next;
    if (change <= 1e-12 * tau2 || change <= 1e-16) break;
  }
  if (method !== "EB" && tau2 > 0 && higherAtZero(d, tau2, method === "REML", state)) tau2 = 0;
  return tau2;
}

/**
 * τ² of the random-effects (meta-regression) model by `method`, truncated at 0; needs k > p.
 * - DL, DerSimonian & Laird (1986): (Q - (k - p))/tr P at w = 1/v.
 * - HS, Hunter & Schmidt (2004): (Q - k)/Σw at w = 1/v.
 * - SJ, Sidik & Jonkman (2005): τ0² = Σ(y - ȳ)²/k, then τ0²·Q(τ0²)/(k - p).
 * - PM, Paule & Mandel (1982): the root of Q(τ²) = k - p (0 when Q(0) < k - p).
 * - REML (Viechtbauer 2005), ML, EB: Fisher scoring, see `fisherScoring`.
 */
export function estimateTau2(d: Design, method: Tau2Method, state: WlsState = newWlsState()): number {
  const k = d.n;
  const p = parameterCount(d);
  let tau2: number;
  switch (method) {
    case "DL": {
      const s = wlsAt(d, 0, state);
      tau2 = (s.rss - (k - p)) / s.trP;
      break;
    }
    case "HS": {
      const s = wlsAt(d, 0, state);
      tau2 = (s.rss - k) / s.sumW;
      break;
    }
    case "SJ": {
      const tau0 = sumSquaredDeviations(d.y, k) / k;
      tau2 = tau0 > 0 ? (tau0 * wlsAt(d, tau0, state).rss) / (k - p) : 0;
      break;
    }
    case "PM":
      tau2 = solveGeneralizedQ(d, k - p, state);
      break;
    default:
      tau2 = fisherScoring(d, method, state);
  }
  return Number.isFinite(tau2) ? Math.max(0, tau2) : 0;
}
