"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useLiveReview } from "@/app/_lib/use-live-review";
import { useTRPC } from "@/app/_trpc/client";
import type { ScreeningStage } from "@/db/schema/screening";
import type { AppRouter } from "@/server/root";
import { decisionLabels, stageLabels } from "@/server/schemas/screening";
import type { inferRouterOutputs } from "@trpc/server";

type Conflict = inferRouterOutputs<AppRouter>["screening"]["conflicts"]["conflicts"][number];
type Reason = { id: number; label: string };

export function ConflictsWorkbench({ reviewId }: { reviewId: number }) {
  const trpc = useTRPC();
  useLiveReview(reviewId);
  const [stage, setStage] = useState<ScreeningStage>("title_abstract");
  const conflicts = useQuery(trpc.screening.conflicts.queryOptions({ reviewId, stage }));
  const overview = useQuery(trpc.screening.overview.queryOptions({ reviewId }));
  const open = conflicts.data?.conflicts.filter((c) => !c.resolution) ?? [];
  const settled = conflicts.data?.conflicts.filter((c) => c.resolution) ?? [];
  return (
    <div className="space-y-4">
      <div role="group" aria-label="Stage" className="inline-flex overflow-hidden rounded border border-slate-400 text-sm">
        {(["title_abstract", "full_text"] as const).map((s) => (
          <button key={s} type="button" aria-pressed={stage === s} onClick={() => setStage(s)} className={`px-3 py-1 ${stage === s ? "bg-slate-800 text-white" : "bg-white"}`}>
            {stageLabels[s]}
          </button>
        ))}
      </div>
      {conflicts.error && <p role="alert">{errorMessage(conflicts.error)}</p>}
      {conflicts.data && !conflicts.data.canResolve && <p className="text-sm text-slate-700">Only the lead, or the third reviewer the lead names, settles conflicts; you can read them.</p>}
      <section aria-labelledby="open-title" className="space-y-3">
        <h2 id="open-title" className="text-lg font-semibold">
          To settle ({open.length})
        </h2>
        {conflicts.data && open.length === 0 && <p className="text-sm text-slate-600">No conflicts waiting at this stage.</p>}
        <ul className="space-y-3">
          {open.map((c) => (
            <ConflictCard key={`${stage}-${c.record.id}`} reviewId={reviewId} stage={stage} conflict={c} reasons={overview.data?.reasons ?? []} canResolve={!!conflicts.data?.canResolve} />
          ))}
        </ul>
      </section>
      {settled.length > 0 && (
        <section aria-labelledby="settled-title" className="space-y-3">
          <h2 id="settled-title" className="text-lg font-semibold">
            Settled ({settled.length})
          </h2>
          <ul className="space-y-3">
            {settled.map((c) => (
              <ConflictCard key={`${stage}-${c.record.id}`} reviewId={reviewId} stage={stage} conflict={c} reasons={overview.data?.reasons ?? []} canResolve={!!conflicts.data?.canResolve} />
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function ConflictCard({ reviewId, stage, conflict: c, reasons, canResolve }: { reviewId: number; stage: ScreeningStage; conflict: Conflict; reasons: Reason[]; canResolve: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const resolve = useMutation(trpc.screening.resolve.mutationOptions());
  const [decision, setDecision] = useState<"include" | "exclude" | null>(c.resolution?.decision ?? null);
  const [reasonId, setReasonId] = useState<number | null>(c.resolution?.reasonId ?? null);
  const [note, setNote] = useState(c.resolution?.note ?? "");
  const [error, setError] = useState<string | null>(null);
  const formId = `settle-${stage}-${c.record.id}`;
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!decision) return setError("Decision: choose include or exclude");
    try {
      await resolve.mutateAsync({ reviewId, recordId: c.record.id, stage, decision, reasonId: stage === "full_text" && decision === "exclude" ? reasonId : null, note, version: c.resolution?.version ?? null });
      setError(null);
      await queryClient.invalidateQueries({ queryKey: trpc.screening.pathKey() });
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <li className="rounded border border-slate-300 bg-white p-3 text-sm" data-conflict={c.record.id}>
      <div className="text-xs text-slate-500">
        Record #{c.record.id} · {c.record.source}
      </div>
      <div className="font-medium break-words">{c.record.title || "(no title)"}</div>
      <div className="text-slate-700">
        {c.record.authors.slice(0, 3).join("; ")} · {c.record.year ?? "no year"} · {c.record.journal}
      </div>
      {c.record.abstract && (
        <details className="mt-1">
          <summary className="cursor-pointer text-blue-800">Abstract</summary>
          <p className="mt-1 whitespace-pre-line">{c.record.abstract}</p>
        </details>
      )}
      <ul className="mt-2 flex flex-wrap gap-4">
        {c.decisions.map((d) => (
          <li key={d.slot}>
            {d.reviewer}: <strong>{decisionLabels[d.decision]}</strong>
            {d.reason ? ` (${d.reason})` : ""}
            {d.note ? ` — “${d.note}”` : ""}
          </li>
        ))}
      </ul>
      {c.resolution && (
        <p className="mt-1 text-green-900">
          Settled: {decisionLabels[c.resolution.decision]}
          {c.resolution.reason ? ` (${c.resolution.reason})` : ""}
          {c.resolution.note ? `: ${c.resolution.note}` : ""}
        </p>
      )}
      {canResolve && (
        <form onSubmit={submit} aria-label={`Settle record ${c.record.id}`} className="mt-2 flex flex-wrap items-end gap-3">
          <fieldset className="flex gap-3">
            <legend className="sr-only">Decision</legend>
            {(["include", "exclude"] as const).map((v) => (
              <label key={v} className="flex items-center gap-1">
                <input type="radio" name={`${formId}-decision`} checked={decision === v} onChange={() => setDecision(v)} /> {decisionLabels[v]}
              </label>
            ))}
          </fieldset>
          {stage === "full_text" && decision === "exclude" && (
            <div>
              <label htmlFor={`${formId}-reason`} className="block text-xs font-medium">
                Exclusion reason
              </label>
              <select id={`${formId}-reason`} className="rounded border border-slate-400 px-1 py-0.5" value={reasonId ?? ""} onChange={(e) => setReasonId(e.target.value ? Number(e.target.value) : null)}>
                <option value="">— choose —</option>
                {reasons.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.label}
                  </option>
                ))}
              </select>
            </div>
          )}
          <div className="min-w-48 flex-1">
            <label htmlFor={`${formId}-note`} className="block text-xs font-medium">
              Reason for the decision
            </label>
            <input id={`${formId}-note`} className="w-full rounded border border-slate-400 px-1 py-0.5" value={note} onChange={(e) => setNote(e.target.value)} />
          </div>
          <button type="submit" className="rounded bg-blue-700 px-3 py-1 text-white disabled:opacity-60" disabled={resolve.isPending}>
            {c.resolution ? "Change" : "Settle"}
          </button>
          {error && (
            <p role="alert" className="w-full text-red-700">
              {error}
            </p>
          )}
        </form>
      )}
    </li>
  );
}
