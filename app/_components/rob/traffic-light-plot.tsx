import type { Ref } from "react";
import type { RobJudgmentValue } from "@/db/schema/risk-of-bias";
import { robDomains } from "@/server/schemas/risk-of-bias";
import { robCellLabels, robCellOrder, robPalettes, robSymbols, svgFont, type RobCell, type RobPaletteName } from "./palette";

export type TrafficLightRow = { studyId: number; label: string; judgments: (RobJudgmentValue | null)[] };

const LABEL_W = 180;
const CELL = 34;
const ROW_H = 26;
const TOP = 64;
const LEGEND_W = 300;
const clip = (text: string, max = 26) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * robvis-style traffic-light plot: one row per study, one column per SYRCLE domain, a coloured circle with a
 * symbol per judgment, the domains named in a legend. No "overall" column: SYRCLE has no overall score.
 */
export function TrafficLightPlot({ rows, palette, caption, ref }: { rows: TrafficLightRow[]; palette: RobPaletteName; caption: string; ref?: Ref<SVGSVGElement> }) {
  const colours = robPalettes[palette];
  const gridW = LABEL_W + robDomains.length * CELL;
  const present = robCellOrder.filter((c) => c !== "missing" || rows.some((r) => r.judgments.some((j) => j === null)));
  const legendH = 40 + robDomains.length * 16 + 30 + present.length * 22;
  const width = gridW + 24 + LEGEND_W;
  const height = Math.max(TOP + rows.length * ROW_H + 12, TOP + legendH);
  const circle = (cx: number, cy: number, cell: RobCell, r = 10) => (
    <>
      <circle cx={cx} cy={cy} r={r} fill={colours.fill[cell]} stroke={cell === "missing" ? "#9CA3AF" : "#374151"} strokeWidth={cell === "missing" ? 1 : 0.6} />
      <text x={cx} y={cy + 4.5} textAnchor="middle" fontSize={14} fontWeight="bold" {...svgFont} fill={colours.ink[cell]}>
        {robSymbols[cell]}
      </text>
    </>
  );
  return (
    <svg ref={ref} role="img" aria-label="Traffic-light plot" width={width} height={height} viewBox={`0 0 ${width} ${height}`} xmlns="http://www.w3.org/2000/svg">
      <rect width={width} height={height} fill="#FFFFFF" />
      <text x={8} y={20} fontSize={14} fontWeight="bold" {...svgFont}>
        Risk of bias (SYRCLE): {caption}
      </text>
      {robDomains.map((d, i) => (
        <text key={d.code} x={LABEL_W + i * CELL + CELL / 2} y={TOP - 10} textAnchor="middle" fontSize={12} fontWeight="bold" {...svgFont}>
          {d.code}
        </text>
      ))}
      {rows.map((row, r) => {
        const cy = TOP + r * ROW_H + ROW_H / 2;
        return (
          <g key={row.studyId} data-study-id={row.studyId}>
            {r % 2 === 0 && <rect x={0} y={cy - ROW_H / 2} width={gridW} height={ROW_H} fill="#F3F4F6" />}
            <text x={LABEL_W - 10} y={cy + 4} textAnchor="end" fontSize={12} {...svgFont}>
              {clip(row.label)}
            </text>
            {row.judgments.map((j, i) => (
              <g key={i} data-domain={i + 1} data-judgment={j ?? "missing"}>
                {circle(LABEL_W + i * CELL + CELL / 2, cy, j ?? "missing")}
              </g>
            ))}
          </g>
        );
      })}
      <g transform={`translate(${gridW + 24}, ${TOP - 24})`}>
        <text x={0} y={0} fontSize={12} fontWeight="bold" {...svgFont}>
          Domains
        </text>
        {robDomains.map((d, i) => (
          <text key={d.code} x={0} y={20 + i * 16} fontSize={11} {...svgFont}>
            {d.code}: {d.name}
          </text>
        ))}
        <text x={0} y={40 + robDomains.length * 16} fontSize={12} fontWeight="bold" {...svgFont}>
          Judgement
        </text>
        {present.map((cell, i) => {
          const y = 40 + robDomains.length * 16 + 22 + i * 22;
          return (
            <g key={cell}>
              {circle(10, y - 4, cell, 8)}
              <text x={26} y={y} fontSize={12} {...svgFont}>
                {robCellLabels[cell]}
              </text>
            </g>
          );
        })}
      </g>
    </svg>
  );
}
