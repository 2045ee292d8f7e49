"use client";
import { useMemo, useRef, useState } from "react";
import { fmt, fmtP, fmtPercent } from "@/app/_lib/format";
import { significanceChange } from "@/app/_lib/analysis-methods";
import { ScrollBox } from "@/app/_components/scroll-box";
import type { CumulativeStep, LeaveOneOutResult } from "@/server/analysis/types";
import type { ReviewAnalysis } from "@/server/services/analysis";
import { DataTable, type TableColumn } from "./data-table";
import { ChartDownloads } from "./download-buttons";
import { effectAxis, favoursLabels, fmtEffectCi, measureInfo } from "./effect-scale";
import { ForestDrawing, textColumnWidth, type ForestColumn, type ForestRow } from "./forest-drawing";
import { modelLabel } from "./analysis-forest-plot";
import { Pager, pageSlice } from "@/app/_components/pager";

const levelText = (level: number) => `${fmt(level * 100, level * 100 === Math.round(level * 100) ? 0 : 1)}%`;


/** What the leave-one-out and cumulative plots share: effect, p and I² columns, the axis, and the pooled line. */
function refitPlotProps(
  lines: readonly { ciLower: number; ciUpper: number }[],
  result: ReviewAnalysis["result"],
  settings: ReviewAnalysis["settings"],
  measure: ReviewAnalysis["settings"]["measure"],
  higherIsBetter: boolean,
) {
  return {
    right: [
      { key: "effect", header: `${measureInfo[measure].short} [${levelText(settings.level)} CI]`, width: 150, align: "end" },
      { key: "p", header: "p", width: 60, align: "end" },
      { key: "I2", header: "I²", width: 48, align: "end" },
    ] satisfies ForestColumn[],
    axis: effectAxis(
      lines.map((l) => ({ lower: l.ciLower, upper: l.ciUpper })),
      [result.pooled?.ciLower, result.pooled?.ciUpper],
      measure,
    ),
    plotHeader: [measureInfo[measure].name, modelLabel(settings, result.modelSelection)] as [string, string],
    reference: result.pooled?.estimate ?? null,
    favours: favoursLabels(measure, higherIsBetter),
  };
}

type LooLine = LeaveOneOutResult & { label: string; changes: string | null };

/**
 * Leave-one-out: the model refitted without each study in turn (the engine's `leaveOneOut`). A study whose
 * removal moves the pooled effect across the chosen significance level is flagged, in the plot and the table.
 */
