import "server-only";
import { and, asc, eq, max, sql } from "drizzle-orm";
import { writeTransaction, type Db, type DbOrTx } from "@/db/client";
import { savedAnalyses } from "@/db/schema";
import { AppError, notFound } from "@/server/errors";
import { publishReviewChange } from "@/server/events";
import { defaultAnalysisSettings, settingsOrDefaults, type AnalysisSettings } from "@/server/schemas/analysis-settings";
import { parseColumnKey } from "@/server/schemas/study";
import { diffRows, recordAudit, type Actor } from "./audit";
import { getCharacteristic } from "./characteristics";
import { getOutcome, listOutcomes } from "./outcomes";
import { assertVersion } from "./versioning";

type SavedAnalysisRow = typeof savedAnalyses.$inferSelect;
export type SavedAnalysis = Omit<SavedAnalysisRow, "settings"> & { settings: AnalysisSettings; number: string };

/** RevMan numbers analyses "comparison.outcome"; a review here compares one intervention with its control. */
const numbered = (row: SavedAnalysisRow, index: number): SavedAnalysis => ({ ...row, settings: settingsOrDefaults(row.settings), number: `1.${index + 1}` });

export function listSavedAnalyses(db: DbOrTx, reviewId: number): SavedAnalysis[] {
  return db
    .select()
    .from(savedAnalyses)
    .where(eq(savedAnalyses.reviewId, reviewId))
    .orderBy(asc(savedAnalyses.position), asc(savedAnalyses.id))
    .all()
    .map(numbered);
}

export function getSavedAnalysis(db: DbOrTx, reviewId: number, id: number): SavedAnalysis {
  const list = listSavedAnalyses(db, reviewId);
  const found = list.find((a) => a.id === id);
  if (!found) throw notFound(`Analysis ${id}`);
  return found;
}

/**
 * What the review shows when nobody has chosen otherwise: its first saved analysis, or the defaults with the
 * review's first outcome.
 */
export function reviewDefaultSettings(db: DbOrTx, reviewId: number): AnalysisSettings {
  const first = listSavedAnalyses(db, reviewId)[0];
  if (first) return first.settings;
  return { ...defaultAnalysisSettings, outcomeId: listOutcomes(db, reviewId)[0]?.id ?? null };
}

/**
 * Object-level checks: the outcome and every characteristic the settings name (subgroups, strata, moderators) must
 * be this review's; a moderator must be a number characteristic.
 */
export function assertSettingsBelongToReview(db: DbOrTx, reviewId: number, settings: AnalysisSettings): void {
  if (settings.outcomeId !== null) getOutcome(db, reviewId, settings.outcomeId);
  for (const column of [settings.subgroupField, ...settings.strata]) {
    const key = column ? parseColumnKey(column) : null;
    if (key?.kind === "characteristic") getCharacteristic(db, reviewId, key.id);
  }
  for (const moderator of settings.moderators) {
    const key = parseColumnKey(moderator);
    if (key?.kind !== "characteristic") continue;
    const definition = getCharacteristic(db, reviewId, key.id);
    if (definition.type !== "number") throw new AppError("invalid", `Meta-regression on ${definition.label} is not possible: it is not a number characteristic.`, "moderators");
  }
}

export function createSavedAnalysis(db: Db, actor: Actor, reviewId: number, input: { title: string; settings: AnalysisSettings }): SavedAnalysis {
  const id = writeTransaction(db, (tx) => {
    assertSettingsBelongToReview(tx, reviewId, input.settings);
    const position = (tx.select({ last: max(savedAnalyses.position) }).from(savedAnalyses).where(eq(savedAnalyses.reviewId, reviewId)).get()?.last ?? 0) + 1;
    const row = tx.insert(savedAnalyses).values({ reviewId, position, title: input.title, settings: input.settings }).returning().get();
    recordAudit(tx, actor, { reviewId, entity: "savedAnalysis", entityId: row.id, action: "create", changes: diffRows({}, { title: input.title, ...input.settings }) });
    return row.id;
  });
  publishReviewChange(reviewId, "savedAnalysis", actor.displayName);
  return getSavedAnalysis(db, reviewId, id);
}

export function updateSavedAnalysis(db: Db, actor: Actor, reviewId: number, id: number, input: { title: string; settings: AnalysisSettings }, expectedVersion: number): SavedAnalysis {
  writeTransaction(db, (tx) => {
    const current = getSavedAnalysis(tx, reviewId, id);
    assertVersion(tx, "savedAnalysis", current, expectedVersion);
    assertSettingsBelongToReview(tx, reviewId, input.settings);
    tx.update(savedAnalyses)
      .set({ title: input.title, settings: input.settings, version: sql`${savedAnalyses.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(savedAnalyses.id, id))
      .run();
    recordAudit(tx, actor, {
      reviewId,
      entity: "savedAnalysis",
      entityId: id,
      action: "update",
      changes: diffRows({ title: current.title, ...current.settings }, { title: input.title, ...input.settings }),
    });
  });
  publishReviewChange(reviewId, "savedAnalysis", actor.displayName);
  return getSavedAnalysis(db, reviewId, id);
}

export function deleteSavedAnalysis(db: Db, actor: Actor, reviewId: number, id: number, expectedVersion: number): void {
  writeTransaction(db, (tx) => {
    const current = getSavedAnalysis(tx, reviewId, id);
    assertVersion(tx, "savedAnalysis", current, expectedVersion);
    tx.delete(savedAnalyses).where(and(eq(savedAnalyses.id, id), eq(savedAnalyses.reviewId, reviewId))).run();
    recordAudit(tx, actor, { reviewId, entity: "savedAnalysis", entityId: id, action: "delete", changes: [{ field: null, oldValue: { title: current.title, settings: current.settings }, newValue: null }] });
  });
  publishReviewChange(reviewId, "savedAnalysis", actor.displayName);
}

/** Moves an analysis one place up or down (its number changes with it, as in RevMan). */
export function moveSavedAnalysis(db: Db, actor: Actor, reviewId: number, id: number, direction: "up" | "down"): void {
  writeTransaction(db, (tx) => {
    const order = listSavedAnalyses(tx, reviewId).map((a) => a.id);
    const index = order.indexOf(id);
    if (index < 0) throw notFound(`Analysis ${id}`);
    const target = direction === "up" ? index - 1 : index + 1;
    if (target < 0 || target >= order.length) throw new AppError("invalid", `Analysis is already ${direction === "up" ? "first" : "last"}.`, "direction");
    order.splice(index, 1);
    order.splice(target, 0, id);
    order.forEach((aid, i) => tx.update(savedAnalyses).set({ position: i + 1 }).where(eq(savedAnalyses.id, aid)).run());
    recordAudit(tx, actor, { reviewId, entity: "savedAnalysis", entityId: id, action: "update", changes: [{ field: "position", oldValue: index + 1, newValue: target + 1 }] });
  });
  publishReviewChange(reviewId, "savedAnalysis", actor.displayName);
}
