"use client";
import { memo, useMemo, useRef } from "react";
import { ScatterChart, XAxis, YAxis, usePlotArea, useXAxisScale, useYAxisScale } from "recharts";
import { ScrollBox } from "@/app/_components/scroll-box";
import { fmt } from "@/app/_lib/format";
import type { RegressionLinePoint } from "@/server/analysis";
import { ChartDownloads, CsvDownload } from "./download-buttons";
import { decimalsOf, effectAxis, fmtEffect, measureInfo, niceTicks, type EffectAxis, type Measure } from "./effect-scale";
import { FONT } from "./forest-drawing";

const INK = "#0f172a";
const MUTED = "#334155";
const BUBBLE = "#1e3a8a";
const LINE = "#b91c1c";
const WIDTH = 640;
const HEIGHT = 420;
const MARGIN = { top: 24, right: 24, bottom: 52, left: 64 };
/** The radius of the heaviest study's circle; areas are proportional to weight (as metafor's regplot). */
const MAX_RADIUS = 22;

export type BubblePoint = { id: string; label: string; x: number; yi: number; weight: number; example: boolean };

type ChartProps = {
  points: BubblePoint[];
  line: RegressionLinePoint[];
  xDomain: [number, number];
  xTicks: number[];
  xDigits: number;
  axis: EffectAxis;
  xLabel: string;
  yLabel: string;
  favours: [string, string];
  measure: Measure;
  description: string;
};

function BubbleChartImpl(props: ChartProps) {
  return (
    <ScatterChart width={WIDTH} height={HEIGHT} margin={MARGIN} accessibilityLayer={false} role="img" aria-label="Bubble plot" title="Bubble plot" desc={props.description}>
      <XAxis
        type="number"
        dataKey="x"
        domain={props.xDomain}
        ticks={props.xTicks}
        tickFormatter={(v: number) => fmt(v, props.xDigits)}
        allowDataOverflow
        interval={0}
        stroke={MUTED}
        tick={{ fontSize: 11, fontFamily: FONT, fill: INK }}
        label={{ value: props.xLabel, position: "insideBottom", offset: -12, fontSize: 12, fontFamily: FONT, fill: INK }}
        height={44}
      />
      <YAxis type="number" dataKey="y" domain={props.axis.domain} ticks={props.axis.ticks} tickFormatter={props.axis.format} allowDataOverflow width={56} stroke={MUTED} tick={{ fontSize: 11, fontFamily: FONT, fill: INK }} />
      <BubbleLayer {...props} />
    </ScatterChart>
  );
}

export const BubbleChart = memo(BubbleChartImpl);

