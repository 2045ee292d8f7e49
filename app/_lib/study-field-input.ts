import type { StudyField } from "@/server/schemas/study";

const numericFields = new Set<StudyField>(["year", "dose", "animalsTotal"]);
const nullableNumeric = new Set<StudyField>(["dose", "animalsTotal"]);

/** Turns what was typed into the value the field's schema expects (numbers stay numbers; "" clears a nullable one). */
export function studyFieldValue(field: StudyField, raw: string): unknown {
  if (!numericFields.has(field)) return raw;
  const trimmed = raw.trim();
  if (trimmed === "") return nullableNumeric.has(field) ? null : Number.NaN;
  return Number(trimmed.replace(",", "."));
}
