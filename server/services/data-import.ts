import "server-only";
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { eq, getTableColumns, max, sql } from "drizzle-orm";
import type { Statement } from "better-sqlite3";
import { writeTransaction, type Db, type DbOrTx } from "@/db/client";
import { arms, auditLog, characteristics, measurements, outcomes, reviews, studies, type CharacteristicType } from "@/db/schema";
import type { ErrorType } from "@/db/schema/studies";
import { AppError } from "@/server/errors";
import { publishReviewChange } from "@/server/events";
import { looksLikeFormula, unescapeFormula, type Cell } from "@/server/io/spreadsheet";
import { characteristicDefinitionInput, optionValueOf, parseCharacteristicValue, type CharacteristicValue } from "@/server/schemas/characteristics";
import { fixedTargetLabels, isFixedTarget, labelOfTarget, normaliseHeader, type ImportTarget, type ValueTarget } from "@/server/schemas/data-import";
import { measurementFieldLabel, measurementProblems, numberFromInput } from "@/server/schemas/measurement";
import { humanMessage } from "@/server/schemas/messages";
import { outcomeInput } from "@/server/schemas/outcomes";
import { characteristicKey, parseStudyField, studyFieldLabels, studyFields, type StudyField } from "@/server/schemas/study";
import { diffRows, recordAudit, type Actor } from "./audit";
import { characteristicValuesByStudy, listCharacteristics, type CharacteristicRow } from "./characteristics";
import { layoutLabels, readUpload, type ImportSheet, type Layout, type ReadUpload } from "./import-layouts";
import { reviewArmsAndMeasurements, type ArmRow, type MeasurementRow } from "./measurements";
import { listOutcomes, type OutcomeRow } from "./outcomes";
import { getReview } from "./reviews";
import { listStudies, studyLabel, type StudyRow } from "./studies";

/*
 * Importing study data: read the file (import-layouts.ts), map its columns, check every row against the review's
 * own fields, characteristics and outcomes, and plan what would change. The preview shows that plan and every
 * problem by row and column; the commit plans again inside one BEGIN IMMEDIATE transaction, refuses if the plan is
 * not the one previewed (someone changed the review meanwhile), and writes it all with an audit entry per row.
 *
 * Matching: a study in the file is the review's study with the same DOI, else with the same first author and year
 * (when several share those, the arm labels decide); an arm is the study's arm with the same label; a value is the
 * arm's value for the same outcome and day. Blank cells leave what is stored as it is.
 */

export type Problem = { sheet: string; row: number | null; column: string | null; message: string };
export type ColumnChoice = { sheet: string; header: string; key: string; target: ImportTarget; how: "chosen" | "remembered" | "automatic" };
type Located = { sheet: string; row: number; column: string };

const MAX_PROBLEMS_SHOWN = 2000;
const MAX_STUDIES_SHOWN = 500;
const SETUP_SHEET = "set-up";

/** What a person reads for a value in a message: short, never "undefined". */
const shown = (v: unknown) => (v === null || v === undefined || v === "" ? "(empty)" : Array.isArray(v) ? v.join("; ") : String(v));

const cellText = (c: Cell): string => (c === null ? "" : unescapeFormula(String(c)).trim());

function cellNumber(c: Cell): number | null | "invalid" {
  if (c === null) return null;
  if (typeof c === "number") return Number.isFinite(c) ? c : "invalid";
  if (typeof c === "boolean") return "invalid";
  const n = numberFromInput(cellText(c));
  return n === null ? null : Number.isFinite(n) ? n : "invalid";
}

function cellBoolean(c: Cell): boolean | null | "invalid" {
  if (c === null) return null;
  if (typeof c === "boolean") return c;
  const t = cellText(c).toLowerCase();
  if (t === "") return null;
  if (["yes", "y", "true", "1", "ja", "oui"].includes(t)) return true;
  if (["no", "n", "false", "0", "nein", "non"].includes(t)) return false;
  return "invalid";
}

const normDoi = (doi: string) =>
  doi
    .trim()
    .replace(/^(https?:\/\/(dx\.)?doi\.org\/|doi:\s*)/i, "")
    .toLowerCase();
const normAuthor = (author: string) =>
  author
    .trim()
    .replace(/\s+et\s+al\.?$/i, "")
    .toLowerCase();

// ---------------------------------------------------------------------------------------------------------------
// Mapping

/** Headers of other tools that mean one of the workbench's fields (the rest is chosen in the preview). */
const synonyms: Record<string, ImportTarget> = {
  author: "author",
  "first author": "author",
  "study id": "study",
  "publication year": "year",
  doi: "doi",
  sd: "sd",
  "standard deviation": "sd",
  sem: "sem",
  se: "sem",
  "standard error": "sem",
  "lower ci": "ciLower",
  "upper ci": "ciUpper",
  "ci lower": "ciLower",
  "ci upper": "ciUpper",
  "95% ci lower": "ciLower",
  "95% ci upper": "ciUpper",
  "number of animals": "n",
  "sample size": "n",
  group: "arm",
  "arm label": "arm",
  "group label": "arm",
  "treated/control": "armKind",
  "treated or control": "armKind",
  "arm type": "armKind",
  "time point": "day",
  timepoint: "day",
  "day after injury": "day",
  "days after injury": "day",
  "shared control key": "sharedControl",
};

/** A characteristic's header in exports: "Label", or "Label (unit)" for a number with a unit. */
export const characteristicHeader = (c: Pick<CharacteristicRow, "label" | "type" | "unit">) => (c.type === "number" && c.unit ? `${c.label} (${c.unit})` : c.label);

function automaticTarget(header: string, definitions: CharacteristicRow[], layout: Layout): ImportTarget {
  const key = normaliseHeader(header);
  if (key === "") return "ignore";
  for (const [target, label] of Object.entries(fixedTargetLabels)) if (normaliseHeader(label) === key) return target as ImportTarget;
  const definition = definitions.find((d) => normaliseHeader(d.label) === key || normaliseHeader(characteristicHeader(d)) === key);
  if (definition) return characteristicKey(definition.id);
  if (synonyms[key]) return synonyms[key];
  // In the workbench's own layout an unknown column is one of the exporting review's characteristics.
  return layout === "workbench" ? "new" : "ignore";
}

function chooseColumns(upload: ReadUpload, definitions: CharacteristicRow[], remembered: Record<string, string>, chosen: Record<string, string>): ColumnChoice[] {
  const choices: ColumnChoice[] = [];
  for (const sheet of upload.sheets) {
    if (normaliseHeader(sheet.name) === SETUP_SHEET) continue;
    // Translated layouts (SyRF, RevMan) already carry the workbench's headers: their mapping is fixed.
    const fixed = upload.layout === "syrf" || upload.layout === "revman-web" || upload.layout === "rm5";
    sheet.header.forEach((header) => {
      const key = normaliseHeader(header);
      const valid = (t: string | undefined): t is ImportTarget =>
        t !== undefined && (t === "ignore" || t === "new" || isFixedTarget(t) || definitions.some((d) => characteristicKey(d.id) === t));
      const pick = fixed ? undefined : chosen[key];
      const memory = fixed ? undefined : remembered[key];
      if (valid(pick)) choices.push({ sheet: sheet.name, header, key, target: pick, how: "chosen" });
      else if (valid(memory)) choices.push({ sheet: sheet.name, header, key, target: memory, how: "remembered" });
      else choices.push({ sheet: sheet.name, header, key, target: automaticTarget(header, definitions, upload.layout), how: "automatic" });
    });
  }
  return choices;
}

// ---------------------------------------------------------------------------------------------------------------
// Definitions from the "Set-up" sheet of the workbench's XLSX (what an empty review needs to take the data as it was)

