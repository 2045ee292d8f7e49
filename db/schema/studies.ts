import { sqliteTable, integer, text, real, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt, version } from "./columns";
import { outcomes, reviews } from "./reviews";

/** Controlled vocabularies; each has a free-text companion column for what the paper printed. */
export const exosomeSources = ["bone_marrow", "adipose", "umbilical_cord", "placenta", "other"] as const;
export type ExosomeSource = (typeof exosomeSources)[number];
export const armKinds = ["treated", "control"] as const;
export const errorTypes = ["SD", "SEM", "CI95"] as const;
export type ErrorType = (typeof errorTypes)[number];
export const dataSources = ["table", "text", "figure"] as const;

export const studies = sqliteTable(
  "studies",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    reviewId: integer("review_id")
      .notNull()
      .references(() => reviews.id, { onDelete: "cascade" }),
    /** Order in the review's Table 1 (the "#" column). */
    position: integer("position").notNull(),
    author: text("author").notNull(),
    year: integer("year").notNull(),
    exosomeSource: text("exosome_source", { enum: exosomeSources }).notNull().default("other"),
    exosomeSourceDetail: text("exosome_source_detail").notNull().default(""),
    administrationRoute: text("administration_route").notNull().default(""),
    injuredSite: text("injured_site").notNull().default(""),
    modelingMethod: text("modeling_method").notNull().default(""),
    possibleMechanism: text("possible_mechanism").notNull().default(""),
    reference: text("reference").notNull().default(""),
    doi: text("doi").notNull().default(""),
    // Extraction fields of the seed paper's section 2.4.
    species: text("species").notNull().default(""),
    strain: text("strain").notNull().default(""),
    sex: text("sex").notNull().default(""),
    bodyWeight: text("body_weight").notNull().default(""),
    age: text("age").notNull().default(""),
    dose: real("dose"),
    doseUnit: text("dose_unit").notNull().default(""),
    administrationFrequency: text("administration_frequency").notNull().default(""),
    timingAfterInjury: text("timing_after_injury").notNull().default(""),
    isolationMethod: text("isolation_method").notNull().default(""),
    injuryDevice: text("injury_device").notNull().default(""),
    injurySeverity: text("injury_severity").notNull().default(""),
    animalsTotal: integer("animals_total"),
    notes: text("notes").notNull().default(""),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [index("studies_review_idx").on(t.reviewId, t.position)],
);

/** A study's arms: usually one treated and one control; more (e.g. two doses sharing a control) are allowed. */
export const arms = sqliteTable(
  "arms",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    studyId: integer("study_id")
      .notNull()
      .references(() => studies.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: armKinds }).notNull(),
    label: text("label").notNull(),
    createdAt: createdAt(),
    version: version(),
  },
  (t) => [index("arms_study_idx").on(t.studyId)],
);

/** One arm's result for one outcome at one time point (days after injury). */
export const measurements = sqliteTable(
  "measurements",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    armId: integer("arm_id")
      .notNull()
      .references(() => arms.id, { onDelete: "cascade" }),
    outcomeId: integer("outcome_id")
      .notNull()
      .references(() => outcomes.id, { onDelete: "cascade" }),
    day: real("day").notNull(),
    mean: real("mean").notNull(),
    errorType: text("error_type", { enum: errorTypes }).notNull(),
    /** SD or SEM; null for a 95% CI, which uses ciLower/ciUpper. */
    errorValue: real("error_value"),
    ciLower: real("ci_lower"),
    ciUpper: real("ci_upper"),
    n: integer("n").notNull(),
    dataSource: text("data_source", { enum: dataSources }).notNull().default("table"),
    sourceDetail: text("source_detail").notNull().default(""),
    /** Values invented for the demo (the paper prints no per-study BBB data): shown with a badge, never as extracted. */
    isExampleData: integer("is_example_data", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [uniqueIndex("measurements_arm_outcome_day_uq").on(t.armId, t.outcomeId, t.day)],
);
