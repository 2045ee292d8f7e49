"use client";
import { memo, useId, useMemo, useRef, useState } from "react";
import { ReferenceLine, Scatter, ScatterChart, XAxis, YAxis, usePlotArea, useXAxisScale, useYAxisScale } from "recharts";
import { ScrollBox } from "@/app/_components/scroll-box";
import { fmt } from "@/app/_lib/format";
import type { ReviewAnalysis } from "@/server/services/analysis";
import { ChartDownloads, CsvDownload } from "./download-buttons";
import { standardErrorsAllEqual } from "@/server/analysis/publication-bias";
import { decimalsOf, effectAxis, favoursLabels, fmtEffect, fmtEffectCi, measureInfo, niceTicks, type EffectAxis, type Measure } from "./effect-scale";
import { FONT } from "./forest-drawing";
import { pText } from "./analysis-forest-plot";

const INK = "#0f172a";
const MUTED = "#334155";
const STUDY = "#1e3a8a";
const IMPUTED = "#c2410c";
/** Standard normal quantiles of the pseudo-95% limits and of the contours (two-sided p = 0.10, 0.05, 0.01). */
const Z95 = 1.959963984540054;
const CONTOURS = [
  { z: 1.6448536269514722, p: "0.10" },
  { z: 1.959963984540054, p: "0.05" },
  { z: 2.5758293035489004, p: "0.01" },
] as const;
const SHADES = ["#e2e8f0", "#cbd5e1", "#94a3b8"]; // 0.05 < p < 0.10, 0.01 < p < 0.05, p < 0.01

type FunnelPoint = { x: number; y: number; id: string; label: string };

type FunnelChartProps = {
  points: FunnelPoint[];
  imputed: FunnelPoint[];
  estimate: number;
  adjusted: number | null;
  axis: EffectAxis;
  seMax: number;
  yTicks: number[];
  yDigits: number;
  contours: boolean;
  measure: Measure;
  /** "Favours" labels left and right of the line of no effect (`favoursLabels`). */
  favours: [string, string];
  description: string;
};

const WIDTH = 640;
const HEIGHT = 480;

function FunnelChartImpl(props: FunnelChartProps) {
  const { axis, seMax, estimate } = props;
  const clipId = useId().replace(/:/g, "");
  return (
    <ScatterChart
      width={WIDTH}
      height={HEIGHT}
      margin={{ top: 16, right: 24, bottom: 64, left: 16 }}
      accessibilityLayer={false}
      role="img"
      aria-label="Funnel plot"
      title="Funnel plot"
      desc={props.description}
    >
      <XAxis
        type="number"
        dataKey="x"
        domain={axis.domain}
        ticks={axis.ticks}
        tickFormatter={axis.format}
        allowDataOverflow
        interval={0}
        stroke={MUTED}
        tick={{ fontSize: 11, fontFamily: FONT, fill: INK }}
        label={{ value: `← ${props.favours[0]}   ${measureInfo[props.measure].name}   ${props.favours[1]} →`, position: "insideBottom", offset: -8, fontSize: 12, fontFamily: FONT, fill: INK }}
        height={40}
      />
      <YAxis
        type="number"
        dataKey="y"
        domain={[0, seMax]}
        ticks={props.yTicks}
        tickFormatter={(v: number) => fmt(v, props.yDigits)}
        reversed
        allowDataOverflow
        width={56}
        stroke={MUTED}
        tick={{ fontSize: 11, fontFamily: FONT, fill: INK }}
        label={{ value: "Standard error", angle: -90, position: "insideLeft", offset: 8, fontSize: 12, fontFamily: FONT, fill: INK, style: { textAnchor: "middle" } }}
      />
      {props.contours && <ContourRegions seMax={seMax} clipId={clipId} />}
      <ReferenceLine
        segment={[
          { x: estimate, y: 0 },
          { x: estimate - Z95 * seMax, y: seMax },
        ]}
        stroke={MUTED}
        strokeDasharray="4 3"
        ifOverflow="hidden"
      />
      <ReferenceLine
        segment={[
          { x: estimate, y: 0 },
          { x: estimate + Z95 * seMax, y: seMax },
        ]}
        stroke={MUTED}
        strokeDasharray="4 3"
        ifOverflow="hidden"
      />
      <ReferenceLine x={estimate} stroke={INK} ifOverflow="hidden" />
      {props.adjusted !== null && <ReferenceLine x={props.adjusted} stroke={IMPUTED} strokeDasharray="6 3" ifOverflow="hidden" />}
      <Scatter data={props.points} isAnimationActive={false} fill={STUDY} shape={(p: unknown) => <Dot {...(p as DotProps)} open={false} />} />
      {props.imputed.length > 0 && <Scatter data={props.imputed} isAnimationActive={false} fill={IMPUTED} shape={(p: unknown) => <Dot {...(p as DotProps)} open />} />}
      <Legend contours={props.contours} imputed={props.imputed.length > 0} adjusted={props.adjusted !== null} />
    </ScatterChart>
  );
}

