import "server-only";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { writeTransaction, type Db, type DbOrTx } from "@/db/client";
import { armCharacteristicValues, arms, measurements, type MemberRole } from "@/db/schema";
import { AppError } from "@/server/errors";
import { publishReviewChange } from "@/server/events";
import { armFields, armKindLabels, parseArmField, type ArmField, type NewArmInput } from "@/server/schemas/arms";
import { parseCharacteristicValue, type CharacteristicValue } from "@/server/schemas/characteristics";
import { parseColumnKey } from "@/server/schemas/study";
import { diffRows, recordAudit, type Actor } from "./audit";
import { getCharacteristic } from "./characteristics";
import { getArm, type ArmRow } from "./measurements";
import { getStudy } from "./studies";
import { assertVersion } from "./versioning";

/** More arms than this is no animal study (and would make every plot unreadable). */
export const MAX_ARMS_PER_STUDY = 20;

const armsOf = (tx: DbOrTx, studyId: number) => tx.select().from(arms).where(eq(arms.studyId, studyId)).orderBy(asc(arms.id)).all();

/** Arm labels are what the plots print after the study ("Afsartala 2023 (50 µg)"), so one study never repeats one. */
function assertLabelFree(list: readonly ArmRow[], label: string, exceptId?: number): void {
  const clash = list.find((a) => a.id !== exceptId && a.label.trim().toLowerCase() === label.trim().toLowerCase());
  if (clash) throw new AppError("invalid", `Arm label "${label}" is already an arm of this study.`, "label");
}

/** A treated arm's control must be a control arm of the same study (an id from elsewhere is never accepted). */
function assertControlOf(list: readonly ArmRow[], controlArmId: number): void {
  const control = list.find((a) => a.id === controlArmId);
  if (!control || control.kind !== "control") throw new AppError("invalid", "Control arm must be one of this study's control arms.", "controlArmId");
}

/**
 * Adds an arm to a study: a treated arm (with its own dose, compared with the control it names, by default the
 * study's first control arm), a control arm (vehicle, untreated…) or a sham arm (the NMD's reference).
 */
export function createArm(db: Db, actor: Actor, reviewId: number, input: NewArmInput): ArmRow {
  const created = writeTransaction(db, (tx) => {
    getStudy(tx, reviewId, input.studyId);
    const list = armsOf(tx, input.studyId);
    if (list.length >= MAX_ARMS_PER_STUDY) throw new AppError("invalid", `A study has at most ${MAX_ARMS_PER_STUDY} arms.`, "kind");
    assertLabelFree(list, input.label);
    const treated = input.kind === "treated";
    if (!treated && (input.controlArmId != null || input.dose != null || (input.doseUnit ?? "") !== ""))
      throw new AppError("invalid", `Dose and control arm belong to treated arms, not to a ${armKindLabels[input.kind].toLowerCase()} arm.`, input.controlArmId != null ? "controlArmId" : "dose");
    let controlArmId: number | null = null;
    if (treated) {
      if (input.controlArmId != null) assertControlOf(list, input.controlArmId);
      controlArmId = input.controlArmId ?? list.find((a) => a.kind === "control")?.id ?? null;
    }
    const values = { studyId: input.studyId, kind: input.kind, label: input.label, controlArmId, dose: input.dose ?? null, doseUnit: input.doseUnit ?? "" };
    const row = tx.insert(arms).values(values).returning().get();
    recordAudit(tx, actor, { reviewId, entity: "arm", entityId: row.id, action: "create", changes: diffRows({}, { study: input.studyId, ...values, studyId: undefined }) });
    return row;
  });
  publishReviewChange(reviewId, "arm", actor.displayName);
  return created;
}

/**
 * Changes one thing of an arm: its label, dose, dose unit or control arm, or its own value of a characteristic
 * ("c:<id>"; null clears it, and the study's value applies again). The arm's version guards every edit.
 */
