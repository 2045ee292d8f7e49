import { sqliteTable, integer, text, real, index, uniqueIndex, type AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt, version } from "./columns";
import { users } from "./auth";
import { outcomes, reviews } from "./reviews";

/**
 * Treated arms are compared with a control arm; a sham arm (operated, not injured) is no comparison of its own: its
 * value is the reference of the normalised mean difference (Vesterinen et al. 2014).
 */
export const armKinds = ["treated", "control", "sham"] as const;
export type ArmKind = (typeof armKinds)[number];
export const errorTypes = ["SD", "SEM", "CI95"] as const;
export type ErrorType = (typeof errorTypes)[number];
export const dataSources = ["table", "text", "figure"] as const;

/**
 * An included study. The columns are what every animal study has (see ../shared/design/architecture.md); what a
 * review's question adds (exosome source, drug class, stimulation frequency…) are the review's own characteristics
 * (./characteristics.ts).
 */
export const studies = sqliteTable(
  "studies",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    reviewId: integer("review_id")
      .notNull()
      .references(() => reviews.id, { onDelete: "cascade" }),
    /** Order in the review's Table 1 (the "#" column). */
    position: integer("position").notNull(),
    /** First author as the review cites it ("Chang et al."). */
    author: text("author").notNull(),
    year: integer("year").notNull(),
    title: text("title").notNull().default(""),
    journal: text("journal").notNull().default(""),
    doi: text("doi").notNull().default(""),
    species: text("species").notNull().default(""),
    strain: text("strain").notNull().default(""),
    sex: text("sex").notNull().default(""),
    age: text("age").notNull().default(""),
    bodyWeight: text("body_weight").notNull().default(""),
    diseaseModel: text("disease_model").notNull().default(""),
    modelInduction: text("model_induction").notNull().default(""),
    intervention: text("intervention").notNull().default(""),
    dose: real("dose"),
    doseUnit: text("dose_unit").notNull().default(""),
    administrationRoute: text("administration_route").notNull().default(""),
    timingAfterInjury: text("timing_after_injury").notNull().default(""),
    administrationFrequency: text("administration_frequency").notNull().default(""),
    animalsTotal: integer("animals_total"),
    notes: text("notes").notNull().default(""),
    /** Removed studies are kept (with everything attached) until restored: see services/studies.ts. */
    deletedAt: text("deleted_at"),
    deletedBy: integer("deleted_by").references(() => users.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [index("studies_review_idx").on(t.reviewId, t.position)],
);

/**
 * A study's arms: usually one treated and one control; animal studies often have more (two doses or two cell sources
 * sharing one control, a vehicle and an untreated control, a sham group). Each treated arm is one comparison of the
 * analysis, against the control arm it names.
 */
export const arms = sqliteTable(
  "arms",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    studyId: integer("study_id")
      .notNull()
      .references(() => studies.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: armKinds }).notNull(),
    label: text("label").notNull(),
    /**
     * For a treated arm: the control arm of the same study it is compared with. Arms that share one control point
     * at the same row (an import's "shared control" key). Null: not chosen, which the analysis reads as "the study's
     * only control arm" (and lists the arm as not analysed when there are several).
     */
    controlArmId: integer("control_arm_id").references((): AnySQLiteColumn => arms.id, { onDelete: "set null" }),
    /** The arm's own dose (two doses of one study); null: the study's dose. */
    dose: real("dose"),
    /** The unit of `dose`; "": the study's dose unit. */
    doseUnit: text("dose_unit").notNull().default(""),
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