export function LeaveOneOut({ analysis, basename }: { analysis: ReviewAnalysis; basename: string }) {
  const { result, settings, labels } = analysis;
  const measure = settings.measure;
  const alpha = 1 - settings.level;
  const overallP = result.pooled?.pValue;
  const lines: LooLine[] = useMemo(
    () => result.leaveOneOut.map((l) => ({ ...l, label: labels[l.id] ?? l.id, changes: significanceChange(overallP, l.pValue, alpha) })),
    [result.leaveOneOut, labels, alpha, overallP],
  );
  const flagged = lines.filter((l) => l.changes);
  const columns: TableColumn<LooLine>[] = [
    { key: "omitted", header: "Study omitted", cell: (l) => l.label, csv: (l) => l.label },
    { key: "estimate", header: `${measureInfo[measure].short} [${levelText(settings.level)} CI]`, cell: (l) => fmtEffectCi(l.estimate, l.ciLower, l.ciUpper, measure), csv: (l) => l.estimate, numeric: true },
    { key: "ci_lower", header: "CI lower", cell: () => null, csv: (l) => l.ciLower, csvOnly: true },
    { key: "ci_upper", header: "CI upper", cell: () => null, csv: (l) => l.ciUpper, csvOnly: true },
    { key: "p", header: "p", cell: (l) => fmtP(l.pValue), csv: (l) => l.pValue, numeric: true },
    { key: "tau2", header: "τ²", cell: (l) => fmt(l.tau2, 3), csv: (l) => l.tau2, numeric: true },
    { key: "I2", header: "I²", cell: (l) => fmtPercent(l.I2, 1), csv: (l) => l.I2, numeric: true },
    { key: "Q", header: "Q", cell: (l) => fmt(l.Q), csv: (l) => l.Q, numeric: true },
    { key: "changes_significance", header: "Changes significance?", cell: (l) => (l.changes ? <strong className="text-amber-900">{l.changes}</strong> : "no"), csv: (l) => l.changes !== null },
  ];

  const rows = (page: LooLine[]): ForestRow[] => [
    ...page.map(
      (l): ForestRow => ({
        kind: "study",
        key: l.id,
        studyId: l.id,
        estimate: l.estimate,
        lower: l.ciLower,
        upper: l.ciUpper,
        size: null,
        flag: l.changes ?? undefined,
        cells: { label: `Omitting ${l.label}`, effect: fmtEffectCi(l.estimate, l.ciLower, l.ciUpper, measure), p: fmtP(l.pValue), I2: fmtPercent(l.I2, 0) },
      }),
    ),
    ...(result.pooled
      ? [
          { kind: "gap", key: "gap" } as ForestRow,
          {
            kind: "diamond",
            tone: "total",
            key: "all",
            estimate: result.pooled.estimate,
            lower: result.pooled.ciLower,
            upper: result.pooled.ciUpper,
            cells: { label: "All studies", effect: fmtEffectCi(result.pooled.estimate, result.pooled.ciLower, result.pooled.ciUpper, measure), p: fmtP(result.pooled.pValue), I2: fmtPercent(result.heterogeneity?.I2, 0) },
          } as ForestRow,
        ]
      : []),
  ];

  if (lines.length === 0) return <p className="text-sm text-slate-700">Leave-one-out needs at least 2 studies.</p>;
  return (
    <div className="space-y-3">
      <p className="text-sm" data-testid="leave-one-out-summary">
        {flagged.length === 0
          ? `No single study changes the significance of the pooled effect at the ${levelText(settings.level)} level.`
          : `Removing ${flagged.map((l) => l.label).join(", ")} changes the significance of the pooled effect at the ${levelText(settings.level)} level.`}
      </p>
      <PagedIntervalPlot
        ariaLabel="Leave-one-out plot"
        basename={`${basename}-leave-one-out`}
        description={`Leave-one-out analysis: the pooled ${measureInfo[measure].name} with each of ${lines.length} studies omitted in turn.`}
        items={lines}
        rows={rows}
        left={[{ key: "label", header: "Study omitted", width: textColumnWidth(lines.map((l) => `Omitting ${l.label}`), { min: 220, max: 340 }) }]}
        {...refitPlotProps(lines, result, settings, measure, analysis.outcome?.higherIsBetter ?? true)}
      />
      <DataTable label="Leave-one-out table" basename={`${basename}-leave-one-out`} columns={columns} rows={lines} rowKey={(l) => l.id} highlight={(l) => l.changes !== null} />
    </div>
  );
}

type CumulativeLine = CumulativeStep & { label: string };

