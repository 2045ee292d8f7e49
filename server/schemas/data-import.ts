import { z } from "zod";
import { id } from "./common";
import { studyFieldLabels, studyFields, type StudyField } from "./study";

/**
 * Where a column of an imported spreadsheet goes: a study field, a characteristic ("c:<id>"), a new characteristic
 * named after the column ("new"), one of the outcome-data fields below, or nowhere ("ignore"). The labels are the
 * headers of the workbench's own template and exports, so that its files map themselves.
 */
export const valueTargets = [
  "outcome",
  "arm",
  "armKind",
  "sharedControl",
  "day",
  "mean",
  "sd",
  "sem",
  "ciLower",
  "ciUpper",
  "errorType",
  "errorValue",
  "n",
  "dataSource",
  "sourceDetail",
  "isExampleData",
] as const;
export type ValueTarget = (typeof valueTargets)[number];
export type ImportTarget = "study" | StudyField | ValueTarget | `c:${number}` | "new" | "ignore";

export const valueTargetLabels: Record<ValueTarget, string> = {
  outcome: "Outcome",
  arm: "Arm",
  armKind: "Treated or control",
  sharedControl: "Shared control",
  day: "Day",
  mean: "Mean",
  sd: "SD",
  sem: "SEM",
  ciLower: "CI lower",
  ciUpper: "CI upper",
  errorType: "Error type",
  errorValue: "Error value",
  n: "n",
  dataSource: "Source",
  sourceDetail: "Source detail",
  isExampleData: "Example data",
};

/** The column that names a study within the file (several rows, and the two sheets, refer to it). */
export const STUDY_KEY_LABEL = "Study";

export const fixedTargetLabels: Record<"study" | StudyField | ValueTarget, string> = { study: STUDY_KEY_LABEL, ...studyFieldLabels, ...valueTargetLabels };
/** The label of any target key, or the key itself when it is not a fixed one. */
export const labelOfTarget = (target: string): string => (fixedTargetLabels as Record<string, string>)[target] ?? target;

export const isFixedTarget = (target: string): boolean => target === "study" || (studyFields as readonly string[]).includes(target) || (valueTargets as readonly string[]).includes(target);

export const importTargetSchema = z
  .string()
  .max(40)
  .refine((t) => t === "ignore" || t === "new" || isFixedTarget(t) || /^c:[1-9]\d{0,9}$/.test(t), "must be a study field, a characteristic, an outcome-data field, new or ignore");

/** A header as compared for mapping: case, spacing and surrounding punctuation do not matter. */
export const normaliseHeader = (header: string) =>
  header
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/^[\s"'*:]+|[\s"'*:]+$/g, "")
    .trim();

/** The uploaded file travels as base64 inside the JSON body (at most 10 MB before encoding: see request-safety). */
export const uploadedFile = z.object({
  name: z.string().trim().min(1, "is required").max(255, "must be at most 255 characters"),
  base64: z.string().max(14_200_000, "is larger than 10 MB"),
});

export const importInput = z.object({
  file: uploadedFile,
  /** Normalised header → target; headers left out keep the remembered or automatic choice. */
  mapping: z.record(z.string().max(300), importTargetSchema).default({}),
});

export const commitImportInput = importInput.extend({
  /** The preview's fingerprint: the commit is refused when the plan differs from what was previewed. */
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/, "must be a preview's fingerprint"),
});

export const archiveImportInput = z.object({ file: uploadedFile });
export const referencesImportInput = z.object({ file: uploadedFile, createMissing: z.boolean().default(true) });
export const commitReferencesInput = referencesImportInput.extend({ fingerprint: z.string().regex(/^[0-9a-f]{64}$/) });

/** The files a member can download (app/api/reviews/[id]/files). */
export const exportFiles = [
  "study-data.csv",
  "study-data.xlsx",
  "template.csv",
  "template.xlsx",
  "table1.csv",
  "table1.xlsx",
  "outcome-data.csv",
  "outcome-data.xlsx",
  "analyses.xlsx",
  "analysis.csv",
  "metafor.csv",
  "analysis.R",
  "revman-study-information.csv",
  "revman-arms.csv",
  "revman-results.csv",
  "revman-risk-of-bias.csv",
  "robvis.csv",
  "references.ris",
  "references.bib",
  "review.json",
  "prisma.svg",
  "prisma.csv",
] as const;
export type ExportFile = (typeof exportFiles)[number];
export const exportInput = z.object({ file: z.enum(exportFiles), analysisId: id.optional() });
