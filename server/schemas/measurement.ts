import { z } from "zod";
import { dataSources, errorTypes, type ErrorType } from "@/db/schema/studies";
import { boundedText, finiteNumber, id, version } from "./common";
import { humanMessage } from "./messages";

export const MAX_N = 100_000;

/** One arm's value at one time point, as entered in the outcome grid. */
export const measurementInput = z
  .object({
    studyId: id,
    outcomeId: id,
    armId: id,
    day: finiteNumber.min(0, "must be 0 or more").max(3650, "must be at most 3650 days"),
    mean: finiteNumber,
    errorType: z.enum(errorTypes, { error: "must be SD, SEM or 95% CI" }),
    errorValue: finiteNumber.min(0, "must be 0 or more").nullable().default(null),
    ciLower: finiteNumber.nullable().default(null),
    ciUpper: finiteNumber.nullable().default(null),
    n: z.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").max(MAX_N, "must be at most 100 000"),
    dataSource: z.enum(dataSources).default("table"),
    sourceDetail: boundedText(200).default(""),
    /** The version read, for an update; absent when the cell was empty. */
    version: version.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.errorType === "CI95") {
      if (m.ciLower === null) ctx.addIssue({ code: "custom", path: ["ciLower"], message: "is required for a 95% CI" });
      if (m.ciUpper === null) ctx.addIssue({ code: "custom", path: ["ciUpper"], message: "is required for a 95% CI" });
      if (m.ciLower !== null && m.ciUpper !== null && m.ciLower > m.ciUpper) ctx.addIssue({ code: "custom", path: ["ciUpper"], message: "must not be below the lower bound" });
    } else if (m.errorValue === null) {
      ctx.addIssue({ code: "custom", path: ["errorValue"], message: "is required" });
    }
  });

export type MeasurementInput = z.infer<typeof measurementInput>;
export type MeasurementField = "day" | "mean" | "errorType" | "errorValue" | "ciLower" | "ciUpper" | "n" | "dataSource" | "sourceDetail";

export const errorTypeLabels: Record<ErrorType, string> = { SD: "SD", SEM: "SEM", CI95: "95% CI" };

/** The label a person reads for a field of the grid; the error value is called what it is (SD or SEM). */
export function measurementFieldLabel(field: string, errorType: ErrorType | undefined): string {
  const labels: Record<string, string> = {
    day: "Day",
    mean: "Mean",
    errorType: "Error type",
    errorValue: errorType === "SEM" ? "SEM" : "SD",
    ciLower: "Lower 95% CI bound",
    ciUpper: "Upper 95% CI bound",
    n: "n",
    dataSource: "Source",
    sourceDetail: "Source detail",
  };
  return labels[field] ?? field;
}

/** Every problem of a row, by field, in words a person reads ("n must be at most 100 000"). */
export function measurementProblems(raw: unknown): { field: string; message: string }[] {
  const parsed = measurementInput.safeParse(raw);
  if (parsed.success) return [];
  const errorType = (raw as { errorType?: ErrorType } | null)?.errorType;
  const seen = new Set<string>();
  return parsed.error.issues.flatMap((issue) => {
    const field = String(issue.path[0] ?? "");
    if (seen.has(field)) return [];
    seen.add(field);
    return [{ field, message: humanMessage(measurementFieldLabel(field, errorType), issue.message) }];
  });
}

/** What was typed in a number cell: spaces and thin spaces as thousands separators, a decimal comma. */
export function numberFromInput(text: string): number | null {
  const trimmed = text.replace(/[\s\u00a0\u2009\u202f]/g, "").replace(",", ".");
  if (trimmed === "") return null;
  return Number(trimmed);
}
