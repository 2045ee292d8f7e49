import "server-only";
import type { DbOrTx } from "@/db/client";
import type { OutCell, OutSheet } from "@/server/io/spreadsheet";
import type { CharacteristicValue } from "@/server/schemas/characteristics";
import { columnLabel, columnText } from "@/server/schemas/columns";
import { fixedTargetLabels, STUDY_KEY_LABEL, valueTargetLabels } from "@/server/schemas/data-import";
import { errorTypeLabels } from "@/server/schemas/measurement";
import { robDomains, robvisJudgment } from "@/server/schemas/risk-of-bias";
import { studyFieldLabels, studyFields } from "@/server/schemas/study";
import { runReviewAnalysis, type ReviewAnalysis } from "./analysis";
import { characteristicValuesByStudy, listCharacteristics, type CharacteristicRow } from "./characteristics";
import { characteristicHeader } from "./data-import";
import { reviewArmsAndMeasurements, type ArmRow, type MeasurementRow } from "./measurements";
import { toStandardDeviation } from "./outcome-data";
import { listOutcomes, type OutcomeRow } from "./outcomes";
import { getReview } from "./reviews";
import { robFigureData, type Caller } from "./risk-of-bias";
import { getSavedAnalysis, listSavedAnalyses, type SavedAnalysis } from "./saved-analyses";
import { listStudies, studyLabel, type StudyRow } from "./studies";

/*
 * What a member downloads from the Data page. Every table reads the review's own model: its fixed study fields, its
 * characteristics (by label), its outcomes and arms. The study-data layout is also the import template, so that an
 * export imports back into any review unchanged (tests/integration/data-round-trip.test.ts).
 */

type ReviewData = {
  studies: StudyRow[];
  definitions: CharacteristicRow[];
  values: Map<number, Map<number, CharacteristicValue>>;
  outcomes: OutcomeRow[];
  arms: ArmRow[];
  measurements: MeasurementRow[];
  keys: Map<number, string>;
};

function loadReview(db: DbOrTx, reviewId: number): ReviewData {
  const studies = listStudies(db, reviewId);
  const ids = studies.map((s) => s.id);
  const { arms, measurements } = reviewArmsAndMeasurements(db, ids);
  // The "Study" key is the study's label; a repeated label gets its Table 1 number so that rows stay apart.
  const labelCount = new Map<string, number>();
  for (const s of studies) labelCount.set(studyLabel(s), (labelCount.get(studyLabel(s)) ?? 0) + 1);
  const keys = new Map(studies.map((s) => [s.id, (labelCount.get(studyLabel(s)) ?? 0) > 1 ? `${studyLabel(s)} (#${s.position})` : studyLabel(s)]));
  return { studies, definitions: listCharacteristics(db, reviewId), values: characteristicValuesByStudy(db, ids), outcomes: listOutcomes(db, reviewId), arms, measurements, keys };
}

/** A characteristic's value as a spreadsheet cell: a number stays a number, choices read as their labels. */
function characteristicCell(definition: CharacteristicRow, value: CharacteristicValue | undefined): OutCell {
  if (value === undefined) return null;
  if (definition.type === "number" && typeof value === "number") return value;
  if (definition.type === "boolean") return value === true ? "yes" : value === false ? "no" : null;
  return columnText([definition], `c:${definition.id}`, {}, new Map([[definition.id, value]]));
}

const studyHeader = (d: ReviewData) => [STUDY_KEY_LABEL, ...studyFields.map((f) => studyFieldLabels[f]), ...d.definitions.map(characteristicHeader)];
const studyCells = (d: ReviewData, s: StudyRow): OutCell[] => [
  d.keys.get(s.id)!,
  ...studyFields.map((f) => s[f] as OutCell),
  ...d.definitions.map((c) => characteristicCell(c, d.values.get(s.id)?.get(c.id))),
];
const valueHeader = [
  valueTargetLabels.arm,
  valueTargetLabels.armKind,
  valueTargetLabels.sharedControl,
  valueTargetLabels.outcome,
  valueTargetLabels.day,
  valueTargetLabels.mean,
  valueTargetLabels.sd,
  valueTargetLabels.sem,
  valueTargetLabels.ciLower,
  valueTargetLabels.ciUpper,
  valueTargetLabels.n,
  valueTargetLabels.dataSource,
  valueTargetLabels.sourceDetail,
  valueTargetLabels.isExampleData,
];

