"use client";
import { useMemo, useRef, useState, type ReactNode } from "react";
import { ExampleBadge } from "@/app/_components/example-badge";
import { ScrollBox } from "@/app/_components/scroll-box";
import { fmt, fmtP, fmtPercent } from "@/app/_lib/format";
import type { StudyResult } from "@/server/analysis/types";
import type { ReviewAnalysis, StudyInputRow } from "@/server/services/analysis";
import { CsvDownload, ChartDownloads } from "./download-buttons";
import { effectAxis, favoursLabels, fmtEffect, fmtEffectCi, measureInfo } from "./effect-scale";
import { ForestDrawing, textColumnWidth, type ForestColumn, type ForestRow, type RobJudgment } from "./forest-drawing";
import { Pager, pageSlice } from "@/app/_components/pager";

/**
 * Maps; draws nothing itself. Turns a review analysis (`runReviewAnalysis`) into the rows, columns and text lines
 * of a RevMan-style forest plot — arm data, weights, subtotals, heterogeneity and test wording — and hands them to
 * `ForestDrawing` (`forest-drawing.tsx`). Also the wording helpers the other plots share (model label, p values).
 */

export type ForestSort = "input" | "year" | "effect" | "weight" | "name";
export const forestSorts: { value: ForestSort; label: string }[] = [
  { value: "input", label: "Table 1 order" },
  { value: "year", label: "Year" },
  { value: "effect", label: "Effect" },
  { value: "weight", label: "Weight" },
  { value: "name", label: "Name" },
];

/** Optional SYRCLE columns: per study id, the consensus judgment of each domain (null: not decided). */
export type RobColumns = { domains: string[]; byStudy: Record<string, RobJudgment[]> };

type ArmColumns = Pick<StudyInputRow, "m1" | "sd1" | "n1" | "m2" | "sd2" | "n2" | "mSham">;
/** One forest row: the engine's per-comparison result, with the arm data and labels the table columns show. */
type StudyLine = StudyResult & ArmColumns & { studyId: number | null; label: string; year: number | null; day: number | null; group: string; example: boolean };
const noArms: ArmColumns = { m1: null, sd1: null, n1: null, m2: null, sd2: null, n2: null, mSham: null };

/** A control group's size as analysed: n, or for a control shared by c comparisons "n/c (n of c)" as n/c. */
const controlN = (l: Pick<StudyLine, "n2" | "sharedControl">): number | null => l.sharedControl?.n2Used ?? l.n2;
const fmtCount = (n: number | null) => (n === null ? "—" : Number.isInteger(n) ? String(n) : fmt(n, 1));
/** The Total column of the control: "6 (12/2)" when 12 control animals are shared by 2 comparisons. */
const controlTotalText = (l: Pick<StudyLine, "n2" | "sharedControl">) =>
  l.sharedControl ? `${fmtCount(l.sharedControl.n2Used)} (${l.sharedControl.n2Entered}/${l.sharedControl.comparisons})` : fmtCount(l.n2);

/** The model as RevMan names it in the plot header, e.g. "IV, Random (REML, HK), 95% CI". */
export function modelLabel(
  settings: Pick<ReviewAnalysis["settings"], "model" | "level" | "tau2Method" | "ciMethod">,
  modelSelection: { chosen: "fixed" | "random" } | null | undefined,
): string {
  const model = modelSelection?.chosen ?? (settings.model === "auto" ? "fixed" : settings.model);
  const level = `${fmt(settings.level * 100, settings.level * 100 === Math.round(settings.level * 100) ? 0 : 1)}% CI`;
  if (model === "fixed") return `IV, Fixed, ${level}`;
  return `IV, Random (${settings.tau2Method}${settings.ciMethod === "hk" ? ", HK" : ""}), ${level}`;
}

export function chosenModel(analysis: Pick<ReviewAnalysis, "settings" | "result">): "fixed" | "random" {
  return analysis.result.modelSelection?.chosen ?? (analysis.settings.model === "random" ? "random" : "fixed");
}

export function studyLines(analysis: ReviewAnalysis): StudyLine[] {
  const inputById = new Map(analysis.inputs.map((s) => [s.id, s]));
  return analysis.result.studies.map((s) => {
    const input = inputById.get(s.id);
    const arms: ArmColumns = input ? { m1: input.m1, sd1: input.sd1, n1: input.n1, m2: input.m2, sd2: input.sd2, n2: input.n2, mSham: input.mSham } : noArms;
    return {
      ...s,
      ...arms,
      studyId: input?.studyId ?? null,
      label: analysis.labels[s.id] ?? input?.label ?? s.id,
      year: input?.year ?? null,
      day: input?.day ?? null,
      group: input?.group ?? "Unspecified",
      example: input?.isExampleData ?? false,
    };
  });
}

