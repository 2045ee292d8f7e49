"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { Pager } from "@/app/_components/pager";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useLiveReview } from "@/app/_lib/use-live-review";
import { useTRPC } from "@/app/_trpc/client";
import { decisionLabels, stageLabels } from "@/server/schemas/screening";

const filters = [
  ["all", "All screened"],
  ["awaiting", "Awaiting"],
  ["conflicts", "Conflicts"],
  ["included", "Included"],
  ["excluded", "Excluded"],
  ["duplicates", "Duplicates"],
] as const;
type Filter = (typeof filters)[number][0];
const outcomeLabels: Record<string, string> = { not_eligible: "—", awaiting: "awaiting", conflict: "conflict", included: "included", excluded: "excluded" };

export function RecordsBrowser({ reviewId, canEdit, initialSearch = "" }: { reviewId: number; canEdit: boolean; initialSearch?: string }) {
  const trpc = useTRPC();
  useLiveReview(reviewId);
  const [filter, setFilter] = useState<Filter>("all");
  const [search, setSearch] = useState(initialSearch);
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<number | null>(null);
  const list = useQuery({ ...trpc.screening.records.queryOptions({ reviewId, filter, search, page }), placeholderData: (previous) => previous });
  const pageCount = list.data ? Math.max(1, Math.ceil(list.data.total / list.data.pageSize)) : 1;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-end gap-3 text-sm">
        <div>
          <label htmlFor="records-filter" className="block text-xs font-medium">
            Show
          </label>
          <select
            id="records-filter"
            className="rounded border border-slate-400 px-1 py-1"
            value={filter}
            onChange={(e) => {
              setFilter(e.target.value as Filter);
              setPage(1);
            }}
          >
            {filters.map(([key, label]) => (
              <option key={key} value={key}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="records-search" className="block text-xs font-medium">
            Title, DOI or PMID contains
          </label>
          <input
            id="records-search"
            className="w-64 max-w-full rounded border border-slate-400 px-1 py-1"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              setPage(1);
            }}
          />
        </div>
        <span className="tabular">{list.data?.total ?? 0} records</span>
      </div>
      {list.error && <p role="alert">{errorMessage(list.error)}</p>}
      <ul className="divide-y divide-slate-200 rounded border border-slate-300 bg-white text-sm">
        {list.data?.records.map((r) => (
          <li key={r.id} data-record={r.id} className="p-2">
            <button type="button" className="w-full text-left" aria-expanded={open === r.id} onClick={() => setOpen(open === r.id ? null : r.id)}>
              <span className="text-xs text-slate-500">#{r.id} · {r.source} · </span>
              <span className="font-medium break-words">{r.title || "(no title)"}</span>
              <span className="text-slate-700">
                {" "}
                — {r.authors.join("; ")} {r.year ? `(${r.year})` : ""}
              </span>
              <span className="mt-0.5 block text-xs text-slate-700">
                {r.duplicateOf !== null ? (
                  `Duplicate of #${r.duplicateOf}`
                ) : (
                  <>
                    Title/abstract: {outcomeLabels[r.titleAbstract.outcome]}
                    {r.titleAbstract.mine ? ` (you: ${decisionLabels[r.titleAbstract.mine]})` : ""} · Full text: {r.notRetrieved ? "not retrieved" : outcomeLabels[r.fullText.outcome]}
                    {r.fullText.mine ? ` (you: ${decisionLabels[r.fullText.mine]})` : ""}
                    {r.studyId !== null ? ` · study #${r.studyId}` : ""}
                  </>
                )}
              </span>
            </button>
            {open === r.id && <RecordDetail reviewId={reviewId} recordId={r.id} canEdit={canEdit} />}
          </li>
        ))}
      </ul>
      {pageCount > 1 && <Pager label="Record pages" page={page - 1} pageCount={pageCount} onPage={(p) => setPage(p + 1)} />}
    </div>
  );
}