type NewCharacteristic = { header: string; label: string; type: CharacteristicType; unit: string; options: { value: string; label: string }[]; helpText: string; fromSetup: boolean };
type NewOutcome = { name: string; unit: string; scaleMin: number | null; scaleMax: number | null; higherIsBetter: boolean; normalValue: number | null };

function readSetupSheet(sheet: ImportSheet, problems: Problem[]) {
  const col = (label: string) => sheet.header.findIndex((h) => normaliseHeader(h) === normaliseHeader(label));
  const get = (cells: Cell[], label: string) => (col(label) >= 0 ? (cells[col(label)] ?? null) : null);
  const characteristicsByHeader = new Map<string, NewCharacteristic>();
  const outcomesByName = new Map<string, NewOutcome>();
  for (const row of sheet.rows) {
    const kind = cellText(get(row.cells, "Kind")).toLowerCase();
    const name = cellText(get(row.cells, "Name"));
    const at = (column: string, message: string) => problems.push({ sheet: sheet.name, row: row.line, column, message });
    if (!name) continue;
    if (kind === "outcome") {
      const num = (label: string) => {
        const v = cellNumber(get(row.cells, label));
        if (v === "invalid") at(label, humanMessage(label, "must be a number"));
        return v === "invalid" ? null : v;
      };
      const direction = cellBoolean(get(row.cells, "Higher is better"));
      const parsed = outcomeInput.safeParse({ name, unit: cellText(get(row.cells, "Unit")), scaleMin: num("Scale minimum"), scaleMax: num("Scale maximum"), higherIsBetter: direction === false ? false : true, normalValue: num("Normal value") });
      if (!parsed.success) at("Name", humanMessage(`Outcome "${name}"`, parsed.error.issues[0]?.message));
      else outcomesByName.set(name.toLowerCase(), parsed.data);
    } else if (kind === "characteristic") {
      const typeText = cellText(get(row.cells, "Type")).toLowerCase();
      const type = (["text", "number", "single", "multiple", "boolean"] as const).find((t) => t === typeText);
      if (!type) {
        at("Type", humanMessage("Type", `must be text, number, single, multiple or boolean (not ${shown(typeText)})`));
        continue;
      }
      const optionLabels = cellText(get(row.cells, "Choices"))
        .split(";")
        .map((o) => o.trim())
        .filter(Boolean);
      const parsed = characteristicDefinitionInput.safeParse({ label: name, type, unit: cellText(get(row.cells, "Unit")), options: optionLabels.map((label) => ({ label })), helpText: cellText(get(row.cells, "Help text")) });
      if (!parsed.success) {
        at("Name", humanMessage(`Characteristic "${name}"`, parsed.error.issues[0]?.message));
        continue;
      }
      const taken: string[] = [];
      const options = type === "single" || type === "multiple" ? optionLabels.map((label) => ({ value: takeOptionValue(label, taken), label })) : [];
      const definition: NewCharacteristic = { header: name, label: name, type, unit: type === "number" ? parsed.data.unit : "", options, helpText: parsed.data.helpText, fromSetup: true };
      characteristicsByHeader.set(normaliseHeader(name), definition);
      if (definition.unit) characteristicsByHeader.set(normaliseHeader(`${name} (${definition.unit})`), definition);
    }
  }
  return { characteristicsByHeader, outcomesByName };
}

function takeOptionValue(label: string, taken: string[]): string {
  const value = optionValueOf(label, taken);
  taken.push(value);
  return value;
}

/** The type of a new characteristic made from a column: number, yes/no, or text (with "(unit)" from the header). */
function inferCharacteristic(header: string, values: Cell[]): NewCharacteristic {
  const present = values.filter((v) => v !== null && cellText(v) !== "");
  const unitMatch = /^(.*?)\s*\(([^()]{1,50})\)\s*$/.exec(header.trim());
  if (present.length > 0 && present.every((v) => typeof cellNumber(v) === "number"))
    return { header, label: unitMatch ? unitMatch[1]! : header.trim(), type: "number", unit: unitMatch ? unitMatch[2]! : "", options: [], helpText: "", fromSetup: false };
  if (present.length > 0 && present.every((v) => typeof cellBoolean(v) === "boolean" && !/^[01]$/.test(cellText(v))))
    return { header, label: header.trim(), type: "boolean", unit: "", options: [], helpText: "", fromSetup: false };
  return { header, label: header.trim(), type: "text", unit: "", options: [], helpText: "", fromSetup: false };
}

// ---------------------------------------------------------------------------------------------------------------
// The plan

type Definition = Pick<CharacteristicRow, "label" | "type" | "unit" | "options" | "helpText"> & { id: number };
type CharacteristicRef = { kind: "existing"; id: number } | { kind: "new"; header: string };
const refKey = (ref: CharacteristicRef) => (ref.kind === "existing" ? `c:${ref.id}` : `new:${ref.header}`);

type FieldValue = { value: unknown; at: Located };
type ValueDraft = {
  at: Located;
  outcome: string;
  day: number;
  mean: number;
  errorType: ErrorType;
  errorValue: number | null;
  ciLower: number | null;
  ciUpper: number | null;
  n: number;
  dataSource: "table" | "text" | "figure" | null;
  sourceDetail: string | null;
  isExampleData: boolean | null;
};
type ArmDraft = { label: string; kind: "treated" | "control" | null; sharedControl: string | null; at: Located; values: ValueDraft[] };
type StudyDraft = {
  key: string;
  rows: Located[];
  fields: Map<StudyField, FieldValue>;
  characteristics: Map<string, { ref: CharacteristicRef; value: CharacteristicValue | null; at: Located }>;
  arms: Map<string, ArmDraft>;
};

export type StudyChange = { field: string; from: string; to: string };
export type StudyPlan = {
  key: string;
  label: string;
  action: "create" | "update" | "unchanged";
  studyId: number | null;
  rows: string;
  changes: StudyChange[];
  armsCreated: string[];
  values: { created: number; updated: number; unchanged: number };
};

type ValueAction = { kind: "create" | "update"; armLabel: string; outcome: string; draft: ValueDraft; existing: MeasurementRow | null };
type StudyAction = {
  draft: StudyDraft;
  existing: StudyRow | null;
  fieldChanges: [StudyField, unknown][];
  characteristicChanges: { ref: CharacteristicRef; label: string; from: CharacteristicValue | null; to: CharacteristicValue | null }[];
  newArms: ArmDraft[];
  controlLinks: { armLabel: string; controlLabel: string | null; existing: ArmRow | null }[];
  values: ValueAction[];
  unchangedValues: number;
};

export type ImportPlan = {
  fileName: string;
  layout: Layout;
  layoutLabel: string;
  notes: string[];
  columns: ColumnChoice[];
  characteristicChoices: { target: string; label: string }[];
  rowCount: number;
  problems: Problem[];
  problemCount: number;
  newOutcomes: NewOutcome[];
  newCharacteristics: Omit<NewCharacteristic, "header">[];
  studies: StudyPlan[];
  studiesShown: number;
  totals: { studiesCreated: number; studiesUpdated: number; studiesUnchanged: number; armsCreated: number; valuesCreated: number; valuesUpdated: number; valuesUnchanged: number };
  fingerprint: string;
};

type Internal = { plan: ImportPlan; actions: StudyAction[]; newOutcomes: NewOutcome[]; newCharacteristics: NewCharacteristic[]; mapping: Record<string, string> };

