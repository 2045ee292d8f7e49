import { z } from "zod";
import { chartKinds, figurePointKinds } from "@/db/schema/figures";
import { errorTypes } from "@/db/schema/studies";
import { boundedText, finiteNumber, id, requiredText, version } from "./common";

/** Shared by the digitiser page (instant validation) and the figures router. */

export const pixelSchema = z.object({ x: finiteNumber, y: finiteNumber });
const axisReference = z.object({ pixel: pixelSchema, value: finiteNumber });
export const axisCalibrationSchema = z.object({ scale: z.enum(["linear", "log"]), p1: axisReference, p2: axisReference });
export const calibrationSchema = z.object({ x: axisCalibrationSchema.nullable(), y: axisCalibrationSchema });

const cropSchema = z.object({
  x: finiteNumber.min(0, "must be 0 or more"),
  y: finiteNumber.min(0, "must be 0 or more"),
  width: finiteNumber.positive("must be above 0"),
  height: finiteNumber.positive("must be above 0"),
});
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "must be a SHA-256 in hexadecimal");

/** Where the stored figure image came from: a PDF page (crop in PDF points) or an image (crop in its pixels). */
export const figureSourceSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("pdf"),
    name: boundedText(200),
    sha256: sha256Hex,
    page: z.number().int("must be a whole number").min(1, "must be 1 or more").max(100_000),
    crop: cropSchema,
    /** Pixels of the stored image per PDF point. */
    scale: finiteNumber.positive("must be above 0").max(20, "must be at most 20"),
  }),
  z.object({ kind: z.literal("image"), name: boundedText(200), sha256: sha256Hex, crop: cropSchema }),
]);

export const figureDetailsSchema = z.object({
  studyId: id,
  outcomeId: id,
  label: requiredText(60),
  caption: boundedText(2000).default(""),
  chartKind: z.enum(chartKinds),
  source: figureSourceSchema,
});
export type FigureDetails = z.infer<typeof figureDetailsSchema>;

/** The multipart upload's "details" part, plus the image bytes (only the upload route can supply those). */
export const createFigureInput = figureDetailsSchema.extend({
  image: z.instanceof(Uint8Array, { message: "must be sent as a file upload" }),
  imageName: boundedText(200).default(""),
});

export const figureRef = z.object({ figureId: id });
export const deleteFigureInput = z.object({ figureId: id, version });
export const readingRef = z.object({ figureId: id, readingId: id, version });

export const saveCalibrationInput = readingRef.extend({ calibration: calibrationSchema });

export const placePointInput = z
  .object({
    figureId: id,
    readingId: id,
    armId: id,
    day: finiteNumber.min(0, "must be 0 or more").max(3650, "must be at most 3650 days"),
    kind: z.enum(figurePointKinds),
    errorType: z.enum(errorTypes).nullable().default(null),
    pixel: pixelSchema,
    /** The arm's n as printed in the text: used only if the grid has no row yet for this arm and day. */
    n: z.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").max(100_000).nullable().default(null),
    /** The version read, for moving a placed point; absent for a new one. */
    version: version.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.kind === "error_end" && p.errorType === null) ctx.addIssue({ code: "custom", path: ["errorType"], message: "is required for an error-bar end (SD, SEM or 95% CI, as the legend says)" });
  });
export type PlacePointInput = z.infer<typeof placePointInput>;

export const deletePointInput = z.object({ figureId: id, pointId: id, version });

export const sendToGridInput = z.object({
  figureId: id,
  armId: id,
  day: finiteNumber,
  n: z.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").max(100_000).nullable().default(null),
  /** To replace a grid value that was typed or changed by hand: the version of that row as shown. */
  replaceVersion: version.nullable().default(null),
});

export const decideInput = z.object({ figureId: id, readingId: id, reason: boundedText(1000).default(""), version });

export const updateFigureInput = z.object({
  figureId: id,
  patch: z.object({ label: requiredText(60).optional(), caption: boundedText(2000).optional() }),
  version,
});

/** Human labels of the inputs, for messages beside the fields. */
export const figureFieldLabels: Record<string, string> = {
  label: "Figure label",
  caption: "Caption",
  chartKind: "Chart type",
  outcomeId: "Outcome",
  studyId: "Study",
  day: "Day",
  n: "n (from the text)",
  errorType: "Error bars show",
  pixel: "Point position",
  kind: "Point kind",
  reason: "Reason",
  source: "Source",
};

/** "Figure label: is required" from a zod issue path. */
export function labelledIssue(issue: { path: PropertyKey[]; message: string } | undefined): string {
  if (!issue) return "Invalid input.";
  const key = String(issue.path[0] ?? "");
  return `${figureFieldLabels[key] ?? (key || "Input")}: ${issue.message}`;
}
