import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { arms, measurements, studies, type ErrorType } from "@/db/schema";
import { notFound } from "@/server/errors";
import { diffRows, lastEditor, recordAudit, type Actor } from "./audit";
import type { MeasurementRow } from "./measurements";
import { getOutcome } from "./outcomes";

/**
 * Outcome values written by arm id (the measurements API is moving from "treated/control" to arm ids; this
 * writer already speaks arm ids). Same rules as the outcome grid's saveMeasurement: the arm must belong to a
 * study of this review, the values must lie on the outcome's scale, an update carries the version it read,
 * and every change is audited in the caller's transaction.
 */

export type ArmValue = {
  armId: number;
  outcomeId: number;
  day: number;
  mean: number;
  errorType: ErrorType;
  /** |bar end − mean|: the SD or SEM, or the half-width of a 95 % CI. */
  error: number;
  /** For a new row only: the grid's n comes from the paper's text. */
  n: number | null;
  sourceDetail: string;
};

export type ArmValueWrite =
  | { status: "written"; row: MeasurementRow }
  | { status: "needs_n" }
  | { status: "out_of_scale"; message: string }
  | { status: "conflict"; current: MeasurementRow; by: string };

/** An arm of a study of this review, with its study id, or NOT_FOUND. */
export function armInReview(tx: DbOrTx, reviewId: number, armId: number) {
  const row = tx
    .select({ id: arms.id, label: arms.label, kind: arms.kind, studyId: arms.studyId })
    .from(arms)
    .innerJoin(studies, eq(studies.id, arms.studyId))
    .where(and(eq(arms.id, armId), eq(studies.reviewId, reviewId)))
    .get();
  if (!row) throw notFound(`Arm ${armId}`);
  return row;
}

export function findArmValue(tx: DbOrTx, armId: number, outcomeId: number, day: number): MeasurementRow | undefined {
  return tx
    .select()
    .from(measurements)
    .where(and(eq(measurements.armId, armId), eq(measurements.outcomeId, outcomeId), eq(measurements.day, day)))
    .get();
}

/** Six significant digits: a figure read to a fraction of a pixel has no more, and the grid stays readable. */
const tidy = (value: number) => Number(value.toPrecision(6));

/**
 * Writes one arm's value at one day from a figure. `expectedVersion` is the version of the existing row the
 * caller may overwrite (the one the figure wrote last, or the one a person chose to replace); any other
 * existing row is reported as a conflict with who changed it, and left alone.
 */
export function writeArmValue(tx: DbOrTx, actor: Actor, reviewId: number, value: ArmValue, expectedVersion: number | null): ArmValueWrite {
  const arm = armInReview(tx, reviewId, value.armId);
  const outcome = getOutcome(tx, reviewId, value.outcomeId);
  const mean = tidy(value.mean);
  const error = tidy(value.error);
  const values = {
    mean,
    errorType: value.errorType,
    errorValue: value.errorType === "CI95" ? null : error,
    ciLower: value.errorType === "CI95" ? tidy(value.mean - value.error) : null,
    ciUpper: value.errorType === "CI95" ? tidy(value.mean + value.error) : null,
    dataSource: "figure" as const,
    sourceDetail: value.sourceDetail.slice(0, 200),
    isExampleData: false,
  };
  const { scaleMin: lo, scaleMax: hi } = outcome;
  for (const [label, v] of [
    ["Mean", values.mean],
    ["95% CI lower bound", values.ciLower],
    ["95% CI upper bound", values.ciUpper],
  ] as const) {
    if (v !== null && ((lo !== null && v < lo) || (hi !== null && v > hi)))
      return { status: "out_of_scale", message: `${label}: ${v} is outside the scale of ${outcome.name} (${lo ?? "−∞"} to ${hi ?? "∞"}).` };
  }
  const existing = findArmValue(tx, value.armId, value.outcomeId, value.day);
  if (!existing) {
    if (value.n === null) return { status: "needs_n" };
    const row = tx
      .insert(measurements)
      .values({ ...values, n: value.n, armId: value.armId, outcomeId: value.outcomeId, day: value.day })
      .returning()
      .get();
    recordAudit(tx, actor, {
      reviewId,
      entity: "measurement",
      entityId: row.id,
      action: "create",
      changes: diffRows({}, { study: arm.studyId, arm: arm.label, armId: arm.id, day: value.day, n: value.n, ...values }),
    });
    return { status: "written", row };
  }
  if (expectedVersion !== existing.version) return { status: "conflict", current: existing, by: lastEditor(tx, "measurement", existing.id) ?? "another user" };
  const row = tx
    .update(measurements)
    .set({ ...values, version: sql`${measurements.version} + 1`, updatedAt: new Date().toISOString() })
    .where(eq(measurements.id, existing.id))
    .returning()
    .get();
  const changes = diffRows(existing, row);
  if (changes.length) recordAudit(tx, actor, { reviewId, entity: "measurement", entityId: row.id, action: "update", changes });
  return { status: "written", row };
}

/**
 * Removes a value the figure wrote (its point was removed, or the lead chose a reading without it), only if
 * nobody changed it in the grid since (returns false and leaves it otherwise: a person's edit is not undone).
 */
export function deleteArmValue(tx: DbOrTx, actor: Actor, reviewId: number, measurementId: number, expectedVersion: number, reason: string): boolean {
  const row = tx.select().from(measurements).where(eq(measurements.id, measurementId)).get();
  if (!row) return false;
  armInReview(tx, reviewId, row.armId);
  if (row.version !== expectedVersion) return false;
  tx.delete(measurements).where(eq(measurements.id, measurementId)).run();
  recordAudit(tx, actor, { reviewId, entity: "measurement", entityId: measurementId, action: "delete", changes: diffRows(row, {}), reason });
  return true;
}
