import { sqliteTable, integer, text, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { updatedAt, version } from "./columns";
import { users } from "./auth";
import { reviews } from "./reviews";
import { studies } from "./studies";

/** SYRCLE judgments: "low" = Yes, "high" = No, "unclear" = ?. */
export const robJudgmentValues = ["low", "high", "unclear"] as const;
export type RobJudgmentValue = (typeof robJudgmentValues)[number];

/** One reviewer's own judgment of one SYRCLE domain (1..10) of one study. */
export const robJudgments = sqliteTable(
  "rob_judgments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    reviewId: integer("review_id")
      .notNull()
      .references(() => reviews.id, { onDelete: "cascade" }),
    studyId: integer("study_id")
      .notNull()
      .references(() => studies.id, { onDelete: "cascade" }),
    reviewerId: integer("reviewer_id")
      .notNull()
      .references(() => users.id),
    domain: integer("domain").notNull(),
    judgment: text("judgment", { enum: robJudgmentValues }),
    quote: text("quote").notNull().default(""),
    reasoning: text("reasoning").notNull().default(""),
    isExampleData: integer("is_example_data", { mode: "boolean" }).notNull().default(false),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    uniqueIndex("rob_judgments_uq").on(t.studyId, t.reviewerId, t.domain),
    index("rob_judgments_review_idx").on(t.reviewId, t.reviewerId),
  ],
);

/** The final judgment for a domain of a study, recorded by the lead (or a named third reviewer) with a reason. */
export const robConsensus = sqliteTable(
  "rob_consensus",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    reviewId: integer("review_id")
      .notNull()
      .references(() => reviews.id, { onDelete: "cascade" }),
    studyId: integer("study_id")
      .notNull()
      .references(() => studies.id, { onDelete: "cascade" }),
    domain: integer("domain").notNull(),
    judgment: text("judgment", { enum: robJudgmentValues }).notNull(),
    reason: text("reason").notNull().default(""),
    decidedBy: integer("decided_by")
      .notNull()
      .references(() => users.id),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [uniqueIndex("rob_consensus_uq").on(t.studyId, t.domain)],
);

/** Per review: the two assigned reviewers and an optional third (tie-breaker) the lead names. */
export const robAssignments = sqliteTable(
  "rob_assignments",
  {
    reviewId: integer("review_id")
      .primaryKey()
      .references(() => reviews.id, { onDelete: "cascade" }),
    reviewer1Id: integer("reviewer1_id").references(() => users.id),
    reviewer2Id: integer("reviewer2_id").references(() => users.id),
    arbiterId: integer("arbiter_id").references(() => users.id),
    version: version(),
  },
);