const FunnelChart = memo(FunnelChartImpl);

type DotProps = { cx?: number; cy?: number; payload?: FunnelPoint; open: boolean };

function Dot({ cx, cy, payload, open }: DotProps) {
  if (cx === undefined || cy === undefined) return <g />;
  return (
    <circle cx={cx} cy={cy} r={4} fill={open ? "#ffffff" : STUDY} stroke={open ? IMPUTED : STUDY} strokeWidth={open ? 1.6 : 1} data-mark={open ? "imputed" : "study"}>
      <title>{payload ? `${payload.label}: effect ${fmt(payload.x)}, SE ${fmt(payload.y, 3)}` : ""}</title>
    </circle>
  );
}

/** Contour-enhanced funnel (Peters et al. 2008): regions of significance around the line of no effect. */
function ContourRegions({ seMax, clipId }: { seMax: number; clipId: string }) {
  const xs = useXAxisScale();
  const ys = useYAxisScale();
  const plot = usePlotArea();
  if (!xs || !ys || !plot) return null;
  const x0 = xs(0);
  const top = ys(0);
  const bottom = ys(seMax);
  if (x0 === undefined || top === undefined || bottom === undefined) return null;
  const at = (x: number) => xs(x) ?? x0;
  const far = plot.width * 4;
  const bands = [
    [CONTOURS[0].z, CONTOURS[1].z],
    [CONTOURS[1].z, CONTOURS[2].z],
    [CONTOURS[2].z, null],
  ] as const;
  return (
    <g data-layer="contours">
      <defs>
        <clipPath id={clipId}>
          <rect x={plot.x} y={plot.y} width={plot.width} height={plot.height} />
        </clipPath>
      </defs>
      <g clipPath={`url(#${clipId})`}>
        {bands.map(([inner, outer], i) =>
          ([-1, 1] as const).map((side) => {
            const xi = at(side * inner * seMax);
            const xo = outer === null ? x0 + side * far : at(side * outer * seMax);
            const points = outer === null ? `${x0},${top} ${xi},${bottom} ${xo},${bottom} ${xo},${top}` : `${x0},${top} ${xi},${bottom} ${xo},${bottom}`;
            return <polygon key={`${i}:${side}`} points={points} fill={SHADES[i]} fillOpacity={0.55} stroke="none" />;
          }),
        )}
      </g>
    </g>
  );
}

