"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { fmt, fmtPercent } from "@/app/_lib/format";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import type { FigureData } from "./digitiser-model";

const statusText = { in_progress: "in progress", completed: "completed" } as const;

/**
 * The readings of the figure: yours (complete / reopen), the others (shown only as the blinding rule allows),
 * a blind second reading, and, once two readings are completed, their comparison and the lead's decision.
 */
export function ReadingsPanel(props: {
  reviewId: number;
  data: FigureData;
  role: "lead" | "reviewer" | "viewer";
  hidden: Set<number>;
  onToggle: (readingId: number) => void;
  onMessage: (kind: "error" | "ok", text: string) => void;
}) {
  const { reviewId, data, role } = props;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.figures.pathKey() });
  const complete = useMutation(trpc.figures.completeReading.mutationOptions({ onSuccess: invalidate }));
  const reopen = useMutation(trpc.figures.reopenReading.mutationOptions({ onSuccess: invalidate }));
  const startBlind = useMutation(trpc.figures.startBlindReading.mutationOptions({ onSuccess: invalidate }));
  const reveal = useMutation(trpc.figures.revealReadings.mutationOptions({ onSuccess: invalidate }));
  const run = (promise: Promise<unknown>, ok: string) =>
    promise.then(
      () => props.onMessage("ok", ok),
      (error: unknown) => props.onMessage("error", errorMessage(error)),
    );
  const figureId = data.figure.id;

  return (
    <section aria-labelledby="readings" className="space-y-3 rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
      <h2 id="readings" className="font-semibold">
        Readings
      </h2>
      <ul className="space-y-2 text-sm">
        {data.readings.map((r) => (
          <li key={r.id} className="flex flex-wrap items-center gap-2">
            <span>
              Reading {r.ordinal} by {r.readerName}
              {r.isMine ? " (yours)" : ""}: {statusText[r.status]}
              {r.isStanding ? " · in the grid" : ""}
              {!r.visible && " · hidden (blind until both readings are completed)"}
            </span>
            {r.visible && (
              <label className="flex items-center gap-1 text-xs">
                <input type="checkbox" checked={!props.hidden.has(r.id)} onChange={() => props.onToggle(r.id)} /> show on the figure
              </label>
            )}
            {r.isMine && r.status === "in_progress" && (
              <button type="button" className="rounded bg-green-700 px-2 py-0.5 text-white" onClick={() => void run(complete.mutateAsync({ reviewId, figureId, readingId: r.id, version: r.version }), "Reading marked completed.")}>
                Mark my reading completed
              </button>
            )}
            {r.isMine && r.status === "completed" && !data.comparable && (
              <button type="button" className="rounded border border-slate-500 px-2 py-0.5" onClick={() => void run(reopen.mutateAsync({ reviewId, figureId, readingId: r.id, version: r.version }), "Reading reopened.")}>
                Reopen my reading
              </button>
            )}
          </li>
        ))}
      </ul>
      {data.me.canStartBlindReading && (
        <div className="space-y-2 rounded bg-slate-50 p-2 text-sm">
          <p>You have not seen how this figure was read. You can read it yourself, blind to the other reading; the two are then compared.</p>
          <div className="flex flex-wrap gap-2">
            <button type="button" className="rounded bg-blue-700 px-2 py-1 text-white" onClick={() => void run(startBlind.mutateAsync({ reviewId, figureId }), "Your blind reading has started: calibrate the axes first.")}>
              Start a blind second reading
            </button>
            <button type="button" className="rounded border border-slate-500 px-2 py-1" onClick={() => void run(reveal.mutateAsync({ reviewId, figureId }), "The other reading is shown; you can no longer read this figure blind.")}>
              Show the other reading instead
            </button>
          </div>
          <p className="text-xs text-slate-700">Showing it is recorded: you could then no longer be this figure&apos;s blind reader.</p>
        </div>
      )}
      {role === "viewer" && data.me.hiddenReadings > 0 && <p className="text-xs text-slate-700">Some readings are still in progress.</p>}
      {data.comparable && <ComparisonView reviewId={reviewId} figureId={figureId} isLead={role === "lead"} onMessage={props.onMessage} />}
    </section>
  );
}

