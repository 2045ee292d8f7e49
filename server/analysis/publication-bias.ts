/**
 * Small-study effects and publication bias: Egger's regression test, Begg's rank correlation test and
 * Duval & Tweedie's trim-and-fill, each as metafor 3.8 computes it (`regtest(model = "lm")`, `ranktest`,
 * `trimfill`).
 */
import { pnorm, pTTwoSided } from "./distributions";
import { estimateOf, finiteOrNull, fitModel, type ModelFit } from "./fit";
import { design, estimateTau2, newWlsState, wlsAt, type Design } from "./tau2";
import type { BeggResult, EggerResult, FitOptions, ImputedStudy, TrimFillResult } from "./types";

/** The design y = b0 + b1·√v, used by Egger's test and by trim-and-fill to choose its side. */
function standardErrorDesign(y: Float64Array, v: Float64Array): Design {
  return design(y, v, y.length, v.map(Math.sqrt));
}

/**
 * True when every standard error is the same, up to rounding: max √v - min √v <= 1e-8·max √v (contract). Then the
 * regression on the standard error has no slope to estimate (metafor refuses it: "model matrix not of full rank"),
 * so Egger's test and trim-and-fill, which picks its side from that slope, are undefined.
 */
export function standardErrorsAllEqual(v: Float64Array): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const vi of v) {
    const se = Math.sqrt(vi);
    if (se < lo) lo = se;
    if (se > hi) hi = se;
  }
  return hi - lo <= 1e-8 * hi;
}

/**
 * Egger's regression test (Egger, Davey Smith, Schneider & Minder 1997), in its weighted-regression form:
 * y = b0 + b1·se by weighted least squares with weights 1/v; the asymmetry coefficient ("bias") is b1, its
 * standard error uses the ordinary lm residual variance Σw r²/(k - 2), tested with t_{k-2}. Needs k >= 3 and
 * standard errors that are not all equal (else null).
 */
export function eggerTest(y: Float64Array, v: Float64Array): EggerResult | null {
  const k = y.length;
  if (k < 3 || standardErrorsAllEqual(v)) return null;
  const s = wlsAt(standardErrorDesign(y, v), 0, newWlsState());
  if (!(s.sxx > 0)) return null;
  const df = k - 2;
  const se = Math.sqrt(s.rss / df / s.sxx);
  const statistic = finiteOrNull(s.slope / se);
  return { bias: s.slope, se, statistic, df, pValue: statistic === null ? null : pTTwoSided(statistic, df) };
}

/** Kendall's S = concordant - discordant pairs, τ-b and the tie structure of both variables. */
export interface KendallResult {
  n: number;
  S: number;
  tau: number | null;
  /** Sizes (>= 2) of the groups of tied values in x and in y. */
  xTies: number[];
  yTies: number[];
}

/** Sizes of runs of equal values in a sorted sequence, given as an accessor. */
function tieGroups(n: number, at: (i: number) => number): number[] {
  const sizes: number[] = [];
  let run = 1;
  for (let i = 1; i <= n; i++) {
    if (i < n && at(i) === at(i - 1)) run++;
    else {
      if (run > 1) sizes.push(run);
      run = 1;
    }
  }
  return sizes;
}

const pairs = (sizes: number[]) => sizes.reduce((sum, t) => sum + (t * (t - 1)) / 2, 0);

/**
 * Kendall's τ-b in O(n log n) (Knight 1966): sort by x then y, count the discordant pairs as the exchanges of a
 * merge sort on y, and correct for ties in x, in y and in both.
 */
