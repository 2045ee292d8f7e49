import "server-only";
import { and, asc, eq, inArray, max, sql } from "drizzle-orm";
import { writeTransaction, type Db, type DbOrTx } from "@/db/client";
import { arms, measurements, studies } from "@/db/schema";
import { AppError, notFound } from "@/server/errors";
import { publishReviewChange } from "@/server/events";
import { parseStudyField, type StudyField } from "@/server/schemas/study";
import type { z } from "zod";
import type { newStudySchema } from "@/server/schemas/study";
import { recordAudit, type Actor } from "./audit";
import { assertVersion } from "./versioning";

export type StudyRow = typeof studies.$inferSelect;

export function listStudies(db: DbOrTx, reviewId: number): StudyRow[] {
  return db.select().from(studies).where(eq(studies.reviewId, reviewId)).orderBy(asc(studies.position), asc(studies.id)).all();
}

/** A study of this review, or NOT_FOUND: ids from another review are never reachable through this one. */
export function getStudy(db: DbOrTx, reviewId: number, studyId: number): StudyRow {
  const row = db.select().from(studies).where(and(eq(studies.id, studyId), eq(studies.reviewId, reviewId))).get();
  if (!row) throw notFound(`Study ${studyId}`);
  return row;
}

export function createStudy(db: Db, actor: Actor, reviewId: number, input: z.infer<typeof newStudySchema>): StudyRow {
  const created = writeTransaction(db, (tx) => {
    const position = (tx.select({ last: max(studies.position) }).from(studies).where(eq(studies.reviewId, reviewId)).get()?.last ?? 0) + 1;
    const row = tx.insert(studies).values({ ...input, reviewId, position }).returning().get();
    tx.insert(arms)
      .values([
        { studyId: row.id, kind: "treated", label: "Exosomes" },
        { studyId: row.id, kind: "control", label: "Control" },
      ])
      .run();
    recordAudit(tx, actor, {
      reviewId,
      entity: "study",
      entityId: row.id,
      action: "create",
      changes: Object.entries(input).map(([field, newValue]) => ({ field, oldValue: null, newValue })),
    });
    return row;
  });
  publishReviewChange(reviewId, "study", actor.displayName);
  return created;
}

export function updateStudyField(
  db: Db,
  actor: Actor,
  reviewId: number,
  studyId: number,
  field: StudyField,
  rawValue: unknown,
  expectedVersion: number,
): StudyRow {
  const parsed = parseStudyField(field, rawValue);
  if (!parsed.ok) throw new AppError("invalid", parsed.message, field);
  const updated = writeTransaction(db, (tx) => {
    const current = getStudy(tx, reviewId, studyId);
    assertVersion(tx, "study", current, expectedVersion);
    const row = tx
      .update(studies)
      .set({ [field]: parsed.value, version: sql`${studies.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(studies.id, studyId))
      .returning()
      .get();
    recordAudit(tx, actor, {
      reviewId,
      entity: "study",
      entityId: studyId,
      action: "update",
      changes: [{ field, oldValue: current[field], newValue: row[field] }],
    });
    return row;
  });
  publishReviewChange(reviewId, "study", actor.displayName);
  return updated;
}

/** Deletes a study and, in the same transaction, its arms and outcome values (recorded in the audit trail). */
export function deleteStudy(db: Db, actor: Actor, reviewId: number, studyId: number, expectedVersion: number): void {
  writeTransaction(db, (tx) => {
    const current = getStudy(tx, reviewId, studyId);
    assertVersion(tx, "study", current, expectedVersion);
    const armIds = tx.select({ id: arms.id }).from(arms).where(eq(arms.studyId, studyId)).all().map((a) => a.id);
    const values = armIds.length ? tx.select().from(measurements).where(inArray(measurements.armId, armIds)).all() : [];
    tx.delete(studies).where(eq(studies.id, studyId)).run();
    recordAudit(tx, actor, {
      reviewId,
      entity: "study",
      entityId: studyId,
      action: "delete",
      changes: [{ field: null, oldValue: { study: current, measurements: values }, newValue: null }],
    });
  });
  publishReviewChange(reviewId, "study", actor.displayName);
}

/** The study table's rows: each study with how much outcome data it has and whether any of it is example data. */
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
  return rows.map((s) => ({ ...s, outcomeValues: Number(byStudy.get(s.id)?.values ?? 0), hasExampleData: Number(byStudy.get(s.id)?.example ?? 0) === 1 }));
}
