import { sqliteTable, integer, text, index } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt, version } from "./columns";
import { reviews } from "./reviews";

/**
 * A review's saved analyses, in order ("Analysis 1.1", "1.2"… as RevMan numbers them): each a title and a set of
 * settings (JSON, validated by server/schemas/analysis-settings.ts, so new options need no migration). The first is
 * what the analysis page opens with; the report prints them all.
 */
export const savedAnalyses = sqliteTable(
  "saved_analyses",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    reviewId: integer("review_id")
      .notNull()
      .references(() => reviews.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    title: text("title").notNull(),
    settings: text("settings", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [index("saved_analyses_review_idx").on(t.reviewId, t.position)],
);
