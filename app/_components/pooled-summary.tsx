import { fmt, fmtCi, fmtP, fmtPercent } from "@/app/_lib/format";
import type { ReviewAnalysis } from "@/server/services/analysis";
import { ExampleBadge } from "./example-badge";

/** One line per time point: the pooled effect, its CI and test, heterogeneity, and what was left out. */
export function PooledSummary({ title, analysis }: { title: string; analysis: ReviewAnalysis }) {
  const { result, settings, excluded, inputs } = analysis;
  const usesExample = inputs.some((s) => s.isExampleData);
  const pooled = result.pooled;
  const level = Math.round(settings.level * 100);
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-label={title}>
      <h3 className="font-medium">
        {title}
        {usesExample && <ExampleBadge />}
      </h3>
      {pooled ? (
        <dl className="tabular mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-slate-600">{settings.measure} ({result.modelSelection ? `${result.modelSelection.chosen}, by the I²/Q rule` : settings.model})</dt>
          <dd>
            <strong>{fmt(pooled.estimate)}</strong> ({level}% CI {fmtCi(pooled.ciLower, pooled.ciUpper)}), p {fmtP(pooled.pValue).startsWith("<") ? fmtP(pooled.pValue) : `= ${fmtP(pooled.pValue)}`}
          </dd>
          <dt className="text-slate-600">Studies</dt>
          <dd>
            k = {result.k}
            {excluded.length > 0 && ` (${excluded.length} not analysed)`}
          </dd>
          <dt className="text-slate-600">Heterogeneity</dt>
          <dd>
            I² = {fmtPercent(result.heterogeneity?.I2, 1)}, Q = {fmt(result.heterogeneity?.Q)} (df {result.heterogeneity?.df ?? "—"}), p {fmtP(result.heterogeneity?.pValue)}
          </dd>
        </dl>
      ) : (
        <p className="mt-2 text-sm text-slate-700">No study can be analysed at this time point yet.</p>
      )}
      {excluded.length > 0 && (
        <details className="mt-2 text-sm">
          <summary className="cursor-pointer text-slate-700">Not analysed ({excluded.length})</summary>
          <ul className="mt-1 list-disc pl-5">
            {excluded.map((e) => (
              <li key={e.id}>
                {analysis.labels[e.id] ?? e.id}: {e.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
