import "server-only";
import { and, asc, count, desc, eq, inArray, isNotNull, isNull, max, sql } from "drizzle-orm";
import { writeTransaction, type Db, type DbOrTx } from "@/db/client";
import { arms, characteristicValues, measurements, robConsensus, robJudgments, studies, users } from "@/db/schema";
import { AppError, notFound } from "@/server/errors";
import { publishReviewChange } from "@/server/events";
import { parseCharacteristicValue, type CharacteristicValue } from "@/server/schemas/characteristics";
import { parseColumnKey, parseStudyField, type newStudySchema } from "@/server/schemas/study";
import type { MemberRole } from "@/db/schema";
import type { z } from "zod";
import { recordAudit, type Actor } from "./audit";
import { characteristicValuesByStudy, getCharacteristic } from "./characteristics";
import { assertVersion } from "./versioning";

export type StudyRow = typeof studies.$inferSelect;

/** The review's studies in Table 1 order; removed ones are left out (see `listRemovedStudies`). */
export function listStudies(db: DbOrTx, reviewId: number): StudyRow[] {
  return db
    .select()
    .from(studies)
    .where(and(eq(studies.reviewId, reviewId), isNull(studies.deletedAt)))
    .orderBy(asc(studies.position), asc(studies.id))
    .all();
}

/** A study of this review that has not been removed, or NOT_FOUND: ids from another review are never reachable. */
export function getStudy(db: DbOrTx, reviewId: number, studyId: number): StudyRow {
  const row = db
    .select()
    .from(studies)
    .where(and(eq(studies.id, studyId), eq(studies.reviewId, reviewId), isNull(studies.deletedAt)))
    .get();
  if (!row) throw notFound(`Study ${studyId}`);
  return row;
}

export const studyLabel = (s: Pick<StudyRow, "author" | "year">) => `${s.author.replace(/\s+et al\.?$/, "")} ${s.year}`;

/**
 * Inserts a study at the end of Table 1 with a treated and a control arm, and its audit row, inside the caller's
 * transaction (a study created from a screening record is linked to it in the same transaction).
 */
export function insertStudy(
  tx: DbOrTx,
  actor: Actor,
  reviewId: number,
  input: z.infer<typeof newStudySchema>,
  { extraAudit = [], reason = null }: { extraAudit?: { field: string; newValue: unknown }[]; reason?: string | null } = {},
): StudyRow {
  const position = (tx.select({ last: max(studies.position) }).from(studies).where(eq(studies.reviewId, reviewId)).get()?.last ?? 0) + 1;
  const row = tx.insert(studies).values({ ...input, reviewId, position }).returning().get();
  const [treated, control] = tx
    .insert(arms)
    .values([
      { studyId: row.id, kind: "treated", label: "Treated" },
      { studyId: row.id, kind: "control", label: "Control" },
    ])
    .returning()
    .all();
  tx.update(arms).set({ controlArmId: control!.id }).where(eq(arms.id, treated!.id)).run();
  recordAudit(tx, actor, {
    reviewId,
    entity: "study",
    entityId: row.id,
    action: "create",
    changes: [...Object.entries(input), ...extraAudit.map((c) => [c.field, c.newValue] as const)].map(([field, newValue]) => ({ field, oldValue: null, newValue })),
    reason,
  });
  return row;
}

export function createStudy(db: Db, actor: Actor, reviewId: number, input: z.infer<typeof newStudySchema>): StudyRow {
  const created = writeTransaction(db, (tx) => insertStudy(tx, actor, reviewId, input));
  publishReviewChange(reviewId, "study", actor.displayName);
  return created;
}

/**
 * Changes one column of a study: a fixed field ("year") or a characteristic ("c:12"). Either way the study's
 * version guards the edit (one concurrency token per Table 1 row) and the audit row names the column.
 */
