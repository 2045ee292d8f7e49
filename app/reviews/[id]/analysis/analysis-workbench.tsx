"use client";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { memo, useDeferredValue, useMemo, useState } from "react";
import { measureInfo, fmtEffect } from "@/app/_components/charts/effect-scale";
import { ExampleNotice, ExcludedList, ForestPlot, chosenModel, heterogeneityText, overallTestText, pText, type RobColumns } from "@/app/_components/charts/analysis-forest-plot";
import { FunnelPlot } from "@/app/_components/charts/funnel-plot";
import { Cumulative, LeaveOneOut } from "@/app/_components/charts/sensitivity";
import { TimepointComparisonView } from "@/app/_components/charts/timepoints";
import { fmt } from "@/app/_lib/format";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useLiveReview } from "@/app/_lib/use-live-review";
import { useTRPC } from "@/app/_trpc/client";
import { robDomains } from "@/server/schemas/risk-of-bias";
import { studyFieldLabels, type StudyField } from "@/server/schemas/study";
import { defaultAnalysisSettings, type AnalysisSettings } from "@/server/schemas/analysis-settings";
import type { ReviewAnalysis, TimepointComparison } from "@/server/services/analysis";
import { MethodsNote, MetaRegressionSection, RiskOfBiasSection, StratifiedSection, TimeCourseSection } from "./preclinical-sections";
import { SavedAnalysesBar } from "./saved-analyses-bar";
import { SettingsPanel } from "./settings-panel";
import { changedSettings, searchFor, settingsFromSearch } from "./url-settings";

const sectionClass = "space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm";

/**
 * The analysis screen: settings, the pooled result, forest and funnel plots, sensitivity analyses and the first
 * vs last time point. Every number comes from the analysis module through `analysis.run` / `analysis.timepoints`;
 * everyone's edits arrive over SSE (useLiveReview) and the charts redraw in place, the previous result staying on
 * screen while the next one is fetched.
 */
