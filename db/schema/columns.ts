import { integer, text } from "drizzle-orm/sqlite-core";

/** Optimistic concurrency: every editable row carries the version it was last written at. */
export const version = () => integer("version").notNull().default(1);

/** Timestamps are stored as ISO-8601 UTC strings so that they read the same in SQL, JSON and the audit trail. */
export const createdAt = () =>
  text("created_at")
    .notNull()
    .$defaultFn(() => new Date().toISOString());
export const updatedAt = () =>
  text("updated_at")
    .notNull()
    .$defaultFn(() => new Date().toISOString());
