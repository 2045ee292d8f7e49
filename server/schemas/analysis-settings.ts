import { z } from "zod";
import { requiredText } from "./common";
import { isModeratorKey, isStratumKey } from "./analysis-variables";
import { robDomains } from "./risk-of-bias";
import { parseColumnKey } from "./study";

export const timepointModes = ["first", "last", "day"] as const;
export const measures = ["MD", "SMD", "ROM", "NMD"] as const;
/** "" no restriction; "all": low risk in every SYRCLE domain; "D7": low risk in that domain (consensus judgments). */
export const lowRiskChoices = ["", "all", ...robDomains.map((d) => d.code)] as const;
export type LowRiskChoice = (typeof lowRiskChoices)[number];
export const MAX_STRATA = 12;
export const MAX_ANALYSIS_MODERATORS = 5;

/** A list of variable keys, each once. */
const keyList = (isKey: (key: string) => boolean, max: number, what: string) =>
  z
    .array(z.string().max(40).refine(isKey, `must name ${what}`), { error: "must be a list" })
    .max(max, `must name at most ${max} variables`)
    .refine((keys) => new Set(keys).size === keys.length, "must name each variable once")
    .default([]);
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
    /**
     * Several treated arms sharing one control: false (default) analyses one comparison per treated arm with the
     * control's n split among them (Vesterinen et al. 2014); true combines the arms into one treated group first
     * (Cochrane Handbook 6.5.2.10, Table 6.5.a).
     */
    combineTreatedArms: z.boolean().default(false),
    /** Sensitivity analysis: only comparisons of studies judged at low risk of bias in this domain (or all). */
    lowRiskDomain: z.enum(lowRiskChoices, { error: "must be a SYRCLE domain (D1 to D10), all, or none" }).default(""),
    /** Stratified analyses: a test for subgroup differences per variable, p adjusted (Bonferroni, Holm). */
    strata: keyList(isStratumKey, MAX_STRATA, "a list characteristic, a SYRCLE domain, the arm's dose or a study field"),
    /** Meta-regression on these numeric variables (one gives the bubble plot). */
    moderators: keyList(isModeratorKey, MAX_ANALYSIS_MODERATORS, "a numeric characteristic, the dose, the day, the year, the animals or the low-risk domains"),
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
