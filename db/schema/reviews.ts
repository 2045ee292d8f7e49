import { sqliteTable, integer, text, real, primaryKey, index } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt, version } from "./columns";
import { users } from "./auth";

export type PrismaSourceCount = { source: string; records: number };
export type PrismaReasonCount = { reason: string; reports: number };

export const reviews = sqliteTable("reviews", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  title: text("title").notNull(),
  question: text("question").notNull().default(""),
  population: text("population").notNull().default(""),
  intervention: text("intervention").notNull().default(""),
  comparison: text("comparison").notNull().default(""),
  outcomeDescription: text("outcome_description").notNull().default(""),
  studyDesign: text("study_design").notNull().default(""),
  inclusionCriteria: text("inclusion_criteria").notNull().default(""),
  exclusionCriteria: text("exclusion_criteria").notNull().default(""),
  prismaIdentified: integer("prisma_identified"),
  prismaAfterDuplicates: integer("prisma_after_duplicates"),
  prismaFullText: integer("prisma_full_text"),
  prismaIncluded: integer("prisma_included"),
  /** PRISMA 2020 "Records identified from: databases and registers", one entry per source (may be empty). */
  prismaSources: text("prisma_sources", { mode: "json" }).$type<PrismaSourceCount[]>().notNull().default([]),
  /** PRISMA 2020 "Reports not retrieved" (null: not reported). */
  prismaNotRetrieved: integer("prisma_not_retrieved"),
  /** PRISMA 2020 "Reports excluded: reason (n = …)", one entry per reason (may be empty). */
  prismaExclusionReasons: text("prisma_exclusion_reasons", { mode: "json" }).$type<PrismaReasonCount[]>().notNull().default([]),
  /**
   * Table 1's columns in order: fixed study fields by name ("administrationRoute") and the review's characteristics
   * as "c:<id>". Author and year always lead.
   */
  table1Columns: text("table1_columns", { mode: "json" }).$type<string[]>().notNull().default([]),
  isDemo: integer("is_demo", { mode: "boolean" }).notNull().default(false),
  /**
   * How the lead last mapped the columns of an imported spreadsheet: normalised header → import target. Offered
   * again for the next file of the same layout (server/services/data-import).
   */
  importMapping: text("import_mapping", { mode: "json" }).$type<Record<string, string>>().notNull().default({}),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  version: version(),
});

export const memberRoles = ["lead", "reviewer", "viewer"] as const;
export type MemberRole = (typeof memberRoles)[number];

export const reviewMembers = sqliteTable(
  "review_members",
  {
    reviewId: integer("review_id")
      .notNull()
      .references(() => reviews.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: memberRoles }).notNull(),
    createdAt: createdAt(),
    version: version(),
  },
  (t) => [primaryKey({ columns: [t.reviewId, t.userId] }), index("review_members_user_idx").on(t.userId)],
);

/**
 * An outcome measured in the review, with its scale (BBB: 0 to 21, higher is better; lesion volume: 0 or more,
 * lower is better). `normalValue` is the uninjured animal's value (BBB 21), used by the normalised mean difference.
 */
export const outcomes = sqliteTable("outcomes", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  reviewId: integer("review_id")
    .notNull()
    .references(() => reviews.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  unit: text("unit").notNull().default("points"),
  scaleMin: real("scale_min"),
  scaleMax: real("scale_max"),
  higherIsBetter: integer("higher_is_better", { mode: "boolean" }).notNull().default(true),
  normalValue: real("normal_value"),
  position: integer("position").notNull().default(0),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  version: version(),
});
