import "server-only";
import { and, asc, count, eq, inArray, max, sql } from "drizzle-orm";
import { writeTransaction, type Db, type DbOrTx } from "@/db/client";
import { armCharacteristicValues, characteristics, characteristicValues, reviews, studies } from "@/db/schema";
import { AppError, notFound } from "@/server/errors";
import { publishReviewChange } from "@/server/events";
import {
  characteristicDefinitionInput,
  optionValueOf,
  type CharacteristicDefinition,
  type CharacteristicDefinitionInput,
  type CharacteristicValue,
} from "@/server/schemas/characteristics";
import { humanMessage } from "@/server/schemas/messages";
import { characteristicKey, fixedTable1Fields, parseColumnKey } from "@/server/schemas/study";
import { diffRows, recordAudit, type Actor } from "./audit";
import { getReview } from "./reviews";
import { assertVersion } from "./versioning";

export type CharacteristicRow = typeof characteristics.$inferSelect;

export function listCharacteristics(db: DbOrTx, reviewId: number): CharacteristicRow[] {
  return db.select().from(characteristics).where(eq(characteristics.reviewId, reviewId)).orderBy(asc(characteristics.position), asc(characteristics.id)).all();
}

export function getCharacteristic(db: DbOrTx, reviewId: number, id: number): CharacteristicRow {
  const row = db.select().from(characteristics).where(and(eq(characteristics.id, id), eq(characteristics.reviewId, reviewId))).get();
  if (!row) throw notFound(`Characteristic ${id}`);
  return row;
}

/** Every value of the review's characteristics, by study then characteristic id. */
export function characteristicValuesByStudy(db: DbOrTx, studyIds: number[]): Map<number, Map<number, CharacteristicValue>> {
  const byStudy = new Map<number, Map<number, CharacteristicValue>>();
  if (studyIds.length === 0) return byStudy;
  const rows = db.select().from(characteristicValues).where(inArray(characteristicValues.studyId, studyIds)).all();
  for (const row of rows) {
    const values = byStudy.get(row.studyId) ?? new Map<number, CharacteristicValue>();
    values.set(row.characteristicId, row.value);
    byStudy.set(row.studyId, values);
  }
  return byStudy;
}

/** Gives options without a stored value one derived from their label, keeping the values already stored. */
function withOptionValues(options: CharacteristicDefinitionInput["options"] = []): CharacteristicDefinition["options"] {
  const taken: string[] = options.flatMap((o) => (o.value ? [o.value] : []));
  return options.map((o) => {
    if (o.value) return { value: o.value, label: o.label };
    const value = optionValueOf(o.label, taken);
    taken.push(value);
    return { value, label: o.label };
  });
}

function parseDefinition(input: CharacteristicDefinitionInput) {
  const parsed = characteristicDefinitionInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? "label");
    const labels: Record<string, string> = { label: "Label", type: "Type", unit: "Unit", options: "Choices", helpText: "Help text" };
    throw new AppError("invalid", humanMessage(labels[field] ?? field, issue?.message), field);
  }
  const definition = parsed.data;
  const options = definition.type === "single" || definition.type === "multiple" ? withOptionValues(definition.options) : [];
  return { ...definition, options, unit: definition.type === "number" ? definition.unit : "" };
}

function setInTable1(tx: DbOrTx, reviewId: number, key: string, inTable1: boolean): void {
  const review = getReview(tx, reviewId);
  const has = review.table1Columns.includes(key);
  if (has === inTable1) return;
  const columns = inTable1 ? [...review.table1Columns, key] : review.table1Columns.filter((c) => c !== key);
  tx.update(reviews).set({ table1Columns: columns }).where(eq(reviews.id, reviewId)).run();
}

function assertLabelFree(tx: DbOrTx, reviewId: number, label: string, exceptId?: number): void {
  const clash = listCharacteristics(tx, reviewId).find((c) => c.id !== exceptId && c.label.toLowerCase() === label.toLowerCase());
  if (clash) throw new AppError("invalid", `Label "${label}" is already a characteristic of this review.`, "label");
}

export function createCharacteristic(db: Db, actor: Actor, reviewId: number, input: CharacteristicDefinitionInput): CharacteristicRow {
  const definition = parseDefinition(input);
  const row = writeTransaction(db, (tx) => {
    assertLabelFree(tx, reviewId, definition.label);
    const position = (tx.select({ last: max(characteristics.position) }).from(characteristics).where(eq(characteristics.reviewId, reviewId)).get()?.last ?? 0) + 1;
    const { inTable1, ...values } = definition;
    const created = tx.insert(characteristics).values({ ...values, reviewId, position }).returning().get();
    setInTable1(tx, reviewId, characteristicKey(created.id), inTable1);
    recordAudit(tx, actor, { reviewId, entity: "characteristic", entityId: created.id, action: "create", changes: diffRows({}, { ...values, inTable1 }) });
    return created;
  });
  publishReviewChange(reviewId, "characteristic", actor.displayName);
  return row;
}

/**
 * Edits a definition. A type can change only while no study has a value (a value would otherwise change meaning);
 * a choice still used by a study cannot be removed (rename it instead: values are stored by the option's value).
 */