function parseCharacteristicCell(definition: Definition, cell: Cell): { ok: true; value: CharacteristicValue | null } | { ok: false; message: string } {
  const fail = (message: string) => ({ ok: false as const, message: humanMessage(definition.label, message) });
  if (cell === null || cellText(cell) === "") return { ok: true, value: null };
  const textValue = cellText(cell);
  let raw: unknown = textValue;
  switch (definition.type) {
    case "number": {
      const withoutUnit = definition.unit && textValue.endsWith(definition.unit) ? textValue.slice(0, -definition.unit.length) : textValue;
      const n = typeof cell === "number" ? cell : numberFromInput(withoutUnit);
      if (n === null || !Number.isFinite(n)) return fail(`must be a number (not ${shown(textValue)})`);
      raw = n;
      break;
    }
    case "boolean": {
      const b = cellBoolean(cell);
      if (b === "invalid" || b === null) return fail(`must be yes or no (not ${shown(textValue)})`);
      raw = b;
      break;
    }
    case "single": {
      const option = definition.options.find((o) => o.label.toLowerCase() === textValue.toLowerCase() || o.value === textValue);
      if (!option) return fail(`must be one of ${definition.options.map((o) => o.label).join(", ")} (not ${shown(textValue)})`);
      raw = option.value;
      break;
    }
    case "multiple": {
      const parts = textValue
        .split(";")
        .map((p) => p.trim())
        .filter(Boolean);
      const values = parts.map((p) => definition.options.find((o) => o.label.toLowerCase() === p.toLowerCase() || o.value === p));
      const unknown = parts.filter((_, i) => !values[i]);
      if (unknown.length) return fail(`must be some of ${definition.options.map((o) => o.label).join(", ")} (not ${unknown.map(shown).join(", ")})`);
      raw = values.map((o) => o!.value);
      break;
    }
    default:
      raw = textValue;
  }
  return parseCharacteristicValue({ ...definition, options: definition.options }, raw);
}

