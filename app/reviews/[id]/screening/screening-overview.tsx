"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { fmt } from "@/app/_lib/format";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useLiveReview } from "@/app/_lib/use-live-review";
import { useTRPC } from "@/app/_trpc/client";
import { stageLabels } from "@/server/schemas/screening";
import type { PrismaCounts } from "@/server/services/screening-prisma";
import type { AppRouter } from "@/server/root";
import type { inferRouterOutputs } from "@trpc/server";

type Overview = inferRouterOutputs<AppRouter>["screening"]["overview"];

export function ScreeningOverview({ reviewId }: { reviewId: number }) {
  const trpc = useTRPC();
  useLiveReview(reviewId);
  const overview = useQuery(trpc.screening.overview.queryOptions({ reviewId }));
  if (overview.error) return <p role="alert">{errorMessage(overview.error)}</p>;
  const data = overview.data;
  if (!data) return <p>Loading…</p>;
  const base = `/reviews/${reviewId}/screening`;
  return (
    <div className="space-y-8">
      {data.prisma.identified.total === 0 && (
        <p className="rounded border border-blue-200 bg-blue-50 p-3 text-sm">
          No search results yet. <Link className="text-blue-800 underline" href={`${base}/import`}>Import a search export</Link> (RIS, PubMed nbib or XML, BibTeX, SyRF or Rayyan CSV) to
          start.
        </p>
      )}
      <PrismaSummary prisma={data.prisma} />
      <section aria-labelledby="progress-title" className="space-y-3">
        <h2 id="progress-title" className="text-lg font-semibold">
          Progress and agreement
        </h2>
        <p className="text-sm text-slate-700">
          Screeners: {data.settings.reviewer1?.name ?? "reviewer 1 not assigned"} and {data.settings.reviewer2?.name ?? "reviewer 2 not assigned"}; conflicts settled by the lead
          {data.settings.arbiter ? ` or ${data.settings.arbiter.name}` : ""}.{" "}
          {data.me.slot ? (
            <Link className="text-blue-800 underline" href={`${base}/screen`}>
              Screen your records
            </Link>
          ) : null}
        </p>
        <div className="grid gap-4 md:grid-cols-2">
          {data.stages.map((s) => (
            <StageCard key={s.stage} stage={s} />
          ))}
        </div>
      </section>
      <RecallCurves reviewId={reviewId} />
      <Searches reviewId={reviewId} data={data} />
      {data.me.canManage && <SettingsForm reviewId={reviewId} data={data} />}
      <ReasonsEditor reviewId={reviewId} data={data} />
    </div>
  );
}

function Box({ label, n, tone = "plain", children }: { label: string; n: number; tone?: "plain" | "out" | "in"; children?: React.ReactNode }) {
  const colours = tone === "out" ? "border-slate-300 bg-slate-100" : tone === "in" ? "border-green-700 bg-green-50" : "border-slate-500 bg-white";
  return (
    <div className={`rounded border p-2 text-sm ${colours}`}>
      <div>{label}</div>
      <div className="tabular text-lg font-semibold" data-prisma={label}>
        n = {n}
      </div>
      {children}
    </div>
  );
}

