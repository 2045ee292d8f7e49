import { z } from "zod";
import { armKinds, type ArmKind } from "@/db/schema/studies";
import { boundedText, finiteNumber, id, requiredText, version } from "./common";
import { humanMessage } from "./messages";

export const armKindLabels: Record<ArmKind, string> = { treated: "Treated", control: "Control", sham: "Sham" };
/** What each kind is, for the "Kind" choice when adding an arm. */
export const armKindDescriptions: Record<ArmKind, string> = { treated: "Treated", control: "Control (vehicle, untreated…)", sham: "Sham (operated, not injured)" };
/** Arms are listed treated first, then controls, then sham arms, each in the order they were added. */
export const armKindOrder: Record<ArmKind, number> = { treated: 0, control: 1, sham: 2 };

/**
 * The fields of an arm a reviewer edits. One schema per field, as for studies: the page validates a cell with it
 * before sending and the service validates the same value again; messages name no field (`parseArmField` adds it).
 */
export const armFieldSchemas = {
  label: requiredText(100),
  dose: finiteNumber.nonnegative("must be 0 or more").max(1e9, "must be at most 1 000 000 000").nullable(),
  doseUnit: boundedText(50),
  /** Treated arms only: a control arm of the same study (checked by the service), or null for "not chosen". */
  controlArmId: id.nullable(),
} as const;

export type ArmField = keyof typeof armFieldSchemas;
export const armFields = Object.keys(armFieldSchemas) as [ArmField, ...ArmField[]];

export const armFieldLabels: Record<ArmField, string> = { label: "Arm label", dose: "Dose", doseUnit: "Dose unit", controlArmId: "Control arm" };

export function parseArmField(field: ArmField, value: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  const result = armFieldSchemas[field].safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, message: humanMessage(armFieldLabels[field], result.error.issues[0]?.message) };
}

/** A new arm of a study. A treated arm without `controlArmId` gets the study's first control arm. */
export const newArmInput = z.object({
  studyId: id,
  kind: z.enum(armKinds, { error: "must be treated, control or sham" }),
  label: armFieldSchemas.label,
  dose: armFieldSchemas.dose.optional(),
  doseUnit: armFieldSchemas.doseUnit.optional(),
  controlArmId: armFieldSchemas.controlArmId.optional(),
});
export type NewArmInput = z.infer<typeof newArmInput>;

/** One field of an arm (`label`, `dose`, `doseUnit`, `controlArmId`) or its own value of a characteristic ("c:<id>"). */
export const armUpdateInput = z.object({ studyId: id, armId: id, field: z.string().max(40), value: z.unknown(), version });
export const armDeleteInput = z.object({ studyId: id, armId: id, version });

/** "50 µg", "" when there is no dose. */
export function formatDose(dose: number | null | undefined, unit: string | null | undefined): string {
  if (dose === null || dose === undefined || !Number.isFinite(dose)) return "";
  return unit ? `${dose} ${unit}` : String(dose);
}