/** One row per arm and time point (an arm without values, and a study without arms, still get one row). */
function valueRows(d: ReviewData, s: StudyRow): { arm: ArmRow | null; cells: OutCell[] }[] {
  const studyArms = d.arms.filter((a) => a.studyId === s.id);
  if (studyArms.length === 0) return [{ arm: null, cells: valueHeader.map(() => null) }];
  const outcomeOrder = new Map(d.outcomes.map((o, i) => [o.id, i]));
  return studyArms.flatMap((arm) => {
    const control = arm.kind === "control" ? arm.label : (studyArms.find((a) => a.id === arm.controlArmId)?.label ?? null);
    const armCells = [arm.label, arm.kind, control];
    const values = d.measurements.filter((m) => m.armId === arm.id).sort((a, b) => (outcomeOrder.get(a.outcomeId) ?? 0) - (outcomeOrder.get(b.outcomeId) ?? 0) || a.day - b.day);
    if (values.length === 0) return [{ arm, cells: [...armCells, ...valueHeader.slice(3).map(() => null)] }];
    return values.map((m) => ({
      arm,
      cells: [
        ...armCells,
        d.outcomes.find((o) => o.id === m.outcomeId)?.name ?? null,
        m.day,
        m.mean,
        m.errorType === "SD" ? m.errorValue : null,
        m.errorType === "SEM" ? m.errorValue : null,
        m.errorType === "CI95" ? m.ciLower : null,
        m.errorType === "CI95" ? m.ciUpper : null,
        m.n,
        m.dataSource,
        m.sourceDetail || null,
        m.isExampleData ? "yes" : null,
      ],
    }));
  });
}

/** The review's outcomes and characteristics, so that an empty review takes the data exactly as defined here. */
function setupSheet(d: ReviewData): OutSheet {
  const header = ["Kind", "Name", "Type", "Unit", "Choices", "Scale minimum", "Scale maximum", "Higher is better", "Normal value", "Help text"];
  return {
    name: "Set-up",
    header,
    rows: [
      ...d.outcomes.map((o) => ["Outcome", o.name, null, o.unit, null, o.scaleMin, o.scaleMax, o.higherIsBetter ? "yes" : "no", o.normalValue, null]),
      ...d.definitions.map((c) => ["Characteristic", c.label, c.type, c.unit || null, c.options.map((o) => o.label).join("; ") || null, null, null, null, null, c.helpText || null]),
    ],
  };
}

/** Study data as sheets: "Studies" (one row per study), "Outcome data" (one per arm and time point), "Set-up". */
export function studyDataSheets(db: DbOrTx, reviewId: number, { empty = false } = {}): { studies: OutSheet; values: OutSheet; setup: OutSheet; combined: OutSheet } {
  const d = loadReview(db, reviewId);
  const list = empty ? [] : d.studies;
  return {
    studies: { name: "Studies", header: studyHeader(d), rows: list.map((s) => studyCells(d, s)) },
    values: {
      name: "Outcome data",
      header: [STUDY_KEY_LABEL, ...valueHeader],
      rows: list.flatMap((s) => valueRows(d, s).map((r) => [d.keys.get(s.id)!, ...r.cells])),
    },
    setup: setupSheet(d),
    // One table for a CSV: the study's columns repeated on each of its arm-and-time-point rows.
    combined: { name: "Study data", header: [...studyHeader(d), ...valueHeader], rows: list.flatMap((s) => valueRows(d, s).map((r) => [...studyCells(d, s), ...r.cells])) },
  };
}

/** Table 1 as the review defines it: #, first author, year, then its chosen columns. */
export function table1Sheet(db: DbOrTx, reviewId: number): OutSheet {
  const review = getReview(db, reviewId);
  const d = loadReview(db, reviewId);
  const header = ["#", studyFieldLabels.author, studyFieldLabels.year, ...review.table1Columns.map((k) => columnLabel(d.definitions, k))];
  const rows = d.studies.map((s) => [
    s.position,
    s.author,
    s.year,
    ...review.table1Columns.map((k) => {
      if (k === "dose" || k === "animalsTotal") return s[k];
      const definition = d.definitions.find((c) => `c:${c.id}` === k);
      if (definition) return characteristicCell(definition, d.values.get(s.id)?.get(definition.id));
      return columnText(d.definitions, k, s, d.values.get(s.id)) || null;
    }),
  ]);
  return { name: "Table 1", header, rows };
}