export function updateStudyField(db: Db, actor: Actor, reviewId: number, studyId: number, column: string, rawValue: unknown, expectedVersion: number): StudyRow {
  const key = parseColumnKey(column);
  if (!key) throw new AppError("invalid", `Column "${column}" is not a study field or characteristic.`, "field");
  const updated = writeTransaction(db, (tx) => {
    const current = getStudy(tx, reviewId, studyId);
    const bump = { version: sql`${studies.version} + 1`, updatedAt: new Date().toISOString() };
    if (key.kind === "field") {
      const parsed = parseStudyField(key.field, rawValue);
      if (!parsed.ok) throw new AppError("invalid", parsed.message, key.field);
      assertVersion(tx, "study", current, expectedVersion);
      const row = tx
        .update(studies)
        .set({ [key.field]: parsed.value, ...bump })
        .where(eq(studies.id, studyId))
        .returning()
        .get();
      recordAudit(tx, actor, { reviewId, entity: "study", entityId: studyId, action: "update", changes: [{ field: key.field, oldValue: current[key.field], newValue: row[key.field] }] });
      return row;
    }
    const definition = getCharacteristic(tx, reviewId, key.id);
    const parsed = parseCharacteristicValue(definition, rawValue);
    if (!parsed.ok) throw new AppError("invalid", parsed.message, column);
    assertVersion(tx, "study", current, expectedVersion);
    const where = and(eq(characteristicValues.studyId, studyId), eq(characteristicValues.characteristicId, key.id));
    const previous = tx.select({ value: characteristicValues.value }).from(characteristicValues).where(where).get()?.value ?? null;
    if (parsed.value === null) tx.delete(characteristicValues).where(where).run();
    else
      tx.insert(characteristicValues)
        .values({ studyId, characteristicId: key.id, value: parsed.value })
        .onConflictDoUpdate({ target: [characteristicValues.studyId, characteristicValues.characteristicId], set: { value: parsed.value, updatedAt: new Date().toISOString() } })
        .run();
    const row = tx.update(studies).set(bump).where(eq(studies.id, studyId)).returning().get();
    recordAudit(tx, actor, { reviewId, entity: "study", entityId: studyId, action: "update", changes: [{ field: `${definition.label} (${column})`, oldValue: previous, newValue: parsed.value }] });
    return row;
  });
  publishReviewChange(reviewId, "study", actor.displayName);
  return updated;
}

/** What is attached to a study and goes (and comes back) with it. */
function attachedTo(tx: DbOrTx, studyId: number) {
  const armRows = tx.select().from(arms).where(eq(arms.studyId, studyId)).all();
  const armIds = armRows.map((a) => a.id);
  return {
    arms: armRows,
    measurements: armIds.length ? tx.select().from(measurements).where(inArray(measurements.armId, armIds)).all() : [],
    judgments: tx.select().from(robJudgments).where(eq(robJudgments.studyId, studyId)).all(),
    consensus: tx.select().from(robConsensus).where(eq(robConsensus.studyId, studyId)).all(),
    characteristics: tx.select().from(characteristicValues).where(eq(characteristicValues.studyId, studyId)).all(),
  };
}

/**
 * Removes a study from the review. Nothing is erased: the row is marked removed (with everything attached, which the
 * audit row also records) and the lead can restore it. A study holding outcome values, risk-of-bias judgments or
 * consensus can be removed by the lead only; a reviewer may remove a study with none (e.g. one added by mistake).
 */
