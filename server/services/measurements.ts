import "server-only";
import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { writeTransaction, type Db, type DbOrTx } from "@/db/client";
import { arms, auditLog, measurements } from "@/db/schema";
import { AppError, notFound } from "@/server/errors";
import { publishReviewChange } from "@/server/events";
import { humanMessage } from "@/server/schemas/messages";
import { measurementFieldLabel, type MeasurementInput } from "@/server/schemas/measurement";
import { recordAudit, diffRows, type Actor } from "./audit";
import { getOutcome, type OutcomeRow } from "./outcomes";
import { getStudy } from "./studies";
import { assertVersion } from "./versioning";

export type MeasurementRow = typeof measurements.$inferSelect;
export type ArmRow = typeof arms.$inferSelect;

/** Every arm and measurement of the given studies, in one query each (the analysis and grid read this). */
export function reviewArmsAndMeasurements(db: DbOrTx, studyIds: number[]): { arms: ArmRow[]; measurements: MeasurementRow[] } {
  if (studyIds.length === 0) return { arms: [], measurements: [] };
  const armRows = db.select().from(arms).where(inArray(arms.studyId, studyIds)).orderBy(asc(arms.id)).all();
  const armIds = armRows.map((a) => a.id);
  const rows = armIds.length
    ? db.select().from(measurements).where(inArray(measurements.armId, armIds)).orderBy(asc(measurements.day), asc(measurements.id)).all()
    : [];
  return { arms: armRows, measurements: rows };
}

/** Refuses values outside the outcome's scale (e.g. BBB 0 to 21), naming the field. */
export function checkScale(outcome: OutcomeRow, m: Pick<MeasurementInput, "mean" | "ciLower" | "ciUpper" | "errorType">): void {
  const { scaleMin: lo, scaleMax: hi } = outcome;
  const outside = (v: number | null) => v !== null && ((lo !== null && v < lo) || (hi !== null && v > hi));
  const range = `${outcome.name} runs from ${lo ?? "−∞"} to ${hi ?? "∞"}`;
  for (const field of ["mean", "ciLower", "ciUpper"] as const)
    if (outside(m[field])) throw new AppError("invalid", humanMessage(measurementFieldLabel(field, m.errorType), `${m[field]} is outside the scale (${range}).`), field);
}

/** An arm of this study, or NOT_FOUND (an arm id from another study never reaches it). */
export function getArm(tx: DbOrTx, studyId: number, armId: number): ArmRow {
  const arm = tx.select().from(arms).where(and(eq(arms.id, armId), eq(arms.studyId, studyId))).get();
  if (!arm) throw notFound(`Arm ${armId} of study ${studyId}`);
  return arm;
}

