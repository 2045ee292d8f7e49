"use client";
import { memo, useMemo, useRef } from "react";
import { ScatterChart, XAxis, YAxis, usePlotArea, useXAxisScale, useYAxisScale } from "recharts";
import { ScrollBox } from "@/app/_components/scroll-box";
import { fmt, fmtPercent } from "@/app/_lib/format";
import type { TimeCourse } from "@/server/services/preclinical-analysis";
import { DataTable, type TableColumn } from "./data-table";
import { ChartDownloads } from "./download-buttons";
import { effectAxis, favoursLabels, fmtEffectCi, measureInfo, niceTicks, type EffectAxis, type Measure } from "./effect-scale";
import { FONT } from "./forest-drawing";
import { modelLabel } from "./analysis-forest-plot";

const INK = "#0f172a";
const MUTED = "#334155";
const STUDY = "#64748b";
const POOLED = "#1e3a8a";
const WIDTH = 720;
const HEIGHT = 400;
const MARGIN = { top: 40, right: 24, bottom: 48, left: 64 };

type Day = TimeCourse["days"][number];
type Track = { id: string; label: string; points: { day: number; yi: number; example: boolean }[] };

type ChartProps = { days: Day[]; tracks: Track[]; xDomain: [number, number]; xTicks: number[]; axis: EffectAxis; measure: Measure; favours: [string, string]; description: string; yLabel: string };

/**
 * Each comparison's effect by day (grey points, joined when a comparison is measured on several days) and the pooled
 * effect of each day with its confidence interval (blue), with k, the comparisons analysed that day, above the plot.
 * Recharts draws the axes; the marks are one layer placed with Recharts' scales, as in the forest plot.
 */
function TimeCourseChartImpl(props: ChartProps) {
  return (
    <ScatterChart width={WIDTH} height={HEIGHT} margin={MARGIN} accessibilityLayer={false} role="img" aria-label="Time course plot" title="Time course plot" desc={props.description}>
      <XAxis
        type="number"
        dataKey="x"
        domain={props.xDomain}
        ticks={props.xTicks}
        allowDataOverflow
        interval={0}
        stroke={MUTED}
        tick={{ fontSize: 11, fontFamily: FONT, fill: INK }}
        label={{ value: "Day after injury", position: "insideBottom", offset: -10, fontSize: 12, fontFamily: FONT, fill: INK }}
        height={40}
      />
      <YAxis
        type="number"
        dataKey="y"
        domain={props.axis.domain}
        ticks={props.axis.ticks}
        tickFormatter={props.axis.format}
        allowDataOverflow
        width={56}
        stroke={MUTED}
        tick={{ fontSize: 11, fontFamily: FONT, fill: INK }}
      />
      <TimeCourseLayer {...props} />
    </ScatterChart>
  );
}

export const TimeCourseChart = memo(TimeCourseChartImpl);

