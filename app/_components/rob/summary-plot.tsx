import type { Ref } from "react";
import { robDomains } from "@/server/schemas/risk-of-bias";
import { robCellLabels, robCellOrder, robPalettes, svgFont, type RobCell, type RobPaletteName } from "./palette";

export type DomainShares = Record<RobCell, number>;

const LABEL_W = 270;
const BAR_W = 440;
const ROW_H = 28;
const TOP = 40;

/**
 * robvis-style summary plot: one 100 % stacked horizontal bar per domain, the share of studies (or of
 * meta-analysis weight) judged low / unclear / high, plus "not judged" when some are. No overall bar.
 */
export function SummaryPlot({ shares, palette, caption, ref }: { shares: DomainShares[]; palette: RobPaletteName; caption: string; ref?: Ref<SVGSVGElement> }) {
  const colours = robPalettes[palette];
  const present = robCellOrder.filter((c) => c !== "missing" || shares.some((s) => s.missing > 0));
  const axisY = TOP + robDomains.length * ROW_H + 6;
  const width = LABEL_W + BAR_W + 30;
  const height = axisY + 64;
  return (
    <svg ref={ref} role="img" aria-label="Risk of bias summary" width={width} height={height} viewBox={`0 0 ${width} ${height}`} xmlns="http://www.w3.org/2000/svg">
      <rect width={width} height={height} fill="#FFFFFF" />
      <text x={8} y={20} fontSize={14} fontWeight="bold" {...svgFont}>
        Risk of bias (SYRCLE) summary: {caption}
      </text>
      {shares.map((share, i) => {
        const y = TOP + i * ROW_H;
        let x = LABEL_W;
        return (
          <g key={robDomains[i]!.code} data-domain={i + 1}>
            <text x={LABEL_W - 8} y={y + ROW_H / 2 + 4} textAnchor="end" fontSize={12} {...svgFont}>
              {robDomains[i]!.code} {robDomains[i]!.name}
            </text>
            {present.map((cell) => {
              const w = share[cell] * BAR_W;
              const segment = (
                <g key={cell} data-judgment={cell} data-share={share[cell].toFixed(4)}>
                  <rect x={x} y={y + 3} width={w} height={ROW_H - 6} fill={colours.fill[cell]} stroke={w > 0 ? "#374151" : "none"} strokeWidth={0.5} />
                  {w >= 34 && (
                    <text x={x + w / 2} y={y + ROW_H / 2 + 4} textAnchor="middle" fontSize={11} {...svgFont} fill={colours.ink[cell]}>
                      {Math.round(share[cell] * 100)}%
                    </text>
                  )}
                </g>
              );
              x += w;
              return segment;
            })}
          </g>
        );
      })}
      {[0, 25, 50, 75, 100].map((tick) => (
        <g key={tick}>
          <line x1={LABEL_W + (tick / 100) * BAR_W} x2={LABEL_W + (tick / 100) * BAR_W} y1={axisY} y2={axisY + 4} stroke="#374151" />
          <text x={LABEL_W + (tick / 100) * BAR_W} y={axisY + 16} textAnchor="middle" fontSize={11} {...svgFont}>
            {tick}%
          </text>
        </g>
      ))}
      <line x1={LABEL_W} x2={LABEL_W + BAR_W} y1={axisY} y2={axisY} stroke="#374151" />
      <g transform={`translate(${LABEL_W}, ${axisY + 40})`}>
        {present.map((cell, i) => (
          <g key={cell} transform={`translate(${i * 110}, 0)`}>
            <rect x={0} y={-10} width={14} height={14} fill={colours.fill[cell]} stroke="#374151" strokeWidth={0.5} />
            <text x={20} y={1} fontSize={12} {...svgFont}>
              {robCellLabels[cell]}
            </text>
          </g>
        ))}
      </g>
    </svg>
  );
}
