import { formatCharacteristicValue, type CharacteristicDefinition, type CharacteristicValue } from "./characteristics";
import { parseColumnKey, studyFieldLabels } from "./study";

type Definition = Pick<CharacteristicDefinition, "id" | "label" | "type" | "unit" | "options">;

/**
 * A column of the study table is a fixed field or one of the review's characteristics. These two functions are
 * how Table 1, the filters, the subgroup names, the exports and the report read any column the same way.
 */
export function columnLabel(definitions: readonly Definition[], key: string): string {
  const parsed = parseColumnKey(key);
  if (!parsed) return key;
  if (parsed.kind === "field") return studyFieldLabels[parsed.field];
  return definitions.find((d) => d.id === parsed.id)?.label ?? key;
}

/** A study's value in a column as text ("" when not reported). */
export function columnText(
  definitions: readonly Definition[],
  key: string,
  study: object,
  values: ReadonlyMap<number, CharacteristicValue> | Readonly<Record<string, CharacteristicValue>> | undefined,
): string {
  const parsed = parseColumnKey(key);
  if (!parsed) return "";
  if (parsed.kind === "field") {
    const value = (study as Record<string, unknown>)[parsed.field];
    return value === null || value === undefined ? "" : String(value);
  }
  const definition = definitions.find((d) => d.id === parsed.id);
  if (!definition) return "";
  const value = values instanceof Map ? values.get(parsed.id) : (values as Record<string, CharacteristicValue> | undefined)?.[String(parsed.id)];
  return formatCharacteristicValue(definition, value);
}

/** A study's raw value in a column (a number stays a number, for sorting). */
export function columnValue(key: string, study: object, values: Readonly<Record<string, CharacteristicValue>> | undefined): unknown {
  const parsed = parseColumnKey(key);
  if (!parsed) return undefined;
  return parsed.kind === "field" ? (study as Record<string, unknown>)[parsed.field] : values?.[String(parsed.id)];
}