function TimeCourseLayer(props: ChartProps) {
  const xScale = useXAxisScale();
  const yScale = useYAxisScale();
  const plot = usePlotArea();
  if (!xScale || !yScale || !plot) return null;
  const [y0, y1] = props.axis.domain;
  const clampY = (y: number) => Math.min(Math.max(y, y0), y1);
  const px = (x: number) => xScale(x) ?? 0;
  const py = (y: number) => yScale(clampY(y)) ?? 0;
  const zero = props.axis.nullValue >= y0 && props.axis.nullValue <= y1 ? py(props.axis.nullValue) : null;
  const path = (points: { x: number; y: number }[]) => points.map((p, i) => `${i ? "L" : "M"}${px(p.x)},${py(p.y)}`).join(" ");
  return (
    <g fontFamily={FONT} fontSize={11} data-layer="time-course">
      {zero !== null && <line x1={plot.x} x2={plot.x + plot.width} y1={zero} y2={zero} stroke={MUTED} strokeWidth={1} />}
      {props.tracks.map((t) => (
        <g key={t.id} data-mark="comparison" data-comparison={t.id}>
          <title>{t.label}</title>
          {t.points.length > 1 && <path d={path(t.points.map((p) => ({ x: p.day, y: p.yi })))} fill="none" stroke={STUDY} strokeWidth={0.75} strokeOpacity={0.6} />}
          {t.points.map((p) => (
            <circle key={p.day} cx={px(p.day)} cy={py(p.yi)} r={2.5} fill={p.example ? "#ffffff" : STUDY} stroke={STUDY} strokeWidth={1} />
          ))}
        </g>
      ))}
      <path d={path(props.days.flatMap((d) => (d.pooled ? [{ x: d.day, y: d.pooled.estimate }] : [])))} fill="none" stroke={POOLED} strokeWidth={2} />
      {props.days.map((d) =>
        d.pooled ? (
          <g key={d.day} data-mark="pooled" data-day={d.day} data-k={d.k} data-estimate={d.pooled.estimate}>
            <title>{`Day ${d.day}: pooled ${fmtEffectCi(d.pooled.estimate, d.pooled.ciLower, d.pooled.ciUpper, props.measure)} (k = ${d.k})`}</title>
            <line x1={px(d.day)} x2={px(d.day)} y1={py(d.pooled.ciLower)} y2={py(d.pooled.ciUpper)} stroke={POOLED} strokeWidth={2} />
            <rect x={px(d.day) - 5} y={py(d.pooled.estimate) - 5} width={10} height={10} fill={POOLED} transform={`rotate(45 ${px(d.day)} ${py(d.pooled.estimate)})`} />
            <text x={px(d.day)} y={plot.y - 8} textAnchor="middle" fill={INK} fontWeight={600}>
              {d.k}
            </text>
          </g>
        ) : null,
      )}
      <text x={plot.x - 4} y={plot.y - 8} textAnchor="end" fill={MUTED}>
        k =
      </text>
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

/** The time course of a review's outcome: the plot, and a table of the pooled effect per day (CSV). */
export function TimeCourseView({ data, basename }: { data: TimeCourse; basename: string }) {
  const container = useRef<HTMLDivElement>(null);
  const measure = data.settings.measure;
  const higherIsBetter = data.outcome?.higherIsBetter ?? true;
  const chart = useMemo(() => {
    const tracks = new Map<string, Track>();
    for (const d of data.days)
      for (const s of d.studies) {
        const track = tracks.get(s.id) ?? { id: s.id, label: data.labels[s.id] ?? s.id, points: [] };
        track.points.push({ day: d.day, yi: s.yi, example: s.isExampleData });
        tracks.set(s.id, track);
      }
    const days = data.days.map((d) => d.day);
    const last = Math.max(...days, 1);
    const { ticks } = niceTicks(0, last);
    const xTicks = days.length <= 12 ? days : ticks;
    const xDomain: [number, number] = [0, Math.max(last * 1.04, xTicks[xTicks.length - 1] ?? last)];
    const axis = effectAxis(
      [...tracks.values()].flatMap((t) => t.points.map((p) => ({ lower: p.yi, upper: p.yi }))),
      data.days.flatMap((d) => [d.pooled?.ciLower, d.pooled?.ciUpper]),
      measure,
    );
    return { tracks: [...tracks.values()], xTicks, xDomain, axis };
  }, [data, measure]);

  if (data.days.length === 0) return <p className="text-sm text-slate-700">No day has a comparison to analyse yet.</p>;
  const level = `${fmt(data.settings.level * 100, 0)}%`;
  const columns: TableColumn<Day>[] = [
    { key: "day", header: "Day", cell: (d) => d.day, csv: (d) => d.day, numeric: true },
    { key: "k", header: "k", cell: (d) => d.k, csv: (d) => d.k, numeric: true },
    { key: "estimate", header: `${measureInfo[measure].short} [${level} CI]`, cell: (d) => fmtEffectCi(d.pooled?.estimate, d.pooled?.ciLower, d.pooled?.ciUpper, measure), csv: (d) => d.pooled?.estimate, numeric: true },
    { key: "ci_lower", header: "", cell: () => null, csv: (d) => d.pooled?.ciLower, csvOnly: true },
    { key: "ci_upper", header: "", cell: () => null, csv: (d) => d.pooled?.ciUpper, csvOnly: true },
    { key: "I2", header: "I²", cell: (d) => fmtPercent(d.heterogeneity?.I2, 0), csv: (d) => d.heterogeneity?.I2, numeric: true },
    { key: "not_analysed", header: "Not analysed", cell: (d) => d.excluded, csv: (d) => d.excluded, numeric: true },
    { key: "comparisons", header: "Comparisons", cell: () => null, csv: (d) => d.studies.map((s) => data.labels[s.id] ?? s.id).join("; "), csvOnly: true },
  ];
  const favours = favoursLabels(measure, higherIsBetter);
  return (
    <div className="space-y-3">
      <div className="flex items-center gap-2 text-sm">
        <span className="text-slate-700">
          {measureInfo[measure].name}, {modelLabel(data.settings, null)} per day{data.daysNotShown > 0 ? `; the last ${data.daysNotShown} days are not shown` : ""}.
        </span>
        <span className="ml-auto">
          <ChartDownloads container={container} chartLabel="Time course plot" basename={`${basename}-time-course`} />
        </span>
      </div>
      <ScrollBox label="Time course plot">
        <div ref={container} data-testid="time-course">
          <TimeCourseChart
            days={data.days}
            tracks={chart.tracks}
            xDomain={chart.xDomain}
            xTicks={chart.xTicks}
            axis={chart.axis}
            measure={measure}
            favours={favours}
            yLabel={measureInfo[measure].short}
            description={`Time course of ${data.outcome?.name ?? "the outcome"}: ${data.days.length} days, the pooled ${measureInfo[measure].name} of each day (k comparisons above each day) and each comparison's effect.`}
          />
        </div>
      </ScrollBox>
      <DataTable label="Pooled effect by day" basename={`${basename}-time-course`} columns={columns} rows={data.days} rowKey={(d) => String(d.day)} />
    </div>
  );
}
