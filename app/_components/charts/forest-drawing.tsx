"use client";
import { memo, type ReactNode } from "react";
import { ReferenceLine, ScatterChart, XAxis, YAxis, usePlotArea, useXAxisScale, useYAxisScale } from "recharts";
import type { EffectAxis } from "./effect-scale";

/**
 * Draws; knows nothing of analyses. (`analysis-forest-plot.tsx` maps an analysis result to the rows drawn here.)
 * The drawing shared by every forest-type plot of the analysis page (the forest plot itself, leave-one-out,
 * cumulative, first vs last): text columns left and right of the plot, one row per study with its interval,
 * diamonds for pooled estimates, prediction intervals, and text lines (heterogeneity, tests). Recharts draws the
 * chart, its axis, scales and reference lines (no animation); the rows are one custom layer placed with Recharts'
 * scales, redrawn only when the rows or the axis change (an edit redraws in a few milliseconds).
 */

export type ForestColumn = { key: string; header: string; width: number; align?: "start" | "end"; group?: string };
export type RobJudgment = "low" | "high" | "unclear" | null;

type Cells = Record<string, string>;
export type ForestRow =
  | {
      kind: "study";
      key: string;
      cells: Cells;
      estimate: number;
      lower: number;
      upper: number;
      /** Relative marker size in [0, 1] (square area proportional to weight); null: a fixed-size point. */
      size: number | null;
      example?: boolean;
      /** Highlighted (e.g. removing this study changes significance); the text says why. */
      flag?: string;
      studyId?: string;
      rob?: RobJudgment[];
    }
  | { kind: "diamond"; key: string; cells: Cells; estimate: number; lower: number; upper: number; tone: "total" | "subtotal" }
  | { kind: "prediction"; key: string; cells: Cells; lower: number; upper: number }
  | { kind: "heading"; key: string; text: string }
  | { kind: "note"; key: string; text: string }
  | { kind: "gap"; key: string };

export type ForestDrawingProps = {
  ariaLabel: string;
  /** Read by screen readers and kept in the downloaded SVG. */
  description: string;
  left: ForestColumn[];
  right: ForestColumn[];
  rows: ForestRow[];
  axis: EffectAxis;
  /** Two header lines over the plot column, e.g. ["Mean difference", "IV, Fixed, 95% CI"]. */
  plotHeader: [string, string];
  plotWidth: number;
  /** Labels under the axis, left and right of the line of no effect. */
  favours?: [string, string];
  /** Dashed vertical lines, e.g. at the pooled estimate. */
  references?: { x: number; color: string }[];
  robDomains?: string[];
};

export const FONT = 'ui-sans-serif, system-ui, "DejaVu Sans", Arial, sans-serif';
const ROW = 20;
const PAD = 8;
const INK = "#0f172a";
const MUTED = "#334155";
const MARK = "#1e3a8a";
const FLAG = "#b45309";
const ROB_COLOURS: Record<Exclude<RobJudgment, null>, { fill: string; glyph: string }> = {
  low: { fill: "#02c100", glyph: "+" },
  unclear: { fill: "#e2df07", glyph: "?" },
  high: { fill: "#bf0000", glyph: "−" },
};
const ROB_STEP = 22;

type Layout = {
  width: number;
  height: number;
  header: number;
  leftWidth: number;
  rightWidth: number;
  leftX: number[];
  rightX: number[];
  robX: number;
};

function layoutOf(props: ForestDrawingProps): Layout {
  const header = 40;
  const leftWidth = PAD + props.left.reduce((s, c) => s + c.width, 0) + PAD;
  const robWidth = props.robDomains?.length ? props.robDomains.length * ROB_STEP + PAD : 0;
  const rightWidth = PAD + props.right.reduce((s, c) => s + c.width, 0) + robWidth + 2 * PAD;
  const leftX: number[] = [];
  let x = PAD;
  for (const c of props.left) {
    leftX.push(x);
    x += c.width;
  }
  const rightX: number[] = [];
  x = leftWidth + props.plotWidth + PAD;
  for (const c of props.right) {
    rightX.push(x);
    x += c.width;
  }
  const axisHeight = 26;
  const bottom = props.favours ? 24 : 6;
  return {
    width: leftWidth + props.plotWidth + rightWidth,
    height: header + props.rows.length * ROW + axisHeight + bottom,
    header,
    leftWidth,
    rightWidth,
    leftX,
    rightX,
    robX: x + PAD,
  };
}