function ComparisonView({ reviewId, figureId, isLead, onMessage }: { reviewId: number; figureId: number; isLead: boolean; onMessage: (kind: "error" | "ok", text: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const comparison = useQuery(trpc.figures.compare.queryOptions({ reviewId, figureId }));
  const decide = useMutation(trpc.figures.decide.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.figures.pathKey() }) }));
  const [choice, setChoice] = useState<number | null>(null);
  const [reason, setReason] = useState("");
  if (comparison.error) return <p role="alert">{errorMessage(comparison.error)}</p>;
  if (!comparison.data) return <p>Comparing…</p>;
  const c = comparison.data;
  const [first, second] = c.readings;
  // Five decimals: two careful readers typically agree beyond 0.999, where four would round to a false 1.0000.
  const ccc = (value: { ccc: number | null; undefinedBecause: string | null; n: number }) => (value.ccc === null ? `— (${value.undefinedBecause})` : `${fmt(value.ccc, 5)} (${value.n} values)`);
  return (
    <div className="space-y-2" aria-labelledby="comparison">
      <h3 id="comparison" className="font-semibold">
        Comparison of the two readings
      </h3>
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 text-sm">
        <dt>Lin&apos;s concordance, means</dt>
        <dd className="tabular">{ccc(c.meansConcordance)}</dd>
        <dt>Lin&apos;s concordance, errors</dt>
        <dd className="tabular">{ccc(c.errorsConcordance)}</dd>
        <dt>Largest difference</dt>
        <dd className="tabular">
          {fmtPercent(c.largestPercentOfAxis, 2)} of the y axis ({fmt(c.axisSpan.from, 2)} to {fmt(c.axisSpan.to, 2)}
          {c.axisSpan.scale === "log" ? ", in decades" : ""})
        </dd>
      </dl>
      <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Differences per value (scrolls sideways)">
        <table className="min-w-full text-xs" aria-label="Differences per value">
          <thead className="bg-slate-100 text-left">
            <tr>
              <th className="px-1 py-1">Arm, day</th>
              <th className="px-1 py-1">Value</th>
              <th className="px-1 py-1">Reading {first?.ordinal}</th>
              <th className="px-1 py-1">Reading {second?.ordinal}</th>
              <th className="px-1 py-1">Difference</th>
              <th className="px-1 py-1">% of axis</th>
            </tr>
          </thead>
          <tbody>
            {c.rows.map((r) => (
              <tr key={`${r.armId}:${r.day}:${r.quantity}`} className="border-t border-slate-100">
                <td className="px-1 py-1">
                  {r.armLabel}, day {r.day}
                </td>
                <td className="px-1 py-1">{r.quantity}</td>
                <td className="px-1 py-1 tabular">{fmt(r.first, 3)}</td>
                <td className="px-1 py-1 tabular">{fmt(r.second, 3)}</td>
                <td className="px-1 py-1 tabular">{fmt(r.difference, 3)}</td>
                <td className="px-1 py-1 tabular">{fmtPercent(r.percentOfAxis, 2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {c.unmatched.length > 0 && <p className="text-xs text-amber-900">Read by one reader only: {c.unmatched.map((u) => `${u.armLabel} day ${u.day} (${u.readBy})`).join("; ")}.</p>}
      {c.decision && (
        <p className="text-sm">
          Decided by {c.decision.by} on {new Date(c.decision.at).toLocaleString("en-GB", { timeZone: "UTC" })} UTC{c.decision.reason ? `: “${c.decision.reason}”` : "."}
        </p>
      )}
      {isLead && (
        <fieldset className="space-y-1 text-sm">
          <legend className="font-medium">Which reading stands (its values go to the outcome grid)</legend>
          {c.readings.map((r) => (
            <label key={r.id} className="flex items-center gap-2">
              <input type="radio" name="standing" checked={(choice ?? c.readings.find((x) => x.isStanding)?.id) === r.id} onChange={() => setChoice(r.id)} />
              Reading {r.ordinal} by {r.readerName}
              {r.isStanding ? " (in the grid now)" : ""}
            </label>
          ))}
          <label htmlFor="decision-reason" className="block text-xs">
            Reason (kept in the audit trail)
          </label>
          <input id="decision-reason" className="w-full rounded border border-slate-300 px-2 py-1" value={reason} maxLength={1000} onChange={(e) => setReason(e.target.value)} />
          <button
            type="button"
            className="rounded bg-blue-700 px-2 py-1 text-white"
            onClick={() => {
              const readingId = choice ?? c.readings.find((x) => x.isStanding)?.id;
              if (!readingId) return onMessage("error", "Reading: choose the reading that stands.");
              void decide.mutateAsync({ reviewId, figureId, readingId, reason, version: c.figureVersion }).then(
                (result) => onMessage("ok", `Decision recorded: ${result.grid.filter((g) => g.status === "written").length} values written to the grid.`),
                (error: unknown) => onMessage("error", errorMessage(error)),
              );
            }}
          >
            Record the decision
          </button>
        </fieldset>
      )}
    </div>
  );
}
