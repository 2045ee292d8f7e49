import "server-only";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { writeTransaction, type Db, type DbOrTx } from "@/db/client";
import { arms, measurements, outcomes } from "@/db/schema";
import { AppError, notFound } from "@/server/errors";
import { publishReviewChange } from "@/server/events";
import type { MeasurementInput } from "@/server/schemas/measurement";
import { recordAudit, diffRows, type Actor } from "./audit";
import { getStudy } from "./studies";
import { assertVersion } from "./versioning";

export type OutcomeRow = typeof outcomes.$inferSelect;
export type MeasurementRow = typeof measurements.$inferSelect;
export type ArmRow = typeof arms.$inferSelect;

export function listOutcomes(db: DbOrTx, reviewId: number): OutcomeRow[] {
  return db.select().from(outcomes).where(eq(outcomes.reviewId, reviewId)).orderBy(asc(outcomes.id)).all();
}

export function getOutcome(db: DbOrTx, reviewId: number, outcomeId: number): OutcomeRow {
  const row = db.select().from(outcomes).where(and(eq(outcomes.id, outcomeId), eq(outcomes.reviewId, reviewId))).get();
  if (!row) throw notFound(`Outcome ${outcomeId}`);
  return row;
}

/** Every arm and measurement of the review's studies, in one query each (the analysis and grid read this). */
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
export function checkScale(outcome: OutcomeRow, m: MeasurementInput): void {
  const { scaleMin: lo, scaleMax: hi } = outcome;
  const outside = (v: number | null) => v !== null && ((lo !== null && v < lo) || (hi !== null && v > hi));
  const range = `${outcome.name} runs from ${lo ?? "−∞"} to ${hi ?? "∞"}`;
  for (const field of ["mean", "ciLower", "ciUpper"] as const)
    if (outside(m[field])) throw new AppError("invalid", `${field}: ${m[field]} is outside the scale (${range}).`, field);
}

function armOf(tx: DbOrTx, studyId: number, kind: "treated" | "control"): ArmRow {
  const arm = tx.select().from(arms).where(and(eq(arms.studyId, studyId), eq(arms.kind, kind))).orderBy(asc(arms.id)).get();
  if (!arm) throw notFound(`The ${kind} arm of study ${studyId}`);
  return arm;
}

/** Creates or updates one arm's value at one time point (the outcome grid's cell row). */
export function saveMeasurement(db: Db, actor: Actor, reviewId: number, input: MeasurementInput, isExampleData = false): MeasurementRow {
  const saved = writeTransaction(db, (tx) => {
    getStudy(tx, reviewId, input.studyId);
    const outcome = getOutcome(tx, reviewId, input.outcomeId);
    checkScale(outcome, input);
    const arm = armOf(tx, input.studyId, input.armKind);
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
        changes: diffRows({}, { study: input.studyId, arm: input.armKind, day: input.day, ...values }),
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

export function deleteMeasurement(db: Db, actor: Actor, reviewId: number, measurementId: number, expectedVersion: number): void {
  writeTransaction(db, (tx) => {
    const row = tx
      .select({ m: measurements, studyId: arms.studyId })
      .from(measurements)
      .innerJoin(arms, eq(arms.id, measurements.armId))
      .where(eq(measurements.id, measurementId))
      .get();
    if (!row) throw notFound(`Value ${measurementId}`);
    getStudy(tx, reviewId, row.studyId);
    assertVersion(tx, "measurement", row.m, expectedVersion);
    tx.delete(measurements).where(eq(measurements.id, measurementId)).run();
    recordAudit(tx, actor, { reviewId, entity: "measurement", entityId: measurementId, action: "delete", changes: diffRows(row.m, {}) });
  });
  publishReviewChange(reviewId, "measurement", actor.displayName);
}

export type NewOutcome = { name: string; unit: string; scaleMin: number | null; scaleMax: number | null; higherIsBetter: boolean };

/** Defines an outcome of the review with its scale; values outside the scale will be refused. */
export function createOutcome(db: Db, actor: Actor, reviewId: number, input: NewOutcome): OutcomeRow {
  const row = writeTransaction(db, (tx) => {
    const created = tx.insert(outcomes).values({ ...input, reviewId }).returning().get();
    recordAudit(tx, actor, { reviewId, entity: "outcome", entityId: created.id, action: "create", changes: diffRows({}, input) });
    return created;
  });
  publishReviewChange(reviewId, "outcome", actor.displayName);
  return row;
}