function sortLines(lines: StudyLine[], sort: ForestSort): StudyLine[] {
  if (sort === "input") return lines;
  const key: Record<Exclude<ForestSort, "input">, (a: StudyLine, b: StudyLine) => number> = {
    year: (a, b) => (a.year ?? Infinity) - (b.year ?? Infinity) || a.label.localeCompare(b.label),
    effect: (a, b) => a.yi - b.yi,
    weight: (a, b) => b.weight - a.weight,
    name: (a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }),
  };
  return [...lines].sort(key[sort]);
}

const sum = (values: (number | null)[]) => values.reduce<number>((s, v) => s + (v ?? 0), 0);

/**
 * The heterogeneity line as RevMan prints it: Chi² (Cochran's Q), df, p and I² for both models, and τ² only under
 * random effects (a fixed-effect model assumes τ² = 0, so printing it would say nothing).
 */
export function heterogeneityText(h: { tau2: number; Q: number; df: number; I2: number | null; pValue?: number | null }, model: "fixed" | "random"): string {
  const p = h.pValue === undefined ? "" : ` (p ${fmtP(h.pValue).startsWith("<") ? fmtP(h.pValue) : `= ${fmtP(h.pValue)}`})`;
  const tau2 = model === "random" ? `τ² = ${fmt(h.tau2, 2)}; ` : "";
  return `Heterogeneity: ${tau2}Chi² = ${fmt(h.Q, 2)}, df = ${h.df}${p}; I² = ${fmtPercent(h.I2, 0)}`;
}

export const pText = (p: number | null | undefined) => (fmtP(p).startsWith("<") ? `p ${fmtP(p)}` : `p = ${fmtP(p)}`);

export function overallTestText(pooled: NonNullable<ReviewAnalysis["result"]["pooled"]>): string {
  const stat = pooled.df !== undefined ? `t(${pooled.df}) = ${fmt(pooled.statistic)}` : `z = ${fmt(pooled.statistic)}`;
  return `Test for overall effect: ${stat} (${pText(pooled.pValue)})`;
}

const PAGE_SIZES = [25, 50, 100, 0] as const;
/** The plot column's width in the report (the page's is 380): with RevMan's columns it keeps the chart near 900 px. */
const PRINTED_PLOT_WIDTH = 260;

type BodyRow = { row: ForestRow; group: string | null };

/** One chart's rows: a part that starts inside a subgroup repeats the subgroup's name; then the pooled rows. */
function chartRows(body: readonly BodyRow[], footer: readonly ForestRow[]): ForestRow[] {
  const out = body.map((b) => b.row);
  const first = body[0];
  if (first && first.group !== null && first.row.kind !== "heading") out.unshift({ kind: "heading", key: `hc:${first.group}`, text: `${first.group} (continued)` });
  return [...out, ...footer];
}

/**
 * The forest plot of a review's analysis (RevMan / R `meta` layout): study rows with the arm data, effect, CI
 * and weight; squares sized by weight; pooled diamond(s), prediction interval, heterogeneity and tests beneath.
 * In subgroup mode, studies are grouped with a diamond and heterogeneity line per subgroup, and the test for
 * subgroup differences. Long reviews are paginated (the pooled rows stay on every page).
 */
