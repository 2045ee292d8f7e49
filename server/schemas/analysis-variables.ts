import { isListType, type CharacteristicDefinition } from "./characteristics";
import { robDomains } from "./risk-of-bias";
import { parseColumnKey, studyFieldLabels, type StudyField } from "./study";

/**
 * The variables a preclinical analysis can stratify by or regress on (CAMARADES practice: Vesterinen et al. 2014,
 * J Neurosci Methods 221:92). Each is a key stored in the analysis settings (JSON), so that saved analyses and the
 * page's address name them the same way:
 * - a study column: a fixed field ("species") or a characteristic ("c:12"): the arm's own value where it has one;
 * - "rob:D7": the SYRCLE consensus judgment of a domain; "rob:low": how many domains are judged low risk;
 * - "arm:dose": the comparison's dose with its unit, as a category; "dose": the dose as a number (the arm's, else
 *   the study's); "day": the day after injury of the values analysed; "year", "animalsTotal": study fields.
 */

/** Fixed fields that can group studies (identifiers, numbers and free notes cannot). */
export const groupingFixedFields: readonly StudyField[] = [
  "species",
  "strain",
  "sex",
  "diseaseModel",
  "modelInduction",
  "intervention",
  "administrationRoute",
  "timingAfterInjury",
  "administrationFrequency",
  "doseUnit",
];

export const ROB_PREFIX = "rob:";
export const robDomainKeys = robDomains.map((d) => `${ROB_PREFIX}${d.code}`);
export const ARM_DOSE_STRATUM = "arm:dose";
export const LOW_RISK_COUNT = "rob:low";
/** Numeric moderators that are not columns of Table 1 (or read differently: the dose is the arm's first). */
export const numericVariables = { year: "Year of publication", dose: "Dose (the arm's, else the study's)", day: "Day after injury of the values analysed", animalsTotal: "Animals (total)", [LOW_RISK_COUNT]: "Low-risk SYRCLE domains (consensus, 0 to 10)" } as const;

type Definition = Pick<CharacteristicDefinition, "id" | "label" | "type" | "unit">;

/** A stratification key: a list characteristic or a grouping field (checked against the definitions by the service), a SYRCLE domain, or the arm's dose. */
export function isStratumKey(key: string): boolean {
  if (robDomainKeys.includes(key) || key === ARM_DOSE_STRATUM) return true;
  const parsed = parseColumnKey(key);
  return parsed !== null && (parsed.kind === "characteristic" || groupingFixedFields.includes(parsed.field));
}

/** A moderator key: a numeric variable above or a characteristic (a number one: checked by the service). */
export function isModeratorKey(key: string): boolean {
  if (Object.hasOwn(numericVariables, key)) return true;
  return parseColumnKey(key)?.kind === "characteristic";
}

const domainOf = (key: string) => robDomains.find((d) => `${ROB_PREFIX}${d.code}` === key);

/** What a person reads for a variable key ("Cell source", "D7 Blinding of outcome assessor"…); the key itself when unknown. */
export function variableLabel(definitions: readonly Definition[], key: string): string {
  const domain = domainOf(key);
  if (domain) return `${domain.code} ${domain.name} (SYRCLE consensus)`;
  if (key === ARM_DOSE_STRATUM) return "Dose (arm)";
  if (Object.hasOwn(numericVariables, key)) return numericVariables[key as keyof typeof numericVariables];
  const parsed = parseColumnKey(key);
  if (!parsed) return key;
  if (parsed.kind === "field") return studyFieldLabels[parsed.field];
  const definition = definitions.find((d) => d.id === parsed.id);
  if (!definition) return key;
  return definition.unit ? `${definition.label} (${definition.unit})` : definition.label;
}

/** The choices of the stratification picker: list characteristics, SYRCLE domains, the arm's dose, grouping fields. */
export function stratumChoices(definitions: readonly Definition[]): { value: string; label: string }[] {
  return [
    ...definitions.filter((d) => isListType(d.type)).map((d) => ({ value: `c:${d.id}`, label: d.label })),
    ...robDomainKeys.map((key) => ({ value: key, label: variableLabel(definitions, key) })),
    { value: ARM_DOSE_STRATUM, label: variableLabel(definitions, ARM_DOSE_STRATUM) },
    ...groupingFixedFields.map((f) => ({ value: f, label: studyFieldLabels[f] })),
  ];
}

/** The choices of the meta-regression picker: numeric characteristics and the numeric variables. */
export function moderatorChoices(definitions: readonly Definition[]): { value: string; label: string }[] {
  return [
    ...definitions.filter((d) => d.type === "number").map((d) => ({ value: `c:${d.id}`, label: variableLabel(definitions, `c:${d.id}`) })),
    ...Object.entries(numericVariables).map(([value, label]) => ({ value, label })),
  ];
}