/** Plans an import of `bytes` into the review; reads only (used by the preview and, in its transaction, the commit). */
function planImport(db: DbOrTx, reviewId: number, fileName: string, bytes: Uint8Array, chosen: Record<string, string>): Internal {
  const upload = readUpload(bytes, fileName);
  const review = getReview(db, reviewId);
  const definitions = listCharacteristics(db, reviewId);
  const outcomeRows = listOutcomes(db, reviewId);
  const problems: Problem[] = [];
  const problem = (at: Partial<Located> & { sheet: string }, message: string) => problems.push({ sheet: at.sheet, row: at.row ?? null, column: at.column ?? null, message });

  const setupSheet = upload.sheets.find((s) => normaliseHeader(s.name) === SETUP_SHEET && s.header.some((h) => normaliseHeader(h) === "kind"));
  const setup = setupSheet ? readSetupSheet(setupSheet, problems) : { characteristicsByHeader: new Map<string, NewCharacteristic>(), outcomesByName: new Map<string, NewOutcome>() };
  const columns = chooseColumns(upload, definitions, review.importMapping ?? {}, chosen);
  const dataSheets = upload.sheets.filter((s) => s !== setupSheet);

  // Each target once per sheet: a second column for the same field would make a row mean two things.
  for (const sheet of dataSheets) {
    const seen = new Map<string, string>();
    for (const c of columns.filter((c) => c.sheet === sheet.name && c.target !== "ignore" && c.target !== "new")) {
      const earlier = seen.get(c.target);
      if (earlier) problem({ sheet: sheet.name, column: c.header }, `Columns "${earlier}" and "${c.header}" both go to ${targetLabel(c.target, definitions)}; choose one.`);
      seen.set(c.target, c.header);
    }
  }

  if (dataSheets.length > 0 && !columns.some((c) => c.target !== "ignore"))
    problem({ sheet: dataSheets[0]!.name }, "None of the file's columns is imported: choose below what each column holds.");

  // New characteristics: from the Set-up sheet when it defines them, else inferred from the column's values.
  const newCharacteristics = new Map<string, NewCharacteristic>();
  for (const c of columns.filter((c) => c.target === "new")) {
    if (newCharacteristics.has(c.key)) continue;
    const sheet = dataSheets.find((s) => s.name === c.sheet)!;
    const index = sheet.header.indexOf(c.header);
    const definition = setup.characteristicsByHeader.get(c.key) ?? inferCharacteristic(c.header, sheet.rows.map((r) => r.cells[index] ?? null));
    const clash = definitions.find((d) => d.label.toLowerCase() === definition.label.toLowerCase());
    if (clash) {
      problem({ sheet: c.sheet, column: c.header }, `Column "${c.header}" would create characteristic "${definition.label}", which exists: map the column to it instead.`);
      continue;
    }
    newCharacteristics.set(c.key, { ...definition, header: c.header });
  }
  const definitionOf = (ref: CharacteristicRef): Definition | undefined => {
    if (ref.kind === "existing") return definitions.find((d) => d.id === ref.id);
    const n = newCharacteristics.get(normaliseHeader(ref.header));
    return n ? { id: 0, label: n.label, type: n.type, unit: n.unit, options: n.options, helpText: n.helpText } : undefined;
  };

  const outcomeByName = new Map(outcomeRows.map((o) => [o.name.toLowerCase(), o]));
  const newOutcomes = new Map<string, NewOutcome>();
  const outcomeScale = (name: string): Pick<OutcomeRow, "name" | "scaleMin" | "scaleMax"> | undefined => outcomeByName.get(name.toLowerCase()) ?? newOutcomes.get(name.toLowerCase());

  // Rows → studies, arms and values.
  const drafts = new Map<string, StudyDraft>();
  let rowCount = 0;
  for (const sheet of dataSheets) {
    const sheetColumns = columns.filter((c) => c.sheet === sheet.name);
    const indexOf = new Map(sheet.header.map((h, i) => [h, i]));
    const sourceName = (header: string) => sheet.sourceColumn?.[header] ?? header;
    for (const row of sheet.rows) {
      rowCount += 1;
      const get = (target: string): { cell: Cell; column: string } | undefined => {
        const c = sheetColumns.find((c) => c.target === target);
        if (!c) return undefined;
        return { cell: row.cells[indexOf.get(c.header)!] ?? null, column: sourceName(c.header) };
      };
      const at = (column: string | null): Located => ({ sheet: sheet.name, row: row.line, column: column ?? "" });
      // A formula is refused rather than stored: its cached value may not be what the author meant, and text
      // starting with "=" would run as a formula when the review is exported again.
      let refused = false;
      for (const c of sheetColumns) {
        if (c.target === "ignore") continue;
        const i = indexOf.get(c.header)!;
        const formula = row.formulas?.[i];
        const cell = row.cells[i];
        if (formula || (typeof cell === "string" && looksLikeFormula(cell))) {
          problem(at(sourceName(c.header)), `${c.header} holds a spreadsheet formula (${shown(formula ?? cell).slice(0, 60)}); enter the value itself.`);
          refused = true;
        }
      }
      if (refused) continue;

      const text = (target: string) => {
        const g = get(target);
        return g ? cellText(g.cell) : "";
      };
      const author = text("author");
      const yearCell = get("year");
      const doi = text("doi");
      const key = text("study") || (author && yearCell && cellText(yearCell.cell) ? `${author} ${cellText(yearCell.cell)}` : doi);
      if (!key) {
        const anything = sheetColumns.some((c) => c.target !== "ignore" && (row.cells[indexOf.get(c.header)!] ?? null) !== null);
        if (anything) problem(at(null), `Row ${row.line} names no study: fill in ${fixedTargetLabels.study}, or ${studyFieldLabels.author} and ${studyFieldLabels.year} (or the DOI).`);
        continue;
      }
      const draft: StudyDraft = drafts.get(key) ?? { key, rows: [], fields: new Map(), characteristics: new Map(), arms: new Map() };
      drafts.set(key, draft);
      draft.rows.push(at(null));

      // Study fields (blank cells say nothing).
      for (const field of studyFields) {
        const g = get(field);
        if (!g || g.cell === null || cellText(g.cell) === "") continue;
        const numeric = field === "year" || field === "dose" || field === "animalsTotal";
        const raw = numeric ? cellNumber(g.cell) : cellText(g.cell);
        const parsed = raw === "invalid" ? { ok: false as const, message: humanMessage(studyFieldLabels[field], `must be a number (not ${shown(cellText(g.cell))})`) } : parseStudyField(field, raw);
        if (!parsed.ok) {
          problem(at(g.column), parsed.message);
          continue;
        }
        const earlier = draft.fields.get(field);
        if (earlier && JSON.stringify(earlier.value) !== JSON.stringify(parsed.value))
          problem(at(g.column), `${studyFieldLabels[field]} of study "${key}" is ${shown(parsed.value)} here but ${shown(earlier.value)} in ${earlier.at.sheet} row ${earlier.at.row}.`);
        else draft.fields.set(field, { value: parsed.value, at: at(g.column) });
      }
      // Characteristics.
      for (const c of sheetColumns.filter((c) => c.target === "new" || c.target.startsWith("c:"))) {
        const ref: CharacteristicRef = c.target === "new" ? { kind: "new", header: c.header } : { kind: "existing", id: Number(c.target.slice(2)) };
        const definition = definitionOf(ref);
        if (!definition) continue;
        const cell = row.cells[indexOf.get(c.header)!] ?? null;
        if (cell === null || cellText(cell) === "") continue;
        const parsed = parseCharacteristicCell(definition, cell);
        if (!parsed.ok) {
          problem(at(sourceName(c.header)), parsed.message);
          continue;
        }
        const k = refKey(ref);
        const earlier = draft.characteristics.get(k);
        if (earlier && JSON.stringify(earlier.value) !== JSON.stringify(parsed.value))
          problem(at(sourceName(c.header)), `${definition.label} of study "${key}" is ${shown(cellText(cell))} here but differs in ${earlier.at.sheet} row ${earlier.at.row}.`);
        else draft.characteristics.set(k, { ref, value: parsed.value, at: at(sourceName(c.header)) });
      }

      // Arm and value.
      const valueTargetsPresent = (["outcome", "day", "mean", "sd", "sem", "ciLower", "ciUpper", "errorValue", "n"] as ValueTarget[]).filter((t) => {
        const g = get(t);
        return g !== undefined && g.cell !== null && cellText(g.cell) !== "";
      });
      const armLabelCell = get("arm");
      const kindCell = get("armKind");
      let kind: "treated" | "control" | null = null;
      if (kindCell && cellText(kindCell.cell) !== "") {
        const k = cellText(kindCell.cell).toLowerCase();
        if (/^(treated|treatment|intervention|experimental|exposed)$/.test(k)) kind = "treated";
        else if (/^(control|vehicle|placebo|untreated)$/.test(k)) kind = "control";
        else problem(at(kindCell.column), `${fixedTargetLabels.armKind} must be treated or control (not ${shown(cellText(kindCell.cell))}).`);
      }
      const armLabel = (armLabelCell ? cellText(armLabelCell.cell) : "") || (kind ? (kind === "treated" ? "Treated" : "Control") : "");
      if (!armLabel) {
        if (valueTargetsPresent.length > 0) problem(at(armLabelCell?.column ?? fixedTargetLabels.arm), `${fixedTargetLabels.arm} is required for an outcome value (or fill in ${fixedTargetLabels.armKind}).`);
        continue;
      }
      if (armLabel.length > 200) {
        problem(at(armLabelCell?.column ?? fixedTargetLabels.arm), `${fixedTargetLabels.arm} must be at most 200 characters.`);
        continue;
      }
      const shared = text("sharedControl") || null;
      const arm: ArmDraft = draft.arms.get(armLabel.toLowerCase()) ?? { label: armLabel, kind, sharedControl: shared, at: at(armLabelCell?.column ?? null), values: [] };
      if (kind && arm.kind && kind !== arm.kind) problem(at(kindCell?.column ?? null), `Arm "${armLabel}" of study "${key}" is ${kind} here but ${arm.kind} in row ${arm.at.row}.`);
      arm.kind ??= kind;
      if (shared && arm.sharedControl && shared !== arm.sharedControl) problem(at(get("sharedControl")?.column ?? null), `Arm "${armLabel}" has shared control "${shared}" here but "${arm.sharedControl}" in row ${arm.at.row}.`);
      arm.sharedControl ??= shared;
      draft.arms.set(armLabel.toLowerCase(), arm);
      if (valueTargetsPresent.length === 0) continue;

      // The value: every field checked with the grid's own schema, so the messages read the same.
      const outcomeName = text("outcome") || (outcomeRows.length === 1 && !get("outcome") ? outcomeRows[0]!.name : "");
      if (!outcomeName) {
        problem(at(get("outcome")?.column ?? fixedTargetLabels.outcome), `${fixedTargetLabels.outcome} is required${outcomeRows.length > 1 ? ` (this review has ${outcomeRows.length} outcomes)` : ""}.`);
        continue;
      }
      if (outcomeName.length > 200) {
        problem(at(get("outcome")?.column ?? null), `${fixedTargetLabels.outcome} must be at most 200 characters.`);
        continue;
      }
      if (!outcomeScale(outcomeName)) {
        const fromSetup = setup.outcomesByName.get(outcomeName.toLowerCase());
        const hint = upload.outcomeHints.get(outcomeName.toLowerCase());
        newOutcomes.set(outcomeName.toLowerCase(), fromSetup ?? { name: outcomeName, unit: hint?.unit ?? "", scaleMin: null, scaleMax: null, higherIsBetter: hint?.higherIsBetter ?? true, normalValue: null });
      }
      const numberOf = (target: ValueTarget, label: string): number | null | undefined => {
        const g = get(target);
        if (!g) return null;
        const v = cellNumber(g.cell);
        if (v === "invalid") {
          problem(at(g.column), humanMessage(label, `must be a number (not ${shown(cellText(g.cell))})`));
          return undefined;
        }
        return v;
      };
      const day = numberOf("day", "Day");
      const mean = numberOf("mean", "Mean");
      const sd = numberOf("sd", "SD");
      const sem = numberOf("sem", "SEM");
      const ciLower = numberOf("ciLower", "Lower 95% CI bound");
      const ciUpper = numberOf("ciUpper", "Upper 95% CI bound");
      const errorValue = numberOf("errorValue", "Error value");
      const n = numberOf("n", "n");
      if (day === undefined || mean === undefined || sd === undefined || sem === undefined || ciLower === undefined || ciUpper === undefined || errorValue === undefined || n === undefined) continue;
      const missing = (
        [
          ["day", "Day", day],
          ["mean", "Mean", mean],
          ["n", "n", n],
        ] as const
      ).filter(([, , v]) => v === null);
      for (const [target, label] of missing) problem(at(get(target)?.column ?? labelOfTarget(target)), `${label} is required for an outcome value${get(target) ? "" : " (the file has no such column)"}.`);
      if (missing.length > 0) continue;
      let errorType: ErrorType | null = null;
      let error: number | null = null;
      const typeCell = get("errorType");
      const typeText = typeCell ? cellText(typeCell.cell).toUpperCase().replace(/\s/g, "") : "";
      const filled = [sd !== null && "SD", sem !== null && "SEM", (ciLower !== null || ciUpper !== null) && "CI"].filter(Boolean);
      if (typeText || errorValue !== null) {
        if (typeText === "SD" || typeText === "SEM") [errorType, error] = [typeText, errorValue ?? null];
        else if (typeText === "SE") [errorType, error] = ["SEM", errorValue ?? null];
        else if (typeText === "95%CI" || typeText === "CI95" || typeText === "CI") errorType = "CI95";
        else {
          problem(at(typeCell?.column ?? null), `${fixedTargetLabels.errorType} must be SD, SEM or 95% CI (not ${shown(typeCell ? cellText(typeCell.cell) : "")})${typeText === "IQR" ? ": an interquartile range cannot be turned into an SD" : ""}.`);
          continue;
        }
      } else if (filled.length > 1) {
        problem(at(get(sd !== null ? "sd" : "sem")?.column ?? null), `Fill in only one of SD, SEM or the 95% CI (this row has ${filled.join(" and ")}).`);
        continue;
      } else if (sd !== null) [errorType, error] = ["SD", sd];
      else if (sem !== null) [errorType, error] = ["SEM", sem];
      else if (ciLower !== null || ciUpper !== null) errorType = "CI95";
      if (!errorType) {
        problem(at(get("sd")?.column ?? get("errorValue")?.column ?? "SD"), "SD, SEM or a 95% CI is required for an outcome value.");
        continue;
      }
      const sourceText = text("dataSource").toLowerCase();
      const dataSource = sourceText === "" ? null : (["table", "text", "figure"] as const).find((s) => s === sourceText);
      if (dataSource === undefined) problem(at(get("dataSource")?.column ?? null), `${fixedTargetLabels.dataSource} must be table, text or figure (not ${shown(sourceText)}).`);
      const example = get("isExampleData") ? cellBoolean(get("isExampleData")!.cell) : null;
      if (example === "invalid") problem(at(get("isExampleData")!.column), `${fixedTargetLabels.isExampleData} must be yes or no.`);
      const candidate = {
        studyId: 1,
        outcomeId: 1,
        armId: 1,
        day,
        mean,
        errorType,
        errorValue: errorType === "CI95" ? null : error,
        ciLower: errorType === "CI95" ? ciLower : null,
        ciUpper: errorType === "CI95" ? ciUpper : null,
        n,
        dataSource: dataSource ?? "table",
        sourceDetail: text("sourceDetail"),
      };
      const columnOfField: Record<string, string | undefined> = {
        day: get("day")?.column,
        mean: get("mean")?.column,
        errorValue: get(errorType === "SEM" ? "sem" : "sd")?.column ?? get("errorValue")?.column,
        ciLower: get("ciLower")?.column,
        ciUpper: get("ciUpper")?.column,
        n: get("n")?.column,
        sourceDetail: get("sourceDetail")?.column,
      };
      const issues = measurementProblems(candidate);
      for (const issue of issues) problem(at(columnOfField[issue.field] ?? measurementFieldLabel(issue.field, errorType)), issue.message);
      const scale = outcomeScale(outcomeName)!;
      const outside = (v: number | null) => v !== null && ((scale.scaleMin !== null && v < scale.scaleMin) || (scale.scaleMax !== null && v > scale.scaleMax));
      const range = `${scale.name} runs from ${scale.scaleMin ?? "−∞"} to ${scale.scaleMax ?? "∞"}`;
      // The mean must lie on the scale; a 95% CI of a mean near its end may reach beyond it (the demo's does).
      const offScale = outside(candidate.mean);
      if (offScale) problem(at(columnOfField.mean ?? "Mean"), humanMessage("Mean", `${candidate.mean} is outside the scale (${range}).`));
      if (issues.length > 0 || offScale || dataSource === undefined || example === "invalid") continue;
      const duplicate = arm.values.find((v) => v.outcome.toLowerCase() === outcomeName.toLowerCase() && v.day === candidate.day);
      if (duplicate) {
        problem(at(columnOfField.day ?? "Day"), `Arm "${armLabel}" of study "${key}" already has a ${outcomeName} value on day ${candidate.day} in ${duplicate.at.sheet} row ${duplicate.at.row}.`);
        continue;
      }
      arm.values.push({
        at: at(null),
        outcome: outcomeScale(outcomeName)!.name,
        day: candidate.day!,
        mean: candidate.mean!,
        errorType,
        errorValue: candidate.errorValue ?? null,
        ciLower: candidate.ciLower ?? null,
        ciUpper: candidate.ciUpper ?? null,
        n: candidate.n!,
        dataSource: dataSource ?? null,
        sourceDetail: get("sourceDetail") ? candidate.sourceDetail : null,
        isExampleData: example === null ? null : example,
      });
    }
  }

  // Match each study of the file with the review's; plan the changes.
  const existing = listStudies(db, reviewId);
  const stored = reviewArmsAndMeasurements(
    db,
    existing.map((s) => s.id),
  );
  const armsByStudy = new Map<number, ArmRow[]>();
  for (const a of stored.arms) armsByStudy.set(a.studyId, [...(armsByStudy.get(a.studyId) ?? []), a]);
  const valuesByArm = new Map<number, MeasurementRow[]>();
  for (const m of stored.measurements) valuesByArm.set(m.armId, [...(valuesByArm.get(m.armId) ?? []), m]);
  const storedCharacteristics = characteristicValuesByStudy(
    db,
    existing.map((s) => s.id),
  );
  const byDoi = new Map<string, StudyRow[]>();
  const byAuthorYear = new Map<string, StudyRow[]>();
  for (const s of existing) {
    if (s.doi) byDoi.set(normDoi(s.doi), [...(byDoi.get(normDoi(s.doi)) ?? []), s]);
    const k = `${normAuthor(s.author)}|${s.year}`;
    byAuthorYear.set(k, [...(byAuthorYear.get(k) ?? []), s]);
  }
  const outcomeIdByName = new Map(outcomeRows.map((o) => [o.name.toLowerCase(), o.id]));
  const actions: StudyAction[] = [];
  const matched = new Map<number, string>();
  for (const draft of drafts.values()) {
    const first = draft.rows[0]!;
    const doi = draft.fields.get("doi")?.value as string | undefined;
    const author = draft.fields.get("author")?.value as string | undefined;
    const year = draft.fields.get("year")?.value as number | undefined;
    let candidates: StudyRow[] = doi ? (byDoi.get(normDoi(doi)) ?? []) : [];
    if (candidates.length === 0 && author && year !== undefined) candidates = byAuthorYear.get(`${normAuthor(author)}|${year}`) ?? [];
    if (candidates.length > 1) {
      const labels = [...draft.arms.values()].map((a) => a.label.toLowerCase());
      const narrowed = candidates.filter((c) => (armsByStudy.get(c.id) ?? []).some((a) => labels.includes(a.label.toLowerCase())));
      if (narrowed.length === 1) candidates = narrowed;
    }
    if (candidates.length > 1) {
      problem(first, `Study "${draft.key}" matches ${candidates.length} studies of this review (${candidates.map(studyLabel).join(", ")}); add its DOI to tell them apart.`);
      continue;
    }
    const target = candidates[0] ?? null;
    if (target) {
      const other = matched.get(target.id);
      if (other) {
        problem(first, `Studies "${other}" and "${draft.key}" of the file both match ${studyLabel(target)}; merge their rows or give each its DOI.`);
        continue;
      }
      matched.set(target.id, draft.key);
    } else {
      if (!author) problem(first, `${studyFieldLabels.author} is required for new study "${draft.key}".`);
      if (year === undefined) problem(first, `${studyFieldLabels.year} is required for new study "${draft.key}".`);
      if (!author || year === undefined) continue;
    }
    const fieldChanges: [StudyField, unknown][] = [...draft.fields].filter(([field, v]) => !target || JSON.stringify(target[field]) !== JSON.stringify(v.value)).map(([field, v]) => [field, v.value]);
    const before = target ? (storedCharacteristics.get(target.id) ?? new Map<number, CharacteristicValue>()) : new Map<number, CharacteristicValue>();
    const characteristicChanges = [...draft.characteristics.values()]
      .map((c) => ({ ref: c.ref, label: definitionOf(c.ref)!.label, from: c.ref.kind === "existing" ? (before.get(c.ref.id) ?? null) : null, to: c.value }))
      .filter((c) => JSON.stringify(c.from) !== JSON.stringify(c.to));
    const studyArms = target ? (armsByStudy.get(target.id) ?? []) : [];
    const armByLabel = new Map(studyArms.map((a) => [a.label.toLowerCase(), a]));
    const newArms: ArmDraft[] = [];
    const values: ValueAction[] = [];
    let unchangedValues = 0;
    for (const arm of draft.arms.values()) {
      const current = armByLabel.get(arm.label.toLowerCase());
      if (current && arm.kind && current.kind !== arm.kind) {
        problem(arm.at, `Arm "${arm.label}" of ${studyLabel(target!)} is ${current.kind} in this review, not ${arm.kind}.`);
        continue;
      }
      if (!current) {
        if (!arm.kind) {
          problem(arm.at, `${fixedTargetLabels.armKind} is required for new arm "${arm.label}" of study "${draft.key}".`);
          continue;
        }
        newArms.push(arm);
      }
      for (const v of arm.values) {
        const outcomeId = outcomeIdByName.get(v.outcome.toLowerCase());
        const existingValue = current && outcomeId !== undefined ? (valuesByArm.get(current.id) ?? []).find((m) => m.outcomeId === outcomeId && m.day === v.day) : undefined;
        if (!existingValue) values.push({ kind: "create", armLabel: arm.label, outcome: v.outcome, draft: v, existing: null });
        else if (valueDiffers(existingValue, v)) values.push({ kind: "update", armLabel: arm.label, outcome: v.outcome, draft: v, existing: existingValue });
        else unchangedValues += 1;
      }
    }
    // Shared controls: a treated arm's key names a control arm (by the key its own rows give it, or its label).
    const allArms = [...studyArms.map((a) => ({ label: a.label, kind: a.kind, key: null as string | null, id: a.id })), ...newArms.map((a) => ({ label: a.label, kind: a.kind!, key: a.sharedControl, id: null }))];
    for (const arm of draft.arms.values()) {
      const current = armByLabel.get(arm.label.toLowerCase()) ?? null;
      const kind = current?.kind ?? arm.kind;
      if (kind === "control" && arm.sharedControl) {
        const fileArm = allArms.find((a) => a.label.toLowerCase() === arm.label.toLowerCase());
        if (fileArm) fileArm.key = arm.sharedControl;
      }
    }
    const controlLinks: StudyAction["controlLinks"] = [];
    for (const arm of draft.arms.values()) {
      const current = armByLabel.get(arm.label.toLowerCase()) ?? null;
      if ((current?.kind ?? arm.kind) !== "treated" || !arm.sharedControl) continue;
      const key = arm.sharedControl.toLowerCase();
      const controls = allArms.filter((a) => a.kind === "control" && (a.key?.toLowerCase() === key || a.label.toLowerCase() === key));
      if (controls.length !== 1) {
        problem(arm.at, `${fixedTargetLabels.sharedControl} "${arm.sharedControl}" of arm "${arm.label}" ${controls.length === 0 ? "names no control arm of the study" : "names several control arms"}.`);
        continue;
      }
      const control = controls[0]!;
      const currentControl = current?.controlArmId ? studyArms.find((a) => a.id === current.controlArmId)?.label : null;
      if (currentControl?.toLowerCase() !== control.label.toLowerCase()) controlLinks.push({ armLabel: arm.label, controlLabel: control.label, existing: current });
    }
    actions.push({ draft, existing: target, fieldChanges, characteristicChanges, newArms, controlLinks, values, unchangedValues });
  }

  const studyPlans: StudyPlan[] = actions.map((a) => {
    const label = a.existing ? studyLabel(a.existing) : studyLabel({ author: String(a.draft.fields.get("author")?.value ?? a.draft.key), year: Number(a.draft.fields.get("year")?.value ?? 0) });
    const created = a.values.filter((v) => v.kind === "create").length;
    const updated = a.values.filter((v) => v.kind === "update").length;
    const changes: StudyChange[] = [
      ...a.fieldChanges.map(([field, value]) => ({ field: studyFieldLabels[field], from: a.existing ? shown(a.existing[field]) : "", to: shown(value) })),
      ...a.characteristicChanges.map((c) => ({ field: c.label, from: shown(c.from), to: shown(c.to) })),
      ...a.controlLinks.map((l) => ({ field: `Control of arm "${l.armLabel}"`, from: "", to: l.controlLabel ?? "" })),
      ...a.values.filter((v) => v.kind === "update").map((v) => ({ field: `${v.outcome}, ${v.armLabel}, day ${v.draft.day}`, from: describeValue(v.existing!), to: describeValue(v.draft) })),
    ];
    const action = !a.existing ? "create" : changes.length > 0 || a.newArms.length > 0 || created > 0 ? "update" : "unchanged";
    return {
      key: a.draft.key,
      label,
      action,
      studyId: a.existing?.id ?? null,
      rows: describeRows(a.draft.rows),
      changes,
      armsCreated: a.newArms.map((arm) => arm.label),
      values: { created, updated, unchanged: a.unchangedValues },
    };
  });
  const totals = {
    studiesCreated: studyPlans.filter((s) => s.action === "create").length,
    studiesUpdated: studyPlans.filter((s) => s.action === "update").length,
    studiesUnchanged: studyPlans.filter((s) => s.action === "unchanged").length,
    armsCreated: studyPlans.reduce((n, s) => n + s.armsCreated.length, 0),
    valuesCreated: studyPlans.reduce((n, s) => n + s.values.created, 0),
    valuesUpdated: studyPlans.reduce((n, s) => n + s.values.updated, 0),
    valuesUnchanged: studyPlans.reduce((n, s) => n + s.values.unchanged, 0),
  };
  if (rowCount === 0) problems.push({ sheet: dataSheets[0]?.name ?? "file", row: null, column: null, message: "The file has a header but no data rows." });
  const mapping = Object.fromEntries(columns.map((c) => [c.key, c.target]));
  const newOutcomeList = [...newOutcomes.values()];
  const newCharacteristicList = [...newCharacteristics.values()];
  // The fingerprint covers what would be written and the versions it was planned against.
  const fingerprint = createHash("sha256")
    .update(
      JSON.stringify({
        outcomes: newOutcomeList,
        characteristics: newCharacteristicList,
        studies: actions.map((a, i) => ({ existing: a.existing ? [a.existing.id, a.existing.version] : null, plan: studyPlans[i] })),
        values: actions.flatMap((a) => a.values.map((v) => [v.existing?.id ?? null, v.existing?.version ?? null, v.draft.day, v.draft.mean])),
      }),
    )
    .digest("hex");
  const plan: ImportPlan = {
    fileName,
    layout: upload.layout,
    layoutLabel: layoutLabels[upload.layout],
    notes: upload.notes,
    columns,
    characteristicChoices: definitions.map((d) => ({ target: characteristicKey(d.id), label: d.label })),
    rowCount,
    problems: problems.slice(0, MAX_PROBLEMS_SHOWN),
    problemCount: problems.length,
    newOutcomes: newOutcomeList,
    newCharacteristics: newCharacteristicList.map(({ header: _header, ...c }) => c),
    studies: studyPlans.slice(0, MAX_STUDIES_SHOWN),
    studiesShown: Math.min(MAX_STUDIES_SHOWN, studyPlans.length),
    totals,
    fingerprint,
  };
  return { plan, actions, newOutcomes: newOutcomeList, newCharacteristics: newCharacteristicList, mapping };
}