export function kendall(x: ArrayLike<number>, y: ArrayLike<number>): KendallResult {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a]! - x[b]! || y[a]! - y[b]! || a - b);
  const xTies = tieGroups(n, (i) => x[order[i]!]!);
  let jointPairs = 0;
  let run = 1;
  for (let i = 1; i <= n; i++) {
    const a = order[i - 1]!;
    const b = order[i];
    if (b !== undefined && x[a] === x[b] && y[a] === y[b]) run++;
    else {
      jointPairs += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  let ys = Float64Array.from(order, (i) => y[i]!);
  let buffer = new Float64Array(n);
  let discordant = 0;
  // Bottom-up merge sort; a pair is an exchange when a right element is strictly below a left one.
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let out = lo;
      while (i < mid && j < hi) {
        if (ys[j]! < ys[i]!) {
          discordant += mid - i;
          buffer[out++] = ys[j++]!;
        } else buffer[out++] = ys[i++]!;
      }
      while (i < mid) buffer[out++] = ys[i++]!;
      while (j < hi) buffer[out++] = ys[j++]!;
    }
    [ys, buffer] = [buffer, ys];
  }
  const yTies = tieGroups(n, (i) => ys[i]!);
  const n0 = (n * (n - 1)) / 2;
  const n1 = pairs(xTies);
  const n2 = pairs(yTies);
  const S = n0 - n1 - n2 + jointPairs - 2 * discordant;
  return { n, S, tau: finiteOrNull(S / Math.sqrt((n0 - n1) * (n0 - n2))), xTies, yTies };
}

const mahonianCache = new Map<number, Float64Array>();

/**
 * Distribution of the number of inversions of a random permutation of n (the null distribution of Kendall's
 * statistic without ties): P_n(j) = (1/n)·Σ_{i<n} P_{n-1}(j - i), built up from n = 1. The same recursion as R's
 * `ckendall`, normalised at each step so that nothing overflows.
 */
function kendallNullDistribution(n: number): Float64Array {
  const cached = mahonianCache.get(n);
  if (cached) return cached;
  let dist = new Float64Array([1]);
  for (let m = 2; m <= n; m++) {
    const next = new Float64Array((m * (m - 1)) / 2 + 1);
    let window = 0;
    for (let j = 0; j < next.length; j++) {
      window += dist[j] ?? 0;
      if (j - m >= 0) window -= dist[j - m] ?? 0;
      next[j] = window / m;
    }
    dist = next;
  }
  mahonianCache.set(n, dist);
  return dist;
}

/**
 * Two-sided p-value of Kendall's τ as R `cor.test(method = "kendall")` computes it. Without ties and with
 * `exact`: q = number of concordant pairs, p = min(1, 2·P(T <= q)), or 2·P(T >= q) when q > n(n-1)/4.
 * Otherwise the normal approximation z = S/√var(S) with the tie-corrected variance (Kendall 1970) and no
 * continuity correction.
 */
export function kendallPValue(r: KendallResult, exact: boolean): number | null {
  const { n, S } = r;
  if (exact && r.xTies.length === 0 && r.yTies.length === 0) {
    const dist = kendallNullDistribution(n);
    const q = Math.round((S + (n * (n - 1)) / 2) / 2);
    let p = 0;
    if (q > (n * (n - 1)) / 4) for (let j = q; j < dist.length; j++) p += dist[j]!;
    else for (let j = 0; j <= q; j++) p += dist[j]!;
    return Math.min(1, 2 * p);
  }
  const sum = (sizes: number[], f: (t: number) => number) => sizes.reduce((acc, t) => acc + f(t), 0);
  const vt = sum(r.xTies, (t) => t * (t - 1) * (2 * t + 5));
  const vu = sum(r.yTies, (t) => t * (t - 1) * (2 * t + 5));
  const v1 = sum(r.xTies, (t) => t * (t - 1)) * sum(r.yTies, (t) => t * (t - 1));
  const v2 = sum(r.xTies, (t) => t * (t - 1) * (t - 2)) * sum(r.yTies, (t) => t * (t - 1) * (t - 2));
  const varS = (n * (n - 1) * (2 * n + 5) - vt - vu) / 18 + v1 / (2 * n * (n - 1)) + v2 / (9 * n * (n - 1) * (n - 2));
  const z = S / Math.sqrt(varS);
  return Number.isFinite(z) ? 2 * pnorm(-Math.abs(z)) : null;
}

/**
 * Begg's rank correlation test (Begg & Mazumdar 1994), metafor `ranktest`: Kendall's τ between the standardised
 * deviates (y - μ̂)/√(v - 1/Σ(1/v)), μ̂ the fixed-effect estimate whatever the model, and the variances v.
 * Exact p-value for k < 50 without ties. Needs k >= 3.
 */
