import { z } from "zod";
import { boundedText, finiteNumber, requiredText } from "./common";
import { humanMessage } from "./messages";

const CURRENT_YEAR = new Date().getUTCFullYear();

/**
 * The fields every animal study has (what the review's question adds is a characteristic: ./characteristics.ts).
 * One schema per field: the grid validates a cell with it before sending, and the service validates the same value
 * again. Messages name no field; `parseStudyField` puts the field's label in front.
 */
export const studyFieldSchemas = {
  author: requiredText(200),
  year: z.number({ error: "must be a number" }).int("must be a whole year").min(1900, "must be 1900 or later").max(CURRENT_YEAR + 1, `must be ${CURRENT_YEAR + 1} or earlier`),
  title: boundedText(1000),
  journal: boundedText(300),
  doi: boundedText(200).refine((v) => v === "" || /^10\.\d{4,9}\/\S+$/.test(v), "must look like 10.xxxx/… (or be empty)"),
  species: boundedText(100),
  strain: boundedText(100),
  sex: boundedText(50),
  age: boundedText(100),
  bodyWeight: boundedText(100),
  diseaseModel: boundedText(200),
  modelInduction: boundedText(200),
  intervention: boundedText(300),
  dose: finiteNumber.nonnegative("must be 0 or more").nullable(),
  doseUnit: boundedText(50),
  administrationRoute: boundedText(200),
  timingAfterInjury: boundedText(200),
  administrationFrequency: boundedText(200),
  animalsTotal: z.number({ error: "must be a number" }).int("must be a whole number").min(2, "must be at least 2").max(100_000, "must be at most 100 000").nullable(),
  notes: boundedText(5000),
} as const;

export type StudyField = keyof typeof studyFieldSchemas;
export const studyFields = Object.keys(studyFieldSchemas) as [StudyField, ...StudyField[]];

export const studyFieldLabels: Record<StudyField, string> = {
  author: "First author",
  year: "Year",
  title: "Title",
  journal: "Journal",
  doi: "DOI",
  species: "Species",
  strain: "Strain",
  sex: "Sex",
  age: "Age",
  bodyWeight: "Body weight",
  diseaseModel: "Disease model",
  modelInduction: "Model induction",
  intervention: "Intervention",
  dose: "Dose",
  doseUnit: "Dose unit",
  administrationRoute: "Route",
  timingAfterInjury: "Timing after injury",
  administrationFrequency: "Frequency",
  animalsTotal: "Animals (total)",
  notes: "Notes",
};

/** How each field is edited: numbers parse what was typed, long texts get a text area. */
export const studyFieldKinds: Record<StudyField, "text" | "number" | "textarea"> = {
  ...(Object.fromEntries(studyFields.map((f) => [f, "text"])) as Record<StudyField, "text">),
  year: "number",
  dose: "number",
  animalsTotal: "number",
  title: "textarea",
  notes: "textarea",
};

/** Fields that cannot be a Table 1 column or a subgroup (author and year always lead Table 1). */
export const fixedTable1Fields: readonly StudyField[] = studyFields.filter((f) => f !== "author" && f !== "year");

/** A column of the study table: a fixed field by name, or a characteristic as "c:<id>". */
export type ColumnKey = StudyField | `c:${number}`;
export const characteristicKey = (id: number): `c:${number}` => `c:${id}`;
export const columnKeySchema = z.string().refine((key) => parseColumnKey(key) !== null, "must be a study field or a characteristic");

export function parseColumnKey(key: string): { kind: "field"; field: StudyField } | { kind: "characteristic"; id: number } | null {
  if ((studyFields as readonly string[]).includes(key)) return { kind: "field", field: key as StudyField };
  const match = /^c:([1-9]\d{0,9})$/.exec(key);
  return match ? { kind: "characteristic", id: Number(match[1]) } : null;
}

/** Validates one field's value; returns the parsed value or a message that names the field ("Year must be…"). */
export function parseStudyField(field: StudyField, value: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  const result = studyFieldSchemas[field].safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, message: humanMessage(studyFieldLabels[field], result.error.issues[0]?.message) };
}

/** A new study: author and year are required; any other fixed field may be given. */
export const newStudySchema = z.object({
  author: studyFieldSchemas.author,
  year: studyFieldSchemas.year,
  title: studyFieldSchemas.title.optional(),
  journal: studyFieldSchemas.journal.optional(),
  doi: studyFieldSchemas.doi.optional(),
});