/** Circles (area ∝ weight, heaviest drawn first so small ones stay visible), the fitted line and its confidence band. */
function BubbleLayer(props: ChartProps) {
  const xScale = useXAxisScale();
  const yScale = useYAxisScale();
  const plot = usePlotArea();
  if (!xScale || !yScale || !plot) return null;
  const [y0, y1] = props.axis.domain;
  const clampY = (y: number) => Math.min(Math.max(y, y0), y1);
  const px = (x: number) => xScale(x) ?? 0;
  const py = (y: number) => yScale(clampY(y)) ?? 0;
  const maxWeight = Math.max(...props.points.map((p) => p.weight), 1e-9);
  const band = [...props.line.map((p) => `${px(p.x)},${py(p.ciUpper)}`), ...[...props.line].reverse().map((p) => `${px(p.x)},${py(p.ciLower)}`)].join(" ");
  const fitted = props.line.map((p, i) => `${i ? "L" : "M"}${px(p.x)},${py(p.fit)}`).join(" ");
  const zero = props.axis.nullValue >= y0 && props.axis.nullValue <= y1 ? py(props.axis.nullValue) : null;
  return (
    <g fontFamily={FONT} fontSize={11} data-layer="bubbles">
      <defs>
        <clipPath id="bubble-plot-area">
          <rect x={plot.x} y={plot.y} width={plot.width} height={plot.height} />
        </clipPath>
      </defs>
      {zero !== null && <line x1={plot.x} x2={plot.x + plot.width} y1={zero} y2={zero} stroke={MUTED} strokeWidth={1} strokeDasharray="3 3" />}
      <g clipPath="url(#bubble-plot-area)">
        {props.line.length > 1 && <polygon points={band} fill={LINE} fillOpacity={0.12} data-mark="band" />}
        {props.line.length > 1 && <path d={fitted} fill="none" stroke={LINE} strokeWidth={2} data-mark="line" />}
        {[...props.points]
          .sort((a, b) => b.weight - a.weight)
          .map((p) => (
            <circle
              key={p.id}
              data-mark="bubble"
              data-comparison={p.id}
              data-x={p.x}
              data-yi={p.yi}
              data-weight={p.weight}
              cx={px(p.x)}
              cy={py(p.yi)}
              r={Math.max(2, MAX_RADIUS * Math.sqrt(p.weight / maxWeight))}
              fill={BUBBLE}
              fillOpacity={0.35}
              stroke={BUBBLE}
              strokeDasharray={p.example ? "2 2" : undefined}
            >
              <title>{`${p.label}: ${props.xLabel} ${fmt(p.x, props.xDigits)}, ${measureInfo[props.measure].short} ${fmtEffect(p.yi, props.measure)}, weight ${fmt(p.weight, 1)}%`}</title>
            </circle>
          ))}
      </g>
      <text x={plot.x + 4} y={plot.y + 12} fill={MUTED}>
        ↑ {props.favours[1]}
      </text>
      <text x={plot.x + 4} y={plot.y + plot.height - 8} fill={MUTED}>
        ↓ {props.favours[0]}
      </text>
      <text transform={`translate(${plot.x - 48},${plot.y + plot.height / 2}) rotate(-90)`} textAnchor="middle" fill={INK} fontSize={12}>
        {props.yLabel}
      </text>
    </g>
  );
}

/** The bubble plot of a one-moderator meta-regression, with SVG/PNG and CSV downloads. */
export function BubblePlot(props: { points: BubblePoint[]; line: RegressionLinePoint[]; xLabel: string; measure: Measure; favours: [string, string]; basename: string; description: string }) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useMemo(() => {
    const xs = props.points.map((p) => p.x);
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    const pad = hi > lo ? 0.05 * (hi - lo) : 1;
    const { ticks, step } = niceTicks(lo - pad, hi + pad);
    const xDomain: [number, number] = [Math.min(lo - pad, ticks[0]!), Math.max(hi + pad, ticks[ticks.length - 1]!)];
    const axis = effectAxis(
      props.points.map((p) => ({ lower: p.yi, upper: p.yi })),
      props.line.flatMap((p) => [p.ciLower, p.ciUpper]),
      props.measure,
      { clip: false },
    );
    return { xDomain, xTicks: ticks, xDigits: decimalsOf(step), axis };
  }, [props.points, props.line, props.measure]);
  const csvHeader = ["comparison", "comparison_id", "x", "yi", "weight_percent"];
  const csvRows = () => props.points.map((p) => [p.label, p.id, p.x, p.yi, p.weight]);
  return (
    <div className="space-y-1">
      <div className="flex items-center justify-end gap-2">
        <ChartDownloads container={container} chartLabel="Bubble plot" basename={props.basename} />
        <CsvDownload tableLabel="Bubble plot data" basename={`${props.basename}-data`} header={csvHeader} rows={csvRows} />
      </div>
      <ScrollBox label="Bubble plot">
        <div ref={container} data-testid="bubble-plot">
          <BubbleChart
            points={props.points}
            line={props.line}
            xDomain={chart.xDomain}
            xTicks={chart.xTicks}
            xDigits={chart.xDigits}
            axis={chart.axis}
            xLabel={props.xLabel}
            yLabel={measureInfo[props.measure].short}
            favours={props.favours}
            measure={props.measure}
            description={props.description}
          />
        </div>
      </ScrollBox>
    </div>
  );
}