export function beggTest(y: Float64Array, v: Float64Array): BeggResult | null {
  const k = y.length;
  if (k < 3) return null;
  let sw = 0;
  let swy = 0;
  for (let i = 0; i < k; i++) {
    sw += 1 / v[i]!;
    swy += y[i]! / v[i]!;
  }
  const mu = swy / sw;
  const deviates = y.map((yi, i) => (yi - mu) / Math.sqrt(v[i]! - 1 / sw));
  const r = kendall(deviates, v);
  return { tau: r.tau, pValue: r.tau === null ? null : kendallPValue(r, k < 50) };
}

/** R's round(): halves go to the even neighbour (IEC 60559). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const TRIM_FILL_MAX_ROUNDS = 100;

/**
 * Trim and fill (Duval & Tweedie 2000a, 2000b) with the L0 estimator, as metafor `trimfill`:
 * 1. side: the slope b1 of y = b0 + b1·√v fitted as a meta-regression of the request's kind (its own residual τ²);
 *    missing studies are on the "right" when b1 < 0, and then every y is negated.
 * 2. With y sorted ascending, repeat until k0 repeats: fit the first k - k0, b its estimate; rank |y - b| over all k
 *    (ties by position); Sr = sum of the ranks with y - b > 0; k0 = max(0, round((4Sr - k(k+1))/(2k - 1))).
 * 3. Fill 2b - y (same v) for the k0 largest y and refit all k + k0 studies; with k0 = 0 the original fit stands.
 * Returns null when the rounds do not settle (as metafor stops with an error), when k < 3, or when the standard
 * errors are all equal (no side can be chosen; see `standardErrorsAllEqual`).
 */
export function trimAndFill(y: Float64Array, v: Float64Array, options: FitOptions, original: ModelFit): TrimFillResult | null {
  const k = y.length;
  if (k < 3 || standardErrorsAllEqual(v)) return null;
  const design = standardErrorDesign(y, v);
  const sideTau2 = options.model === "random" ? estimateTau2(design, options.tau2Method) : 0;
  const side = wlsAt(design, sideTau2, newWlsState()).slope < 0 ? "right" : "left";
  const sign = side === "right" ? -1 : 1;
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => sign * y[a]! - sign * y[b]! || a - b);
  const ys = Float64Array.from(order, (i) => sign * y[i]!);
  const vs = Float64Array.from(order, (i) => v[i]!);
  const state = newWlsState();
  const ranked = Array.from({ length: k }, (_, i) => i);
  const deviation = new Float64Array(k);
  let k0 = 0;
  let previous = -1;
  let b = 0;
  for (let round = 0; k0 !== previous; round++) {
    if (round === TRIM_FILL_MAX_ROUNDS) return null;
    previous = k0;
    b = fitModel(ys, vs, options, k - k0, state).estimate;
    for (let i = 0; i < k; i++) deviation[i] = ys[i]! - b;
    ranked.sort((i, j) => Math.abs(deviation[i]!) - Math.abs(deviation[j]!) || i - j);
    let Sr = 0;
    ranked.forEach((i, rank) => {
      if (deviation[i]! > 0) Sr += rank + 1;
    });
    k0 = Math.max(0, roundHalfEven((4 * Sr - k * (k + 1)) / (2 * k - 1)));
  }
  const summary = (fit: ModelFit, imputed: ImputedStudy[]): TrimFillResult => ({ k0, side, ...estimateOf(fit), imputed });
  if (k0 === 0) return summary(original, []);
  const imputed: ImputedStudy[] = [];
  for (let i = k - k0; i < k; i++) imputed.push({ yi: sign * (2 * b - ys[i]!), vi: vs[i]!, se: Math.sqrt(vs[i]!) });
  const yAll = Float64Array.from([...y, ...imputed.map((s) => s.yi)]);
  const vAll = Float64Array.from([...v, ...imputed.map((s) => s.vi)]);
  return summary(fitModel(yAll, vAll, options), imputed);
}
