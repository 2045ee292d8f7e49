import { fmt } from "@/app/_lib/format";

export type Measure = "MD" | "SMD" | "ROM" | "NMD";

/**
 * How a measure is shown. The engine works on the analysis scale (ROM as a log ratio); ratios are displayed
 * back-transformed (exp), on a log axis whose line of no effect is at 1.
 */
export const measureInfo: Record<Measure, { name: string; short: string; log: boolean }> = {
  MD: { name: "Mean difference", short: "MD", log: false },
  SMD: { name: "Std. mean difference (Hedges' g)", short: "SMD", log: false },
  ROM: { name: "Ratio of means", short: "ROM", log: true },
  NMD: { name: "Normalised mean difference (% of the injury effect)", short: "NMD %", log: false },
};

/**
 * The "Favours" labels under an effect axis, left then right of the line of no effect. MD, SMD and ROM are treated
 * minus control, so a positive effect favours the treated arm when higher values are better (BBB) and the control
 * when lower values are (lesion volume). NMD is positive for an improvement whatever the direction (Vesterinen et
 * al. 2014; CONTRACT.md "Preclinical conventions"), so it always favours the treated arm on the right.
 */
export function favoursLabels(measure: Measure, higherIsBetter: boolean): [string, string] {
  return measure === "NMD" || higherIsBetter ? ["Favours control", "Favours treated"] : ["Favours treated", "Favours control"];
}

/** A value of the analysis scale as displayed (ratio for ROM), via app/_lib/format (never NaN: "—"). */
export function fmtEffect(value: number | null | undefined, measure: Measure, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return fmt(measureInfo[measure].log ? Math.exp(value) : value, digits);
}

/** "1.23 [0.45, 2.01]" (RevMan's notation). */
export function fmtEffectCi(estimate: number | null | undefined, lower: number | null | undefined, upper: number | null | undefined, measure: Measure): string {
  return `${fmtEffect(estimate, measure)} [${fmtEffect(lower, measure)}, ${fmtEffect(upper, measure)}]`;
}

const finite = (values: readonly (number | null | undefined)[]) => values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export type EffectAxis = { domain: [number, number]; ticks: number[]; format: (v: number) => string; nullValue: number };

/**
 * The x axis of a forest-type plot on the analysis scale: it always holds the line of no effect and the
 * `keep` values (pooled intervals), and the study intervals unless a few extreme ones would squash the rest:
 * then whiskers are clipped (drawn with arrows), as RevMan and R `meta` do.
 */
export function effectAxis(
  intervals: readonly { lower: number | null; upper: number | null }[],
  keep: readonly (number | null | undefined)[],
  measure: Measure,
  { clip = true }: { clip?: boolean } = {},
): EffectAxis {
  const nullValue = 0;
  const lows = finite(intervals.map((i) => i.lower)).sort((a, b) => a - b);
  const highs = finite(intervals.map((i) => i.upper)).sort((a, b) => a - b);
  const kept = finite([...keep, nullValue]);
  let min = Math.min(...kept, ...(lows.length ? [lows[0]!] : []));
  let max = Math.max(...kept, ...(highs.length ? [highs[highs.length - 1]!] : []));
  if (clip && lows.length >= 5) {
    const coreLow = quantile(lows, 0.1);
    const coreHigh = quantile(highs, 0.9);
    const core = Math.max(coreHigh - coreLow, 1e-9);
    if (max - min > 3 * core) {
      min = Math.min(...kept, coreLow - 0.5 * core);
      max = Math.max(...kept, coreHigh + 0.5 * core);
    }
  }
  if (!(max > min)) {
    min -= 1;
    max += 1;
  }
  if (measureInfo[measure].log) return logAxis(min, max);
  const pad = 0.04 * (max - min);
  const lo = min === nullValue ? min : min - pad;
  const hi = max === nullValue ? max : max + pad;
  const { ticks, step } = niceTicks(lo, hi, { aligned: false });
  const digits = decimalsOf(step);
  return { domain: [Math.min(lo, ticks[0]!), Math.max(hi, ticks[ticks.length - 1]!)], ticks, format: (v) => fmt(v, digits), nullValue };
}

/** Decimals needed to print multiples of `step` exactly (1 → 0, 0.5 → 1, 0.25 → 2). */
export function decimalsOf(step: number): number {
  for (let d = 0; d < 6; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-9) return d;
  return 6;
}

/**
 * Round ticks (steps of 1, 2, 2.5 or 5 × 10ⁿ). `aligned`: the ticks enclose [min, max] with the least overhang
 * (an axis that starts and ends on a tick); otherwise the ticks lie inside [min, max], 4 to 7 of them, so the
 * data fill the axis (Recharts' own nice ticks can double the range).
 */
export function niceTicks(min: number, max: number, { aligned = true }: { aligned?: boolean } = {}): { ticks: number[]; step: number } {
  const span = Math.max(max - min, 1e-12);
  const magnitude = 10 ** Math.floor(Math.log10(span));
  let best: { ticks: number[]; step: number; score: number } | null = null;
  for (const scale of [0.1, 1, 10])
    for (const m of [1, 2, 2.5, 5]) {
      const step = m * magnitude * scale;
      const first = aligned ? Math.floor(min / step + 1e-9) : Math.ceil(min / step - 1e-9);
      const last = aligned ? Math.ceil(max / step - 1e-9) : Math.floor(max / step + 1e-9);
      const n = last - first + 1;
      if (n < 4 || n > (aligned ? 8 : 7)) continue;
      // Aligned: least overhang. Inside: about 5 ticks, 2.5 steps only when nothing else fits.
      const score = aligned ? (last - first) * step - span + n * 1e-9 : Math.abs(n - 5.5) + (m === 2.5 ? 2 : 0);
      if (!best || score < best.score) best = { step, score, ticks: Array.from({ length: n }, (_, i) => Number(((first + i) * step).toFixed(10))) };
    }
  return best ?? { ticks: [min, max], step: span };
}

/**
 * The log axis of ratio measures: round ratios as ticks (0.9, 1, 1.1… over a narrow range; 0.5, 1, 2… over a
 * wide one), the analysis scale (log) underneath.
 */
function logAxis(min: number, max: number): EffectAxis {
  const pad = 0.04 * (max - min);
  const lo = min === 0 ? min : min - pad;
  const hi = max === 0 ? max : max + pad;
  const ratioLo = Math.exp(lo);
  const ratioHi = Math.exp(hi);
  let ticks: number[];
  if (ratioHi / ratioLo < 4) {
    ticks = niceTicks(ratioLo, ratioHi, { aligned: false }).ticks.filter((t) => t > 0);
  } else {
    const candidates = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100];
    ticks = candidates.filter((c) => c >= ratioLo && c <= ratioHi);
    if (ticks.length > 7) ticks = ticks.filter((c) => [0.01, 0.1, 1, 10, 100].includes(c));
  }
  if (ticks.length < 2) ticks = [ratioLo, 1, ratioHi].filter((t, i, a) => a.indexOf(t) === i).sort((a, b) => a - b);
  // Ratios print as they are read: 0.5, 1, 1.25, 2 (no trailing zeros).
  return { domain: [lo, hi], ticks: ticks.map(Math.log), format: (v) => (Number.isFinite(v) ? String(Number(Math.exp(v).toFixed(2))) : "—"), nullValue: 0 };
}