export function AnalysisWorkbench({ reviewId, isLead }: { reviewId: number; isLead: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const [lastChange, setLastChange] = useState<{ by: string; at: string } | null>(null);
  useLiveReview(reviewId, (by) => setLastChange({ by, at: new Date().toLocaleTimeString("en-GB") }));
  const saved = useQuery(trpc.analyses.list.queryOptions({ reviewId }, { placeholderData: keepPreviousData }));
  const outcomes = useQuery(trpc.outcomes.list.queryOptions({ reviewId }, { placeholderData: keepPreviousData }));
  const characteristics = useQuery(trpc.characteristics.list.queryOptions({ reviewId }, { placeholderData: keepPreviousData }));

  // What the page shows: the chosen saved analysis (the first by default), changed by what the address says.
  const savedList = saved.data ?? [];
  const requestedId = Number(search.get("analysis"));
  const selected = savedList.find((a) => a.id === requestedId) ?? savedList[0] ?? null;
  const base = useMemo(
    () => selected?.settings ?? { ...defaultAnalysisSettings, outcomeId: outcomes.data?.[0]?.id ?? null },
    [selected, outcomes.data],
  );
  const settings = useMemo(() => settingsFromSearch(search, base), [search, base]);
  const changed = changedSettings(settings, base);
  const navigate = (next: AnalysisSettings, savedId: number | null) => {
    const query = searchFor(next, savedId === null ? base : (savedList.find((a) => a.id === savedId)?.settings ?? base), savedId).toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  };

  const change = (patch: Partial<AnalysisSettings>) => navigate({ ...settings, ...patch }, selected?.id ?? null);
  const queryClient = useQueryClient();
  const ready = saved.data !== undefined && outcomes.data !== undefined;
  const runOptions = trpc.analysis.run.queryOptions({ reviewId, settings, cumulative: "year" }, { placeholderData: keepPreviousData, enabled: ready });
  const run = useQuery(runOptions);
  // Fetched after the main result (also after each live change), so that the forest plot does not wait for the
  // two extra analyses of the side-by-side view: they would travel in the same HTTP batch otherwise.
  const timepointOptions = trpc.analysis.timepoints.queryOptions({ reviewId, settings }, { enabled: run.data !== undefined, placeholderData: keepPreviousData });
  const timepoints = useQuery({
    ...timepointOptions,
    queryFn: async (context) => {
      await queryClient.fetchQuery(runOptions).catch(() => undefined);
      return timepointOptions.queryFn!(context);
    },
  });
  // The forest plot and the pooled estimate redraw first; the other charts follow in a non-blocking render.
  const later = useDeferredValue(run.data);
  const laterTimepoints = useDeferredValue(timepoints.data);
  // SYRCLE consensus judgments beside the forest plot's rows, on request.
  const [showRob, setShowRob] = useState(false);
  const rob = useQuery(trpc.riskOfBias.figureData.queryOptions({ reviewId, source: "consensus" }, { enabled: showRob, placeholderData: keepPreviousData }));
  const robColumns: RobColumns | undefined = useMemo(
    () => (showRob && rob.data ? { domains: robDomains.map((d) => d.code), byStudy: Object.fromEntries(rob.data.studies.map((s) => [String(s.studyId), s.judgments])) } : undefined),
    [showRob, rob.data],
  );

  const analysis = run.data;
  const basename = `review-${reviewId}`;
  const outcomeName = outcomes.data?.find((o) => o.id === settings.outcomeId)?.name ?? outcomes.data?.[0]?.name ?? "Outcome";
  if (outcomes.data && outcomes.data.length === 0)
    return (
      <div className="space-y-2">
        <h1 className="text-2xl font-semibold">Analysis</h1>
        <p className="rounded border border-slate-200 bg-white p-3 text-slate-700">
          This review has no outcome yet.{" "}
          <Link className="text-blue-800 underline" href={`/reviews/${reviewId}/setup`}>
            Define one on Set-up
          </Link>{" "}
          and enter values on the study pages; the pooled result appears here as they arrive.
        </p>
      </div>
    );
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 className="text-2xl font-semibold">Analysis</h1>
        <nav aria-label="Analysis sections" className="flex flex-wrap gap-3 text-sm">
          {[
            ["#forest", "Forest plot"],
            ["#funnel", "Funnel plot"],
            ["#sensitivity", "Sensitivity"],
            ["#stratified", "Stratified"],
            ["#meta-regression", "Meta-regression"],
            ["#time-course", "Time course"],
            ["#risk-of-bias-sensitivity", "Risk of bias"],
            ["#timepoints", "First vs last"],
          ].map(([href, label]) => (
            <a key={href} href={href} className="text-blue-800 underline">
              {label}
            </a>
          ))}
        </nav>
        <p className="ml-auto text-xs text-slate-600" aria-live="polite" data-testid="live-status">
          {run.isFetching ? "Updating…" : lastChange ? `Live: updated at ${lastChange.at} after a change by ${lastChange.by}` : "Live: follows everyone's edits"}
        </p>
      </div>

      <section aria-labelledby="settings-title" className="space-y-3 rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
        <h2 id="settings-title" className="font-semibold">
          Analysis settings
        </h2>
        <SavedAnalysesBar
          reviewId={reviewId}
          saved={savedList}
          selected={selected}
          changed={changed}
          settings={settings}
          suggestedTitle={suggestTitle(settings, outcomeName, subgroupLabelOf(settings.subgroupField, characteristics.data ?? []))}
          isLead={isLead}
          onSelect={(id) => navigate(savedList.find((a) => a.id === id)?.settings ?? base, id)}
          onReset={() => router.replace(selected ? `${pathname}?analysis=${selected.id}` : pathname, { scroll: false })}
        />
        <SettingsPanel settings={settings} outcomes={outcomes.data ?? []} characteristics={characteristics.data ?? []} onChange={(patch) => navigate({ ...settings, ...patch }, selected?.id ?? null)} />
      </section>

      {run.error && !analysis && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-red-800">
          The analysis could not be loaded: {errorMessage(run.error)}
        </p>
      )}
      {!analysis && !run.error && <p className="text-slate-600">Running the analysis…</p>}

      {analysis && (
        <>
          <PooledResult analysis={analysis} />
          <MethodsNote settings={analysis.settings} />
          <section id="forest" aria-labelledby="forest-title" className={sectionClass}>
            <h2 id="forest-title" className="text-lg font-semibold">
              Forest plot
            </h2>
            <ExampleNotice count={analysis.inputs.filter((s) => s.isExampleData).length} />
            <ForestPlot
              analysis={analysis}
              subgroupLabel={analysis.subgroupLabel?.toLowerCase() ?? null}
              higherIsBetter={analysis.outcome?.higherIsBetter ?? true}
              basename={`${basename}-forest-plot`}
              rob={robColumns}
              extraControls={
                <label className="flex items-center gap-1">
                  <input type="checkbox" checked={showRob} onChange={(e) => setShowRob(e.target.checked)} />
                  Risk of bias (SYRCLE consensus)
                </label>
              }
            />
            {showRob && rob.error && (
              <p role="alert" className="text-sm text-red-700">
                Risk of bias could not be loaded: {errorMessage(rob.error)}
              </p>
            )}
            {robColumns && (
              <p className="text-xs text-slate-700" data-testid="rob-legend">
                Risk of bias, SYRCLE consensus judgments: <strong>+</strong> low, <strong>?</strong> unclear, <strong>−</strong> high, empty circle: not decided yet.{" "}
                {robDomains.map((d) => `${d.code} ${d.name.toLowerCase()}`).join("; ")}.
              </p>
            )}
            <ExcludedList analysis={analysis} />
            {analysis.hiddenFromBlindReader.length > 0 && (
              <p role="note" className="text-sm text-amber-900" data-testid="blind-reading-notice">
                You are reading {analysis.hiddenFromBlindReader.join(", ")} blind: the values another reader took from{" "}
                {analysis.hiddenFromBlindReader.length === 1 ? "it" : "them"} are left out of your analysis until your reading is complete.
              </p>
            )}
          </section>
        </>
      )}

      {later && <LaterSections analysis={later} basename={basename} />}
      {later && (
        <>
          <StratifiedSection analysis={later} definitions={characteristics.data ?? []} onChange={change} basename={basename} />
          <MetaRegressionSection analysis={later} definitions={characteristics.data ?? []} onChange={change} basename={basename} />
        </>
      )}
      {ready && (
        <>
          <TimeCourseSection reviewId={reviewId} settings={settings} basename={basename} />
          <RiskOfBiasSection reviewId={reviewId} settings={settings} onChange={change} basename={basename} />
        </>
      )}
      <TimepointsSection data={laterTimepoints} error={timepoints.error} basename={basename} />
    </div>
  );
}