/** Outcome data as entered, and as the analysis uses it (the SD each arm gets and how, Cochrane Handbook 6.5.2.2). */
export function outcomeDataSheets(db: DbOrTx, reviewId: number): { entered: OutSheet; analysed: OutSheet } {
  const d = loadReview(db, reviewId);
  const studyById = new Map(d.studies.map((s) => [s.id, s]));
  const armById = new Map(d.arms.map((a) => [a.id, a]));
  const outcomeById = new Map(d.outcomes.map((o) => [o.id, o]));
  const rows = d.measurements
    .map((m) => ({ m, arm: armById.get(m.armId)!, outcome: outcomeById.get(m.outcomeId) }))
    .filter((r) => r.arm && studyById.has(r.arm.studyId))
    .sort((a, b) => studyById.get(a.arm.studyId)!.position - studyById.get(b.arm.studyId)!.position || a.arm.id - b.arm.id || a.m.day - b.m.day);
  const header = ["#", STUDY_KEY_LABEL, valueTargetLabels.arm, valueTargetLabels.armKind, valueTargetLabels.outcome, valueTargetLabels.day, valueTargetLabels.mean, fixedTargetLabels.errorType, "SD or SEM", valueTargetLabels.ciLower, valueTargetLabels.ciUpper, valueTargetLabels.n, valueTargetLabels.dataSource, valueTargetLabels.sourceDetail, valueTargetLabels.isExampleData];
  const entered = rows.map(({ m, arm, outcome }) => {
    const s = studyById.get(arm.studyId)!;
    return [s.position, d.keys.get(s.id)!, arm.label, arm.kind, outcome?.name ?? null, m.day, m.mean, errorTypeLabels[m.errorType], m.errorValue, m.ciLower, m.ciUpper, m.n, m.dataSource, m.sourceDetail || null, m.isExampleData ? "yes" : "no"];
  });
  const analysed = rows.map(({ m }, i) => {
    const conversion = toStandardDeviation(m);
    return [...entered[i]!, conversion.sd, conversion.note];
  });
  return {
    entered: { name: "Outcome data (as entered)", header, rows: entered },
    analysed: { name: "Outcome data (as analysed)", header: [...header, "SD used in the analysis", "How the SD was obtained"], rows: analysed },
  };
}

/** Per-study rows and the summary of one saved analysis, as the engine computed them. */
export function analysisSheet(db: DbOrTx, reviewId: number, analysis: SavedAnalysis): OutSheet {
  const run = runReviewAnalysis(db, reviewId, analysis.settings);
  const { result } = run;
  const inputById = new Map(run.inputs.map((s) => [String(s.studyId), s]));
  const header = ["Analysis", "Row", STUDY_KEY_LABEL, "Group", "Day", "m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i", "yi", "vi", "Estimate", "CI lower", "CI upper", "Weight (%)", "Value", "Note"];
  const name = `${analysis.number} ${analysis.title}`;
  const line = (cells: Partial<Record<(typeof header)[number], OutCell>>): OutCell[] => header.map((h) => cells[h] ?? null);
  const rows: OutCell[][] = (result.studies ?? []).map((s) => {
    const input = inputById.get(s.id);
    const study = { Study: run.labels[s.id] ?? s.id, Group: input?.group, Day: input?.day, m1i: input?.m1, sd1i: input?.sd1, n1i: input?.n1, m2i: input?.m2, sd2i: input?.sd2, n2i: input?.n2 };
    return line({ Analysis: name, Row: "study", ...study, yi: s.yi, vi: s.vi, Estimate: s.yi, "CI lower": s.ciLower, "CI upper": s.ciUpper, "Weight (%)": s.weight });
  });
  if (result.pooled)
    rows.push(line({ Analysis: name, Row: `pooled (${result.modelSelection?.chosen ?? run.settings.model}, ${run.settings.measure})`, Estimate: result.pooled.estimate, "CI lower": result.pooled.ciLower, "CI upper": result.pooled.ciUpper }));
  if (result.prediction) rows.push(line({ Analysis: name, Row: "prediction interval", "CI lower": result.prediction.lower, "CI upper": result.prediction.upper }));
  for (const g of result.subgroups?.groups ?? []) rows.push(line({ Analysis: name, Row: "subgroup", Group: g.name, Estimate: g.estimate, "CI lower": g.ciLower, "CI upper": g.ciUpper, Note: `k = ${g.k}` }));
  const h = result.heterogeneity;
  const stats: [string, number | null | undefined][] = [
    ["k", result.k],
    ["p (pooled)", result.pooled?.pValue],
    ["Q", h?.Q],
    ["df (Q)", h?.df],
    ["p (Q)", h?.pValue],
    ["I² (%)", h?.I2],
    ["τ²", h?.tau2],
    ["Egger bias", result.egger?.bias],
    ["Egger p", result.egger?.pValue],
    ["Begg p", result.begg?.pValue],
    ["Trim-and-fill k0", result.trimFill?.k0],
  ];
  for (const [label, value] of stats) rows.push(line({ Analysis: name, Row: label, Value: value }));
  for (const e of run.excluded) rows.push(line({ Analysis: name, Row: "excluded", Study: run.labels[e.id] ?? e.id, Note: e.reason }));
  return { name: `Analysis ${analysis.number}`, header, rows };
}

