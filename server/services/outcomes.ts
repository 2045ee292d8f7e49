import "server-only";
import { and, asc, count, eq, gt, lt, max, or, sql } from "drizzle-orm";
import { writeTransaction, type Db, type DbOrTx } from "@/db/client";
import { measurements, outcomes } from "@/db/schema";
import { AppError, notFound } from "@/server/errors";
import { publishReviewChange } from "@/server/events";
import { humanMessage } from "@/server/schemas/messages";
import { outcomeInput, type OutcomeInput } from "@/server/schemas/outcomes";
import { diffRows, recordAudit, type Actor } from "./audit";
import { assertVersion } from "./versioning";

export type OutcomeRow = typeof outcomes.$inferSelect;

export function listOutcomes(db: DbOrTx, reviewId: number): OutcomeRow[] {
  return db.select().from(outcomes).where(eq(outcomes.reviewId, reviewId)).orderBy(asc(outcomes.position), asc(outcomes.id)).all();
}

export function getOutcome(db: DbOrTx, reviewId: number, outcomeId: number): OutcomeRow {
  const row = db.select().from(outcomes).where(and(eq(outcomes.id, outcomeId), eq(outcomes.reviewId, reviewId))).get();
  if (!row) throw notFound(`Outcome ${outcomeId}`);
  return row;
}

const outcomeLabels: Record<string, string> = { name: "Name", unit: "Unit", scaleMin: "Scale minimum", scaleMax: "Scale maximum", normalValue: "Normal value", higherIsBetter: "Direction" };

function parseOutcome(input: OutcomeInput) {
  const parsed = outcomeInput.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = String(issue?.path[0] ?? "name");
  throw new AppError("invalid", humanMessage(outcomeLabels[field] ?? field, issue?.message), field);
}

/** Defines an outcome of the review with its scale; values outside the scale will be refused. */
export function createOutcome(db: Db, actor: Actor, reviewId: number, input: OutcomeInput): OutcomeRow {
  const outcome = parseOutcome(input);
  const row = writeTransaction(db, (tx) => {
    const position = (tx.select({ last: max(outcomes.position) }).from(outcomes).where(eq(outcomes.reviewId, reviewId)).get()?.last ?? 0) + 1;
    const created = tx.insert(outcomes).values({ ...outcome, reviewId, position }).returning().get();
    recordAudit(tx, actor, { reviewId, entity: "outcome", entityId: created.id, action: "create", changes: diffRows({}, outcome) });
    return created;
  });
  publishReviewChange(reviewId, "outcome", actor.displayName);
  return row;
}

/** Edits an outcome. A narrower scale is refused while values lie outside it (they would become invalid). */
export function updateOutcome(db: Db, actor: Actor, reviewId: number, outcomeId: number, input: OutcomeInput, expectedVersion: number): OutcomeRow {
  const outcome = parseOutcome(input);
  const row = writeTransaction(db, (tx) => {
    const current = getOutcome(tx, reviewId, outcomeId);
    assertVersion(tx, "outcome", current, expectedVersion);
    const outside = [
      outcome.scaleMin !== null ? lt(measurements.mean, outcome.scaleMin) : undefined,
      outcome.scaleMax !== null ? gt(measurements.mean, outcome.scaleMax) : undefined,
    ].filter((c) => c !== undefined);
    if (outside.length > 0) {
      const n = tx.select({ n: count() }).from(measurements).where(and(eq(measurements.outcomeId, outcomeId), or(...outside))).get()?.n ?? 0;
      if (n > 0) throw new AppError("invalid", `Scale: ${n} entered ${n === 1 ? "mean lies" : "means lie"} outside ${outcome.scaleMin ?? "−∞"} to ${outcome.scaleMax ?? "∞"}. Correct them first.`, "scaleMin");
    }
    const updated = tx
      .update(outcomes)
      .set({ ...outcome, version: sql`${outcomes.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(outcomes.id, outcomeId))
      .returning()
      .get();
    recordAudit(tx, actor, { reviewId, entity: "outcome", entityId: outcomeId, action: "update", changes: diffRows(current, updated) });
    return updated;
  });
  publishReviewChange(reviewId, "outcome", actor.displayName);
  return row;
}

/** Removes an outcome that has no values yet (one with data is kept: its values would go with it). */
export function deleteOutcome(db: Db, actor: Actor, reviewId: number, outcomeId: number, expectedVersion: number): void {
  writeTransaction(db, (tx) => {
    const current = getOutcome(tx, reviewId, outcomeId);
    assertVersion(tx, "outcome", current, expectedVersion);
    const n = tx.select({ n: count() }).from(measurements).where(eq(measurements.outcomeId, outcomeId)).get()?.n ?? 0;
    if (n > 0) throw new AppError("invalid", `"${current.name}" has ${n} outcome values; delete them first.`, "outcomeId");
    tx.delete(outcomes).where(eq(outcomes.id, outcomeId)).run();
    recordAudit(tx, actor, { reviewId, entity: "outcome", entityId: outcomeId, action: "delete", changes: [{ field: null, oldValue: current, newValue: null }] });
  });
  publishReviewChange(reviewId, "outcome", actor.displayName);
}
