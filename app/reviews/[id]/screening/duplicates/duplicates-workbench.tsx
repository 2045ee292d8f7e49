"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { fmt } from "@/app/_lib/format";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useLiveReview } from "@/app/_lib/use-live-review";
import { useTRPC } from "@/app/_trpc/client";
import type { AppRouter } from "@/server/root";
import type { inferRouterOutputs } from "@trpc/server";

type Candidate = inferRouterOutputs<AppRouter>["screening"]["candidates"]["candidates"][number];
const evidenceLabels: Record<string, string> = { title: "Title", firstAuthor: "First author", year: "Year", journal: "Journal" };
const kindLabels = { doi: "same DOI", pmid: "same PMID", manual: "merged by a person" } as const;

export function DuplicatesWorkbench({ reviewId, canEdit }: { reviewId: number; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useLiveReview(reviewId);
  const candidates = useQuery({ ...trpc.screening.candidates.queryOptions({ reviewId }), enabled: canEdit });
  const merges = useQuery(trpc.screening.merges.queryOptions({ reviewId }));
  const decide = useMutation(trpc.screening.decideCandidate.mutationOptions());
  const undo = useMutation(trpc.screening.undoMerge.mutationOptions());
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async (work: () => Promise<unknown>, done: string) => {
    try {
      await work();
      await queryClient.invalidateQueries({ queryKey: trpc.screening.pathKey() });
      setMessage({ ok: true, text: done });
    } catch (err) {
      setMessage({ ok: false, text: errorMessage(err) });
    }
  };
  const byKind = merges.data?.byKind ?? {};
  const mergedTotal = (byKind.doi ?? 0) + (byKind.pmid ?? 0) + (byKind.manual ?? 0);
  return (
    <div className="space-y-8">
      <p role={message?.ok === false ? "alert" : "status"} className={`text-sm ${message?.ok === false ? "text-red-700" : "text-green-800"}`}>
        {message?.text}
      </p>
      {canEdit && (
        <section aria-labelledby="queue-title" className="space-y-3">
          <h2 id="queue-title" className="text-lg font-semibold">
            Likely duplicates to decide ({candidates.data?.total ?? 0})
          </h2>
          {candidates.error && <p role="alert">{errorMessage(candidates.error)}</p>}
          {candidates.data?.candidates.length === 0 && <p className="text-sm text-slate-600">Nothing waiting: every likely pair has been decided.</p>}
          <ul className="space-y-3">
            {candidates.data?.candidates.map((c) => (
              <CandidateCard
                key={c.id}
                candidate={c}
                onMerge={() => void run(() => decide.mutateAsync({ reviewId, candidateId: c.id, action: "merge", version: c.version }), `Merged record ${c.b.id} into ${c.a.id}.`)}
                onKeepApart={() => void run(() => decide.mutateAsync({ reviewId, candidateId: c.id, action: "keep_apart", version: c.version }), `Kept records ${c.a.id} and ${c.b.id} apart.`)}
              />
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="merges-title" className="space-y-2">
        <h2 id="merges-title" className="text-lg font-semibold">
          Merged duplicates ({mergedTotal})
        </h2>
        <p className="text-sm text-slate-600">
          Same DOI: {byKind.doi ?? 0} · same PMID: {byKind.pmid ?? 0} · merged by a person: {byKind.manual ?? 0}
          {merges.data?.undone ? ` · undone: ${merges.data.undone}` : ""}. The 100 most recent are listed.
        </p>
        <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Merged duplicates table (scrolls sideways)">
          <table className="min-w-full border-collapse bg-white text-sm">
            <thead>
              <tr className="border-b border-slate-300 text-left">
                <th className="p-2">Duplicate record</th>
                <th className="p-2">Merged into</th>
                <th className="p-2">Why</th>
                {canEdit && <th className="p-2">Undo</th>}
              </tr>
            </thead>
            <tbody>
              {merges.data?.merges.map((m) => (
                <tr key={m.id} className="border-b border-slate-200 align-top">
                  <td className="p-2">
                    #{m.duplicateId} {m.title} {m.year ? `(${m.year})` : ""}
                  </td>
                  <td className="p-2 tabular">#{m.keptId}</td>
                  <td className="p-2">
                    {kindLabels[m.kind]}
                    {m.score !== null ? `, score ${fmt(m.score, 2)}` : ""}
                  </td>
                  {canEdit && (
                    <td className="p-2">
                      <button type="button" className="rounded border border-slate-400 bg-white px-2 py-0.5" onClick={() => void run(() => undo.mutateAsync({ reviewId, mergeId: m.id }), `Record ${m.duplicateId} is screened again.`)}>
                        Undo merge<span className="sr-only"> of record {m.duplicateId}</span>
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

function CandidateCard({ candidate: c, onMerge, onKeepApart }: { candidate: Candidate; onMerge: () => void; onKeepApart: () => void }) {
  const side = (r: Candidate["a"], label: string) => (
    <div className="min-w-0 flex-1 rounded border border-slate-200 p-2">
      <div className="text-xs text-slate-500">
        {label} · record #{r.id} · {r.source}
      </div>
      <div className="font-medium break-words">{r.title || "(no title)"}</div>
      <div className="text-slate-700">
        {r.authors.slice(0, 3).join("; ")}
        {r.authors.length > 3 ? " et al." : ""} · {r.year ?? "no year"} · {r.journal || "no journal"}
      </div>
      <div className="text-xs break-all text-slate-600">
        {r.doi ? `DOI ${r.doi}` : "no DOI"}
        {r.pmid ? ` · PMID ${r.pmid}` : ""}
      </div>
    </div>
  );
  return (
    <li className="rounded border border-slate-300 bg-white p-3 text-sm" data-candidate={c.id}>
      <div className="mb-2 flex flex-wrap items-center gap-3">
        <span className="font-semibold">Similarity {fmt(c.score * 100, 0)}%</span>
        <span className="text-slate-600">
          {Object.entries(c.evidence)
            .map(([key, value]) => `${evidenceLabels[key] ?? key} ${value === null ? "not compared" : `${fmt(value * 100, 0)}%`}`)
            .join(" · ")}
        </span>
      </div>
      <div className="flex flex-col gap-2 md:flex-row">
        {side(c.a, "Kept")}
        {side(c.b, "Duplicate?")}
      </div>
      <div className="mt-2 flex gap-2">
        <button type="button" className="rounded bg-blue-700 px-3 py-1 text-white" onClick={onMerge}>
          Merge<span className="sr-only"> records {c.a.id} and {c.b.id}</span>
        </button>
        <button type="button" className="rounded border border-slate-500 bg-white px-3 py-1" onClick={onKeepApart}>
          Keep apart<span className="sr-only"> records {c.a.id} and {c.b.id}</span>
        </button>
      </div>
    </li>
  );
}