/** The PRISMA 2020 flow's boxes as a summary (the report draws the diagram from the same numbers). */
export function PrismaSummary({ prisma }: { prisma: PrismaCounts }) {
  return (
    <section aria-labelledby="prisma-title" className="space-y-2">
      <h2 id="prisma-title" className="text-lg font-semibold">
        PRISMA 2020 flow (counted from the screening)
      </h2>
      {!prisma.complete && prisma.identified.total > 0 && (
        <p className="text-sm text-amber-900">
          Screening is not finished: {prisma.pending.titleAbstract} record{prisma.pending.titleAbstract === 1 ? "" : "s"} at title/abstract and {prisma.pending.fullText} at full text
          are still open ({prisma.pending.conflicts} conflict{prisma.pending.conflicts === 1 ? "" : "s"} to settle).
        </p>
      )}
      <div className="grid gap-2 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]" role="group" aria-label="PRISMA 2020 counts">
        <Box label="Records identified" n={prisma.identified.total}>
          <ul className="mt-1 text-xs text-slate-700">
            {prisma.identified.bySource.map((s) => (
              <li key={s.source}>
                {s.source}: <span className="tabular">{s.records}</span>
              </li>
            ))}
          </ul>
        </Box>
        <Box label="Duplicate records removed" n={prisma.duplicatesRemoved} tone="out" />
        <Box label="Records screened" n={prisma.screened} />
        <Box label="Records excluded" n={prisma.screenedExcluded} tone="out" />
        <Box label="Reports sought for retrieval" n={prisma.reportsSought} />
        <Box label="Reports not retrieved" n={prisma.reportsNotRetrieved} tone="out" />
        <Box label="Reports assessed for eligibility" n={prisma.reportsAssessed} />
        <Box label="Reports excluded" n={prisma.reportsExcluded} tone="out">
          <ul className="mt-1 text-xs text-slate-700">
            {prisma.exclusionReasons.map((r) => (
              <li key={r.reason}>
                {r.reason}: <span className="tabular">{r.count}</span>
              </li>
            ))}
          </ul>
        </Box>
        <Box label="Studies included in review" n={prisma.studiesIncluded} tone="in">
          <div className="text-xs text-slate-700">
            Reports of included studies: <span className="tabular">{prisma.reportsIncluded}</span>
          </div>
        </Box>
      </div>
    </section>
  );
}

function StageCard({ stage: s }: { stage: Overview["stages"][number] }) {
  const kappa = s.agreement.kappa;
  const usedOrders = [s.orders.prioritised ? `prioritised (${s.orders.prioritised} decisions)` : null, s.orders.original ? `original order (${s.orders.original})` : null].filter(Boolean);
  return (
    <div className="rounded border border-slate-300 bg-white p-3 text-sm" data-stage={s.stage}>
      <h3 className="font-semibold">{stageLabels[s.stage]}</h3>
      <ul className="mt-2 space-y-1">
        {s.progress.map((p) => (
          <li key={p.slot} className="flex flex-wrap items-center gap-2">
            <span className="min-w-40">
              {p.reviewer?.name ?? `Reviewer ${p.slot} (not assigned)`}: <span className="tabular font-medium">{p.done}</span> / <span className="tabular">{s.total}</span>
            </span>
            <progress className="h-2 w-32" max={Math.max(s.total, 1)} value={p.done} aria-label={`Progress of ${p.reviewer?.name ?? `reviewer ${p.slot}`} at ${stageLabels[s.stage].toLowerCase()}`} />
          </li>
        ))}
      </ul>
      <p className="mt-2">
        Included <span className="tabular">{s.included}</span> · excluded <span className="tabular">{s.excluded}</span> · conflicts <span className="tabular">{s.conflict}</span> · awaiting{" "}
        <span className="tabular">{s.awaiting}</span>
      </p>
      <p className="mt-1" data-kappa={s.stage}>
        Cohen&apos;s κ {kappa === null ? "—" : fmt(kappa, 2)}
        {s.agreement.undefinedBecause ? ` (${s.agreement.undefinedBecause})` : ""} over <span className="tabular">{s.agreement.n}</span> records decided by both; agreement{" "}
        {s.agreement.observed === null ? "—" : `${fmt(s.agreement.observed * 100, 0)}%`}
      </p>
      <p className="mt-1 text-slate-600">Order used: {usedOrders.length ? usedOrders.join(", ") : "no decisions yet"}</p>
    </div>
  );
}

const curveColours = ["#1d4ed8", "#b45309"];