function targetLabel(target: string, definitions: CharacteristicRow[]): string {
  if (target.startsWith("c:")) return definitions.find((d) => `c:${d.id}` === target)?.label ?? target;
  return labelOfTarget(target);
}

function describeRows(rows: Located[]): string {
  const bySheet = new Map<string, number[]>();
  for (const r of rows) bySheet.set(r.sheet, [...(bySheet.get(r.sheet) ?? []), r.row]);
  return [...bySheet]
    .map(([sheet, lines]) => {
      const sorted = [...new Set(lines)].sort((a, b) => a - b);
      const text = sorted.length > 6 ? `${sorted.slice(0, 5).join(", ")} … ${sorted[sorted.length - 1]}` : sorted.join(", ");
      return `${sheet} ${sorted.length === 1 ? "row" : "rows"} ${text}`;
    })
    .join("; ");
}

function describeValue(v: Pick<MeasurementRow, "mean" | "errorType" | "errorValue" | "ciLower" | "ciUpper" | "n">): string {
  const error = v.errorType === "CI95" ? `95% CI ${v.ciLower}–${v.ciUpper}` : `${v.errorType} ${v.errorValue}`;
  return `${v.mean} (${error}), n ${v.n}`;
}

function valueDiffers(stored: MeasurementRow, v: ValueDraft): boolean {
  const next = valueColumns(v, stored);
  return (Object.keys(next) as (keyof typeof next)[]).some((k) => stored[k] !== next[k]);
}