function ForestDrawingImpl(props: ForestDrawingProps) {
  const layout = layoutOf(props);
  const lastGraphic = props.rows.reduce((last, row, i) => (row.kind === "study" || row.kind === "diamond" || row.kind === "prediction" ? i : last), -1);
  const yDomain: [number, number] = [0, Math.max(props.rows.length, 1)];
  const [d0, d1] = props.axis.domain;
  const inDomain = (x: number) => x >= d0 && x <= d1;
  return (
    <ScatterChart
      width={layout.width}
      height={layout.height}
      margin={{ top: layout.header, left: layout.leftWidth, right: layout.rightWidth, bottom: props.favours ? 24 : 6 }}
      accessibilityLayer={false}
      role="img"
      aria-label={props.ariaLabel}
      title={props.ariaLabel}
      desc={props.description}
    >
      <XAxis
        type="number"
        dataKey="x"
        domain={props.axis.domain}
        ticks={props.axis.ticks}
        tickFormatter={props.axis.format}
        allowDataOverflow
        height={26}
        stroke={MUTED}
        tick={{ fontSize: 11, fontFamily: FONT, fill: INK }}
        interval={0}
      />
      <YAxis type="number" dataKey="y" domain={yDomain} reversed hide allowDataOverflow />
      {lastGraphic >= 0 && inDomain(props.axis.nullValue) && (
        <ReferenceLine
          segment={[
            { x: props.axis.nullValue, y: 0 },
            { x: props.axis.nullValue, y: props.rows.length },
          ]}
          stroke={MUTED}
          strokeWidth={1}
          ifOverflow="hidden"
        />
      )}
      {props.references
        ?.filter((r) => inDomain(r.x))
        .map((r) => (
          <ReferenceLine
            key={`${r.color}:${r.x}`}
            segment={[
              { x: r.x, y: 0 },
              { x: r.x, y: lastGraphic + 1 },
            ]}
            stroke={r.color}
            strokeDasharray="4 3"
            ifOverflow="hidden"
          />
        ))}
      <ForestText {...props} layout={layout} />
    </ScatterChart>
  );
}

export const ForestDrawing = memo(ForestDrawingImpl);

/**
 * The width a text column needs for its longest entry (12 px text, the same per-character estimate `truncate` uses),
 * plus `extra` (e.g. the "example" badge), kept between `min` and `max`: labels such as "Afsartala 2023 (50 µg)" are
 * shown whole rather than cut.
 */
export function textColumnWidth(texts: readonly string[], { extra = 0, min = 0, max = 320 }: { extra?: number; min?: number; max?: number } = {}): number {
  const longest = texts.reduce((n, t) => Math.max(n, t.length), 0);
  return Math.min(max, Math.max(min, Math.ceil(longest * 12 * 0.56) + extra + 10));
}

const truncate = (text: string, width: number, fontSize = 12) => {
  const max = Math.max(3, Math.floor(width / (fontSize * 0.56)));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};

/** Everything that is text or not a study mark: headers, cells, diamonds, prediction intervals, notes, labels. */
/**
 * Reads where Recharts put the plot (the pixel ends of both axes) and hands these plain numbers to the memoised
 * layer below, which then redraws only when the rows or the axes change (not on each of Recharts' store updates).
 */
function ForestText(props: ForestDrawingProps & { layout: Layout }) {
  const xScale = useXAxisScale();
  const yScale = useYAxisScale();
  const plot = usePlotArea();
  const [d0, d1] = props.axis.domain;
  const x0 = xScale?.(d0);
  const x1 = xScale?.(d1);
  const y0 = yScale?.(0);
  const y1 = yScale?.(Math.max(props.rows.length, 1));
  if (x0 === undefined || x1 === undefined || y0 === undefined || y1 === undefined || !plot) return null;
  return <ForestTextLayer {...props} pixels={{ x0, x1, y0, y1, plotBottom: plot.y + plot.height }} />;
}

type Pixels = { x0: number; x1: number; y0: number; y1: number; plotBottom: number };

const ForestTextLayer = memo(
  function ForestTextLayer(props: ForestDrawingProps & { layout: Layout; pixels: Pixels }) {
    return <ForestTextBody {...props} />;
  },
  (a, b) =>
    a.rows === b.rows &&
    a.axis === b.axis &&
    a.left === b.left &&
    a.right === b.right &&
    a.layout.width === b.layout.width &&
    a.robDomains === b.robDomains &&
    a.favours === b.favours &&
    a.plotHeader[0] === b.plotHeader[0] &&
    a.plotHeader[1] === b.plotHeader[1] &&
    a.pixels.x0 === b.pixels.x0 &&
    a.pixels.x1 === b.pixels.x1 &&
    a.pixels.y0 === b.pixels.y0 &&
    a.pixels.y1 === b.pixels.y1 &&
    a.pixels.plotBottom === b.pixels.plotBottom,
);