function RecallCurves({ reviewId }: { reviewId: number }) {
  const trpc = useTRPC();
  const recall = useQuery(trpc.screening.recall.queryOptions({ reviewId }));
  const stage = recall.data?.[0];
  if (!stage || stage.reviewers.every((r) => r.points.length === 0)) return null;
  // One row per "screened" count; each reviewer's line where they have a point.
  const byX = new Map<number, Record<string, number>>();
  stage.reviewers.forEach((r) => {
    for (const p of r.points) byX.set(p.screened, { ...(byX.get(p.screened) ?? { screened: p.screened }), [`r${r.slot}`]: p.found });
  });
  const rows = [...byX.values()].sort((a, b) => a.screened! - b.screened!);
  return (
    <section aria-labelledby="recall-title" className="space-y-2">
      <h2 id="recall-title" className="text-lg font-semibold">
        Relevant records found against records screened (title and abstract)
      </h2>
      <p className="text-sm text-slate-600">
        Each reviewer&apos;s includes and maybes, in the order they screened, out of {stage.total} records. When a line flattens, new inclusions have stopped appearing. So that
        the lines reveal no blind decision, another reviewer&apos;s line counts only the records both screeners have decided.
      </p>
      <figure className="h-72 max-w-3xl rounded border border-slate-300 bg-white p-2" aria-label="Recall curve: relevant records found against records screened">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 24, left: 8 }}>
            <CartesianGrid stroke="#e2e8f0" />
            <XAxis dataKey="screened" type="number" domain={[0, Math.max(stage.total, 1)]} label={{ value: "Records screened", position: "insideBottom", offset: -12 }} />
            <YAxis allowDecimals={false} label={{ value: "Relevant found", angle: -90, position: "insideLeft" }} />
            <Tooltip />
            <Legend verticalAlign="top" />
            {stage.reviewers.map((r, i) => (
              <Line key={r.slot} type="stepAfter" dataKey={`r${r.slot}`} name={r.reviewer ?? `Reviewer ${r.slot}`} stroke={curveColours[i]} dot={false} connectNulls isAnimationActive={false} />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </figure>
    </section>
  );
}

function Searches({ reviewId, data }: { reviewId: number; data: Overview }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const cancel = useMutation(trpc.screening.cancelImport.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  if (!data.searches.length) return null;
  const discard = async (searchId: number) => {
    try {
      await cancel.mutateAsync({ reviewId, searchId });
      await queryClient.invalidateQueries({ queryKey: trpc.screening.pathKey() });
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <section aria-labelledby="searches-title" className="space-y-2">
      <h2 id="searches-title" className="text-lg font-semibold">
        Searches (the search strategy as run)
      </h2>
      <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Searches table (scrolls sideways)">
        <table className="min-w-full border-collapse bg-white text-sm">
          <thead>
            <tr className="border-b border-slate-300 text-left">
              <th className="p-2">Source</th>
              <th className="p-2">Searched on</th>
              <th className="p-2">Query</th>
              <th className="p-2">File</th>
              <th className="p-2 text-right">Records</th>
              <th className="p-2 text-right">Duplicates</th>
              <th className="p-2">Imported by</th>
            </tr>
          </thead>
          <tbody>
            {data.searches.map((s) => (
              <tr key={s.id} className="border-b border-slate-200 align-top">
                <td className="p-2">{s.source}</td>
                <td className="p-2 tabular">{s.searchedOn}</td>
                <td className="max-w-md p-2 break-words whitespace-pre-wrap">{s.query || "—"}</td>
                <td className="p-2 break-all">
                  {s.fileName || "—"} ({s.format})
                </td>
                <td className="p-2 text-right tabular">{s.recordCount}</td>
                <td className="p-2 text-right tabular">{s.duplicates}</td>
                <td className="p-2">
                  {s.importedByName}
                  {s.status === "importing" && (
                    <>
                      <span className="ml-1 rounded bg-amber-100 px-1 text-amber-900">unfinished: counts nowhere</span>
                      {(data.me.canManage || s.importedBy === data.me.userId) && (
                        <button type="button" className="ml-1 text-xs text-red-800 underline" onClick={() => void discard(s.id)}>
                          Discard<span className="sr-only"> the unfinished import from {s.source}</span>
                        </button>
                      )}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
    </section>
  );
}

const linesOf = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

function SettingsForm({ reviewId, data }: { reviewId: number; data: Overview }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.reviews.members.queryOptions({ reviewId }));
  const save = useMutation(trpc.screening.updateSettings.mutationOptions());
  const s = data.settings;
  const [draft, setDraft] = useState({
    reviewer1: s.reviewer1?.id ?? null,
    reviewer2: s.reviewer2?.id ?? null,
    arbiter: s.arbiter?.id ?? null,
    includeTerms: s.includeTerms.join("\n"),
    excludeTerms: s.excludeTerms.join("\n"),
    order: s.order,
  });
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const eligible = (members.data ?? []).filter((m) => m.role === "reviewer" || m.role === "lead");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await save.mutateAsync({
        reviewId,
        reviewer1Id: draft.reviewer1,
        reviewer2Id: draft.reviewer2,
        arbiterId: draft.arbiter,
        includeTerms: linesOf(draft.includeTerms),
        excludeTerms: linesOf(draft.excludeTerms),
        order: draft.order,
        version: s.version,
      });
      await queryClient.invalidateQueries({ queryKey: trpc.screening.pathKey() });
      setMessage({ ok: true, text: "Screening settings saved." });
    } catch (err) {
      setMessage({ ok: false, text: errorMessage(err) });
    }
  };
  const select = (key: "reviewer1" | "reviewer2" | "arbiter", label: string) => (
    <div>
      <label htmlFor={`screening-${key}`} className="block text-xs font-medium">
        {label}
      </label>
      <select
        id={`screening-${key}`}
        className="rounded border border-slate-400 px-1 py-0.5"
        value={draft[key] ?? ""}
        onChange={(e) => setDraft({ ...draft, [key]: e.target.value ? Number(e.target.value) : null })}
      >
        <option value="">— none —</option>
        {eligible.map((m) => (
          <option key={m.userId} value={m.userId}>
            {m.displayName} ({m.username})
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <section aria-labelledby="settings-title" className="space-y-2">
      <h2 id="settings-title" className="text-lg font-semibold">
        Screening settings (lead)
      </h2>
      <form onSubmit={submit} aria-label="Screening settings" className="space-y-3 rounded border border-slate-300 bg-white p-3 text-sm">
        <div className="flex flex-wrap gap-3">
          {select("reviewer1", "Reviewer 1")}
          {select("reviewer2", "Reviewer 2")}
          {select("arbiter", "Third reviewer (optional: settles conflicts)")}
          <div>
            <label htmlFor="screening-order" className="block text-xs font-medium">
              Order offered first
            </label>
            <select id="screening-order" className="rounded border border-slate-400 px-1 py-0.5" value={draft.order} onChange={(e) => setDraft({ ...draft, order: e.target.value as typeof draft.order })}>
              <option value="prioritised">Prioritised (predicted relevance)</option>
              <option value="original">Original (import) order</option>
            </select>
          </div>
        </div>
        <div className="grid gap-3 sm:grid-cols-2">
          <div>
            <label htmlFor="screening-include-terms" className="block text-xs font-medium">
              Inclusion terms to highlight (one per line; * matches any ending)
            </label>
            <textarea id="screening-include-terms" rows={4} className="mt-1 w-full rounded border border-slate-400 p-1" value={draft.includeTerms} onChange={(e) => setDraft({ ...draft, includeTerms: e.target.value })} />
          </div>
          <div>
            <label htmlFor="screening-exclude-terms" className="block text-xs font-medium">
              Exclusion terms to highlight
            </label>
            <textarea id="screening-exclude-terms" rows={4} className="mt-1 w-full rounded border border-slate-400 p-1" value={draft.excludeTerms} onChange={(e) => setDraft({ ...draft, excludeTerms: e.target.value })} />
          </div>
        </div>
        <button type="submit" className="rounded bg-blue-700 px-3 py-1.5 text-white disabled:opacity-60" disabled={save.isPending}>
          Save settings
        </button>
        {message && (
          <p role={message.ok ? "status" : "alert"} className={message.ok ? "text-green-800" : "text-red-700"}>
            {message.text}
          </p>
        )}
      </form>
    </section>
  );
}

function ReasonsEditor({ reviewId, data }: { reviewId: number; data: Overview }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const add = useMutation(trpc.screening.addReason.mutationOptions());
  const remove = useMutation(trpc.screening.removeReason.mutationOptions());
  const rename = useMutation(trpc.screening.renameReason.mutationOptions());
  const [label, setLabel] = useState("");
  const [editing, setEditing] = useState<{ id: number; label: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (work: () => Promise<unknown>) => {
    try {
      await work();
      await queryClient.invalidateQueries({ queryKey: trpc.screening.pathKey() });
      setError(null);
      return true;
    } catch (err) {
      setError(errorMessage(err));
      return false;
    }
  };
  return (
    <section aria-labelledby="reasons-title" className="space-y-2">
      <h2 id="reasons-title" className="text-lg font-semibold">
        Full-text exclusion reasons
      </h2>
      <ol className="list-decimal space-y-1 pl-6 text-sm">
        {data.reasons.map((r) => (
          <li key={r.id}>
            {editing?.id === r.id ? (
              <form
                aria-label={`Rename ${r.label}`}
                className="inline-flex flex-wrap gap-1"
                onSubmit={(e) => {
                  e.preventDefault();
                  void run(() => rename.mutateAsync({ reviewId, reasonId: r.id, label: editing.label, version: r.version })).then((ok) => ok && setEditing(null));
                }}
              >
                <label htmlFor={`reason-${r.id}`} className="sr-only">
                  New wording of {r.label}
                </label>
                <input id={`reason-${r.id}`} className="w-72 max-w-full rounded border border-slate-400 px-1" value={editing.label} onChange={(e) => setEditing({ id: r.id, label: e.target.value })} />
                <button type="submit" className="rounded border border-slate-400 bg-white px-2 text-xs">
                  Save
                </button>
                <button type="button" className="text-xs underline" onClick={() => setEditing(null)}>
                  Cancel
                </button>
              </form>
            ) : (
              r.label
            )}
            {data.me.canManage && editing?.id !== r.id && (
              <>
                <button type="button" className="ml-2 text-xs text-blue-800 underline" onClick={() => setEditing({ id: r.id, label: r.label })}>
                  Rename<span className="sr-only"> {r.label}</span>
                </button>
                <button type="button" className="ml-2 text-xs text-red-800 underline" onClick={() => void run(() => remove.mutateAsync({ reviewId, reasonId: r.id, version: r.version }))}>
                  Remove<span className="sr-only"> {r.label}</span>
                </button>
              </>
            )}
          </li>
        ))}
        {data.reasons.length === 0 && <li className="list-none text-slate-600">The standard reasons are added with the first import; the lead can add more.</li>}
      </ol>
      {data.me.canManage && (
        <form
          aria-label="Add an exclusion reason"
          className="flex flex-wrap items-end gap-2 text-sm"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => add.mutateAsync({ reviewId, label })).then((ok) => ok && setLabel(""));
          }}
        >
          <div>
            <label htmlFor="new-reason" className="block text-xs font-medium">
              New exclusion reason
            </label>
            <input id="new-reason" className="w-72 max-w-full rounded border border-slate-400 px-1 py-0.5" value={label} onChange={(e) => setLabel(e.target.value)} />
          </div>
          <button type="submit" className="rounded border border-slate-400 bg-white px-2 py-1">
            Add reason
          </button>
        </form>
      )}
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
    </section>
  );
}
