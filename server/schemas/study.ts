import { z } from "zod";
import { exosomeSources } from "@/db/schema/studies";
import { boundedText, finiteNumber, requiredText } from "./common";

const CURRENT_YEAR = new Date().getUTCFullYear();

/**
 * One schema per editable study field: the grid validates a cell with it before sending, and the procedure
 * validates the same value again. Messages name no field; the caller prefixes the field's label.
 */
export const studyFieldSchemas = {
  author: requiredText(200),
  year: z.number({ error: "must be a number" }).int("must be a whole year").min(1900, "must be 1900 or later").max(CURRENT_YEAR + 1, `must be ${CURRENT_YEAR + 1} or earlier`),
  exosomeSource: z.enum(exosomeSources, { error: `must be one of ${exosomeSources.join(", ")}` }),
  exosomeSourceDetail: boundedText(300),
  administrationRoute: boundedText(200),
  injuredSite: boundedText(100),
  modelingMethod: boundedText(200),
  possibleMechanism: boundedText(1000),
  reference: boundedText(300),
  doi: boundedText(200).refine((v) => v === "" || /^10\.\d{4,9}\/\S+$/.test(v), "must look like 10.xxxx/… (or be empty)"),
  species: boundedText(100),
  strain: boundedText(100),
  sex: boundedText(50),
  bodyWeight: boundedText(100),
  age: boundedText(100),
  dose: finiteNumber.nonnegative("must be 0 or more").nullable(),
  doseUnit: boundedText(50),
  administrationFrequency: boundedText(200),
  timingAfterInjury: boundedText(200),
  isolationMethod: boundedText(200),
  injuryDevice: boundedText(200),
  injurySeverity: boundedText(200),
  animalsTotal: z.number({ error: "must be a number" }).int("must be a whole number").min(2, "must be at least 2").max(100000).nullable(),
  notes: boundedText(5000),
} as const;

export type StudyField = keyof typeof studyFieldSchemas;
export const studyFields = Object.keys(studyFieldSchemas) as [StudyField, ...StudyField[]];

export const studyFieldLabels: Record<StudyField, string> = {
  author: "Author",
  year: "Year",
  exosomeSource: "Source",
  exosomeSourceDetail: "Source (as printed)",
  administrationRoute: "Administration route",
  injuredSite: "Injured site",
  modelingMethod: "Modeling method",
  possibleMechanism: "Possible mechanism",
  reference: "Reference",
  doi: "DOI",
  species: "Species",
  strain: "Strain",
  sex: "Sex",
  bodyWeight: "Body weight",
  age: "Age",
  dose: "Dose",
  doseUnit: "Dose unit",
  administrationFrequency: "Administration frequency",
  timingAfterInjury: "Timing after injury",
  isolationMethod: "Isolation method",
  injuryDevice: "Injury device",
  injurySeverity: "Injury severity",
  animalsTotal: "Animals (total)",
  notes: "Notes",
};

export const exosomeSourceLabels: Record<(typeof exosomeSources)[number], string> = {
  bone_marrow: "Bone marrow",
  adipose: "Adipose",
  umbilical_cord: "Umbilical cord",
  placenta: "Placenta",
  other: "Other",
};

/** Validates one field's value; returns the parsed value or a message that names the field. */
export function parseStudyField(field: StudyField, value: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  const result = studyFieldSchemas[field].safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, message: `${studyFieldLabels[field]}: ${result.error.issues[0]?.message ?? "is invalid"}` };
}

export const newStudySchema = z.object({
  author: studyFieldSchemas.author,
  year: studyFieldSchemas.year,
  exosomeSource: studyFieldSchemas.exosomeSource.default("other"),
  exosomeSourceDetail: studyFieldSchemas.exosomeSourceDetail.default(""),
});