function RecordDetail({ reviewId, recordId, canEdit }: { reviewId: number; recordId: number; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const detail = useQuery(trpc.screening.record.queryOptions({ reviewId, recordId }));
  const studies = useQuery({ ...trpc.studies.list.queryOptions({ reviewId }), enabled: canEdit });
  const createStudy = useMutation(trpc.screening.createStudy.mutationOptions());
  const link = useMutation(trpc.screening.linkStudy.mutationOptions());
  const notRetrieved = useMutation(trpc.screening.setNotRetrieved.mutationOptions());
  const [studyChoice, setStudyChoice] = useState<string>("");
  const [why, setWhy] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async (work: () => Promise<unknown>, done: string) => {
    try {
      await work();
      await queryClient.invalidateQueries({ queryKey: trpc.screening.pathKey() });
      await queryClient.invalidateQueries({ queryKey: trpc.studies.pathKey() });
      setMessage({ ok: true, text: done });
    } catch (err) {
      setMessage({ ok: false, text: errorMessage(err) });
    }
  };
  if (detail.error) return <p role="alert">{errorMessage(detail.error)}</p>;
  if (!detail.data) return <p>Loading…</p>;
  const { record, stages } = detail.data;
  const [ta, ft] = stages;
  const includedAtFullText = ft?.outcome.status === "included";
  const soughtForFullText = ta?.outcome.status === "included" && (ft?.decidedCount ?? 0) === 0 && !ft?.resolution;
  return (
    <div className="mt-2 space-y-2 rounded bg-slate-50 p-2">
      {record.abstract && <p className="whitespace-pre-line">{record.abstract}</p>}
      <p className="text-xs break-all text-slate-600">
        {record.journal} {record.doi && `· doi:${record.doi}`} {record.pmid && `· PMID ${record.pmid}`}
      </p>
      {stages.map((s) => (
        <div key={s.stage}>
          <span className="font-medium">{stageLabels[s.stage]}:</span> {outcomeLabels[s.outcome.status]}
          {s.outcome.via === "resolution" ? " (settled)" : ""} · {s.decidedCount} of 2 decided
          {s.decisions.length > 0 && (
            <ul className="ml-4 list-disc">
              {s.decisions.map((d) => (
                <li key={d.slot}>
                  {d.reviewer}: {decisionLabels[d.decision]}
                  {d.reason ? ` (${d.reason})` : ""}
                </li>
              ))}
            </ul>
          )}
        </div>
      ))}
      {record.notRetrieved && <p>Full text not retrieved: {record.notRetrievedReason}</p>}
      {record.studyId !== null && (
        <p>
          Linked to{" "}
          <Link className="text-blue-800 underline" href={`/reviews/${reviewId}/studies/${record.studyId}`}>
            study #{record.studyId}
          </Link>
          .
        </p>
      )}
      {canEdit && record.duplicateOf === null && (
        <div className="flex flex-wrap items-end gap-3">
          {includedAtFullText && record.studyId === null && (
            <button type="button" className="rounded bg-blue-700 px-3 py-1 text-white" onClick={() => void run(() => createStudy.mutateAsync({ reviewId, recordId, version: record.version }), "Study created from the record.")}>
              Create study from this record
            </button>
          )}
          <div>
            <label htmlFor={`link-${recordId}`} className="block text-xs font-medium">
              Study this record reports
            </label>
            <select id={`link-${recordId}`} className="max-w-64 rounded border border-slate-400 px-1 py-0.5" value={studyChoice || (record.studyId ?? "")} onChange={(e) => setStudyChoice(e.target.value)}>
              <option value="">— none —</option>
              {studies.data?.map((s) => (
                <option key={s.id} value={s.id}>
                  #{s.position} {s.author} {s.year}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="ml-1 rounded border border-slate-500 bg-white px-2 py-0.5"
              onClick={() => void run(() => link.mutateAsync({ reviewId, recordId, studyId: studyChoice ? Number(studyChoice) : null, version: record.version }), "Study link saved.")}
            >
              Save link
            </button>
          </div>
          {soughtForFullText && (
            <div>
              <label htmlFor={`not-retrieved-${recordId}`} className="block text-xs font-medium">
                Why not retrieved
              </label>
              <input id={`not-retrieved-${recordId}`} className="rounded border border-slate-400 px-1 py-0.5" value={why} onChange={(e) => setWhy(e.target.value)} />
              <button
                type="button"
                className="ml-1 rounded border border-slate-500 bg-white px-2 py-0.5"
                onClick={() => void run(() => notRetrieved.mutateAsync({ reviewId, recordId, notRetrieved: !record.notRetrieved, reason: why, version: record.version }), "Full-text status saved.")}
              >
                {record.notRetrieved ? "Mark as retrieved" : "Mark full text not retrieved"}
              </button>
            </div>
          )}
        </div>
      )}
      {message && (
        <p role={message.ok ? "status" : "alert"} className={message.ok ? "text-green-800" : "text-red-700"}>
          {message.text}
        </p>
      )}
    </div>
  );
}
