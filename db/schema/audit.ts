import { sqliteTable, integer, text, index } from "drizzle-orm/sqlite-core";

/**
 * Append-only audit trail of every change to research data, written in the same transaction as the change.
 * UPDATE and DELETE are refused by triggers in the migration (see db/migrations), not only by convention.
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: text("at").notNull(),
    userId: integer("user_id"),
    userName: text("user_name").notNull(),
    reviewId: integer("review_id"),
    entity: text("entity").notNull(),
    entityId: integer("entity_id"),
    action: text("action", { enum: ["create", "update", "delete"] }).notNull(),
    field: text("field"),
    oldValue: text("old_value"),
    newValue: text("new_value"),
    reason: text("reason"),
  },
  (t) => [index("audit_entity_idx").on(t.entity, t.entityId), index("audit_review_idx").on(t.reviewId, t.at)],
);