function Legend({ contours, imputed, adjusted }: { contours: boolean; imputed: boolean; adjusted: boolean }) {
  const plot = usePlotArea();
  if (!plot) return null;
  const items: { key: string; draw: React.ReactNode; label: string }[] = [
    { key: "study", draw: <circle cx={6} cy={0} r={4} fill={STUDY} />, label: "Study" },
    ...(imputed ? [{ key: "imputed", draw: <circle cx={6} cy={0} r={4} fill="#ffffff" stroke={IMPUTED} strokeWidth={1.6} />, label: "Imputed (trim-and-fill)" }] : []),
    { key: "limits", draw: <line x1={0} x2={12} y1={0} y2={0} stroke={MUTED} strokeDasharray="4 3" />, label: "Pseudo-95% limits" },
    { key: "pooled", draw: <line x1={6} x2={6} y1={-6} y2={6} stroke={INK} />, label: "Pooled" },
    ...(adjusted ? [{ key: "adjusted", draw: <line x1={6} x2={6} y1={-6} y2={6} stroke={IMPUTED} strokeDasharray="3 2" />, label: "Adjusted" }] : []),
    ...(contours
      ? CONTOURS.map((c, i) => ({
          key: `c${i}`,
          draw: <rect x={0} y={-5} width={12} height={10} fill={SHADES[i]} fillOpacity={0.55} />,
          label: i === 0 ? "0.05 < p < 0.10" : i === 1 ? "0.01 < p < 0.05" : "p < 0.01",
        }))
      : []),
  ];
  // Markers and limits on the first line, the contour shades on the second.
  const lines = [items.filter((i) => !i.key.startsWith("c")), items.filter((i) => i.key.startsWith("c"))];
  return (
    <g fontFamily={FONT} fontSize={11} data-layer="legend">
      {lines.map((line, l) => {
        let x = plot.x;
        const y = plot.y + plot.height + 64 + l * 18;
        return line.map((item) => {
          const at = x;
          x += 28 + item.label.length * 6;
          return (
            <g key={item.key} transform={`translate(${at},${y})`}>
              {item.draw}
              <text x={16} y={0} dominantBaseline="central" fill={INK}>
                {item.label}
              </text>
            </g>
          );
        });
      })}
    </g>
  );
}

/**
 * Funnel plot with pseudo-95% limits around the pooled estimate, an optional contour-enhanced background,
 * trim-and-fill's imputed studies (open markers) and adjusted estimate, and Egger's and Begg's tests beside it.
 */
