import { analysisSettingsSchema, settingsOrDefaults, type AnalysisSettings } from "@/server/schemas/analysis-settings";

/** Short names in the address bar: `?analysis=3&model=random&tau2=DL` reads as what it does. */
const paramOf: Record<keyof AnalysisSettings, string> = {
  outcomeId: "outcome",
  timepoint: "timepoint",
  day: "day",
  measure: "measure",
  model: "model",
  tau2Method: "tau2",
  ciMethod: "ci",
  level: "level",
  subgroupField: "subgroup",
  combineTreatedArms: "combine",
  lowRiskDomain: "lowrisk",
  strata: "strata",
  moderators: "moderators",
};
const numeric = new Set<keyof AnalysisSettings>(["outcomeId", "day", "level"]);
/** Lists travel comma-separated (their keys, "c:12" or "rob:D7", hold no comma). */
const lists = new Set<keyof AnalysisSettings>(["strata", "moderators"]);
const booleans = new Set<keyof AnalysisSettings>(["combineTreatedArms"]);

const same = (a: unknown, b: unknown) => (Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => x === b[i]) : a === b);
const textOf = (value: unknown) => (value === null ? "" : Array.isArray(value) ? value.join(",") : String(value));
function valueOf(key: keyof AnalysisSettings, raw: string): unknown {
  if (numeric.has(key)) return raw === "" ? null : Number(raw);
  if (lists.has(key)) return raw === "" ? [] : raw.split(",");
  if (booleans.has(key)) return raw === "true" ? true : raw === "false" ? false : raw;
  return raw;
}
const keys = Object.keys(paramOf) as (keyof AnalysisSettings)[];

/**
 * The settings someone is exploring: the saved analysis they started from, with what the address bar changes. A
 * hand-edited or stale address never breaks the page: an invalid value falls back to the saved one.
 */
export function settingsFromSearch(search: URLSearchParams, base: AnalysisSettings): AnalysisSettings {
  const merged: Record<string, unknown> = { ...base };
  for (const key of keys) {
    const raw = search.get(paramOf[key]);
    if (raw === null) continue;
    const value = valueOf(key, raw);
    const one = analysisSettingsSchema.shape[key].safeParse(value);
    if (one.success) merged[key] = one.data;
  }
  const parsed = analysisSettingsSchema.safeParse(merged);
  return parsed.success ? parsed.data : settingsOrDefaults(base);
}

/** The address for `settings`: only what differs from the saved analysis, so a shared link stays short. */
export function searchFor(settings: AnalysisSettings, base: AnalysisSettings, savedId: number | null): URLSearchParams {
  const search = new URLSearchParams();
  if (savedId !== null) search.set("analysis", String(savedId));
  for (const key of keys) if (!same(settings[key], base[key])) search.set(paramOf[key], textOf(settings[key]));
  return search;
}

/** The settings that differ from the saved analysis (for "your view differs from Analysis 1.2"). */
export function changedSettings(settings: AnalysisSettings, base: AnalysisSettings): (keyof AnalysisSettings)[] {
  return keys.filter((key) => !same(settings[key], base[key]));
}