function ForestTextBody(props: ForestDrawingProps & { layout: Layout; pixels: Pixels }) {
  const { layout, left, right, rows, pixels } = props;
  const [d0, d1] = props.axis.domain;
  const clamp = (x: number) => Math.min(Math.max(x, d0), d1);
  // Both axes are linear (ratios are drawn on their log): the same mapping as Recharts' scales.
  const px = (x: number) => pixels.x0 + ((clamp(x) - d0) / (d1 - d0)) * (pixels.x1 - pixels.x0);
  const rowY = (i: number) => pixels.y0 + ((i + 0.5) / Math.max(rows.length, 1)) * (pixels.y1 - pixels.y0);
  const plot = { x: pixels.x0, width: pixels.x1 - pixels.x0, y: 0, height: pixels.plotBottom };
  const cellX = (col: ForestColumn, x: number) => (col.align === "end" ? x + col.width - 6 : x);
  const anchor = (col: ForestColumn) => (col.align === "end" ? "end" : "start");
  const columns = [...left.map((c, i) => [c, layout.leftX[i]!] as const), ...right.map((c, i) => [c, layout.rightX[i]!] as const)];
  const groups = new Map<string, { from: number; to: number }>();
  for (const [c, x] of columns) {
    if (!c.group) continue;
    const g = groups.get(c.group);
    groups.set(c.group, { from: Math.min(g?.from ?? Infinity, x), to: Math.max(g?.to ?? -Infinity, x + c.width) });
  }
  const plotMid = plot.x + plot.width / 2;
  const text = (children: ReactNode, x: number, y: number, extra: Record<string, string | number> = {}) => (
    <text x={x} y={y} dominantBaseline="central" fill={INK} {...extra}>
      {children}
    </text>
  );

  const cells = (row: { cells: Cells }, y: number, bold = false) =>
    columns.map(([c, x]) =>
      row.cells[c.key] ? (
        <text key={c.key} x={cellX(c, x)} y={y} dominantBaseline="central" textAnchor={anchor(c)} fill={INK} fontWeight={bold ? 600 : 400}>
          {truncate(row.cells[c.key]!, c.width - 4)}
        </text>
      ) : null,
    );

  return (
    <g fontFamily={FONT} fontSize={12} data-layer="forest-text">
      {/* Header: column groups, column titles, and the plot column's two lines. */}
      {[...groups].map(([name, g]) => (
        <g key={`g:${name}`}>
          {text(name, (g.from + g.to) / 2, 11, { textAnchor: "middle", fontWeight: 600 })}
          <line x1={g.from + 4} x2={g.to - 4} y1={19} y2={19} stroke={MUTED} strokeWidth={0.75} />
        </g>
      ))}
      {columns.map(([c, x]) => (
        <text key={`h:${c.key}`} x={cellX(c, x)} y={29} dominantBaseline="central" textAnchor={anchor(c)} fill={INK} fontWeight={600}>
          {c.header}
        </text>
      ))}
      {text(props.plotHeader[0], plotMid, 11, { textAnchor: "middle", fontWeight: 600 })}
      {text(props.plotHeader[1], plotMid, 29, { textAnchor: "middle", fontWeight: 600 })}
      {props.robDomains?.map((d, i) => (
        <text key={`rob:${d}`} x={layout.robX + i * ROB_STEP + 6} y={29} dominantBaseline="central" textAnchor="middle" fill={INK} fontWeight={600} fontSize={10}>
          {d}
        </text>
      ))}
      {props.robDomains?.length
        ? text("Risk of bias", layout.robX + (props.robDomains.length * ROB_STEP) / 2, 11, { textAnchor: "middle", fontWeight: 600 })
        : null}
      <line x1={4} x2={layout.width - 4} y1={layout.header - 1} y2={layout.header - 1} stroke={MUTED} strokeWidth={0.75} />

      {rows.map((row, i) => {
        const y = rowY(i);
        switch (row.kind) {
          case "gap":
            return null;
          case "heading":
            return (
              <g key={row.key} data-row="heading">
                {text(row.text, PAD, y, { fontWeight: 700 })}
              </g>
            );
          case "note":
            return (
              <g key={row.key} data-row="note">
                {text(row.text, PAD, y, { fontSize: 11, fill: MUTED })}
              </g>
            );
          case "study": {
            const label = row.cells[left[0]?.key ?? ""] ?? "";
            const first = left[0];
            const badgeWidth = row.example ? 48 : 0;
            return (
              <g key={row.key} data-row="study" data-study-id={row.studyId} fill={row.flag ? FLAG : INK}>
                <title>{row.flag ? `${label}: ${row.flag}` : label}</title>
                {row.flag && <rect x={2} y={y - ROW / 2 + 1} width={layout.width - 4} height={ROW - 2} fill="#fef3c7" />}
                {first && text(truncate(label, first.width - badgeWidth - 6), layout.leftX[0]!, y, row.flag ? { fontWeight: 600 } : {})}
                {cells({ cells: { ...row.cells, [first?.key ?? ""]: "" } }, y)}
                {row.example && first && (
                  <g>
                    <rect x={layout.leftX[0]! + first.width - badgeWidth} y={y - 7} width={badgeWidth - 4} height={14} rx={3} fill="#fef3c7" stroke="#b45309" strokeWidth={0.5} />
                    <text x={layout.leftX[0]! + first.width - badgeWidth / 2 - 2} y={y} dominantBaseline="central" textAnchor="middle" fontSize={9} fill="#78350f">
                      example
                    </text>
                  </g>
                )}
                <StudyMark row={row} y={y} px={px} domain={props.axis.domain} />
                {row.rob?.map((j, d) =>
                  j ? (
                    <g key={d}>
                      <circle cx={layout.robX + d * ROB_STEP + 6} cy={y} r={6} fill={ROB_COLOURS[j].fill} />
                      <text x={layout.robX + d * ROB_STEP + 6} y={y} dominantBaseline="central" textAnchor="middle" fontSize={10} fontWeight={700} fill={j === "unclear" ? INK : "#ffffff"}>
                        {ROB_COLOURS[j].glyph}
                      </text>
                    </g>
                  ) : (
                    <circle key={d} cx={layout.robX + d * ROB_STEP + 6} cy={y} r={5.5} fill="none" stroke={MUTED} strokeWidth={0.75} />
                  ),
                )}
              </g>
            );
          }
          case "diamond": {
            const h = row.tone === "total" ? 7 : 6;
            const colour = row.tone === "total" ? INK : "#475569";
            const points = `${px(row.lower)},${y} ${px(row.estimate)},${y - h} ${px(row.upper)},${y} ${px(row.estimate)},${y + h}`;
            return (
              <g key={row.key} data-row={row.tone === "total" ? "diamond" : "subgroup-diamond"}>
                {cells(row, y, true)}
                <polygon points={points} fill={colour} stroke={colour} />
              </g>
            );
          }
          case "prediction": {
            const x1 = px(row.lower);
            const x2 = px(row.upper);
            return (
              <g key={row.key} data-row="prediction">
                {cells(row, y)}
                <line x1={x1} x2={x2} y1={y} y2={y} stroke="#b91c1c" strokeWidth={2} />
                <line x1={x1} x2={x1} y1={y - 4} y2={y + 4} stroke="#b91c1c" strokeWidth={2} />
                <line x1={x2} x2={x2} y1={y - 4} y2={y + 4} stroke="#b91c1c" strokeWidth={2} />
              </g>
            );
          }
        }
      })}
      {props.favours && inRange(props.axis.nullValue, d0, d1) && (
        <g fontSize={11} fill={MUTED}>
          {text(props.favours[0], px(props.axis.nullValue) - 6, plot.y + plot.height + 36, { textAnchor: "end", fill: MUTED })}
          {text(props.favours[1], px(props.axis.nullValue) + 6, plot.y + plot.height + 36, { textAnchor: "start", fill: MUTED })}
        </g>
      )}
    </g>
  );
}

