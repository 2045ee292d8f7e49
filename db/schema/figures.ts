import { sqliteTable, integer, text, real, index, uniqueIndex, primaryKey, type AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt, version } from "./columns";
import { users } from "./auth";
import { outcomes, reviews } from "./reviews";
import { arms, errorTypes, measurements, studies } from "./studies";
import { storedFiles } from "./files";

/** An ISO-8601 UTC timestamp column that defaults to the time of insertion (named for what it records). */
const now = (name: string) =>
  text(name)
    .notNull()
    .$defaultFn(() => new Date().toISOString());

export const chartKinds = ["bar", "line"] as const;
export type ChartKind = (typeof chartKinds)[number];
export const figureSourceKinds = ["pdf", "image"] as const;
export const readingStatuses = ["in_progress", "completed"] as const;
export const figurePointKinds = ["mean", "error_end"] as const;

/**
 * A figure of a study's paper, digitised for one outcome. The stored image is the cropped figure as the
 * reviewer saw it (a PNG made in the browser); its origin is kept beside it: the source file's SHA-256 and
 * name, for a PDF the page and the crop in PDF points, for an image the crop in its pixels.
 */
export const figures = sqliteTable(
  "figures",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    reviewId: integer("review_id")
      .notNull()
      .references(() => reviews.id, { onDelete: "cascade" }),
    studyId: integer("study_id")
      .notNull()
      .references(() => studies.id, { onDelete: "cascade" }),
    outcomeId: integer("outcome_id")
      .notNull()
      .references(() => outcomes.id, { onDelete: "cascade" }),
    imageFileId: integer("image_file_id")
      .notNull()
      .references(() => storedFiles.id),
    /** As printed, e.g. "Fig. 2B". */
    label: text("label").notNull(),
    caption: text("caption").notNull().default(""),
    chartKind: text("chart_kind", { enum: chartKinds }).notNull(),
    sourceKind: text("source_kind", { enum: figureSourceKinds }).notNull(),
    sourceName: text("source_name").notNull().default(""),
    sourceSha256: text("source_sha256").notNull(),
    /** 1-based page of the PDF; null for an image. */
    sourcePage: integer("source_page"),
    /** Crop rectangle in the source: PDF points (1/72 in, from the page's top left) or image pixels. JSON {x,y,width,height}. */
    sourceCrop: text("source_crop", { mode: "json" }).$type<{ x: number; y: number; width: number; height: number }>().notNull(),
    /** Pixels of the stored image per PDF point (the render scale); null for an image. */
    sourceScale: real("source_scale"),
    /** The reading whose values are in the outcome grid: the first one, until the lead decides otherwise. */
    standingReadingId: integer("standing_reading_id").references((): AnySQLiteColumn => figureReadings.id, { onDelete: "set null" }),
    decidedBy: integer("decided_by").references(() => users.id),
    decidedAt: text("decided_at"),
    decisionReason: text("decision_reason").notNull().default(""),
    createdBy: integer("created_by")
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [index("figures_study_idx").on(t.studyId), index("figures_review_idx").on(t.reviewId)],
);

/** One reader's digitisation of a figure: their own calibration and points (at most two readers per figure). */
export const figureReadings = sqliteTable(
  "figure_readings",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    figureId: integer("figure_id")
      .notNull()
      .references(() => figures.id, { onDelete: "cascade" }),
    readerId: integer("reader_id")
      .notNull()
      .references(() => users.id),
    /** 1 for the first reading, 2 for the blind second one. */
    ordinal: integer("ordinal").notNull(),
    /** JSON Calibration (server/digitiser/calibration.ts); null until the reader has calibrated the axes. */
    calibration: text("calibration", { mode: "json" }).$type<unknown>(),
    status: text("status", { enum: readingStatuses }).notNull().default("in_progress"),
    startedAt: now("started_at"),
    completedAt: text("completed_at"),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [uniqueIndex("figure_readings_reader_uq").on(t.figureId, t.readerId), uniqueIndex("figure_readings_ordinal_uq").on(t.figureId, t.ordinal)],
);

/** A point placed on a figure: an arm's mean or the end of its error bar at one day, where it was clicked. */
export const figurePoints = sqliteTable(
  "figure_points",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    readingId: integer("reading_id")
      .notNull()
      .references(() => figureReadings.id, { onDelete: "cascade" }),
    armId: integer("arm_id")
      .notNull()
      .references(() => arms.id, { onDelete: "cascade" }),
    day: real("day").notNull(),
    kind: text("kind", { enum: figurePointKinds }).notNull(),
    /** What the error bar shows (from the figure's legend); set on error-bar ends, null on means. */
    errorType: text("error_type", { enum: errorTypes }),
    /** In the stored image's pixels (origin top left), fractions allowed (zoomed placement). */
    pixelX: real("pixel_x").notNull(),
    pixelY: real("pixel_y").notNull(),
    /** The y value the reading's calibration gives this pixel (recomputed by the server whenever either changes). */
    value: real("value").notNull(),
    placedBy: integer("placed_by")
      .notNull()
      .references(() => users.id),
    placedAt: now("placed_at"),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [uniqueIndex("figure_points_uq").on(t.readingId, t.armId, t.day, t.kind)],
);

/**
 * The link from an outcome value in the grid (`measurements`) back to the figure and reading it was read from.
 * `measurementVersion` is the version the figure last wrote: a later grid edit is noticed, not overwritten.
 */
export const figureValues = sqliteTable(
  "figure_values",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    figureId: integer("figure_id")
      .notNull()
      .references(() => figures.id, { onDelete: "cascade" }),
    readingId: integer("reading_id")
      .notNull()
      .references(() => figureReadings.id, { onDelete: "cascade" }),
    armId: integer("arm_id")
      .notNull()
      .references(() => arms.id, { onDelete: "cascade" }),
    day: real("day").notNull(),
    measurementId: integer("measurement_id").references(() => measurements.id, { onDelete: "set null" }),
    measurementVersion: integer("measurement_version"),
    writtenAt: text("written_at").notNull(),
  },
  (t) => [uniqueIndex("figure_values_uq").on(t.figureId, t.armId, t.day), index("figure_values_measurement_idx").on(t.measurementId)],
);

/**
 * Members who chose to see another member's reading of a figure: they can no longer be its blind second reader.
 * Written by the service when it shows a reading, so blindness holds whichever page or client asks.
 */
export const figureViews = sqliteTable(
  "figure_views",
  {
    figureId: integer("figure_id")
      .notNull()
      .references(() => figures.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    firstSeenAt: now("first_seen_at"),
  },
  (t) => [primaryKey({ columns: [t.figureId, t.userId] })],
);
