import "server-only";
import { and, desc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { arms, auditLog, measurements } from "@/db/schema";
import type { SessionUser } from "@/server/auth/session";

export type Actor = Pick<SessionUser, "id" | "displayName">;

type AuditEntry = {
  reviewId: number | null;
  entity: string;
  entityId: number | null;
  action: "create" | "update" | "delete";
  /** Field-level changes; an empty list still writes one row (e.g. a delete records the whole old row). */
  changes?: { field: string | null; oldValue: unknown; newValue: unknown }[];
  reason?: string | null;
};

const serialise = (value: unknown): string | null =>
  value === null || value === undefined ? null : typeof value === "string" ? value : JSON.stringify(value);

/** Appends audit rows; call it inside the transaction that makes the change, so both land or neither. */
export function recordAudit(tx: DbOrTx, actor: Actor, entry: AuditEntry): void {
  tx.insert(auditLog).values(auditRows(actor, entry)).run();
}

/** The audit_log rows of one entry (recordAudit writes them; bulk writers such as the import insert them themselves). */
export function auditRows(actor: Actor, entry: AuditEntry) {
  const at = new Date().toISOString();
  const base = {
    at,
    userId: actor.id,
    userName: actor.displayName,
    reviewId: entry.reviewId,
    entity: entry.entity,
    entityId: entry.entityId,
    action: entry.action,
    reason: entry.reason ?? null,
  };
  const changes = entry.changes?.length ? entry.changes : [{ field: null, oldValue: null, newValue: null }];
  return changes.map((c) => ({ ...base, field: c.field, oldValue: serialise(c.oldValue), newValue: serialise(c.newValue) }));
}

/** Field-by-field differences between two versions of a row, for the audit trail. */
export function diffRows(before: Record<string, unknown>, after: Record<string, unknown>, ignore: string[] = ["version", "updatedAt"]) {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((key) => !ignore.includes(key) && JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    .map((field) => ({ field, oldValue: before[field], newValue: after[field] }));
}

export function entityHistory(db: DbOrTx, reviewId: number, entity: string, entityId: number) {
  return db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.reviewId, reviewId), eq(auditLog.entity, entity), eq(auditLog.entityId, entityId)))
    .orderBy(desc(auditLog.id))
    .limit(500)
    .all();
}

/** Who last changed an entity: named in the "changed by X meanwhile" conflict message. */
export function lastEditor(db: DbOrTx, entity: string, entityId: number): string | null {
  const row = db
    .select({ userName: auditLog.userName })
    .from(auditLog)
    .where(and(eq(auditLog.entity, entity), eq(auditLog.entityId, entityId)))
    .orderBy(desc(auditLog.id))
    .limit(1)
    .get();
  return row?.userName ?? null;
}

/**
 * A study's history: its own changes and those of its arms and outcome values, including values and arms deleted
 * since (found through the "study" recorded when each was created).
 */
export function studyHistory(db: DbOrTx, reviewId: number, studyId: number) {
  const current = db
    .select({ id: measurements.id })
    .from(measurements)
    .innerJoin(arms, eq(arms.id, measurements.armId))
    .where(eq(arms.studyId, studyId))
    .all()
    .map((m) => m.id);
  const created = db
    .select({ id: auditLog.entityId })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.reviewId, reviewId),
        eq(auditLog.entity, "measurement"),
        or(
          and(eq(auditLog.field, "study"), eq(auditLog.newValue, String(studyId))),
          // An imported value's single create entry holds the whole row as JSON (services/data-import.ts).
          and(eq(auditLog.action, "create"), isNull(auditLog.field), sql`json_extract(${auditLog.newValue}, '$.study') = ${studyId}`),
        ),
      ),
    )
    .all()
    .map((r) => r.id)
    .filter((id): id is number => id !== null);
  const valueIds = [...new Set([...current, ...created])];
  // Its arms: those it has, and those created in it and removed since (the create row records the study).
  const armIds = [
    ...new Set([
      ...db.select({ id: arms.id }).from(arms).where(eq(arms.studyId, studyId)).all().map((a) => a.id),
      ...db
        .select({ id: auditLog.entityId })
        .from(auditLog)
        .where(and(eq(auditLog.reviewId, reviewId), eq(auditLog.entity, "arm"), eq(auditLog.field, "study"), eq(auditLog.newValue, String(studyId))))
        .all()
        .flatMap((r) => (r.id === null ? [] : [r.id])),
    ]),
  ];
  return db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.reviewId, reviewId),
        or(
          and(eq(auditLog.entity, "study"), eq(auditLog.entityId, studyId)),
          valueIds.length ? and(eq(auditLog.entity, "measurement"), inArray(auditLog.entityId, valueIds)) : undefined,
          armIds.length ? and(eq(auditLog.entity, "arm"), inArray(auditLog.entityId, armIds)) : undefined,
        ),
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(500)
    .all();
}