export function updateCharacteristic(db: Db, actor: Actor, reviewId: number, id: number, input: CharacteristicDefinitionInput, expectedVersion: number): CharacteristicRow {
  const definition = parseDefinition(input);
  const row = writeTransaction(db, (tx) => {
    const current = getCharacteristic(tx, reviewId, id);
    assertVersion(tx, "characteristic", current, expectedVersion);
    assertLabelFree(tx, reviewId, definition.label, id);
    // Arms' own values count as values too (a study with two cell sources holds them on its arms).
    const values = [
      ...tx.select().from(characteristicValues).where(eq(characteristicValues.characteristicId, id)).all(),
      ...tx.select().from(armCharacteristicValues).where(eq(armCharacteristicValues.characteristicId, id)).all(),
    ];
    if (definition.type !== current.type && values.length > 0)
      throw new AppError("invalid", `Type cannot change: ${values.length} ${values.length === 1 ? "study has" : "studies have"} a value for "${current.label}". Clear them first.`, "type");
    if (definition.type === "single" || definition.type === "multiple") {
      const kept = new Set(definition.options.map((o) => o.value));
      const used = new Set(values.flatMap((v) => (Array.isArray(v.value) ? v.value : [String(v.value)])));
      const removed = current.options.filter((o) => !kept.has(o.value) && used.has(o.value));
      if (removed.length > 0)
        throw new AppError("invalid", `Choices "${removed.map((o) => o.label).join('", "')}" are used by studies: rename them instead of removing, or change those studies first.`, "options");
    }
    const { inTable1, ...fields } = definition;
    const updated = tx
      .update(characteristics)
      .set({ ...fields, version: sql`${characteristics.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(characteristics.id, id))
      .returning()
      .get();
    const wasInTable1 = getReview(tx, reviewId).table1Columns.includes(characteristicKey(id));
    setInTable1(tx, reviewId, characteristicKey(id), inTable1);
    recordAudit(tx, actor, { reviewId, entity: "characteristic", entityId: id, action: "update", changes: diffRows({ ...current, inTable1: wasInTable1 }, { ...updated, inTable1 }) });
    return updated;
  });
  publishReviewChange(reviewId, "characteristic", actor.displayName);
  return row;
}

/** Removes a definition and its values in one transaction; the audit row keeps every value it held. */
export function deleteCharacteristic(db: Db, actor: Actor, reviewId: number, id: number, expectedVersion: number): void {
  writeTransaction(db, (tx) => {
    const current = getCharacteristic(tx, reviewId, id);
    assertVersion(tx, "characteristic", current, expectedVersion);
    const values = tx.select({ studyId: characteristicValues.studyId, value: characteristicValues.value }).from(characteristicValues).where(eq(characteristicValues.characteristicId, id)).all();
    const armValues = tx.select({ armId: armCharacteristicValues.armId, value: armCharacteristicValues.value }).from(armCharacteristicValues).where(eq(armCharacteristicValues.characteristicId, id)).all();
    setInTable1(tx, reviewId, characteristicKey(id), false);
    tx.delete(characteristics).where(eq(characteristics.id, id)).run();
    recordAudit(tx, actor, { reviewId, entity: "characteristic", entityId: id, action: "delete", changes: [{ field: null, oldValue: { definition: current, values, armValues }, newValue: null }] });
  });
  publishReviewChange(reviewId, "characteristic", actor.displayName);
}

/** Moves a characteristic one place up or down on the study page. */
export function moveCharacteristic(db: Db, actor: Actor, reviewId: number, id: number, direction: "up" | "down"): void {
  writeTransaction(db, (tx) => {
    const list = listCharacteristics(tx, reviewId);
    const index = list.findIndex((c) => c.id === id);
    if (index < 0) throw notFound(`Characteristic ${id}`);
    const other = list[direction === "up" ? index - 1 : index + 1];
    if (!other) return;
    const self = list[index]!;
    const order = list.map((c) => c.id);
    order.splice(index, 1);
    order.splice(direction === "up" ? index - 1 : index + 1, 0, id);
    order.forEach((cid, i) => tx.update(characteristics).set({ position: i + 1 }).where(eq(characteristics.id, cid)).run());
    recordAudit(tx, actor, { reviewId, entity: "characteristic", entityId: id, action: "update", changes: [{ field: "position", oldValue: self.position, newValue: order.indexOf(id) + 1 }] });
  });
  publishReviewChange(reviewId, "characteristic", actor.displayName);
}

/** Sets Table 1's columns (fixed fields and characteristics, in order); author and year always lead. */
export function setTable1Columns(db: Db, actor: Actor, reviewId: number, columns: string[], expectedVersion: number): void {
  writeTransaction(db, (tx) => {
    const review = getReview(tx, reviewId);
    assertVersion(tx, "review", review, expectedVersion);
    const ids = new Set(listCharacteristics(tx, reviewId).map((c) => c.id));
    for (const key of columns) {
      const parsed = parseColumnKey(key);
      const ok = parsed && (parsed.kind === "characteristic" ? ids.has(parsed.id) : fixedTable1Fields.includes(parsed.field));
      if (!ok) throw new AppError("invalid", `Table 1 columns: "${key}" is not a field or characteristic of this review.`, "columns");
    }
    const unique = [...new Set(columns)];
    tx.update(reviews)
      .set({ table1Columns: unique, version: sql`${reviews.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(reviews.id, reviewId))
      .run();
    recordAudit(tx, actor, { reviewId, entity: "review", entityId: reviewId, action: "update", changes: [{ field: "table1Columns", oldValue: review.table1Columns, newValue: unique }] });
  });
  publishReviewChange(reviewId, "review", actor.displayName);
}

export function characteristicUsage(db: DbOrTx, reviewId: number): Map<number, number> {
  const rows = db
    .select({ id: characteristicValues.characteristicId, n: count() })
    .from(characteristicValues)
    .innerJoin(studies, eq(studies.id, characteristicValues.studyId))
    .where(eq(studies.reviewId, reviewId))
    .groupBy(characteristicValues.characteristicId)
    .all();
  return new Map(rows.map((r) => [r.id, r.n]));
}
