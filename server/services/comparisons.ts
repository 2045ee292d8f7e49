import "server-only";
import { inArray } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { armCharacteristicValues, robConsensus, type RobJudgmentValue } from "@/db/schema";
import type { AnalysisRequest, Exclusion, StudyInput } from "@/server/analysis";
import type { AnalysisSettings, LowRiskChoice } from "@/server/schemas/analysis-settings";
import { ARM_DOSE_STRATUM, LOW_RISK_COUNT, ROB_PREFIX, variableLabel } from "@/server/schemas/analysis-variables";
import { formatDose } from "@/server/schemas/arms";
import type { CharacteristicValue } from "@/server/schemas/characteristics";
import { columnText } from "@/server/schemas/columns";
import { robDomains } from "@/server/schemas/risk-of-bias";
import { characteristicValuesByStudy, listCharacteristics, type CharacteristicRow } from "./characteristics";
import { valuesHiddenFromBlindReader } from "./figures";
import { reviewArmsAndMeasurements, type ArmRow } from "./measurements";
import { listOutcomes, type OutcomeRow } from "./outcomes";
import { comparisonLabel, studyComparisons, type ArmNotAnalysed, type StoredValue, type StudyComparison, type TimepointChoice } from "./outcome-data";
import { listStudies, studyLabel, type StudyRow } from "./studies";

/**
 * The bridge between a review's data and the analysis module: which comparisons a review has at a time point (one
 * per treated arm, or per control arm with the arms combined), what each contributes to a request (arm data, the
 * sham or normal value for NMD, its subgroup, its strata and covariates), and which are left out, each with its
 * reason. Loading is done once per request to the server (`loadReviewData`); the time course and the risk-of-bias
 * sensitivity analysis then build several requests from the same data.
 */

/** One comparison as analysed: the arm data sent to the analysis module, with what the tables and plots show. */
export type StudyInputRow = {
  /** The id in the analysis request and result ("12", or "12-34" for one of several treated arms). */
  id: string;
  studyId: number;
  /** "Afsartala 2023 (50 µg)". */
  label: string;
  /** The treated arm(s) in parentheses; null when the study has one treated arm. */
  armLabel: string | null;
  controlLabel: string;
  /** The treated arms sharing this control were combined into one group (Cochrane Handbook Table 6.5.a). */
  combined: boolean;
  year: number;
  /** The subgroup (settings.subgroupField) of this comparison; null: none. */
  group: string | null;
  day: number | null;
  isExampleData: boolean;
  m1: number | null;
  sd1: number | null;
  n1: number | null;
  m2: number | null;
  sd2: number | null;
  n2: number | null;
  /** Comparisons of the same study sharing one control arm carry the same key (their control n is split). */
  controlGroup: string | null;
  /** NMD's reference: a sham arm's mean that day, else the outcome's normal value; null when neither exists. */
  mSham: number | null;
  shamSource: string | null;
  /** The arm's dose, else the study's (null when they differ among combined arms). */
  dose: number | null;
  doseUnit: string;
};

export type NotAnalysed = { id: string; reason: string };

type Judgments = Map<number, RobJudgmentValue>;

export type ReviewData = {
  settings: AnalysisSettings;
  outcome: OutcomeRow | null;
  studies: StudyRow[];
  definitions: CharacteristicRow[];
  studyValues: Map<number, Map<number, CharacteristicValue>>;
  armValues: Map<number, Map<number, CharacteristicValue>>;
  armsByStudy: Map<number, ArmRow[]>;
  valuesByStudy: Map<number, StoredValue[]>;
  /** SYRCLE consensus judgments by study, then domain number (1..10). */
  consensus: Map<number, Judgments>;
  /** Values left out because the requester is reading their figure blind (the figure labels they came from). */
  hiddenFromBlindReader: string[];
};

/**
 * Everything the analyses of one review read, in a handful of queries. For `blindReaderId`, the values a figure's
 * other reading sent to the grid are left out while that user's own blind reading of the figure is in progress
 * (the study page hides them the same way): the analysis must not show them what they are reading.
 */
