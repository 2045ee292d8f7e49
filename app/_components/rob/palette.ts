import type { RobJudgmentValue } from "@/db/schema/risk-of-bias";

/** A figure cell: one of the tool's three judgments, or not judged (yet). */
export type RobCell = RobJudgmentValue | "missing";
export type RobPaletteName = "robvis" | "colourblind";

/**
 * robvis's conventions, which readers of Cochrane reviews know: green "+" low, yellow "?" unclear, red "−" high;
 * and robvis's colour-blind-safe alternative. The symbol carries the judgment too, so colour is never the only
 * cue; its ink is chosen for contrast against each fill.
 */
export const robPalettes: Record<RobPaletteName, { label: string; fill: Record<RobCell, string>; ink: Record<RobCell, string> }> = {
  robvis: {
    label: "robvis (green / yellow / red)",
    fill: { low: "#02C100", unclear: "#E2DF07", high: "#BF0000", missing: "#FFFFFF" },
    ink: { low: "#000000", unclear: "#000000", high: "#FFFFFF", missing: "#4B5563" },
  },
  colourblind: {
    label: "Colour-blind safe",
    fill: { low: "#fed98e", unclear: "#fe9929", high: "#d95f0e", missing: "#FFFFFF" },
    ink: { low: "#000000", unclear: "#000000", high: "#000000", missing: "#4B5563" },
  },
};

export const robSymbols: Record<RobCell, string> = { low: "+", unclear: "?", high: "−", missing: "" };
export const robCellLabels: Record<RobCell, string> = { low: "Low", unclear: "Unclear", high: "High", missing: "Not judged" };
export const robCellOrder: readonly RobCell[] = ["low", "unclear", "high", "missing"];

/** SVG text attributes shared by the figures, so that a downloaded file renders the same outside the page. */
export const svgFont = { fontFamily: "Arial, Helvetica, sans-serif", fill: "#111827" } as const;