export function allAnalysesSheets(db: DbOrTx, reviewId: number): OutSheet[] {
  return listSavedAnalyses(db, reviewId).map((a) => analysisSheet(db, reviewId, a));
}

/** What R's metafor needs for escalc: m1i, sd1i, n1i, m2i, sd2i, n2i (SDs converted), and the engine's yi, vi. */
export function metaforSheet(db: DbOrTx, reviewId: number, analysisId: number): { analysis: SavedAnalysis; sheet: OutSheet; run: ReviewAnalysis } {
  const analysis = getSavedAnalysis(db, reviewId, analysisId);
  const run = runReviewAnalysis(db, reviewId, analysis.settings);
  const effects = new Map((run.result.studies ?? []).map((s) => [s.id, s]));
  const rows = run.inputs
    .filter((s) => effects.has(String(s.studyId)))
    .map((s) => {
      const e = effects.get(String(s.studyId))!;
      return [run.labels[String(s.studyId)] ?? String(s.studyId), s.group, s.day, s.m1, s.sd1, s.n1, s.m2, s.sd2, s.n2, e.yi, e.vi];
    });
  return { analysis, run, sheet: { name: `metafor ${analysis.number}`, header: ["study", "group", "day", "m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i", "yi", "vi"], rows } };
}

/**
 * RevMan Web's import templates (study information, arms, results of continuous outcomes, risk of bias), filled
 * with the review's data in the columns of RevMan Web's data package, which RevMan and R `meta::read.cdir` read.
 */
export function revmanSheets(db: DbOrTx, reviewId: number, caller: Caller): Record<"studyInformation" | "arms" | "results" | "riskOfBias", OutSheet> {
  const d = loadReview(db, reviewId);
  const studyInformation: OutSheet = {
    name: "Study information",
    header: ["Study", "Study year", "Title", "Journal", "DOI", ...d.definitions.map((c) => c.label)],
    rows: d.studies.map((s) => [d.keys.get(s.id)!, s.year, s.title || null, s.journal || null, s.doi || null, ...d.definitions.map((c) => characteristicCell(c, d.values.get(s.id)?.get(c.id)))]),
  };
  const arms: OutSheet = {
    name: "Arms",
    header: ["Study", "Arm", "Group", "Compared with"],
    rows: d.arms
      .filter((a) => d.keys.has(a.studyId))
      .map((a) => [d.keys.get(a.studyId)!, a.label, a.kind === "treated" ? "Experimental" : "Control", d.arms.find((c) => c.id === a.controlArmId)?.label ?? null]),
  };
  const results: OutCell[][] = [];
  listSavedAnalyses(db, reviewId).forEach((analysis, index) => {
    const run = runReviewAnalysis(db, reviewId, analysis.settings);
    for (const s of run.inputs)
      results.push([index + 1, analysis.title, analysis.settings.measure, run.labels[String(s.studyId)] ?? String(s.studyId), s.year, s.group, s.m1, s.sd1, s.n1, s.m2, s.sd2, s.n2]);
  });
  const figure = robFigureData(db, reviewId, caller, "consensus");
  const riskOfBias: OutSheet = {
    name: "Risk of bias",
    header: ["Study", ...robDomains.map((r) => `${r.code} ${r.name}`)],
    rows: figure.studies.map((s) => [s.label, ...s.judgments.map((j) => (j ? robvisJudgment[j] : "No information"))]),
  };
  return {
    studyInformation,
    arms,
    results: {
      name: "Results",
      header: ["Analysis number", "Analysis name", "Effect measure", "Study", "Study year", "Subgroup", "Experimental mean", "Experimental SD", "Experimental N", "Control mean", "Control SD", "Control N"],
      rows: results,
    },
    riskOfBias,
  };
}