export function loadReviewData(db: DbOrTx, reviewId: number, settings: AnalysisSettings, blindReaderId?: number): ReviewData {
  const outcomeList = listOutcomes(db, reviewId);
  const outcome = outcomeList.find((o) => o.id === settings.outcomeId) ?? outcomeList[0] ?? null;
  const studies = listStudies(db, reviewId);
  const studyIds = studies.map((s) => s.id);
  const hidden = blindReaderId === undefined ? new Map<number, string>() : valuesHiddenFromBlindReader(db, reviewId, blindReaderId);
  const loaded = reviewArmsAndMeasurements(db, studyIds);
  const data = hidden.size ? { ...loaded, measurements: loaded.measurements.filter((m) => !hidden.has(m.id)) } : loaded;
  const armsByStudy = new Map<number, ArmRow[]>();
  for (const arm of data.arms) armsByStudy.set(arm.studyId, [...(armsByStudy.get(arm.studyId) ?? []), arm]);
  const studyOfArm = new Map(data.arms.map((a) => [a.id, a.studyId]));
  const valuesByStudy = new Map<number, StoredValue[]>();
  for (const m of data.measurements) {
    const studyId = studyOfArm.get(m.armId);
    if (studyId === undefined) continue;
    valuesByStudy.set(studyId, [...(valuesByStudy.get(studyId) ?? []), m]);
  }
  const armIds = data.arms.map((a) => a.id);
  const armValues = new Map<number, Map<number, CharacteristicValue>>();
  if (armIds.length)
    for (const row of db.select().from(armCharacteristicValues).where(inArray(armCharacteristicValues.armId, armIds)).all()) {
      const values = armValues.get(row.armId) ?? new Map<number, CharacteristicValue>();
      values.set(row.characteristicId, row.value);
      armValues.set(row.armId, values);
    }
  const consensus = new Map<number, Judgments>();
  if (studyIds.length)
    for (const row of db.select().from(robConsensus).where(inArray(robConsensus.studyId, studyIds)).all()) {
      const judgments = consensus.get(row.studyId) ?? new Map<number, RobJudgmentValue>();
      judgments.set(row.domain, row.judgment);
      consensus.set(row.studyId, judgments);
    }
  return {
    settings,
    outcome,
    studies,
    definitions: listCharacteristics(db, reviewId),
    studyValues: characteristicValuesByStudy(db, studyIds),
    armValues,
    armsByStudy,
    valuesByStudy,
    consensus,
    hiddenFromBlindReader: [...new Set(hidden.values())],
  };
}

export const timepointChoice = (settings: Pick<AnalysisSettings, "timepoint" | "day">): TimepointChoice =>
  settings.timepoint === "day" ? { mode: "day", day: settings.day ?? 0 } : { mode: settings.timepoint };

/** One comparison with everything a request, a stratification or a moderator may ask of it. */
export type Comparison = StudyComparison & { study: StudyRow; characteristicValues: Map<number, CharacteristicValue>; dose: number | null; doseUnit: string };

/** The same value in every arm, or undefined when they differ. */
function agreed<T>(values: readonly T[]): T | undefined {
  const first = values[0];
  return values.every((v) => JSON.stringify(v) === JSON.stringify(first)) ? first : undefined;
}

/**
 * A comparison's characteristic values: the study's, replaced by the treated arm's own where it has one; for arms
 * combined, a value they do not all share is left out (the combined group has no single cell source).
 */
function comparisonValues(data: ReviewData, c: StudyComparison): Map<number, CharacteristicValue> {
  const studyValues = data.studyValues.get(c.studyId) ?? new Map<number, CharacteristicValue>();
  const values = new Map(studyValues);
  const ids = new Set(c.treatedArms.flatMap((a) => [...(data.armValues.get(a.id)?.keys() ?? [])]));
  for (const id of ids) {
    const value = agreed(c.treatedArms.map((a) => data.armValues.get(a.id)?.get(id) ?? studyValues.get(id) ?? null));
    if (value === undefined || value === null) values.delete(id);
    else values.set(id, value);
  }
  return values;
}