const inRange = (x: number, lo: number, hi: number) => x >= lo && x <= hi;

/** The height a chart of `rows` rows takes (for placeholders that keep the page from jumping). */
export const forestRowHeight = ROW;

/** A study: square sized by weight (area ∝ weight), whisker for its interval, arrows where the axis clips it. */
function StudyMark({ row, y, px, domain }: { row: Extract<ForestRow, { kind: "study" }>; y: number; px: (x: number) => number; domain: [number, number] }) {
  const [d0, d1] = domain;
  const lo = Math.max(row.lower, d0);
  const hi = Math.min(row.upper, d1);
  const colour = row.flag ? FLAG : MARK;
  const side = row.size === null ? 7 : Math.max(3, Math.sqrt(Math.max(row.size, 0)) * (ROW - 5));
  const arrow = (x: number, dir: -1 | 1) => <path d={`M${x},${y} l${-dir * 6},-4 v8 z`} fill={colour} />;
  const xc = px(row.estimate);
  return (
    <g data-mark="study">
      {hi > lo && <line x1={px(lo)} x2={px(hi)} y1={y} y2={y} stroke={colour} strokeWidth={1.3} />}
      {row.lower < d0 && arrow(px(d0), -1)}
      {row.upper > d1 && arrow(px(d1), 1)}
      {row.estimate >= d0 && row.estimate <= d1 && (
        <rect x={xc - side / 2} y={y - side / 2} width={side} height={side} fill={row.size === null ? "#ffffff" : colour} stroke={colour} strokeWidth={row.size === null ? 1.5 : 0} />
      )}
    </g>
  );
}