export function FunnelPlot({ analysis, basename, printed = false }: { analysis: ReviewAnalysis; basename: string; /** The report's fixed-size mode: no controls, no scroll box. */ printed?: boolean }) {
  const [contours, setContours] = useState(false);
  const container = useRef<HTMLDivElement>(null);
  const { result, settings, labels } = analysis;
  const measure = settings.measure;
  const pooled = result.pooled;
  const trimFill = result.trimFill;

  const chart = useMemo(() => {
    if (!pooled) return null;
    const points = result.studies.map((s) => ({ x: s.yi, y: s.se, id: s.id, label: labels[s.id] ?? s.id }));
    const imputed = (trimFill?.imputed ?? []).map((s, i) => ({ x: s.yi, y: s.se, id: `imputed-${i}`, label: "Imputed study" }));
    const all = [...points, ...imputed];
    const rawMax = Math.max(...all.map((p) => p.y), 1e-6);
    const { ticks: yTicks, step } = niceTicks(0, rawMax);
    const seMax = yTicks[yTicks.length - 1] ?? rawMax;
    const axis = effectAxis(
      all.map((p) => ({ lower: p.x, upper: p.x })),
      [pooled.estimate - Z95 * seMax, pooled.estimate + Z95 * seMax, trimFill?.estimate, contours ? -CONTOURS[2].z * seMax * 0.6 : null, contours ? CONTOURS[2].z * seMax * 0.6 : null],
      measure,
      { clip: false },
    );
    return { points, imputed, seMax, yTicks, yDigits: decimalsOf(step), axis };
  }, [pooled, result.studies, trimFill, labels, measure, contours]);

  const k = result.k;
  const adjusted = trimFill && trimFill.k0 > 0 ? trimFill.estimate : null;
  // With equal standard errors there is no slope on them to estimate (metafor refuses: "model matrix not of full rank").
  const equalSe = k >= 3 && standardErrorsAllEqual(Float64Array.from(result.studies, (s) => s.vi));
  const unavailable = k < 3 ? "needs at least 3 studies" : equalSe ? "not defined: every study has the same standard error" : "not defined for these data";
  const egger = result.egger;
  const begg = result.begg;
  const csvHeader = ["study", "study_id", "yi", "se", "imputed"];
  const csvRows = () => [
    ...result.studies.map((s) => [labels[s.id] ?? s.id, s.id, s.yi, s.se, false]),
    ...(trimFill?.imputed ?? []).map((s, i) => [`Imputed ${i + 1}`, "", s.yi, s.se, true]),
  ];

  return (
    <div className="flex flex-wrap items-start gap-4">
      <div className="max-w-full min-w-0 space-y-2">
        {!printed && (
        <div className="no-print flex flex-wrap items-center gap-3 text-sm">
          <label className="flex items-center gap-1">
            <input type="checkbox" checked={contours} onChange={(e) => setContours(e.target.checked)} />
            Contour-enhanced (p = 0.10 / 0.05 / 0.01)
          </label>
          <span className="ml-auto flex items-center gap-2">
            <ChartDownloads container={container} chartLabel="Funnel plot" basename={basename} />
            <CsvDownload tableLabel="Funnel plot data" basename={`${basename}-data`} header={csvHeader} rows={csvRows} />
          </span>
        </div>
        )}
        <ScrollBox label="Funnel plot" plain={printed}>
          <div ref={container} className="w-max min-w-full" data-testid="funnel-plot" data-report-chart={printed ? "funnel" : undefined}>
            {chart && pooled ? (
              <FunnelChart
                points={chart.points}
                imputed={chart.imputed}
                estimate={pooled.estimate}
                adjusted={adjusted}
                axis={chart.axis}
                seMax={chart.seMax}
                yTicks={chart.yTicks}
                yDigits={chart.yDigits}
                contours={contours}
                measure={measure}
                favours={favoursLabels(measure, analysis.outcome?.higherIsBetter ?? true)}
                description={`Funnel plot of ${k} studies: effect against standard error, pseudo-95% limits around the pooled estimate ${fmtEffect(pooled.estimate, measure)}${
                  adjusted !== null ? `; trim-and-fill imputed ${trimFill?.k0} studies, adjusted estimate ${fmtEffect(adjusted, measure)}` : ""
                }.`}
              />
            ) : (
              <p className="p-4 text-sm text-slate-700">No study can be analysed yet.</p>
            )}
          </div>
        </ScrollBox>
      </div>
      <section aria-label="Small-study effects" className="w-80 space-y-3 text-sm">
        {k < 10 && (
          <p role="note" className="rounded border border-amber-300 bg-amber-50 p-2 text-amber-950">
            Only {k} {k === 1 ? "study" : "studies"}: with fewer than 10, funnel plot asymmetry tests have too little power to tell chance from real asymmetry (Cochrane Handbook 13.3.5.4).
          </p>
        )}
        <dl className="tabular space-y-2" data-testid="publication-bias">
          <div>
            <dt className="font-medium">Egger&apos;s regression test</dt>
            <dd>
              {egger ? (
                <>
                  intercept (bias) {fmt(egger.bias)} (SE {fmt(egger.se)}), t({egger.df}) = {fmt(egger.statistic)}, {pText(egger.pValue)}
                </>
              ) : (
                unavailable
              )}
            </dd>
          </div>
          <div>
            <dt className="font-medium">Begg&apos;s rank correlation test</dt>
            <dd>{begg ? <>Kendall&apos;s τ = {fmt(begg.tau, 3)}, {pText(begg.pValue)}</> : unavailable}</dd>
          </div>
          <div>
            <dt className="font-medium">Trim-and-fill</dt>
            <dd>
              {trimFill ? (
                <>
                  {trimFill.k0} {trimFill.k0 === 1 ? "study" : "studies"} imputed on the {trimFill.side}
                  {trimFill.k0 > 0 ? "" : " (none missing)"}; adjusted estimate {fmtEffectCi(trimFill.estimate, trimFill.ciLower, trimFill.ciUpper, measure)}, {pText(trimFill.pValue)}
                </>
              ) : (
                unavailable
              )}
            </dd>
          </div>
        </dl>
      </section>
    </div>
  );
}