/** Every comparison of the review at the time point, and the studies or arms that have none (with the reason). */
export function reviewComparisons(data: ReviewData, choice: TimepointChoice): { comparisons: Comparison[]; notAnalysed: (ArmNotAnalysed & { label: string })[] } {
  const comparisons: Comparison[] = [];
  const notAnalysed: (ArmNotAnalysed & { label: string })[] = [];
  for (const study of data.studies) {
    const label = studyLabel(study);
    if (!data.outcome) {
      notAnalysed.push({ id: String(study.id), studyId: study.id, armLabel: null, reason: "the review has no outcome defined", label });
      continue;
    }
    const arms = data.armsByStudy.get(study.id) ?? [];
    const built = studyComparisons({ studyId: study.id, arms, values: data.valuesByStudy.get(study.id) ?? [], outcomeId: data.outcome.id, choice, combine: data.settings.combineTreatedArms });
    for (const n of built.notAnalysed) notAnalysed.push({ ...n, label: comparisonLabel(label, n.armLabel) });
    for (const c of built.comparisons) {
      const treated = c.treatedArms.map((a) => arms.find((r) => r.id === a.id)!);
      const dose = agreed(treated.map((a) => a.dose ?? study.dose)) ?? null;
      const doseUnit = agreed(treated.map((a) => a.doseUnit || study.doseUnit)) ?? "";
      comparisons.push({ ...c, study, characteristicValues: comparisonValues(data, c), dose, doseUnit });
    }
  }
  return { comparisons, notAnalysed };
}

const judgmentText: Record<RobJudgmentValue, string> = { low: "Low risk", high: "High risk", unclear: "Unclear risk" };

/**
 * Keeps the comparisons of studies judged at low risk of bias (SYRCLE consensus) in the chosen domain, or in every
 * domain; the others are returned with the reason they are left out.
 */
export function restrictToLowRisk(data: ReviewData, comparisons: readonly Comparison[], choice: LowRiskChoice): { kept: Comparison[]; left: NotAnalysed[] } {
  if (choice === "") return { kept: [...comparisons], left: [] };
  const domains = choice === "all" ? robDomains.map((d, i) => ({ ...d, number: i + 1 })) : robDomains.flatMap((d, i) => (d.code === choice ? [{ ...d, number: i + 1 }] : []));
  const kept: Comparison[] = [];
  const left: NotAnalysed[] = [];
  for (const c of comparisons) {
    const judgments = data.consensus.get(c.studyId);
    const problems = domains.flatMap((d) => {
      const j = judgments?.get(d.number);
      return j === "low" ? [] : [`${d.code} ${j ? judgmentText[j].toLowerCase() : "no consensus judgment yet"}`];
    });
    if (problems.length === 0) kept.push(c);
    else
      left.push({
        id: c.id,
        reason: choice === "all" ? `not at low risk of bias in every SYRCLE domain (${problems.join("; ")})` : `not at low risk of bias in ${domains[0]!.code} ${domains[0]!.name.toLowerCase()} (${problems[0]!.replace(/^D\d+ /, "")})`,
      });
  }
  return { kept, left };
}

/** A comparison's value of a stratification variable, as the group name; null: no value ("Unspecified"). */
export function stratumOf(data: ReviewData, c: Comparison, key: string): string | null {
  if (key.startsWith(ROB_PREFIX) && key !== LOW_RISK_COUNT) {
    const index = robDomains.findIndex((d) => `${ROB_PREFIX}${d.code}` === key);
    const j = data.consensus.get(c.studyId)?.get(index + 1);
    return j ? judgmentText[j] : null;
  }
  if (key === ARM_DOSE_STRATUM) return formatDose(c.dose, c.doseUnit) || null;
  const text = columnText(data.definitions, key, c.study, c.characteristicValues).trim();
  return text === "" ? null : text;
}

/** A comparison's value of a moderator (a number), or null when it has none. */
export function covariateOf(data: ReviewData, c: Comparison, key: string): number | null {
  switch (key) {
    case "year":
      return c.study.year;
    case "dose":
      return c.dose;
    case "day":
      return c.day;
    case "animalsTotal":
      return c.study.animalsTotal;
    case LOW_RISK_COUNT: {
      // Only a study judged in every domain has a count: a domain not judged yet is not a low-risk one.
      const judgments = data.consensus.get(c.studyId);
      if (!judgments || judgments.size < robDomains.length) return null;
      return [...judgments.values()].filter((j) => j === "low").length;
    }
    default: {
      const id = /^c:(\d+)$/.exec(key)?.[1];
      const value = id ? c.characteristicValues.get(Number(id)) : undefined;
      return typeof value === "number" && Number.isFinite(value) ? value : null;
    }
  }
}