export function updateArmField(db: Db, actor: Actor, reviewId: number, studyId: number, armId: number, field: string, rawValue: unknown, expectedVersion: number): ArmRow {
  const key = parseColumnKey(field);
  const isArmField = (armFields as readonly string[]).includes(field);
  if (!isArmField && key?.kind !== "characteristic") throw new AppError("invalid", `"${field}" is not something an arm has.`, "field");
  const updated = writeTransaction(db, (tx) => {
    getStudy(tx, reviewId, studyId);
    const current = getArm(tx, studyId, armId);
    const bump = { version: sql`${arms.version} + 1` };
    if (isArmField) {
      const armField = field as ArmField;
      const parsed = parseArmField(armField, rawValue);
      if (!parsed.ok) throw new AppError("invalid", parsed.message, armField);
      const list = armsOf(tx, studyId);
      if (armField === "label") assertLabelFree(list, parsed.value as string, armId);
      if (armField !== "label" && current.kind !== "treated" && parsed.value !== null && parsed.value !== "")
        throw new AppError("invalid", `Dose and control arm belong to treated arms, not to a ${armKindLabels[current.kind].toLowerCase()} arm.`, armField);
      if (armField === "controlArmId" && parsed.value !== null) assertControlOf(list, parsed.value as number);
      assertVersion(tx, "arm", current, expectedVersion);
      const row = tx
        .update(arms)
        .set({ [armField]: parsed.value, ...bump })
        .where(eq(arms.id, armId))
        .returning()
        .get();
      recordAudit(tx, actor, { reviewId, entity: "arm", entityId: armId, action: "update", changes: [{ field: armField, oldValue: current[armField], newValue: row[armField] }] });
      return row;
    }
    const characteristicId = (key as { kind: "characteristic"; id: number }).id;
    const definition = getCharacteristic(tx, reviewId, characteristicId);
    if (current.kind !== "treated") throw new AppError("invalid", `Only a treated arm has its own ${definition.label}.`, field);
    const parsed = parseCharacteristicValue(definition, rawValue);
    if (!parsed.ok) throw new AppError("invalid", parsed.message, field);
    assertVersion(tx, "arm", current, expectedVersion);
    const where = and(eq(armCharacteristicValues.armId, armId), eq(armCharacteristicValues.characteristicId, characteristicId));
    const previous = tx.select({ value: armCharacteristicValues.value }).from(armCharacteristicValues).where(where).get()?.value ?? null;
    if (parsed.value === null) tx.delete(armCharacteristicValues).where(where).run();
    else
      tx.insert(armCharacteristicValues)
        .values({ armId, characteristicId, value: parsed.value })
        .onConflictDoUpdate({ target: [armCharacteristicValues.armId, armCharacteristicValues.characteristicId], set: { value: parsed.value, updatedAt: new Date().toISOString() } })
        .run();
    const row = tx.update(arms).set(bump).where(eq(arms.id, armId)).returning().get();
    recordAudit(tx, actor, { reviewId, entity: "arm", entityId: armId, action: "update", changes: [{ field: `${definition.label} (${field})`, oldValue: previous, newValue: parsed.value }] });
    return row;
  });
  publishReviewChange(reviewId, "arm", actor.displayName);
  return updated;
}

/**
 * Removes an arm with its outcome values and own characteristic values, all kept in the audit row. A control arm
 * still used by a treated arm is refused (choose another control for it first); an arm holding outcome values can
 * be removed by the lead only, as a study holding data can (a reviewer deletes the values first).
 */
export function deleteArm(db: Db, actor: Actor, role: MemberRole, reviewId: number, studyId: number, armId: number, expectedVersion: number): void {
  writeTransaction(db, (tx) => {
    getStudy(tx, reviewId, studyId);
    const current = getArm(tx, studyId, armId);
    assertVersion(tx, "arm", current, expectedVersion);
    const users = armsOf(tx, studyId).filter((a) => a.kind === "treated" && a.controlArmId === armId);
    if (users.length)
      throw new AppError("invalid", `${current.label} is the control of ${users.map((a) => a.label).join(", ")}: choose another control for ${users.length === 1 ? "it" : "them"} first.`, "controlArmId");
    const values = tx.select().from(measurements).where(eq(measurements.armId, armId)).all();
    if (values.length && role !== "lead")
      throw new AppError("forbidden", `${current.label} holds ${values.length} outcome value${values.length === 1 ? "" : "s"}: only the lead can remove it with them (or delete the values first).`);
    const own = tx.select().from(armCharacteristicValues).where(eq(armCharacteristicValues.armId, armId)).all();
    tx.delete(arms).where(eq(arms.id, armId)).run();
    recordAudit(tx, actor, { reviewId, entity: "arm", entityId: armId, action: "delete", changes: [{ field: null, oldValue: { arm: current, study: studyId, measurements: values, characteristicValues: own }, newValue: null }] });
  });
  publishReviewChange(reviewId, "arm", actor.displayName);
}

/** Each arm's own characteristic values (by characteristic id), for the study page. */
export function armCharacteristicValuesOf(db: DbOrTx, armIds: readonly number[]): Record<string, Record<string, CharacteristicValue>> {
  const result: Record<string, Record<string, CharacteristicValue>> = {};
  if (armIds.length === 0) return result;
  for (const row of db.select().from(armCharacteristicValues).where(inArray(armCharacteristicValues.armId, [...armIds])).all()) {
    (result[String(row.armId)] ??= {})[String(row.characteristicId)] = row.value;
  }
  return result;
}
