import type { CellKind } from "@/app/_components/editable-cell";
import { characteristicValueFromInput, parseCharacteristicValue, type CharacteristicDefinition, type CharacteristicValue } from "@/server/schemas/characteristics";
import { numberFromInput } from "@/server/schemas/measurement";
import { parseColumnKey, parseStudyField, studyFieldKinds, type StudyField } from "@/server/schemas/study";

const nullableNumeric = new Set<StudyField>(["dose", "animalsTotal"]);

/** Turns what was typed in a fixed field's cell into the value its schema expects ("" clears a nullable number). */
export function studyFieldValue(field: StudyField, raw: string): unknown {
  if (studyFieldKinds[field] !== "number") return raw;
  const value = numberFromInput(raw);
  if (value === null) return nullableNumeric.has(field) ? null : Number.NaN;
  return value;
}

/** Checks a cell's typed value with the same schema the server uses; the message names the column. */
export function checkColumnInput(definitions: readonly CharacteristicDefinition[], key: string, raw: string): { ok: true; value: unknown } | { ok: false; message: string } {
  const parsed = parseColumnKey(key);
  if (!parsed) return { ok: false, message: `Unknown column ${key}` };
  if (parsed.kind === "field") return parseStudyField(parsed.field, studyFieldValue(parsed.field, raw));
  const definition = definitions.find((d) => d.id === parsed.id);
  if (!definition) return { ok: false, message: "This characteristic was removed meanwhile: reload the page." };
  return parseCharacteristicValue(definition, characteristicValueFromInput(definition, raw));
}

/** How a column's cell edits: its input kind and, for lists, the choices (a blank first: "not reported"). */
export function columnEditor(definitions: readonly CharacteristicDefinition[], key: string): { kind: CellKind; options?: { value: string; label: string }[] } {
  const parsed = parseColumnKey(key);
  if (!parsed) return { kind: "text" };
  if (parsed.kind === "field") return { kind: studyFieldKinds[parsed.field] };
  const definition = definitions.find((d) => d.id === parsed.id);
  switch (definition?.type) {
    case "number":
      return { kind: "number" };
    case "boolean":
      return { kind: "select", options: [{ value: "", label: "Not reported" }, { value: "true", label: "Yes" }, { value: "false", label: "No" }] };
    case "single":
      return { kind: "select", options: [{ value: "", label: "Not reported" }, ...definition.options] };
    case "multiple":
      return { kind: "multiselect", options: definition.options };
    default:
      return { kind: "textarea" };
  }
}

/** The value a cell starts editing from (a list's stored value, a number as typed). */
export function columnEditValue(key: string, study: object, values: Readonly<Record<string, CharacteristicValue>> | undefined): string | number | null {
  const parsed = parseColumnKey(key);
  if (!parsed) return null;
  const value = parsed.kind === "field" ? (study as Record<string, unknown>)[parsed.field] : values?.[String(parsed.id)];
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return JSON.stringify(value);
  return typeof value === "number" ? value : String(value);
}