/** The row the tables show and the study record the request carries, for one comparison. */
export function inputRow(data: ReviewData, c: Comparison): StudyInputRow {
  const settings = data.settings;
  const label = comparisonLabel(studyLabel(c.study), c.armLabel);
  const normal = data.outcome?.normalValue ?? null;
  const mSham = c.sham?.mean ?? normal;
  const group = settings.subgroupField ? stratumOf(data, c, settings.subgroupField) : null;
  return {
    id: c.id,
    studyId: c.studyId,
    label,
    armLabel: c.armLabel,
    controlLabel: c.controlArm.label,
    combined: c.combined,
    year: c.study.year,
    group,
    day: c.day,
    isExampleData: c.isExampleData,
    m1: c.m1,
    sd1: c.sd1,
    n1: c.n1,
    m2: c.m2,
    sd2: c.sd2,
    n2: c.n2,
    controlGroup: c.controlGroup,
    mSham,
    shamSource: c.sham ? `sham arm "${c.sham.armLabel}"` : normal !== null ? "the outcome's normal value" : null,
    dose: c.dose,
    doseUnit: c.doseUnit,
  };
}

/** The analysis request of some comparisons with the settings' model (and moderators, with their covariates). */
export function requestOf(data: ReviewData, comparisons: readonly Comparison[], extra: { moderators?: readonly string[]; cumulative?: "year" } = {}): { request: AnalysisRequest; rows: StudyInputRow[] } {
  const settings = data.settings;
  const rows = comparisons.map((c) => inputRow(data, c));
  const moderators = extra.moderators ?? [];
  const studies: StudyInput[] = comparisons.map((c, i) => {
    const row = rows[i]!;
    return {
      id: row.id,
      m1: row.m1,
      sd1: row.sd1,
      n1: row.n1,
      m2: row.m2,
      sd2: row.sd2,
      n2: row.n2,
      year: row.year,
      ...(settings.subgroupField && row.group !== null ? { group: row.group } : {}),
      ...(row.controlGroup ? { controlGroup: row.controlGroup } : {}),
      ...(settings.measure === "NMD" ? { mSham: row.mSham } : {}),
      ...(moderators.length ? { covariates: Object.fromEntries(moderators.map((key) => [key, covariateOf(data, c, key)])) } : {}),
    };
  });
  const request: AnalysisRequest = {
    measure: settings.measure,
    model: settings.model,
    tau2Method: settings.tau2Method,
    ciMethod: settings.ciMethod,
    level: settings.level,
    studies,
    ...(moderators.length ? { moderators: [...moderators] } : {}),
    ...(extra.cumulative ? { cumulative: extra.cumulative } : {}),
  };
  return { request, rows };
}

/**
 * The analysis module's exclusions in words a reviewer acts on: the NMD's missing or equal reference is explained
 * with where it comes from (a sham arm that day, or the outcome's normal value).
 */
export function explainExclusions(excluded: readonly Exclusion[], rows: readonly StudyInputRow[], outcome: OutcomeRow | null): NotAnalysed[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return excluded.map((e) => {
    const row = byId.get(e.id);
    if (e.code !== "no-sham" || !row) return { id: e.id, reason: e.reason };
    if (row.mSham === null)
      return { id: e.id, reason: `NMD needs a sham arm's value on day ${row.day} or the normal value of ${outcome?.name ?? "the outcome"} (set on the Set-up page); there is neither` };
    return { id: e.id, reason: `NMD cannot be computed: the control mean equals the reference (${row.mSham}, from ${row.shamSource}), so there is no injury effect to normalise by` };
  });
}

/** Labels of the variables named in the settings (strata, moderators). */
export function variableLabels(data: ReviewData, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.map((key) => [key, variableLabel(data.definitions, key)]));
}
