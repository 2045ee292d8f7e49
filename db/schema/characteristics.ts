import { sqliteTable, integer, text, index, primaryKey } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt, version } from "./columns";
import { reviews } from "./reviews";
import { arms, studies } from "./studies";

/** How a characteristic's value is entered and stored (JSON in `characteristic_values.value`). */
export const characteristicTypes = ["text", "number", "single", "multiple", "boolean"] as const;
export type CharacteristicType = (typeof characteristicTypes)[number];

/**
 * A study characteristic the review's lead defines for its question (exosome source, drug class, dose regimen…).
 * `options` (JSON: [{value, label}]) lists the choices of a "single" or "multiple" characteristic; values are
 * stored by `value`, so a label can be renamed without touching the studies.
 */
export const characteristics = sqliteTable(
  "characteristics",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    reviewId: integer("review_id")
      .notNull()
      .references(() => reviews.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    type: text("type", { enum: characteristicTypes }).notNull(),
    unit: text("unit").notNull().default(""),
    options: text("options", { mode: "json" }).$type<{ value: string; label: string }[]>().notNull().default([]),
    helpText: text("help_text").notNull().default(""),
    /** Order on the study page and in exports. */
    position: integer("position").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [index("characteristics_review_idx").on(t.reviewId, t.position)],
);

/**
 * A study's value of one characteristic, JSON-encoded by type: text → string, number → number, single → option
 * value, multiple → option values, boolean → true/false. No row means "not reported". Edits are guarded by the
 * study's version (one concurrency token per study row in the Table 1 grid).
 */
export const characteristicValues = sqliteTable(
  "characteristic_values",
  {
    studyId: integer("study_id")
      .notNull()
      .references(() => studies.id, { onDelete: "cascade" }),
    characteristicId: integer("characteristic_id")
      .notNull()
      .references(() => characteristics.id, { onDelete: "cascade" }),
    value: text("value", { mode: "json" }).$type<string | number | boolean | string[]>().notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.studyId, t.characteristicId] }), index("characteristic_values_characteristic_idx").on(t.characteristicId)],
);

/**
 * An arm's own value of one of the review's characteristics, where it differs from the study's (e.g. a study testing
 * bone-marrow and umbilical-cord exosomes against one control). Same JSON encoding as `characteristic_values`; the
 * arm's version guards edits.
 */
export const armCharacteristicValues = sqliteTable(
  "arm_characteristic_values",
  {
    armId: integer("arm_id")
      .notNull()
      .references(() => arms.id, { onDelete: "cascade" }),
    characteristicId: integer("characteristic_id")
      .notNull()
      .references(() => characteristics.id, { onDelete: "cascade" }),
    value: text("value", { mode: "json" }).$type<string | number | boolean | string[]>().notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.armId, t.characteristicId] }), index("arm_characteristic_values_characteristic_idx").on(t.characteristicId)],
);
