import "server-only";
import { eq, sql } from "drizzle-orm";
import { writeTransaction, type Db, type DbOrTx } from "@/db/client";
import { analysisSettings } from "@/db/schema";
import { analyze, type AnalysisRequest } from "@/server/analysis";
import { publishReviewChange } from "@/server/events";
import { exosomeSourceLabels, type StudyField } from "@/server/schemas/study";
import type { AnalysisSettingsInput } from "@/server/schemas/analysis-settings";
import { diffRows, recordAudit, type Actor } from "./audit";
import { getOutcome, listOutcomes, reviewArmsAndMeasurements } from "./measurements";
import { pairStudy, type StoredValue, type TimepointChoice } from "./outcome-data";
import { listStudies, type StudyRow } from "./studies";
import { assertVersion } from "./versioning";

export type AnalysisSettings = typeof analysisSettings.$inferSelect;

export function getSettings(db: DbOrTx, reviewId: number): AnalysisSettings {
  const row = db.select().from(analysisSettings).where(eq(analysisSettings.reviewId, reviewId)).get();
  if (row) return row;
  return db.insert(analysisSettings).values({ reviewId }).returning().get();
}

export function updateSettings(db: Db, actor: Actor, reviewId: number, patch: AnalysisSettingsInput, expectedVersion: number): AnalysisSettings {
  const row = writeTransaction(db, (tx) => {
    const current = getSettings(tx, reviewId);
    // Object-level check: the outcome must be one of this review's.
    if (patch.outcomeId !== undefined && patch.outcomeId !== null) getOutcome(tx, reviewId, patch.outcomeId);
    assertVersion(tx, "analysisSettings", { ...current, id: reviewId }, expectedVersion);
    const updated = tx
      .update(analysisSettings)
      .set({ ...patch, version: sql`${analysisSettings.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(analysisSettings.reviewId, reviewId))
      .returning()
      .get();
    recordAudit(tx, actor, { reviewId, entity: "analysisSettings", entityId: reviewId, action: "update", changes: diffRows(current, updated) });
    return updated;
  });
  publishReviewChange(reviewId, "analysisSettings", actor.displayName);
  return row;
}

export const studyLabel = (s: Pick<StudyRow, "author" | "year">) => `${s.author.replace(/\s+et al\.?$/, "")} ${s.year}`;

function groupOf(study: StudyRow, field: string): string | undefined {
  if (field === "exosomeSource") return exosomeSourceLabels[study.exosomeSource];
  const value = study[field as StudyField];
  return value === null || value === undefined || value === "" ? undefined : String(value);
}

export type StudyInputRow = {
  studyId: number;
  label: string;
  year: number;
  group: string | null;
  day: number | null;
  isExampleData: boolean;
  m1: number | null;
  sd1: number | null;
  n1: number | null;
  m2: number | null;
  sd2: number | null;
  n2: number | null;
};

/**
 * Loads a review's data for one outcome and time point, and runs the analysis module on it. The result carries
 * the module's numbers untouched, plus the per-study inputs (labels, means, SDs, n, day) that the tables show.
 */
export function runReviewAnalysis(
  db: DbOrTx,
  reviewId: number,
  overrides: Partial<Pick<AnalysisSettings, "timepoint" | "day" | "measure" | "model" | "tau2Method" | "ciMethod" | "level" | "subgroupField" | "outcomeId">> = {},
  options: { cumulative?: "year" } = {},
) {
  const settings = { ...getSettings(db, reviewId), ...overrides };
  const outcomeList = listOutcomes(db, reviewId);
  const outcome = outcomeList.find((o) => o.id === settings.outcomeId) ?? outcomeList[0];
  const studies = listStudies(db, reviewId);
  const data = reviewArmsAndMeasurements(db, studies.map((s) => s.id));
  const armById = new Map(data.arms.map((a) => [a.id, a]));
  const valuesByStudy = new Map<number, StoredValue[]>();
  for (const m of data.measurements) {
    const arm = armById.get(m.armId);
    if (!arm) continue;
    const list = valuesByStudy.get(arm.studyId) ?? [];
    list.push({ ...m, armKind: arm.kind, armId: arm.id });
    valuesByStudy.set(arm.studyId, list);
  }
  const choice: TimepointChoice = settings.timepoint === "day" ? { mode: "day", day: settings.day ?? 0 } : { mode: settings.timepoint };

  const inputs: StudyInputRow[] = [];
  const notPaired: { id: string; reason: string }[] = [];
  for (const study of studies) {
    const label = studyLabel(study);
    const paired = outcome ? pairStudy(study.id, valuesByStudy.get(study.id) ?? [], outcome.id, choice) : { studyId: study.id, reason: "the review has no outcome defined" };
    if ("reason" in paired) {
      notPaired.push({ id: String(study.id), reason: paired.reason });
      continue;
    }
    inputs.push({
      studyId: study.id,
      label,
      year: study.year,
      group: groupOf(study, settings.subgroupField) ?? null,
      day: paired.day,
      isExampleData: paired.isExampleData,
      m1: paired.treated.mean,
      sd1: paired.sd1,
      n1: paired.treated.n,
      m2: paired.control.mean,
      sd2: paired.sd2,
      n2: paired.control.n,
    });
  }

  const request: AnalysisRequest = {
    measure: settings.measure,
    model: settings.model,
    tau2Method: settings.tau2Method,
    ciMethod: settings.ciMethod,
    level: settings.level,
    studies: inputs.map((s) => ({
      id: String(s.studyId),
      m1: s.m1,
      sd1: s.sd1,
      n1: s.n1,
      m2: s.m2,
      sd2: s.sd2,
      n2: s.n2,
      year: s.year,
      ...(settings.subgroupField && s.group !== null ? { group: s.group } : {}),
    })),
    ...(options.cumulative ? { cumulative: options.cumulative } : {}),
  } as AnalysisRequest;
  const result = analyze(request);
  const labels = new Map(studies.map((s) => [String(s.id), studyLabel(s)]));
  return {
    settings,
    outcome: outcome ?? null,
    inputs,
    labels: Object.fromEntries(labels),
    /** Studies with no pair of values at this time point, and those the module excluded, each with its reason. */
    excluded: [...notPaired, ...result.excluded],
    result,
  };
}

export type ReviewAnalysis = ReturnType<typeof runReviewAnalysis>;

/**
 * The pooled result at the first and at the last time point (the seed paper reports both), with the saved
 * settings otherwise. Slimmer than two full runs: per-study effects and the summary, without the sensitivity and
 * publication-bias analyses that the side-by-side view does not show.
 */
export function compareTimepoints(db: DbOrTx, reviewId: number) {
  const summarise = (timepoint: "first" | "last") => {
    const { settings, outcome, inputs, labels, excluded, result } = runReviewAnalysis(db, reviewId, { timepoint });
    const inputById = new Map(inputs.map((s) => [String(s.studyId), s]));
    return {
      timepoint,
      settings,
      outcome,
      labels,
      excluded,
      k: result.k,
      pooled: result.pooled,
      heterogeneity: result.heterogeneity,
      prediction: result.prediction,
      modelSelection: result.modelSelection ?? null,
      studies: result.studies.map((s) => {
        const input = inputById.get(s.id);
        return { ...s, label: labels[s.id] ?? s.id, year: input?.year ?? null, day: input?.day ?? null, isExampleData: input?.isExampleData ?? false };
      }),
    };
  };
  return { first: summarise("first"), last: summarise("last") };
}

export type TimepointComparison = ReturnType<typeof compareTimepoints>;
