/**
 * Sensitivity analyses that refit the request's model on subsets: leave-one-out (Viechtbauer & Cheung 2010,
 * metafor `leave1out`) and cumulative meta-analysis (Lau et al. 1992, metafor `cumul`).
 */
import { estimateOf, fitModel } from "./fit";
import { newWlsState } from "./tau2";
import type { PreparedStudy } from "./effect-sizes";
import type { CumulativeStep, FitOptions, LeaveOneOutResult } from "./types";

/**
 * The model refitted without each study in turn, in input order (k >= 2; empty otherwise). Each fit is a full fit
 * (its own τ², Q and I² on k - 1 studies). The buffers hold all studies but the left-out one; moving on to the next
 * study only puts the previous one back in its slot, so each step costs the fit alone.
 */
export function leaveOneOut(ids: readonly string[], y: Float64Array, v: Float64Array, options: FitOptions): LeaveOneOutResult[] {
  const k = y.length;
  if (k < 2) return [];
  const ys = y.slice(1);
  const vs = v.slice(1);
  const state = newWlsState();
  const out: LeaveOneOutResult[] = [];
  for (let i = 0; i < k; i++) {
    if (i > 0) {
      ys[i - 1] = y[i - 1]!;
      vs[i - 1] = v[i - 1]!;
    }
    const fit = fitModel(ys, vs, options, k - 1, state);
    out.push({
      id: ids[i]!,
      estimate: fit.estimate,
      se: fit.se,
      ciLower: fit.ciLower,
      ciUpper: fit.ciUpper,
      pValue: fit.pValue,
      tau2: fit.tau2,
      Q: fit.Q,
      I2: fit.I2,
    });
  }
  return out;
}

/**
 * Order of a cumulative meta-analysis: "input" (as entered), "year" (ascending; studies without a year last,
 * ties in input order), or a list of study ids (those listed first, in that order; the rest in input order).
 */
export type CumulativeOrder = "input" | "year" | readonly string[];

/** Indices of `studies` in the requested cumulative order. */
export function cumulativeOrder(studies: readonly PreparedStudy[], order: CumulativeOrder): number[] {
  const indices = studies.map((_, i) => i);
  if (order === "input") return indices;
  if (order === "year") {
    const key = (i: number) => studies[i]!.year ?? Infinity;
    return indices.sort((a, b) => key(a) - key(b) || a - b);
  }
  const position = new Map<string, number>();
  order.forEach((id, p) => {
    if (!position.has(id)) position.set(id, p);
  });
  const key = (i: number) => position.get(studies[i]!.id) ?? order.length;
  return indices.sort((a, b) => key(a) - key(b) || a - b);
}

/**
 * Cumulative meta-analysis: for each prefix of the ordered studies, the request's model fitted to it (its estimate,
 * se, interval, p, τ² and I²), so that one sees how the evidence accumulated.
 */
export function cumulativeAnalysis(studies: readonly PreparedStudy[], options: FitOptions, order: CumulativeOrder): CumulativeStep[] {
  const sequence = cumulativeOrder(studies, order);
  const y = Float64Array.from(sequence, (i) => studies[i]!.yi);
  const v = Float64Array.from(sequence, (i) => studies[i]!.vi);
  const state = newWlsState();
  return sequence.map((index, step) => {
    const fit = fitModel(y, v, options, step + 1, state);
    const study = studies[index]!;
    return { id: study.id, year: study.year, k: fit.k, ...estimateOf(fit), tau2: fit.tau2, I2: fit.I2 };
  });
}