/**
 * The charts drawn after the forest plot: memoised, so that the urgent render of a new result (forest plot and
 * pooled estimate) skips them; they redraw in the deferred render that follows.
 */
const LaterSections = memo(function LaterSections({ analysis, basename }: { analysis: ReviewAnalysis; basename: string }) {
  return (
    <>
      <section id="funnel" aria-labelledby="funnel-title" className={sectionClass}>
        <h2 id="funnel-title" className="text-lg font-semibold">
          Funnel plot and small-study effects
        </h2>
        <FunnelPlot analysis={analysis} basename={`${basename}-funnel-plot`} />
      </section>
      <section id="sensitivity" aria-labelledby="sensitivity-title" className={sectionClass}>
        <h2 id="sensitivity-title" className="text-lg font-semibold">
          Sensitivity analyses
        </h2>
        <h3 className="font-medium">Leave-one-out</h3>
        <LeaveOneOut analysis={analysis} basename={basename} />
        <h3 className="pt-2 font-medium">Cumulative meta-analysis by year</h3>
        <Cumulative analysis={analysis} basename={basename} />
      </section>
    </>
  );
});

const TimepointsSection = memo(function TimepointsSection({ data, error, basename }: { data: TimepointComparison | undefined; error: unknown; basename: string }) {
  return (
    <section id="timepoints" aria-labelledby="timepoints-title" className={sectionClass}>
      <h2 id="timepoints-title" className="text-lg font-semibold">
        First vs last time point
      </h2>
      <p className="text-sm text-slate-700">As in the seed paper, each study contributes its earliest and its latest day with both a treated and a control value.</p>
      {data ? (
        <TimepointComparisonView data={data} basename={basename} />
      ) : error ? (
        <p role="alert" className="text-red-700">
          {errorMessage(error)}
        </p>
      ) : (
        <p className="text-sm text-slate-600">Running both analyses…</p>
      )}
    </section>
  );
});

