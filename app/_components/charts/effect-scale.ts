import { getNiceTickValues } from "recharts";
import { fmt } from "@/app/_lib/format";

export type Measure = "MD" | "SMD" | "ROM";

/**
 * How a measure is shown. The engine works on the analysis scale (ROM as a log ratio); ratios are displayed
 * back-transformed (exp), on a log axis whose line of no effect is at 1.
 */
export const measureInfo: Record<Measure, { name: string; short: string; log: boolean }> = {
  MD: { name: "Mean difference", short: "MD", log: false },
  SMD: { name: "Std. mean difference (Hedges' g)", short: "SMD", log: false },
  ROM: { name: "Ratio of means", short: "ROM", log: true },
};

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
export function effectAxis(intervals: readonly { lower: number | null; upper: number | null }[], keep: readonly (number | null | undefined)[], measure: Measure): EffectAxis {
  const nullValue = 0;
  const lows = finite(intervals.map((i) => i.lower)).sort((a, b) => a - b);
  const highs = finite(intervals.map((i) => i.upper)).sort((a, b) => a - b);
  const kept = finite([...keep, nullValue]);
  let min = Math.min(...kept, ...(lows.length ? [lows[0]!] : []));
  let max = Math.max(...kept, ...(highs.length ? [highs[highs.length - 1]!] : []));
  if (lows.length >= 5) {
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
  const ticks = getNiceTickValues([min, max], 6, true);
  const domain: [number, number] = [Math.min(ticks[0] ?? min, min), Math.max(ticks[ticks.length - 1] ?? max, max)];
  const step = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) : 1;
  const digits = step >= 1 ? 0 : step >= 0.1 ? 1 : 2;
  return { domain, ticks, format: (v) => fmt(v, digits), nullValue };
}

/** Ratio ticks (…0.5, 1, 2…) on the log scale. */
function logAxis(min: number, max: number): EffectAxis {
  const candidates = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 4, 5, 10, 20, 50, 100];
  const lo = Math.exp(min);
  const hi = Math.exp(max);
  let ticks = candidates.filter((c) => c >= lo * 0.999 && c <= hi * 1.001);
  if (ticks.length > 7) ticks = ticks.filter((c) => [0.01, 0.1, 0.5, 1, 2, 10, 100, 0.2, 5].includes(c));
  const domain: [number, number] = [Math.min(min, Math.log(ticks[0] ?? lo)), Math.max(max, Math.log(ticks[ticks.length - 1] ?? hi))];
  return { domain, ticks: ticks.map(Math.log), format: (v) => (Number.isFinite(v) ? String(Number(Math.exp(v).toFixed(2))) : "—"), nullValue: 0 };
}
