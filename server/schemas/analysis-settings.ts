import { z } from "zod";
import { requiredText } from "./common";
import { parseColumnKey } from "./study";

export const timepointModes = ["first", "last", "day"] as const;
export const measures = ["MD", "SMD", "ROM"] as const;
export const models = ["fixed", "random", "auto"] as const;
export const tau2Methods = ["DL", "REML", "PM", "HS", "SJ", "ML", "EB"] as const;
export const ciMethods = ["z", "hk"] as const;

/**
 * One analysis's settings: what a saved analysis stores (as JSON, so that an option added later needs no
 * migration: it gets its default here) and what the analysis page holds in its URL while someone explores.
 * A review with no saved analysis is analysed with these defaults.
 */
export const analysisSettingsSchema = z
  .object({
    outcomeId: z.number().int().positive().nullable().default(null),
    timepoint: z.enum(timepointModes).default("last"),
    day: z.number().finite().min(0, "must be 0 or more").max(3650, "must be at most 3650").nullable().default(null),
    measure: z.enum(measures).default("MD"),
    model: z.enum(models).default("random"),
    tau2Method: z.enum(tau2Methods).default("REML"),
    ciMethod: z.enum(ciMethods).default("z"),
    level: z.number().gt(0.5, "must be above 0.5").lt(1, "must be below 1").default(0.95),
    /** A Table 1 field or a characteristic ("c:<id>"); "" for no subgroups. */
    subgroupField: z
      .string()
      .refine((key) => key === "" || parseColumnKey(key) !== null, "must be a study field or a characteristic")
      .default(""),
  })
  .refine((s) => s.timepoint !== "day" || s.day !== null, { path: ["day"], message: "is required when the time point is a given day" });

export type AnalysisSettings = z.output<typeof analysisSettingsSchema>;
export type AnalysisSettingsInput = z.input<typeof analysisSettingsSchema>;

export const defaultAnalysisSettings: AnalysisSettings = analysisSettingsSchema.parse({});

/** Reads stored or URL settings leniently: an unknown or invalid option falls back to its default, never fails. */
export function settingsOrDefaults(stored: unknown): AnalysisSettings {
  const input = stored && typeof stored === "object" ? (stored as Record<string, unknown>) : {};
  const parsed = analysisSettingsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const kept: Record<string, unknown> = {};
  const shape = analysisSettingsSchema.shape as Record<string, z.ZodType>;
  for (const [key, schema] of Object.entries(shape)) {
    const one = schema.safeParse(input[key]);
    if (one.success && input[key] !== undefined) kept[key] = one.data;
  }
  const retry = analysisSettingsSchema.safeParse(kept);
  return retry.success ? retry.data : { ...defaultAnalysisSettings, ...kept, timepoint: kept.timepoint === "day" ? "last" : ((kept.timepoint as AnalysisSettings["timepoint"]) ?? "last") };
}

export const savedAnalysisInput = z.object({ title: requiredText(300), settings: analysisSettingsSchema });