function subgroupLabelOf(field: string, characteristics: { id: number; label: string }[]): string | null {
  if (!field) return null;
  if (field.startsWith("c:")) return characteristics.find((c) => `c:${c.id}` === field)?.label ?? null;
  return studyFieldLabels[field as StudyField] ?? null;
}

/** A title for a new saved analysis, as RevMan words them: "BBB locomotor score, last time point, by exosome source". */
function suggestTitle(s: AnalysisSettings, outcome: string, subgroup: string | null): string {
  const when = s.timepoint === "day" ? `day ${s.day}` : `${s.timepoint} time point`;
  const model = s.model === "random" ? `, random effects (${s.tau2Method})` : s.model === "fixed" ? ", fixed effect" : "";
  const arms = s.combineTreatedArms ? ", treated arms combined" : "";
  const risk = s.lowRiskDomain === "" ? "" : s.lowRiskDomain === "all" ? ", low risk of bias in every domain" : `, low risk of bias in ${s.lowRiskDomain}`;
  return `${outcome}, ${when}${s.measure !== "MD" ? `, ${s.measure}` : ""}${model}${arms}${risk}${subgroup ? `, by ${subgroup.toLowerCase()}` : ""}`;
}

/** "studies", or "comparisons from 8 studies" when some study contributes several treated arms. */
function comparisonsText(analysis: ReviewAnalysis): string {
  const studies = new Set(analysis.inputs.filter((i) => analysis.result.studies.some((s) => s.id === i.id)).map((i) => i.studyId)).size;
  return studies < analysis.result.k ? `comparisons from ${studies} studies` : "studies";
}

const timepointText = (s: ReviewAnalysis["settings"]) => (s.timepoint === "day" ? `day ${fmt(s.day, 0)}` : s.timepoint === "first" ? "first time point (per study)" : "last time point (per study)");

/** The pooled estimate as text (data-testid="pooled-estimate"), the model and why, heterogeneity, k. */
function PooledResult({ analysis }: { analysis: ReviewAnalysis }) {
  const { result, settings, excluded, outcome } = analysis;
  const pooled = result.pooled;
  const measure = settings.measure;
  const level = `${fmt(settings.level * 100, settings.level * 100 === Math.round(settings.level * 100) ? 0 : 1)}%`;
  const model = chosenModel(analysis);
  return (
    <section aria-label="Pooled result" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <div className="flex flex-wrap items-baseline gap-x-6 gap-y-1">
        <h2 className="text-lg font-semibold">Pooled result</h2>
        <span className="text-sm text-slate-700">
          {outcome?.name ?? "No outcome"}, {timepointText(settings)}, {measureInfo[measure].name}
        </span>
      </div>
      {pooled ? (
        <div className="tabular mt-1 space-y-0.5">
          <p className="text-xl" data-testid="pooled-estimate" data-estimate={pooled.estimate} data-ci-lower={pooled.ciLower} data-ci-upper={pooled.ciUpper}>
            <strong>
              {measureInfo[measure].short} {fmtEffect(pooled.estimate, measure)}
            </strong>{" "}
            ({level} CI {fmtEffect(pooled.ciLower, measure)} to {fmtEffect(pooled.ciUpper, measure)}), {pText(pooled.pValue)}
          </p>
          <p className="text-sm">
            {model === "fixed" ? "Fixed-effect model (inverse variance)" : `Random-effects model, τ² by ${settings.tau2Method}${settings.ciMethod === "hk" ? ", Hartung-Knapp interval" : ""}`}
            {result.modelSelection && <span data-testid="model-selection"> — {result.modelSelection.reason}</span>}
          </p>
          <p className="text-sm text-slate-700">
            k = {result.k} {comparisonsText(analysis)}{excluded.length > 0 ? `, ${excluded.length} not analysed (listed under the forest plot)` : ""}.{" "}
            {result.heterogeneity && heterogeneityText(result.heterogeneity, model)}. {overallTestText(pooled)}.
            {result.prediction && ` Prediction interval (t, k − 2 df) ${fmtEffect(result.prediction.lower, measure)} to ${fmtEffect(result.prediction.upper, measure)}.`}
          </p>
        </div>
      ) : (
        <p className="mt-1 text-slate-700" data-testid="pooled-estimate">
          No study can be analysed with these settings{excluded.length > 0 ? ` (${excluded.length} not analysed: see the list below)` : ""}.
        </p>
      )}
    </section>
  );
}
