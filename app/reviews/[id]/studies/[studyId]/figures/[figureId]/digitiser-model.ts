import type { inferRouterOutputs } from "@trpc/server";
import { calibrationProblem, type AxisCalibration, type AxisName, type AxisScale, type Calibration, type Pixel } from "@/server/digitiser/calibration";
import type { AppRouter } from "@/server/root";

export type FigureData = inferRouterOutputs<AppRouter>["figures"]["get"];
export type ReadingData = FigureData["readings"][number];
export type PointData = ReadingData["points"][number];
export type Comparison = inferRouterOutputs<AppRouter>["figures"]["compare"];

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies, dark enough on white. */
export const seriesColours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"] as const;
export const colourOf = (arms: { id: number }[], armId: number) => seriesColours[Math.max(0, arms.findIndex((a) => a.id === armId)) % seriesColours.length]!;

export type Tool = "y1" | "y2" | "x1" | "x2" | "mean" | "error_end" | "select";
export const toolLabels: Record<Tool, string> = {
  y1: "first y reference",
  y2: "second y reference",
  x1: "first x reference",
  x2: "second x reference",
  mean: "mean",
  error_end: "error-bar end",
  select: "select and move",
};

/** A calibration being edited: pixels placed by clicking, values as typed. */
export type DraftAxis = { scale: AxisScale; p1: Pixel | null; p2: Pixel | null; v1: string; v2: string };
export type DraftCalibration = { x: DraftAxis; y: DraftAxis };

const emptyAxis = (): DraftAxis => ({ scale: "linear", p1: null, p2: null, v1: "", v2: "" });

export function draftFrom(calibration: Calibration | null): DraftCalibration {
  const axis = (a: AxisCalibration | null): DraftAxis => (a ? { scale: a.scale, p1: a.p1.pixel, p2: a.p2.pixel, v1: String(a.p1.value), v2: String(a.p2.value) } : emptyAxis());
  return { x: axis(calibration?.x ?? null), y: axis(calibration?.y ?? null) };
}

const number = (text: string) => (text.trim() === "" ? Number.NaN : Number(text.trim().replace(",", ".").replace("−", "-")));

function axisFromDraft(draft: DraftAxis): AxisCalibration | null {
  if (!draft.p1 || !draft.p2) return null;
  return { scale: draft.scale, p1: { pixel: draft.p1, value: number(draft.v1) }, p2: { pixel: draft.p2, value: number(draft.v2) } };
}

/** The calibration the draft describes, or the first thing missing/wrong, named as the page names it. */
export function calibrationFromDraft(draft: DraftCalibration, needsX: boolean): { calibration: Calibration } | { problem: string } {
  const y = axisFromDraft(draft.y);
  if (!y) return { problem: "Y axis: place both reference points on the image." };
  const x = needsX ? axisFromDraft(draft.x) : null;
  if (needsX && !x) return { problem: "X axis: place both reference points on the image." };
  const calibration = { x, y };
  const problem = calibrationProblem(calibration, needsX);
  if (problem) return { problem: `${problem.field.charAt(0).toUpperCase()}${problem.field.slice(1)}: ${problem.message}.` };
  return { calibration };
}

export const refTools: { tool: Tool; axis: AxisName; which: "p1" | "p2" }[] = [
  { tool: "y1", axis: "y", which: "p1" },
  { tool: "y2", axis: "y", which: "p2" },
  { tool: "x1", axis: "x", which: "p1" },
  { tool: "x2", axis: "x", which: "p2" },
];

export const errorTypeLabels = { SD: "SD", SEM: "SEM", CI95: "95% CI" } as const;

export function numberOrNull(text: string): number | null {
  const value = number(text);
  return Number.isFinite(value) ? value : null;
}
