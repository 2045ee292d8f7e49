import "server-only";
import type { DbOrTx } from "@/db/client";
import { analyze } from "@/server/analysis";
import { lowRiskChoices, settingsOrDefaults, type AnalysisSettings, type LowRiskChoice } from "@/server/schemas/analysis-settings";
import { robDomains } from "@/server/schemas/risk-of-bias";
import { loadReviewData, requestOf, restrictToLowRisk, reviewComparisons, timepointChoice } from "./comparisons";
import { assertSettingsBelongToReview, reviewDefaultSettings } from "./saved-analyses";

/**
 * The two preclinical views that run the analysis several times on one load of the review's data: the time course
 * (one analysis per day after injury) and the sensitivity analysis by risk of bias (one per SYRCLE domain). Every
 * number is `analyze()`'s, on the same comparisons `runReviewAnalysis` makes.
 */

/** Days beyond this many are not analysed one by one (each is a full analysis); the page says so. */
export const MAX_TIME_COURSE_DAYS = 120;

function settingsFor(db: DbOrTx, reviewId: number, overrides: Partial<AnalysisSettings>): AnalysisSettings {
  const settings = settingsOrDefaults({ ...reviewDefaultSettings(db, reviewId), ...overrides });
  assertSettingsBelongToReview(db, reviewId, settings);
  return settings;
}

/**
 * The outcome over time: for every day after injury at which a treated arm has a value, the analysis of the
 * comparisons measured on exactly that day (the settings' measure, model and risk-of-bias restriction), with each
 * comparison's effect and the pooled effect, and k, the number of comparisons analysed that day.
 */
export function timeCourse(db: DbOrTx, reviewId: number, overrides: Partial<AnalysisSettings> = {}, blindReaderId?: number) {
  const settings = settingsFor(db, reviewId, overrides);
  const data = loadReviewData(db, reviewId, settings, blindReaderId);
  const treatedArms = new Set([...data.armsByStudy.values()].flat().flatMap((a) => (a.kind === "treated" ? [a.id] : [])));
  const allDays = [
    ...new Set(
      [...data.valuesByStudy.values()]
        .flat()
        .filter((v) => v.outcomeId === data.outcome?.id && treatedArms.has(v.armId))
        .map((v) => v.day),
    ),
  ].sort((a, b) => a - b);
  const days = allDays.slice(0, MAX_TIME_COURSE_DAYS);
  const labels: Record<string, string> = {};
  const perDay = days.flatMap((day) => {
    const { comparisons } = reviewComparisons(data, { mode: "day", day });
    const { kept } = restrictToLowRisk(data, comparisons, settings.lowRiskDomain);
    if (kept.length === 0) return [];
    const { request, rows } = requestOf(data, kept);
    const result = analyze(request);
    for (const r of rows) labels[r.id] = r.label;
    if (result.k === 0) return [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return [
      {
        day,
        k: result.k,
        /** Comparisons measured that day that the module could not analyse (n < 2, SD missing, no NMD reference…). */
        excluded: result.excluded.length,
        pooled: result.pooled,
        heterogeneity: result.heterogeneity,
        prediction: result.prediction,
        modelSelection: result.modelSelection ?? null,
        studies: result.studies.map((s) => ({ id: s.id, yi: s.yi, ciLower: s.ciLower, ciUpper: s.ciUpper, weight: s.weight, isExampleData: byId.get(s.id)?.isExampleData ?? false })),
      },
    ];
  });
  return { settings, outcome: data.outcome, days: perDay, labels, daysNotShown: allDays.length - days.length };
}

export type TimeCourse = ReturnType<typeof timeCourse>;

/** "All studies", "Low risk in D7 blinding of outcome assessor", "Low risk in every domain". */
export function lowRiskLabel(choice: LowRiskChoice): string {
  if (choice === "") return "All studies";
  if (choice === "all") return "Low risk in every SYRCLE domain";
  const domain = robDomains.find((d) => d.code === choice)!;
  return `Low risk in ${domain.code} ${domain.name.toLowerCase()}`;
}

/**
 * Sensitivity analysis by risk of bias: the pooled result of all comparisons, then restricted to the studies at
 * low risk of bias (SYRCLE consensus) in each domain in turn, and in every domain. The settings' own restriction is
 * not applied (each row is one).
 */
export function riskOfBiasSensitivity(db: DbOrTx, reviewId: number, overrides: Partial<AnalysisSettings> = {}, blindReaderId?: number) {
  const settings = settingsFor(db, reviewId, { ...overrides, lowRiskDomain: "" });
  const data = loadReviewData(db, reviewId, settings, blindReaderId);
  const { comparisons } = reviewComparisons(data, timepointChoice(settings));
  const rows = lowRiskChoices.map((choice) => {
    const { kept } = restrictToLowRisk(data, comparisons, choice);
    const result = kept.length ? analyze(requestOf(data, kept).request) : null;
    return {
      choice,
      label: lowRiskLabel(choice),
      studies: new Set(kept.map((c) => c.studyId)).size,
      k: result?.k ?? 0,
      pooled: result?.pooled ?? null,
      heterogeneity: result?.heterogeneity ?? null,
      prediction: result?.prediction ?? null,
      modelSelection: result?.modelSelection ?? null,
    };
  });
  const judged = new Set(comparisons.map((c) => c.studyId));
  return {
    settings,
    outcome: data.outcome,
    /** Studies with comparisons at this time point, and how many of them have a consensus judgment in every domain. */
    studiesAnalysed: judged.size,
    studiesFullyJudged: [...judged].filter((id) => (data.consensus.get(id)?.size ?? 0) === robDomains.length).length,
    rows,
  };
}

export type RiskOfBiasSensitivity = ReturnType<typeof riskOfBiasSensitivity>;