/** Cumulative meta-analysis by year of publication (the engine's `cumulativeAnalysis`, order "year"). */
export function Cumulative({ analysis, basename }: { analysis: ReviewAnalysis; basename: string }) {
  const { result, settings, labels } = analysis;
  const measure = settings.measure;
  const lines: CumulativeLine[] = useMemo(() => (result.cumulative ?? []).map((s) => ({ ...s, label: labels[s.id] ?? s.id })), [result.cumulative, labels]);
  if (lines.length === 0) return <p className="text-sm text-slate-700">No study can be analysed yet.</p>;
  const columns: TableColumn<CumulativeLine>[] = [
    { key: "added", header: "Study added", cell: (l) => l.label, csv: (l) => l.label },
    { key: "year", header: "Year", cell: (l) => l.year ?? "—", csv: (l) => l.year, numeric: true },
    { key: "k", header: "k", cell: (l) => l.k, csv: (l) => l.k, numeric: true },
    { key: "estimate", header: `${measureInfo[measure].short} [${levelText(settings.level)} CI]`, cell: (l) => fmtEffectCi(l.estimate, l.ciLower, l.ciUpper, measure), csv: (l) => l.estimate, numeric: true },
    { key: "p", header: "p", cell: (l) => fmtP(l.pValue), csv: (l) => l.pValue, numeric: true },
    { key: "tau2", header: "τ²", cell: (l) => fmt(l.tau2, 3), csv: (l) => l.tau2, numeric: true },
    { key: "I2", header: "I²", cell: (l) => fmtPercent(l.I2, 1), csv: (l) => l.I2, numeric: true },
    { key: "ci_lower", header: "CI lower", cell: () => null, csv: (l) => l.ciLower, csvOnly: true },
    { key: "ci_upper", header: "CI upper", cell: () => null, csv: (l) => l.ciUpper, csvOnly: true },
  ];
  const rows = (page: CumulativeLine[]): ForestRow[] =>
    page.map((l) => ({
      kind: "study",
      key: `${l.k}:${l.id}`,
      studyId: l.id,
      estimate: l.estimate,
      lower: l.ciLower,
      upper: l.ciUpper,
      size: null,
      cells: { label: `+ ${l.label}`, k: String(l.k), effect: fmtEffectCi(l.estimate, l.ciLower, l.ciUpper, measure), p: fmtP(l.pValue), I2: fmtPercent(l.I2, 0) },
    }));
  return (
    <div className="space-y-3">
      <PagedIntervalPlot
        ariaLabel="Cumulative meta-analysis plot"
        basename={`${basename}-cumulative`}
        description={`Cumulative meta-analysis by year: the pooled ${measureInfo[measure].name} as each of ${lines.length} studies is added in order of publication.`}
        items={lines}
        rows={rows}
        left={[
          { key: "label", header: "Adding (by year)", width: textColumnWidth(lines.map((l) => `+ ${l.label}`), { min: 200, max: 320 }) },
          { key: "k", header: "k", width: 36, align: "end" },
        ]}
        {...refitPlotProps(lines, result, settings, measure, analysis.outcome?.higherIsBetter ?? true)}
      />
      <DataTable label="Cumulative meta-analysis table" basename={`${basename}-cumulative`} columns={columns} rows={lines} rowKey={(l) => `${l.k}:${l.id}`} />
    </div>
  );
}

/** A forest-type plot of many intervals, 50 rows a page, downloadable as SVG/PNG. */
export function PagedIntervalPlot<T>(props: {
  ariaLabel: string;
  basename: string;
  description: string;
  items: readonly T[];
  rows: (page: T[]) => ForestRow[];
  left: ForestColumn[];
  right: ForestColumn[];
  axis: ReturnType<typeof effectAxis>;
  plotHeader: [string, string];
  reference: number | null;
  plotWidth?: number;
  /** "Favours" labels under the axis (see `favoursLabels`). */
  favours?: [string, string];
}) {
  const [page, setPage] = useState(0);
  const container = useRef<HTMLDivElement>(null);
  const { items, pageCount, current } = pageSlice(props.items, 50, page);
  return (
    <div className="space-y-1">
      <div className="flex items-center">
        <span className="ml-auto">
          <ChartDownloads container={container} chartLabel={props.ariaLabel} basename={props.basename} />
        </span>
      </div>
      <ScrollBox label={props.ariaLabel}>
        <div ref={container} className="w-max min-w-full">
          <ForestDrawing
            ariaLabel={props.ariaLabel}
            description={props.description}
            left={props.left}
            right={props.right}
            rows={props.rows(items)}
            axis={props.axis}
            plotHeader={props.plotHeader}
            plotWidth={props.plotWidth ?? 360}
            references={props.reference === null ? [] : [{ x: props.reference, color: "#64748b" }]}
            favours={props.favours}
          />
        </div>
      </ScrollBox>
      {pageCount > 1 && <Pager label={`${props.ariaLabel} pages`} page={current} pageCount={pageCount} onPage={setPage} />}
    </div>
  );
}
