"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useId, type ReactNode } from "react";
import { BubblePlot } from "@/app/_components/charts/bubble-plot";
import { DataTable, type TableColumn } from "@/app/_components/charts/data-table";
import { favoursLabels, fmtEffect, fmtEffectCi, measureInfo } from "@/app/_components/charts/effect-scale";
import { heterogeneityText, pText } from "@/app/_components/charts/analysis-forest-plot";
import { TimeCourseView } from "@/app/_components/charts/time-course";
import { heterogeneityMethods, NMD_METHOD, SHARED_CONTROL_METHOD, STRATIFIED_METHOD } from "@/app/_lib/analysis-methods";
import { fmt, fmtP, fmtPercent } from "@/app/_lib/format";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import type { AnalysisSettings } from "@/server/schemas/analysis-settings";
import { moderatorChoices, stratumChoices } from "@/server/schemas/analysis-variables";
import type { ReviewAnalysis } from "@/server/services/analysis";
import type { RiskOfBiasSensitivity } from "@/server/services/preclinical-analysis";

/**
 * The preclinical sections of the analysis page (issue 13): how I² and the prediction interval are computed,
 * stratified analyses with adjusted p-values, meta-regression with its bubble plot, the time course, and the
 * sensitivity analysis by risk of bias. Every number is the analysis module's, from `analysis.run`,
 * `analysis.timeCourse` and `analysis.riskOfBias`; the choices (strata, moderators, restriction) live in the
 * settings, hence in the page's address and in saved analyses.
 */

type Definition = { id: number; label: string; type: "text" | "number" | "single" | "multiple" | "boolean"; unit: string };
const sectionClass = "space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm";
const levelText = (level: number) => `${fmt(level * 100, level * 100 === Math.round(level * 100) ? 0 : 1)}%`;

/** How the numbers on this page are defined (the report prints the same sentences). */
export function MethodsNote({ settings }: { settings: AnalysisSettings }) {
  return (
    <details className="rounded border border-slate-200 bg-white p-3 text-sm text-slate-800" data-testid="methods-note">
      <summary className="cursor-pointer font-medium">How I², the prediction interval and the preclinical corrections are computed</summary>
      <p className="mt-2">{heterogeneityMethods(levelText(settings.level))}</p>
      <p className="mt-1">{SHARED_CONTROL_METHOD}</p>
      {settings.measure === "NMD" && <p className="mt-1">{NMD_METHOD}</p>}
    </details>
  );
}

