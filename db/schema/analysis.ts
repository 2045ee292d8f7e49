import { sqliteTable, integer, text, real } from "drizzle-orm/sqlite-core";
import { updatedAt, version } from "./columns";
import { outcomes, reviews } from "./reviews";

export const timepointModes = ["first", "last", "day"] as const;
export const measures = ["MD", "SMD", "ROM"] as const;
export const models = ["fixed", "random", "auto"] as const;
export const tau2Methods = ["DL", "REML", "PM", "HS", "SJ", "ML", "EB"] as const;
export const ciMethods = ["z", "hk"] as const;

/** The lead's saved analysis choices for a review (one row per review). */
export const analysisSettings = sqliteTable("analysis_settings", {
  reviewId: integer("review_id")
    .primaryKey()
    .references(() => reviews.id, { onDelete: "cascade" }),
  outcomeId: integer("outcome_id").references(() => outcomes.id, { onDelete: "set null" }),
  timepoint: text("timepoint", { enum: timepointModes }).notNull().default("last"),
  day: real("day"),
  measure: text("measure", { enum: measures }).notNull().default("MD"),
  model: text("model", { enum: models }).notNull().default("fixed"),
  tau2Method: text("tau2_method", { enum: tau2Methods }).notNull().default("REML"),
  ciMethod: text("ci_method", { enum: ciMethods }).notNull().default("z"),
  level: real("level").notNull().default(0.95),
  subgroupField: text("subgroup_field").notNull().default("exosomeSource"),
  updatedAt: updatedAt(),
  version: version(),
});
