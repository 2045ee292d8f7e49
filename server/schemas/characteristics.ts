import { z } from "zod";
import { characteristicTypes, type CharacteristicType } from "@/db/schema/characteristics";
import { boundedText, finiteNumber, requiredText } from "./common";
import { humanMessage } from "./messages";

export type CharacteristicOption = { value: string; label: string };
export type CharacteristicValue = string | number | boolean | string[];

/** What the browser and the services need of a characteristic's definition to read, check and show its values. */
export type CharacteristicDefinition = {
  id: number;
  label: string;
  type: CharacteristicType;
  unit: string;
  options: CharacteristicOption[];
  helpText: string;
};

export const characteristicTypeLabels: Record<CharacteristicType, string> = {
  text: "Text",
  number: "Number (with unit)",
  single: "One of a list",
  multiple: "Several of a list",
  boolean: "Yes / no",
};

export const isListType = (type: CharacteristicType) => type === "single" || type === "multiple" || type === "boolean";

/** An option's stored value: derived from its label once, then kept when the label is renamed. */
export function optionValueOf(label: string, taken: readonly string[]): string {
  const base =
    label
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .slice(0, 40) || "option";
  let value = base;
  for (let i = 2; taken.includes(value); i++) value = `${base}_${i}`;
  return value;
}

const optionSchema = z.object({ value: z.string().regex(/^[a-z0-9_]{1,50}$/, "must be lower-case letters, digits or _").optional(), label: requiredText(200) });

/** A definition as the lead edits it (the option values are assigned by the service when absent). */
export const characteristicDefinitionInput = z
  .object({
    label: requiredText(200),
    type: z.enum(characteristicTypes, { error: `must be one of ${characteristicTypes.join(", ")}` }),
    unit: boundedText(50).default(""),
    options: z.array(optionSchema).max(100, "must be at most 100").default([]),
    helpText: boundedText(1000).default(""),
    inTable1: z.boolean().default(false),
  })
  .superRefine((d, ctx) => {
    if ((d.type === "single" || d.type === "multiple") && d.options.length < 2)
      ctx.addIssue({ code: "custom", path: ["options"], message: "need at least two entries for a list" });
    const labels = d.options.map((o) => o.label.toLowerCase());
    const repeated = labels.find((l, i) => labels.indexOf(l) !== i);
    if (repeated) ctx.addIssue({ code: "custom", path: ["options"], message: `list "${repeated}" twice` });
  });
export type CharacteristicDefinitionInput = z.input<typeof characteristicDefinitionInput>;

const textValue = requiredText(5000);
const numberValue = finiteNumber;

/**
 * Checks a value against its characteristic: text, a finite number, one or several of the options, yes/no.
 * `null` (or "", or an empty list) clears the value ("not reported").
 */
export function parseCharacteristicValue(
  definition: CharacteristicDefinition,
  value: unknown,
): { ok: true; value: CharacteristicValue | null } | { ok: false; message: string } {
  const fail = (message: string) => ({ ok: false as const, message: humanMessage(definition.label, message) });
  if (value === null || value === "" || (Array.isArray(value) && value.length === 0)) return { ok: true, value: null };
  const allowed = definition.options.map((o) => o.value);
  switch (definition.type) {
    case "text": {
      const parsed = textValue.safeParse(value);
      return parsed.success ? { ok: true, value: parsed.data } : fail(parsed.error.issues[0]?.message ?? "is invalid");
    }
    case "number": {
      const parsed = numberValue.safeParse(value);
      return parsed.success ? { ok: true, value: parsed.data } : fail(parsed.error.issues[0]?.message ?? "is invalid");
    }
    case "boolean":
      return typeof value === "boolean" ? { ok: true, value } : fail("must be yes or no");
    case "single":
      return typeof value === "string" && allowed.includes(value) ? { ok: true, value } : fail(`must be one of ${definition.options.map((o) => o.label).join(", ")}`);
    case "multiple": {
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || !allowed.includes(v)))
        return fail(`must be some of ${definition.options.map((o) => o.label).join(", ")}`);
      // Stored in the definition's order, once each, so equal sets compare equal.
      return { ok: true, value: allowed.filter((v) => (value as string[]).includes(v)) };
    }
  }
}

/** Turns what was typed or picked in a cell (always a string) into the value `parseCharacteristicValue` checks. */
export function characteristicValueFromInput(definition: CharacteristicDefinition, raw: string): unknown {
  const text = raw.trim();
  if (text === "") return null;
  switch (definition.type) {
    case "number":
      return Number(text.replace(/\s/g, "").replace(",", "."));
    case "boolean":
      return text === "true" ? true : text === "false" ? false : text;
    case "multiple":
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    default:
      return text;
  }
}

/** The value as a cell or a report prints it: option labels, "Yes"/"No", numbers with their unit. */
export function formatCharacteristicValue(definition: Pick<CharacteristicDefinition, "type" | "unit" | "options">, value: CharacteristicValue | null | undefined): string {
  if (value === null || value === undefined) return "";
  const labelOf = (v: string) => definition.options.find((o) => o.value === v)?.label ?? v;
  switch (definition.type) {
    case "boolean":
      return value === true ? "Yes" : value === false ? "No" : String(value);
    case "single":
      return labelOf(String(value));
    case "multiple":
      return (Array.isArray(value) ? value : [String(value)]).map(labelOf).join("; ");
    case "number":
      return definition.unit ? `${String(value)} ${definition.unit}` : String(value);
    default:
      return String(value);
  }
}