export function ForestPlot({
  analysis,
  subgroupLabel,
  higherIsBetter,
  rob,
  basename,
  extraControls,
  printed,
}: {
  analysis: ReviewAnalysis;
  subgroupLabel: string | null;
  higherIsBetter: boolean;
  rob?: RobColumns;
  basename: string;
  extraControls?: ReactNode;
  /**
   * The report's fixed-size mode: no controls and no scroll box, every row drawn, split into charts of at most
   * `rowsPerChart` study rows (a printed page cannot hold a taller SVG; each part repeats the header and its axis,
   * the pooled rows end the last), with a narrower plot column so that the whole table fits a page's width.
   */
  printed?: { rowsPerChart: number };
}) {
  const [sort, setSort] = useState<ForestSort>("input");
  // Choosing a subgroup variable shows the subgroups; "All studies" is one click away.
  const [grouped, setGrouped] = useState(true);
  const [pageSize, setPageSize] = useState<number>(50);
  const [page, setPage] = useState(0);
  const container = useRef<HTMLDivElement>(null);
  const { result, settings } = analysis;
  const measure = settings.measure;
  const canGroup = result.subgroups !== null && subgroupLabel !== null;
  const isGrouped = grouped && canGroup;
  const model = chosenModel(analysis);
  const lines = useMemo(() => sortLines(studyLines(analysis), sort), [analysis, sort]);
  const anyShared = lines.some((l) => l.sharedControl);
  const studyWidth = useMemo(() => textColumnWidth(lines.map((l) => l.label), { extra: lines.some((l) => l.example) ? 50 : 0, min: 170, max: 330 }), [lines]);
  const level = `${fmt(settings.level * 100, settings.level * 100 === Math.round(settings.level * 100) ? 0 : 1)}%`;

  const built = useMemo(() => {
    const maxWeight = Math.max(...lines.map((l) => l.weight), 1e-9);
    const studyRow = (l: StudyLine): ForestRow => ({
      kind: "study",
      key: `s:${l.id}`,
      studyId: l.id,
      estimate: l.yi,
      lower: l.ciLower,
      upper: l.ciUpper,
      size: l.weight / maxWeight,
      example: l.example,
      rob: l.studyId === null ? undefined : rob?.byStudy[String(l.studyId)],
      cells: {
        study: l.label,
        m1: fmt(l.m1),
        sd1: fmt(l.sd1),
        n1: l.n1 === null ? "—" : String(l.n1),
        m2: fmt(l.m2),
        sd2: fmt(l.sd2),
        n2: controlTotalText(l),
        ref: fmt(l.mSham),
        effect: fmtEffectCi(l.yi, l.ciLower, l.ciUpper, measure),
        weight: fmtPercent(l.weight, 1),
      },
    });
    const body: BodyRow[] = [];
    if (isGrouped && result.subgroups) {
      for (const g of result.subgroups.groups) {
        const members = lines.filter((l) => l.group === g.name);
        body.push({ row: { kind: "heading", key: `h:${g.name}`, text: g.name }, group: null });
        for (const l of members) body.push({ row: studyRow(l), group: g.name });
        body.push({
          row: {
            kind: "diamond",
            tone: "subtotal",
            key: `d:${g.name}`,
            estimate: g.estimate,
            lower: g.ciLower,
            upper: g.ciUpper,
            cells: {
              study: `Subtotal (${level} CI)`,
              n1: String(sum(members.map((m) => m.n1))),
              n2: fmtCount(sum(members.map(controlN))),
              effect: fmtEffectCi(g.estimate, g.ciLower, g.ciUpper, measure),
              weight: fmtPercent(sum(members.map((m) => m.weight)), 1),
            },
          },
          group: g.name,
        });
        body.push({ row: { kind: "note", key: `hn:${g.name}`, text: heterogeneityText({ tau2: g.tau2, Q: g.Q, df: Math.max(g.k - 1, 0), I2: g.I2, pValue: g.QpValue }, model) }, group: g.name });
        body.push({ row: { kind: "note", key: `tn:${g.name}`, text: `Test for overall effect: ${pText(g.pValue)}` }, group: g.name });
        body.push({ row: { kind: "gap", key: `gap:${g.name}` }, group: g.name });
      }
    } else {
      for (const l of lines) body.push({ row: studyRow(l), group: null });
    }
    const footer: ForestRow[] = [{ kind: "gap", key: "gap:total" }];
    if (result.pooled) {
      footer.push({
        kind: "diamond",
        tone: "total",
        key: "d:total",
        estimate: result.pooled.estimate,
        lower: result.pooled.ciLower,
        upper: result.pooled.ciUpper,
        cells: {
          study: `Total (${level} CI)`,
          n1: String(sum(lines.map((m) => m.n1))),
          n2: fmtCount(sum(lines.map(controlN))),
          effect: fmtEffectCi(result.pooled.estimate, result.pooled.ciLower, result.pooled.ciUpper, measure),
          weight: fmtPercent(100, 1),
        },
      });
      if (result.prediction)
        footer.push({
          kind: "prediction",
          key: "pi",
          lower: result.prediction.lower,
          upper: result.prediction.upper,
          cells: { study: "Prediction interval", effect: `[${fmtEffect(result.prediction.lower, measure)}, ${fmtEffect(result.prediction.upper, measure)}]` },
        });
      if (result.heterogeneity) footer.push({ kind: "note", key: "het", text: heterogeneityText(result.heterogeneity, model) });
      if (lines.some((l) => l.sharedControl))
        footer.push({ kind: "note", key: "shared", text: "Control Total “n (N/c)”: N control animals shared by c comparisons of one study, each analysed with n = N/c (Vesterinen et al. 2014)." });
      footer.push({ kind: "note", key: "overall", text: overallTestText(result.pooled) });
      if (isGrouped && result.subgroups)
        footer.push({
          kind: "note",
          key: "subgroups",
          text: `Test for subgroup differences: Q = ${fmt(result.subgroups.Qbetween)}, df = ${result.subgroups.df} (${pText(result.subgroups.pValue)})`,
        });
    }
    return { body, footer };
  }, [lines, isGrouped, result, measure, level, rob, model]);

  const { items: pageBody, pageCount, current } = pageSlice(built.body, pageSize, page);
  const rows = useMemo(() => chartRows(pageBody, built.footer), [pageBody, built.footer]);
  const printedParts = useMemo(() => {
    if (!printed) return [];
    // Parts of equal length (not full parts and a stub): 45 rows print as 23 + 22, not 40 + 5.
    const parts = Math.max(1, Math.ceil(built.body.length / printed.rowsPerChart));
    const size = Math.ceil(built.body.length / parts);
    return Array.from({ length: parts }, (_, i) => chartRows(built.body.slice(i * size, (i + 1) * size), i === parts - 1 ? built.footer : []));
  }, [printed, built]);

  const axis = useMemo(
    () =>
      effectAxis(
        lines.map((l) => ({ lower: l.ciLower, upper: l.ciUpper })),
        [result.pooled?.ciLower, result.pooled?.ciUpper, result.prediction?.lower, result.prediction?.upper, ...(isGrouped ? (result.subgroups?.groups.flatMap((g) => [g.ciLower, g.ciUpper]) ?? []) : [])],
        measure,
      ),
    [lines, result, measure, isGrouped],
  );

  const left: ForestColumn[] = useMemo(
    () => [
      { key: "study", header: isGrouped ? "Study or subgroup" : "Study", width: studyWidth },
      { key: "m1", header: "Mean", width: 52, align: "end", group: "Treated" },
      { key: "sd1", header: "SD", width: 46, align: "end", group: "Treated" },
      { key: "n1", header: "Total", width: 42, align: "end", group: "Treated" },
      { key: "m2", header: "Mean", width: 52, align: "end", group: "Control" },
      { key: "sd2", header: "SD", width: 46, align: "end", group: "Control" },
      { key: "n2", header: "Total", width: anyShared ? 70 : 42, align: "end", group: "Control" },
      // NMD's reference: the sham arm's mean that day, or the outcome's normal value.
      ...(measure === "NMD" ? [{ key: "ref", header: "Sham", width: 46, align: "end", group: "Control" } satisfies ForestColumn] : []),
    ],
    [isGrouped, anyShared, measure, studyWidth],
  );
  const right: ForestColumn[] = useMemo(
    () => [
      { key: "effect", header: `${measureInfo[measure].short} [${level} CI]`, width: 150, align: "end" },
      { key: "weight", header: "Weight", width: 58, align: "end" },
    ],
    [measure, level],
  );
  const favours: [string, string] = useMemo(() => favoursLabels(measure, higherIsBetter), [measure, higherIsBetter]);
  const references = useMemo(() => (result.pooled ? [{ x: result.pooled.estimate, color: "#64748b" }] : []), [result.pooled]);
  const description = result.pooled
    ? `Forest plot of ${result.k} studies, ${measureInfo[measure].name}, ${modelLabel(settings, result.modelSelection)}: pooled ${fmtEffectCi(result.pooled.estimate, result.pooled.ciLower, result.pooled.ciUpper, measure)}.`
    : "Forest plot: no study can be analysed.";

  const csvHeader = ["study", "study_id", "year", "day", "subgroup", "example_data", "m1", "sd1", "n1", "m2", "sd2", "n2", "yi", "se", "ci_lower", "ci_upper", "weight_percent", "comparison_id", "n2_used", "control_shared_by", "m_sham"];
  const csvRows = () =>
    lines.map((l) => [l.label, l.studyId, l.year, l.day, l.group, l.example, l.m1, l.sd1, l.n1, l.m2, l.sd2, l.n2, l.yi, l.se, l.ciLower, l.ciUpper, l.weight, l.id, controlN(l), l.sharedControl?.comparisons ?? 1, l.mSham]);

  if (printed) {
    const plotHeader: [string, string] = [measureInfo[measure].name, modelLabel(settings, result.modelSelection)];
    return (
      <div className="report-forest space-y-2" data-testid="forest-plot">
        {printedParts.map((partRows, i) => (
          <figure key={i} className="report-figure" data-report-chart="forest">
            <ForestDrawing
              ariaLabel={printedParts.length > 1 ? `Forest plot, part ${i + 1} of ${printedParts.length}` : "Forest plot"}
              description={description}
              left={left}
              right={right}
              rows={partRows}
              axis={axis}
              plotHeader={plotHeader}
              plotWidth={PRINTED_PLOT_WIDTH}
              favours={favours}
              references={references}
              robDomains={rob?.domains}
            />
            {printedParts.length > 1 && <figcaption className="text-xs text-slate-600">Part {i + 1} of {printedParts.length}{i < printedParts.length - 1 ? "; continued on the next part" : ""}.</figcaption>}
          </figure>
        ))}
      </div>
    );
  }

  return (
    <div className="space-y-2">
      <div className="no-print flex flex-wrap items-center gap-3 text-sm">
        <label className="flex items-center gap-1">
          <span>Sort by</span>
          <select className="rounded border border-slate-300 bg-white px-1 py-0.5" value={sort} onChange={(e) => setSort(e.target.value as ForestSort)}>
            {forestSorts.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <div role="group" aria-label="Rows of the forest plot" className="inline-flex overflow-hidden rounded border border-slate-300">
          <button type="button" aria-pressed={!isGrouped} className={`px-2 py-0.5 ${!isGrouped ? "bg-slate-800 text-white" : "bg-white"}`} onClick={() => setGrouped(false)}>
            All studies
          </button>
          <button
            type="button"
            aria-pressed={isGrouped}
            disabled={!canGroup}
            title={canGroup ? undefined : "Choose a subgroup variable with at least two groups in the settings"}
            className={`border-l border-slate-300 px-2 py-0.5 disabled:text-slate-500 ${isGrouped ? "bg-slate-800 text-white" : "bg-white"}`}
            onClick={() => {
              setGrouped(true);
              setPage(0);
            }}
          >
            By subgroup{subgroupLabel ? ` (${subgroupLabel})` : ""}
          </button>
        </div>
        <label className="flex items-center gap-1">
          <span>Rows per page</span>
          <select
            className="rounded border border-slate-300 bg-white px-1 py-0.5"
            value={pageSize}
            onChange={(e) => {
              setPageSize(Number(e.target.value));
              setPage(0);
            }}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n === 0 ? "All" : n}
              </option>
            ))}
          </select>
        </label>
        {extraControls}
        <span className="ml-auto flex items-center gap-2">
          <ChartDownloads container={container} chartLabel="Forest plot" basename={basename} />
          <CsvDownload tableLabel="Forest plot data" basename={`${basename}-data`} header={csvHeader} rows={csvRows} />
        </span>
      </div>
      <ScrollBox label="Forest plot">
        <div ref={container} className="w-max min-w-full" data-testid="forest-plot">
          <ForestDrawing
            ariaLabel="Forest plot"
            description={description}
            left={left}
            right={right}
            rows={rows}
            axis={axis}
            plotHeader={[measureInfo[measure].name, modelLabel(settings, result.modelSelection)]}
            plotWidth={380}
            favours={favours}
            references={references}
            robDomains={rob?.domains}
          />
        </div>
      </ScrollBox>
      {pageCount > 1 && <Pager label="Forest plot pages" page={current} pageCount={pageCount} onPage={setPage} />}
    </div>
  );
}

/** Studies the analysis left out, each with its reason (no data at this time point, n < 2, SD missing…). */
export function ExcludedList({ analysis }: { analysis: Pick<ReviewAnalysis, "excluded" | "labels"> }) {
  if (analysis.excluded.length === 0) return null;
  return (
    <div className="rounded border border-slate-200 bg-white p-3 text-sm">
      <h3 className="font-medium">Not analysed ({analysis.excluded.length})</h3>
      <ul className="mt-1 list-disc pl-5" data-testid="excluded-studies">
        {analysis.excluded.map((e) => (
          <li key={e.id}>
            {analysis.labels[e.id] ?? `Study ${e.id}`}: {e.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The example-data notice beside a plot whose studies use invented values. */
export function ExampleNotice({ count }: { count: number }) {
  if (count === 0) return null;
  return (
    <p className="text-xs text-amber-950">
      <ExampleBadge /> {count} {count === 1 ? "study uses" : "studies use"} example values invented for the demo; they are marked in the plot.
    </p>
  );
}