export function deleteStudy(db: Db, actor: Actor, role: MemberRole, reviewId: number, studyId: number, expectedVersion: number): void {
  writeTransaction(db, (tx) => {
    const current = getStudy(tx, reviewId, studyId);
    assertVersion(tx, "study", current, expectedVersion);
    const attached = attachedTo(tx, studyId);
    const held = [
      attached.measurements.length && `${attached.measurements.length} outcome values`,
      attached.judgments.length && `${attached.judgments.length} risk-of-bias judgments`,
      attached.consensus.length && `${attached.consensus.length} consensus judgments`,
    ].filter(Boolean);
    if (role !== "lead" && held.length > 0)
      throw new AppError("forbidden", `Only the lead can remove ${studyLabel(current)}: it holds ${held.join(", ")}.`);
    const at = new Date().toISOString();
    tx.update(studies)
      .set({ deletedAt: at, deletedBy: actor.id, version: sql`${studies.version} + 1`, updatedAt: at })
      .where(eq(studies.id, studyId))
      .run();
    recordAudit(tx, actor, {
      reviewId,
      entity: "study",
      entityId: studyId,
      action: "delete",
      changes: [{ field: null, oldValue: { study: current, ...attached }, newValue: null }],
    });
  });
  publishReviewChange(reviewId, "study", actor.displayName);
}

/** Brings a removed study back with everything it held (nothing was erased). */
export function restoreStudy(db: Db, actor: Actor, reviewId: number, studyId: number): StudyRow {
  const restored = writeTransaction(db, (tx) => {
    const row = tx.select().from(studies).where(and(eq(studies.id, studyId), eq(studies.reviewId, reviewId), isNotNull(studies.deletedAt))).get();
    if (!row) throw notFound(`Removed study ${studyId}`);
    const updated = tx
      .update(studies)
      .set({ deletedAt: null, deletedBy: null, version: sql`${studies.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(studies.id, studyId))
      .returning()
      .get();
    recordAudit(tx, actor, { reviewId, entity: "study", entityId: studyId, action: "update", changes: [{ field: "removed", oldValue: row.deletedAt, newValue: null }], reason: "restored" });
    return updated;
  });
  publishReviewChange(reviewId, "study", actor.displayName);
  return restored;
}

/** The "Removed studies" list: when, by whom, and what each still holds. */
export function listRemovedStudies(db: DbOrTx, reviewId: number) {
  const rows = db
    .select({ study: studies, removedBy: users.displayName })
    .from(studies)
    .leftJoin(users, eq(users.id, studies.deletedBy))
    .where(and(eq(studies.reviewId, reviewId), isNotNull(studies.deletedAt)))
    .orderBy(desc(studies.deletedAt))
    .all();
  return rows.map(({ study, removedBy }) => {
    const attached = attachedTo(db, study.id);
    return {
      id: study.id,
      label: studyLabel(study),
      position: study.position,
      removedAt: study.deletedAt!,
      removedBy: removedBy ?? "unknown",
      outcomeValues: attached.measurements.length,
      judgments: attached.judgments.length + attached.consensus.length,
    };
  });
}

/** The study table's rows: each study with its characteristic values and how much outcome data it has. */
export function listStudiesWithDataStatus(db: DbOrTx, reviewId: number) {
  const rows = listStudies(db, reviewId);
  const counts = db
    .select({
      studyId: arms.studyId,
      values: sql<number>`count(${measurements.id})`,
      example: sql<number>`coalesce(max(${measurements.isExampleData}), 0)`,
    })
    .from(arms)
    .innerJoin(studies, eq(studies.id, arms.studyId))
    .leftJoin(measurements, eq(measurements.armId, arms.id))
    .where(eq(studies.reviewId, reviewId))
    .groupBy(arms.studyId)
    .all();
  const byStudy = new Map(counts.map((c) => [c.studyId, c]));
  const values = characteristicValuesByStudy(
    db,
    rows.map((s) => s.id),
  );
  return rows.map((s) => ({
    ...s,
    characteristics: Object.fromEntries(values.get(s.id) ?? new Map<number, CharacteristicValue>()) as Record<string, CharacteristicValue>,
    outcomeValues: Number(byStudy.get(s.id)?.values ?? 0),
    hasExampleData: Number(byStudy.get(s.id)?.example ?? 0) === 1,
  }));
}

export function countStudies(db: DbOrTx, reviewId: number): number {
  return db.select({ n: count() }).from(studies).where(and(eq(studies.reviewId, reviewId), isNull(studies.deletedAt))).get()?.n ?? 0;
}
