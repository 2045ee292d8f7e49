import { sqliteTable, integer, text, blob, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./auth";
import { reviews } from "./reviews";

/**
 * Files uploaded to a review (figure images now, full-text PDFs later), stored in the database itself so that
 * they are in every backup and export of the review. Written once, never updated (no version): a changed file
 * is a new row. The media type is sniffed from the content at upload, never taken from the name or the browser.
 */
export const storedFiles = sqliteTable(
  "stored_files",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    reviewId: integer("review_id")
      .notNull()
      .references(() => reviews.id, { onDelete: "cascade" }),
    /** Hex SHA-256 of `data`: the same file uploaded twice to a review is stored once. */
    sha256: text("sha256").notNull(),
    mediaType: text("media_type").notNull(),
    byteSize: integer("byte_size").notNull(),
    originalName: text("original_name").notNull(),
    /** Decoded dimensions of an image (null for other files). */
    width: integer("width"),
    height: integer("height"),
    uploadedBy: integer("uploaded_by")
      .notNull()
      .references(() => users.id),
    uploadedAt: text("uploaded_at")
      .notNull()
      .$defaultFn(() => new Date().toISOString()),
    data: blob("data", { mode: "buffer" }).notNull(),
  },
  (t) => [uniqueIndex("stored_files_review_sha_uq").on(t.reviewId, t.sha256), index("stored_files_review_idx").on(t.reviewId)],
);