/** Creates or updates one arm's value at one time point (a row of the outcome grid). */
export function saveMeasurement(db: Db, actor: Actor, reviewId: number, input: MeasurementInput, isExampleData = false): MeasurementRow {
  const saved = writeTransaction(db, (tx) => {
    getStudy(tx, reviewId, input.studyId);
    const outcome = getOutcome(tx, reviewId, input.outcomeId);
    checkScale(outcome, input);
    const arm = getArm(tx, input.studyId, input.armId);
    const values = {
      mean: input.mean,
      errorType: input.errorType,
      errorValue: input.errorType === "CI95" ? null : input.errorValue,
      ciLower: input.errorType === "CI95" ? input.ciLower : null,
      ciUpper: input.errorType === "CI95" ? input.ciUpper : null,
      n: input.n,
      dataSource: input.dataSource,
      sourceDetail: input.sourceDetail,
      isExampleData,
    };
    const existing = tx
      .select()
      .from(measurements)
      .where(and(eq(measurements.armId, arm.id), eq(measurements.outcomeId, outcome.id), eq(measurements.day, input.day)))
      .get();
    if (!existing) {
      if (input.version !== undefined) throw new AppError("conflict", "This value was deleted meanwhile.", undefined, { row: null });
      const row = tx.insert(measurements).values({ ...values, armId: arm.id, outcomeId: outcome.id, day: input.day }).returning().get();
      recordAudit(tx, actor, {
        reviewId,
        entity: "measurement",
        entityId: row.id,
        action: "create",
        changes: diffRows({}, { study: input.studyId, arm: arm.label, armId: arm.id, outcomeId: outcome.id, day: input.day, ...values }),
      });
      return row;
    }
    if (input.version === undefined) throw new AppError("conflict", "A value for this arm and day was entered meanwhile.", undefined, { row: existing });
    assertVersion(tx, "measurement", existing, input.version);
    const row = tx
      .update(measurements)
      .set({ ...values, version: sql`${measurements.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(measurements.id, existing.id))
      .returning()
      .get();
    recordAudit(tx, actor, { reviewId, entity: "measurement", entityId: row.id, action: "update", changes: diffRows(existing, row) });
    return row;
  });
  publishReviewChange(reviewId, "measurement", actor.displayName);
  return saved;
}

/**
 * Deletes outcome values of one study (one value, or every arm's value at a time point), each at the version the
 * grid showed. The audit row of each keeps the whole row, so it can be restored from the history.
 */
export function deleteMeasurements(db: Db, actor: Actor, reviewId: number, studyId: number, values: { measurementId: number; version: number }[]): void {
  writeTransaction(db, (tx) => {
    getStudy(tx, reviewId, studyId);
    for (const { measurementId, version } of values) {
      const row = tx
        .select({ m: measurements, studyId: arms.studyId })
        .from(measurements)
        .innerJoin(arms, eq(arms.id, measurements.armId))
        .where(eq(measurements.id, measurementId))
        .get();
      if (!row || row.studyId !== studyId) throw notFound(`Value ${measurementId}`);
      assertVersion(tx, "measurement", row.m, version);
      tx.delete(measurements).where(eq(measurements.id, measurementId)).run();
      recordAudit(tx, actor, { reviewId, entity: "measurement", entityId: measurementId, action: "delete", changes: [{ field: null, oldValue: { ...row.m, study: studyId }, newValue: null }] });
    }
  });
  publishReviewChange(reviewId, "measurement", actor.displayName);
}

/**
 * Undoes a deletion from the history: the value comes back as it was (same id, so its history stays one chain),
 * unless its study or arm is gone or another value has taken its place since.
 */
export function restoreMeasurement(db: Db, actor: Actor, reviewId: number, measurementId: number): MeasurementRow {
  const restored = writeTransaction(db, (tx) => {
    const entry = tx
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.reviewId, reviewId), eq(auditLog.entity, "measurement"), eq(auditLog.entityId, measurementId), eq(auditLog.action, "delete"), isNull(auditLog.field)))
      .orderBy(desc(auditLog.id))
      .get();
    if (!entry?.oldValue) throw notFound(`Deleted value ${measurementId}`);
    const old = JSON.parse(entry.oldValue) as MeasurementRow & { study: number };
    getStudy(tx, reviewId, old.study);
    const arm = getArm(tx, old.study, old.armId);
    if (tx.select({ id: measurements.id }).from(measurements).where(eq(measurements.id, old.id)).get())
      throw new AppError("conflict", "This value has been restored already.", undefined, { row: null });
    const taken = tx
      .select()
      .from(measurements)
      .where(and(eq(measurements.armId, arm.id), eq(measurements.outcomeId, old.outcomeId), eq(measurements.day, old.day)))
      .get();
    if (taken) throw new AppError("conflict", `Another value was entered for ${arm.label} on day ${old.day} since; delete it first.`, undefined, { row: taken });
    const { study: _study, ...row } = old;
    const inserted = tx
      .insert(measurements)
      .values({ ...row, version: old.version + 1, updatedAt: new Date().toISOString() })
      .returning()
      .get();
    recordAudit(tx, actor, { reviewId, entity: "measurement", entityId: inserted.id, action: "create", changes: diffRows({}, { study: old.study, ...row }), reason: `restored (deleted by ${entry.userName} at ${entry.at})` });
    return inserted;
  });
  publishReviewChange(reviewId, "measurement", actor.displayName);
  return restored;
}