/** A list of checkboxes that edits one list setting (strata, moderators). */
function KeyPicker({ legend, choices, value, onChange, max }: { legend: string; choices: { value: string; label: string }[]; value: string[]; onChange: (next: string[]) => void; max: number }) {
  const full = value.length >= max;
  return (
    <fieldset className="rounded border border-slate-200 p-2 text-sm">
      <legend className="px-1 text-xs font-medium text-slate-700">
        {legend} (at most {max})
      </legend>
      <div className="flex flex-wrap gap-x-4 gap-y-1">
        {choices.map((c) => {
          const checked = value.includes(c.value);
          return (
            <label key={c.value} className="flex items-center gap-1">
              <input
                type="checkbox"
                checked={checked}
                disabled={!checked && full}
                onChange={(e) => onChange(e.target.checked ? [...value, c.value] : value.filter((v) => v !== c.value))}
              />
              {c.label}
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

type StratRow = NonNullable<ReviewAnalysis["stratified"]>["stratifications"][number];

/** Several subgroup variables at once: the test for subgroup differences of each, p adjusted by Bonferroni and Holm. */
export function StratifiedSection({ analysis, definitions, onChange, basename }: { analysis: ReviewAnalysis; definitions: Definition[]; onChange: (patch: Partial<AnalysisSettings>) => void; basename: string }) {
  const { settings, stratified } = analysis;
  const measure = settings.measure;
  const labelOf = (key: string) => analysis.variableLabels[key] ?? key;
  const columns: TableColumn<StratRow>[] = [
    { key: "variable", header: "Stratified by", cell: (r) => labelOf(r.name), csv: (r) => labelOf(r.name) },
    {
      key: "subgroups",
      header: `Subgroups: k, ${measureInfo[measure].short} [${levelText(settings.level)} CI]`,
      cell: (r) =>
        r.subgroups ? (
          <ul className="space-y-0.5">
            {r.subgroups.groups.map((g) => (
              <li key={g.name}>
                {g.name}: k = {g.k}, {fmtEffectCi(g.estimate, g.ciLower, g.ciUpper, measure)}
              </li>
            ))}
          </ul>
        ) : (
          "fewer than two subgroups"
        ),
      csv: (r) => r.subgroups?.groups.map((g) => `${g.name}: k=${g.k}, ${g.estimate} [${g.ciLower}, ${g.ciUpper}]`).join("; ") ?? "",
    },
    { key: "Q", header: "Q between (df)", cell: (r) => (r.Qbetween === null ? "—" : `${fmt(r.Qbetween)} (${r.df})`), csv: (r) => r.Qbetween, numeric: true },
    { key: "df", header: "df", cell: () => null, csv: (r) => r.df, csvOnly: true },
    { key: "p", header: "p", cell: (r) => fmtP(r.pValue), csv: (r) => r.pValue, numeric: true },
    { key: "p_bonferroni", header: "p (Bonferroni)", cell: (r) => fmtP(r.pBonferroni), csv: (r) => r.pBonferroni, numeric: true },
    { key: "p_holm", header: "p (Holm)", cell: (r) => fmtP(r.pHolm), csv: (r) => r.pHolm, numeric: true },
  ];
  return (
    <section id="stratified" aria-labelledby="stratified-title" className={sectionClass}>
      <h2 id="stratified-title" className="text-lg font-semibold">
        Stratified analyses
      </h2>
      <KeyPicker legend="Stratify by" choices={stratumChoices(definitions)} value={settings.strata} max={12} onChange={(strata) => onChange({ strata })} />
      {stratified ? (
        <>
          <p className="text-sm text-slate-700" data-testid="stratified-summary">
            {stratified.tests} {stratified.tests === 1 ? "test" : "tests"} for subgroup differences, each in a {stratified.model === "random" ? "random-effects" : "fixed-effect"} model; p adjusted for {stratified.tests}.
          </p>
          <DataTable label="Tests for subgroup differences" basename={`${basename}-stratified`} columns={columns} rows={stratified.stratifications} rowKey={(r) => r.name} />
          <p className="text-xs text-slate-700">{STRATIFIED_METHOD}</p>
        </>
      ) : (
        <p className="text-sm text-slate-700">Choose one or more variables above: each gets its test for subgroup differences.</p>
      )}
    </section>
  );
}

type Coefficient = NonNullable<ReviewAnalysis["result"]["metaRegression"]>["coefficients"][number];

/** Meta-regression on numeric variables: coefficients, QM, QE, residual τ², I², R², and the bubble plot for one moderator. */
export function MetaRegressionSection({ analysis, definitions, onChange, basename }: { analysis: ReviewAnalysis; definitions: Definition[]; onChange: (patch: Partial<AnalysisSettings>) => void; basename: string }) {
  const { settings, result, regression } = analysis;
  const model = result.metaRegression;
  const measure = settings.measure;
  const labelOf = (name: string) => (name === "intrcpt" ? "Intercept" : (analysis.variableLabels[name] ?? name));
  const stat = model?.test === "t" ? `t(${model.QEdf})` : "z";
  const columns: TableColumn<Coefficient>[] = [
    { key: "term", header: "Term", cell: (c) => labelOf(c.name), csv: (c) => labelOf(c.name) },
    { key: "estimate", header: "Estimate", cell: (c) => fmt(c.estimate, 4), csv: (c) => c.estimate, numeric: true },
    { key: "se", header: "SE", cell: (c) => fmt(c.se, 4), csv: (c) => c.se, numeric: true },
    { key: "statistic", header: stat, cell: (c) => fmt(c.statistic), csv: (c) => c.statistic, numeric: true },
    { key: "p", header: "p", cell: (c) => fmtP(c.pValue), csv: (c) => c.pValue, numeric: true },
    { key: "ci", header: `${levelText(settings.level)} CI`, cell: (c) => `${fmt(c.ciLower, 4)} to ${fmt(c.ciUpper, 4)}`, csv: (c) => c.ciLower, numeric: true },
    { key: "ci_upper", header: "", cell: () => null, csv: (c) => c.ciUpper, csvOnly: true },
  ];
  const bubble = regression?.bubble ?? null;
  const bubbleKey = bubble?.key ?? "";
  return (
    <section id="meta-regression" aria-labelledby="meta-regression-title" className={sectionClass}>
      <h2 id="meta-regression-title" className="text-lg font-semibold">
        Meta-regression
      </h2>
      <KeyPicker legend="Meta-regression on" choices={moderatorChoices(definitions)} value={settings.moderators} max={5} onChange={(moderators) => onChange({ moderators })} />
      {!model ? (
        <p className="text-sm text-slate-700">Choose a numeric variable above (dose, timing, year, low-risk domains…): one gives the bubble plot.</p>
      ) : model.problem ? (
        <p role="note" className="rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-950">
          The meta-regression cannot be fitted: {model.problem}
        </p>
      ) : (
        <>
          <div className="tabular space-y-0.5 text-sm" data-testid="meta-regression-summary">
            <p>
              k = {model.k} comparisons; {model.tau2 !== null && (result.modelSelection?.chosen ?? settings.model) !== "fixed" ? `residual τ² = ${fmt(model.tau2, 4)}` : "fixed-effect model"}
              {model.I2 !== undefined && `, residual I² = ${fmtPercent(model.I2, 1)}`}
              {model.R2 !== undefined && `, R² = ${fmtPercent(model.R2, 1)}`}.
            </p>
            <p>
              Test of moderators: {model.QM === null ? "no moderator left to test" : model.QMdf2 !== null ? `F(${model.QMdf1}, ${model.QMdf2}) = ${fmt(model.QM)}, ${pText(model.QMp)}` : `QM = ${fmt(model.QM)}, df = ${model.QMdf1}, ${pText(model.QMp)}`}.
            </p>
            <p>
              Residual heterogeneity: QE = {fmt(model.QE)}, df = {model.QEdf}, {pText(model.QEp)}.
            </p>
          </div>
          <DataTable label="Meta-regression coefficients" basename={`${basename}-meta-regression`} columns={columns} rows={model.coefficients} rowKey={(c) => c.name} />
          {model.dropped.length > 0 && <p className="text-sm text-amber-900">Left out of the model: {model.dropped.map((d) => `${labelOf(d.name)} (${d.reason})`).join("; ")}.</p>}
          {(regression?.doseUnits.length ?? 0) > 1 && (
            <p role="note" className="rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-950">
              The doses are in {regression!.doseUnits.length} units ({regression!.doseUnits.join(", ")}): the regression treats them as one scale. Convert them to one unit first.
            </p>
          )}
          {bubble ? (
            <BubblePlot
              points={bubble.points.map((p) => ({ ...p, label: analysis.labels[p.id] ?? p.id, example: analysis.inputs.find((i) => i.id === p.id)?.isExampleData ?? false }))}
              line={bubble.line}
              xLabel={labelOf(bubbleKey)}
              measure={measure}
              favours={favoursLabels(measure, analysis.outcome?.higherIsBetter ?? true)}
              basename={`${basename}-bubble-plot`}
              description={`Bubble plot: ${measureInfo[measure].name} of ${bubble.points.length} comparisons against ${labelOf(bubbleKey)}, circle areas by weight, with the fitted line ${fmtEffect(model.coefficients[0]?.estimate, measure)} + ${fmt(model.coefficients[1]?.estimate, 4)} × x and its ${levelText(settings.level)} confidence band.`}
            />
          ) : (
            settings.moderators.length > 1 && <p className="text-sm text-slate-700">The bubble plot shows a model with one moderator.</p>
          )}
        </>
      )}
      {(regression?.excluded.length ?? 0) > 0 && (
        <div className="text-sm">
          <h3 className="font-medium">Not in the meta-regression ({regression!.excluded.length})</h3>
          <ul className="list-disc pl-5" data-testid="meta-regression-excluded">
            {regression!.excluded.map((e) => (
              <li key={e.id}>
                {analysis.labels[e.id] ?? e.id}: {e.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

/** The outcome over time: each comparison's effect by day and the pooled effect per day. */
export function TimeCourseSection({ reviewId, settings, basename }: { reviewId: number; settings: AnalysisSettings; basename: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.analysis.timeCourse.queryOptions({ reviewId, settings }, { placeholderData: keepPreviousData }));
  return (
    <section id="time-course" aria-labelledby="time-course-title" className={sectionClass}>
      <h2 id="time-course-title" className="text-lg font-semibold">
        Time course
      </h2>
      <p className="text-sm text-slate-700">
        Each day after injury with values is analysed on its own: grey points are the comparisons measured that day (joined across days), blue diamonds the pooled effect
        with its confidence interval; k above the plot is the number of comparisons analysed that day. Pick a day for the forest plot with “Time point: a given day”.
      </p>
      <Loaded query={query}>{(data) => <TimeCourseView data={data} basename={basename} />}</Loaded>
    </section>
  );
}

type RobRow = RiskOfBiasSensitivity["rows"][number];

/** The pooled result restricted to studies at low risk of bias in each SYRCLE domain, and in all of them. */
export function RiskOfBiasSection({ reviewId, settings, onChange, basename }: { reviewId: number; settings: AnalysisSettings; onChange: (patch: Partial<AnalysisSettings>) => void; basename: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.analysis.riskOfBias.queryOptions({ reviewId, settings }, { placeholderData: keepPreviousData }));
  const measure = settings.measure;
  const columns = (all: RobRow | undefined): TableColumn<RobRow>[] => [
    { key: "restriction", header: "Studies", cell: (r) => r.label, csv: (r) => r.label },
    { key: "studies", header: "Studies (k comparisons)", cell: (r) => `${r.studies} (${r.k})`, csv: (r) => r.studies, numeric: true },
    { key: "k", header: "", cell: () => null, csv: (r) => r.k, csvOnly: true },
    {
      key: "estimate",
      header: `${measureInfo[measure].short} [${levelText(settings.level)} CI]`,
      cell: (r) => (r.pooled ? fmtEffectCi(r.pooled.estimate, r.pooled.ciLower, r.pooled.ciUpper, measure) : "no study"),
      csv: (r) => r.pooled?.estimate,
      numeric: true,
    },
    { key: "ci_lower", header: "", cell: () => null, csv: (r) => r.pooled?.ciLower, csvOnly: true },
    { key: "ci_upper", header: "", cell: () => null, csv: (r) => r.pooled?.ciUpper, csvOnly: true },
    { key: "p", header: "p", cell: (r) => fmtP(r.pooled?.pValue), csv: (r) => r.pooled?.pValue, numeric: true },
    { key: "I2", header: "I²", cell: (r) => fmtPercent(r.heterogeneity?.I2, 0), csv: (r) => r.heterogeneity?.I2, numeric: true },
    {
      key: "change",
      header: "Change from all studies",
      // On the analysis scale: a difference of MDs, SMDs or NMDs (a ratio of ratios for ROM is not shown).
      cell: (r) => (r.pooled && all?.pooled && r.choice !== "" && measure !== "ROM" ? fmt(r.pooled.estimate - all.pooled.estimate) : "—"),
      csv: (r) => (r.pooled && all?.pooled ? r.pooled.estimate - all.pooled.estimate : null),
      numeric: true,
    },
    {
      key: "show",
      header: "",
      cell: (r) =>
        r.k > 0 && r.choice !== settings.lowRiskDomain ? (
          <button type="button" className="rounded border border-blue-700 px-1 text-xs text-blue-800" onClick={() => onChange({ lowRiskDomain: r.choice })}>
            Show in the forest plot
          </button>
        ) : r.choice === settings.lowRiskDomain ? (
          <span className="text-xs text-slate-600">shown above</span>
        ) : null,
      csv: () => null,
    },
  ];
  return (
    <section id="risk-of-bias-sensitivity" aria-labelledby="rob-sensitivity-title" className={sectionClass}>
      <h2 id="rob-sensitivity-title" className="text-lg font-semibold">
        Sensitivity analysis by risk of bias
      </h2>
      <p className="text-sm text-slate-700">The pooled result of the studies judged at low risk of bias (SYRCLE consensus) in each domain, and in every domain.</p>
      <Loaded query={query}>
        {(data) => (
          <>
            <p className="text-sm text-slate-700" data-testid="rob-sensitivity-summary">
              {data.studiesFullyJudged} of {data.studiesAnalysed} studies analysed have a consensus judgment in every domain; a study without one in a domain is not counted as low risk there.
            </p>
            <DataTable label="Pooled result by risk of bias" basename={`${basename}-risk-of-bias-sensitivity`} columns={columns(data.rows[0])} rows={data.rows} rowKey={(r) => r.choice || "none"} />
            {data.rows[0]?.heterogeneity && <p className="text-xs text-slate-600">All studies: {heterogeneityText(data.rows[0].heterogeneity, data.rows[0].modelSelection?.chosen ?? (settings.model === "random" ? "random" : "fixed"))}.</p>}
          </>
        )}
      </Loaded>
    </section>
  );
}

function Loaded<T>({ query, children }: { query: { data: T | undefined; error: unknown }; children: (data: T) => ReactNode }) {
  const id = useId();
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.error)
    return (
      <p role="alert" id={id} className="text-sm text-red-700">
        {errorMessage(query.error)}
      </p>
    );
  return <p className="text-sm text-slate-600">Running the analyses…</p>;
}