/** The stored columns of a value from the file; blank optional cells keep what is stored (or the defaults). */
function valueColumns(v: ValueDraft, stored: MeasurementRow | null) {
  return {
    mean: v.mean,
    errorType: v.errorType,
    errorValue: v.errorType === "CI95" ? null : v.errorValue,
    ciLower: v.errorType === "CI95" ? v.ciLower : null,
    ciUpper: v.errorType === "CI95" ? v.ciUpper : null,
    n: v.n,
    dataSource: v.dataSource ?? stored?.dataSource ?? "table",
    sourceDetail: v.sourceDetail ?? stored?.sourceDetail ?? "",
    isExampleData: v.isExampleData ?? stored?.isExampleData ?? false,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Preview and commit

const decode = (base64: string) => new Uint8Array(Buffer.from(base64, "base64"));

export function previewImport(db: Db, reviewId: number, file: { name: string; base64: string }, mapping: Record<string, string>): ImportPlan {
  return planImport(db, reviewId, file.name, decode(file.base64), mapping).plan;
}

export type ImportResult = {
  studiesCreated: number;
  studiesUpdated: number;
  armsCreated: number;
  valuesCreated: number;
  valuesUpdated: number;
  outcomesCreated: number;
  characteristicsCreated: number;
  /** How long the write transaction held SQLite's write lock (other writers wait that long; see bench:import). */
  writeMs: number;
};

/** Writes the previewed plan, all of it or nothing, with an audit entry per row; refuses a plan that changed. */
export function commitImport(db: Db, actor: Actor, reviewId: number, file: { name: string; base64: string }, mapping: Record<string, string>, fingerprint: string): ImportResult {
  const bytes = decode(file.base64);
  const latestAudit = (d: DbOrTx) => d.select({ id: max(auditLog.id) }).from(auditLog).get()?.id ?? 0;
  const checked = (planned: Internal) => {
    const { plan } = planned;
    if (plan.problemCount > 0) {
      const first = plan.problems[0]!;
      throw new AppError("invalid", `The file has ${plan.problemCount} ${plan.problemCount === 1 ? "problem" : "problems"}; nothing was imported. First: ${first.sheet}${first.row ? ` row ${first.row}` : ""}${first.column ? `, ${first.column}` : ""}: ${first.message}`, "file");
    }
    if (plan.fingerprint !== fingerprint)
      throw new AppError("conflict", "The review changed since the preview (or the file or mapping did): preview again before importing.", undefined, { row: null, by: "another user" });
    return planned;
  };
  // Planning a large file takes seconds: it is done on a read snapshot, outside the write lock. Every change to
  // research data writes an audit row in its transaction, so an unchanged latest audit id inside the write
  // transaction proves the snapshot is still current; otherwise the plan is made again under the lock.
  const snapshot = db.transaction((tx) => ({ planned: planImport(tx, reviewId, file.name, bytes, mapping), mark: latestAudit(tx) }), { behavior: "deferred" });
  checked(snapshot.planned);
  const writeStarted = performance.now();
  const result = writeTransaction(db, (tx) => {
    const { actions, newOutcomes, newCharacteristics, mapping: used } = latestAudit(tx) === snapshot.mark ? snapshot.planned : checked(planImport(tx, reviewId, file.name, bytes, mapping));
    const reason = (at: Located) => `imported from ${file.name}, ${at.sheet} row ${at.row}`;
    const now = () => new Date().toISOString();
    const write = bulkWriter(db, actor);

    const outcomeIds = new Map(listOutcomes(tx, reviewId).map((o) => [o.name.toLowerCase(), o.id]));
    let position = tx.select({ last: max(outcomes.position) }).from(outcomes).where(eq(outcomes.reviewId, reviewId)).get()?.last ?? 0;
    for (const o of newOutcomes) {
      const row = tx.insert(outcomes).values({ ...o, reviewId, position: ++position }).returning().get();
      outcomeIds.set(o.name.toLowerCase(), row.id);
      recordAudit(tx, actor, { reviewId, entity: "outcome", entityId: row.id, action: "create", changes: diffRows({}, o), reason: `imported from ${file.name}` });
    }
    const characteristicIds = new Map<string, number>();
    let cPosition = tx.select({ last: max(characteristics.position) }).from(characteristics).where(eq(characteristics.reviewId, reviewId)).get()?.last ?? 0;
    for (const c of newCharacteristics) {
      const { header, fromSetup: _fromSetup, ...definition } = c;
      const row = tx
        .insert(characteristics)
        .values({ ...definition, reviewId, position: ++cPosition })
        .returning()
        .get();
      characteristicIds.set(`new:${header}`, row.id);
      recordAudit(tx, actor, { reviewId, entity: "characteristic", entityId: row.id, action: "create", changes: diffRows({}, definition), reason: `imported from ${file.name}` });
    }
    const idOf = (ref: CharacteristicRef) => (ref.kind === "existing" ? ref.id : characteristicIds.get(refKey(ref))!);

    let studyPosition = tx.select({ last: max(studies.position) }).from(studies).where(eq(studies.reviewId, reviewId)).get()?.last ?? 0;
    const counts: ImportResult = { studiesCreated: 0, studiesUpdated: 0, armsCreated: 0, valuesCreated: 0, valuesUpdated: 0, outcomesCreated: newOutcomes.length, characteristicsCreated: newCharacteristics.length, writeMs: 0 };
    for (const action of actions) {
      const first = action.draft.rows[0]!;
      let study = action.existing;
      const fields = Object.fromEntries(action.fieldChanges) as Partial<StudyRow>;
      const characteristicAudit = action.characteristicChanges.map((c) => ({ field: `${c.label} (c:${idOf(c.ref)})`, oldValue: c.from, newValue: c.to }));
      if (!study) {
        study = write.study({ ...fields, reviewId, position: ++studyPosition });
        write.created(reviewId, "study", study.id, { ...fields, ...Object.fromEntries(characteristicAudit.map((c) => [c.field, c.newValue])) }, reason(first));
        counts.studiesCreated += 1;
      } else if (action.fieldChanges.length > 0 || action.characteristicChanges.length > 0) {
        const before = study;
        study = tx
          .update(studies)
          .set({ ...fields, version: sql`${studies.version} + 1`, updatedAt: now() })
          .where(eq(studies.id, study.id))
          .returning()
          .get();
        recordAudit(tx, actor, { reviewId, entity: "study", entityId: study.id, action: "update", changes: [...diffRows(before, study), ...characteristicAudit], reason: reason(first) });
        counts.studiesUpdated += 1;
      }
      for (const c of action.characteristicChanges) write.characteristicValue(study.id, idOf(c.ref), c.to);
      const armIds = new Map(action.existing ? write.armsOf(study.id).map((a) => [a.label.toLowerCase(), a.id]) : []);
      for (const arm of action.newArms) {
        const id = write.arm(study.id, arm.kind!, arm.label);
        armIds.set(arm.label.toLowerCase(), id);
        write.created(reviewId, "arm", id, { study: study.id, kind: arm.kind, label: arm.label }, reason(arm.at));
        counts.armsCreated += 1;
      }
      for (const link of action.controlLinks) {
        const armId = armIds.get(link.armLabel.toLowerCase())!;
        const controlArmId = link.controlLabel ? armIds.get(link.controlLabel.toLowerCase())! : null;
        tx.update(arms)
          .set({ controlArmId, version: sql`${arms.version} + 1` })
          .where(eq(arms.id, armId))
          .run();
        recordAudit(tx, actor, { reviewId, entity: "arm", entityId: armId, action: "update", changes: [{ field: "controlArmId", oldValue: link.existing?.controlArmId ?? null, newValue: controlArmId }], reason: `imported from ${file.name}` });
      }
      for (const v of action.values) {
        const armId = armIds.get(v.armLabel.toLowerCase())!;
        const outcomeId = outcomeIds.get(v.outcome.toLowerCase())!;
        const columns = valueColumns(v.draft, v.existing);
        if (v.kind === "create") {
          const id = write.measurement({ ...columns, armId, outcomeId, day: v.draft.day });
          // One audit entry per imported row: the whole new value, with its study (so the study's history finds it).
          write.created(reviewId, "measurement", id, { study: study.id, arm: v.armLabel, armId, outcomeId, day: v.draft.day, ...columns }, reason(v.draft.at));
          counts.valuesCreated += 1;
        } else {
          const before = v.existing!;
          const row = tx
            .update(measurements)
            .set({ ...columns, version: sql`${measurements.version} + 1`, updatedAt: now() })
            .where(eq(measurements.id, before.id))
            .returning()
            .get();
          recordAudit(tx, actor, { reviewId, entity: "measurement", entityId: row.id, action: "update", changes: diffRows(before, row), reason: reason(v.draft.at) });
          counts.valuesUpdated += 1;
        }
      }
    }
    // The mapping is remembered for the next file of this layout (a preference: no version, but audited).
    const review = getReview(tx, reviewId);
    const remembered = { ...review.importMapping, ...Object.fromEntries(Object.entries(used).filter(([, target]) => target !== "new")) };
    if (JSON.stringify(remembered) !== JSON.stringify(review.importMapping)) {
      tx.update(reviews).set({ importMapping: remembered }).where(eq(reviews.id, reviewId)).run();
      recordAudit(tx, actor, { reviewId, entity: "review", entityId: reviewId, action: "update", changes: [{ field: "importMapping", oldValue: review.importMapping, newValue: remembered }] });
    }
    return counts;
  });
  result.writeMs = Math.round(performance.now() - writeStarted);
  publishReviewChange(reviewId, "import", actor.displayName);
  return result;
}

/**
 * The import's inserts as prepared statements on the transaction's connection: a 50 000-row file means some 60 000
 * rows and 700 000 audit rows, and building each through the query builder costs about a millisecond
 * (npm run bench:import). Plain INSERTs, valid in PostgreSQL too.
 */
function bulkWriter(db: Db, actor: Actor) {
  const client = db.$client;
  const columnOf = getTableColumns(studies);
  const insertArm = client.prepare("insert into arms (study_id, kind, label, created_at, version) values (?, ?, ?, ?, 1) returning id");
  const selectArms = client.prepare("select id, label from arms where study_id = ?");
  const insertValue = client.prepare(
    `insert into measurements (arm_id, outcome_id, day, mean, error_type, error_value, ci_lower, ci_upper, n, data_source, source_detail, is_example_data, created_at, updated_at, version)
     values (@armId, @outcomeId, @day, @mean, @errorType, @errorValue, @ciLower, @ciUpper, @n, @dataSource, @sourceDetail, @isExampleData, @at, @at, 1) returning id`,
  );
  const insertAudit = client.prepare(
    "insert into audit_log (at, user_id, user_name, review_id, entity, entity_id, action, field, old_value, new_value, reason) values (@at, @userId, @userName, @reviewId, @entity, @entityId, @action, @field, @oldValue, @newValue, @reason)",
  );
  const upsertCharacteristic = client.prepare(
    "insert into characteristic_values (study_id, characteristic_id, value, updated_at) values (?, ?, ?, ?) on conflict (study_id, characteristic_id) do update set value = excluded.value, updated_at = excluded.updated_at",
  );
  const deleteCharacteristic = client.prepare("delete from characteristic_values where study_id = ? and characteristic_id = ?");
  const studyInserts = new Map<string, Statement>();
  return {
    arm: (studyId: number, kind: string, label: string) => (insertArm.get(studyId, kind, label, new Date().toISOString()) as { id: number }).id,
    armsOf: (studyId: number) => selectArms.all(studyId) as { id: number; label: string }[],
    measurement: (v: Omit<typeof measurements.$inferInsert, "createdAt" | "updatedAt" | "version">) =>
      (insertValue.get({ ...v, errorValue: v.errorValue ?? null, ciLower: v.ciLower ?? null, ciUpper: v.ciUpper ?? null, isExampleData: v.isExampleData ? 1 : 0, at: new Date().toISOString() }) as { id: number }).id,
    /** A new row's audit entry: one audit row holding all its values (as a deletion holds the row it removed). */
    created: (reviewId: number, entity: string, entityId: number, values: Record<string, unknown>, reason: string) =>
      insertAudit.run({ at: new Date().toISOString(), userId: actor.id, userName: actor.displayName, reviewId, entity, entityId, action: "create", field: null, oldValue: null, newValue: JSON.stringify(values), reason }),
    study: (values: Partial<StudyRow> & { reviewId: number; position: number }): StudyRow => {
      const at = new Date().toISOString();
      const row = { ...values, createdAt: at, updatedAt: at } as Record<string, unknown>;
      const keys = Object.keys(row).filter((k) => row[k] !== undefined && k in columnOf);
      const signature = keys.join(",");
      let statement = studyInserts.get(signature);
      if (!statement) {
        statement = client.prepare(`insert into studies (${keys.map((k) => columnOf[k as keyof typeof columnOf].name).join(", ")}) values (${keys.map(() => "?").join(", ")}) returning id`);
        studyInserts.set(signature, statement);
      }
      const { id } = statement.get(...keys.map((k) => row[k])) as { id: number };
      return { id } as StudyRow;
    },
    characteristicValue: (studyId: number, characteristicId: number, value: CharacteristicValue | null) => {
      if (value === null) deleteCharacteristic.run(studyId, characteristicId);
      else upsertCharacteristic.run(studyId, characteristicId, JSON.stringify(value), new Date().toISOString());
    },
  };
}
