"use client";
import { useMemo } from "react";
import { ExampleBadge } from "@/app/_components/example-badge";
import { fmtPercent } from "@/app/_lib/format";
import type { TimepointComparison } from "@/server/services/analysis";
import { DataTable, type TableColumn } from "./data-table";
import { effectAxis, favoursLabels, fmtEffectCi, measureInfo, type EffectAxis } from "./effect-scale";
import { textColumnWidth, type ForestRow } from "./forest-drawing";
import { heterogeneityText, modelLabel, overallTestText } from "./analysis-forest-plot";
import { PagedIntervalPlot } from "./sensitivity";

type Side = TimepointComparison["first"];

const title = { first: "First time point", last: "Last time point" } as const;

function plotRows(side: Side, page: Side["studies"]): ForestRow[] {
  const measure = side.settings.measure;
  const maxWeight = Math.max(...side.studies.map((s) => s.weight), 1e-9);
  const rows: ForestRow[] = page.map((s) => ({
    kind: "study",
    key: s.id,
    studyId: s.id,
    estimate: s.yi,
    lower: s.ciLower,
    upper: s.ciUpper,
    size: s.weight / maxWeight,
    example: s.isExampleData,
    cells: { label: s.label, day: s.day === null ? "—" : String(s.day), effect: fmtEffectCi(s.yi, s.ciLower, s.ciUpper, measure), weight: fmtPercent(s.weight, 1) },
  }));
  if (side.pooled)
    rows.push(
      { kind: "gap", key: "gap" },
      {
        kind: "diamond",
        tone: "total",
        key: "total",
        estimate: side.pooled.estimate,
        lower: side.pooled.ciLower,
        upper: side.pooled.ciUpper,
        cells: { label: "Total", effect: fmtEffectCi(side.pooled.estimate, side.pooled.ciLower, side.pooled.ciUpper, measure), weight: "100.0%" },
      },
    );
  return rows;
}

function Panel({ side, axis, basename }: { side: Side; axis: EffectAxis; basename: string }) {
  const measure = side.settings.measure;
  const pooled = side.pooled;
  const examples = side.studies.filter((s) => s.isExampleData).length;
  return (
    <section aria-label={title[side.timepoint]} className="min-w-0 space-y-2 rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
      <h3 className="font-medium">
        {title[side.timepoint]}
        {examples > 0 && <ExampleBadge />}
      </h3>
      {pooled ? (
        <div className="tabular text-sm" data-testid={`pooled-${side.timepoint}`}>
          <p>
            <strong>
              {measureInfo[measure].short} {fmtEffectCi(pooled.estimate, pooled.ciLower, pooled.ciUpper, measure)}
            </strong>{" "}
            ({modelLabel(side.settings, side.modelSelection)}), k = {side.k}
            {side.excluded.length > 0 && `, ${side.excluded.length} not analysed`}
          </p>
          {side.heterogeneity && <p className="text-slate-700">{heterogeneityText(side.heterogeneity, side.modelSelection?.chosen ?? (side.settings.model === "random" ? "random" : "fixed"))}</p>}
          <p className="text-slate-700">{overallTestText(pooled)}</p>
          {side.modelSelection && <p className="text-slate-700">{side.modelSelection.reason}</p>}
        </div>
      ) : (
        <p className="text-sm text-slate-700">No study can be analysed at this time point.</p>
      )}
      <PagedIntervalPlot
        ariaLabel={`Forest plot, ${title[side.timepoint].toLowerCase()}`}
        basename={`${basename}-${side.timepoint}`}
        description={`Per-study effects at the ${side.timepoint} time point and their pooled estimate.`}
        items={side.studies}
        rows={(page) => plotRows(side, page)}
        left={[
          { key: "label", header: "Study", width: textColumnWidth(side.studies.map((s) => s.label), { extra: examples > 0 ? 50 : 0, min: 165, max: 300 }) },
          { key: "day", header: "Day", width: 36, align: "end" },
        ]}
        right={[
          { key: "effect", header: `${measureInfo[measure].short} [CI]`, width: 140, align: "end" },
          { key: "weight", header: "Weight", width: 58, align: "end" },
        ]}
        axis={axis}
        plotHeader={[measureInfo[measure].name, modelLabel(side.settings, side.modelSelection)]}
        reference={pooled?.estimate ?? null}
        plotWidth={190}
        favours={favoursLabels(measure, side.outcome?.higherIsBetter ?? true)}
      />
    </section>
  );
}

type Joined = { id: string; label: string; first: Side["studies"][number] | undefined; last: Side["studies"][number] | undefined };

/** The pooled result at the first and at the last time point, side by side (the seed paper reports both). */
export function TimepointComparisonView({ data, basename }: { data: TimepointComparison; basename: string }) {
  const measure = data.last.settings.measure;
  const axis = useMemo(
    () =>
      effectAxis(
        [...data.first.studies, ...data.last.studies].map((s) => ({ lower: s.ciLower, upper: s.ciUpper })),
        [data.first.pooled?.ciLower, data.first.pooled?.ciUpper, data.last.pooled?.ciLower, data.last.pooled?.ciUpper],
        measure,
      ),
    [data, measure],
  );
  const joined: Joined[] = useMemo(() => {
    const ids = [...new Set([...data.first.studies.map((s) => s.id), ...data.last.studies.map((s) => s.id)])];
    const first = new Map(data.first.studies.map((s) => [s.id, s]));
    const last = new Map(data.last.studies.map((s) => [s.id, s]));
    return ids.map((id) => ({ id, label: data.last.labels[id] ?? data.first.labels[id] ?? id, first: first.get(id), last: last.get(id) }));
  }, [data]);
  const columns: TableColumn<Joined>[] = [
    { key: "study", header: "Study", cell: (j) => j.label, csv: (j) => j.label },
    { key: "first_day", header: "First: day", cell: (j) => j.first?.day ?? "—", csv: (j) => j.first?.day, numeric: true },
    { key: "first_effect", header: `First: ${measureInfo[measure].short} [CI]`, cell: (j) => (j.first ? fmtEffectCi(j.first.yi, j.first.ciLower, j.first.ciUpper, measure) : "—"), csv: (j) => j.first?.yi, numeric: true },
    { key: "first_ci_lower", header: "", cell: () => null, csv: (j) => j.first?.ciLower, csvOnly: true },
    { key: "first_ci_upper", header: "", cell: () => null, csv: (j) => j.first?.ciUpper, csvOnly: true },
    { key: "last_day", header: "Last: day", cell: (j) => j.last?.day ?? "—", csv: (j) => j.last?.day, numeric: true },
    { key: "last_effect", header: `Last: ${measureInfo[measure].short} [CI]`, cell: (j) => (j.last ? fmtEffectCi(j.last.yi, j.last.ciLower, j.last.ciUpper, measure) : "—"), csv: (j) => j.last?.yi, numeric: true },
    { key: "last_ci_lower", header: "", cell: () => null, csv: (j) => j.last?.ciLower, csvOnly: true },
    { key: "last_ci_upper", header: "", cell: () => null, csv: (j) => j.last?.ciUpper, csvOnly: true },
  ];
  return (
    <div className="space-y-3">
      <div className="grid gap-4 xl:grid-cols-2">
        <Panel side={data.first} axis={axis} basename={basename} />
        <Panel side={data.last} axis={axis} basename={basename} />
      </div>
      <DataTable label="First and last time point by study" basename={`${basename}-timepoints`} columns={columns} rows={joined} rowKey={(j) => j.id} />
    </div>
  );
}
