"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useDeferredValue, useMemo, useState, type FormEvent } from "react";
import { EditableCell } from "@/app/_components/editable-cell";
import { ExampleBadge } from "@/app/_components/example-badge";
import { Pager, pageSlice } from "@/app/_components/pager";
import { studyFieldValue } from "@/app/_lib/study-field-input";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useStudyFieldSave } from "@/app/_lib/use-study-field-save";
import { useLiveReview } from "@/app/_lib/use-live-review";
import { useTRPC } from "@/app/_trpc/client";
import { exosomeSources } from "@/db/schema/studies";
import { exosomeSourceLabels, parseStudyField, studyFieldLabels, type StudyField } from "@/server/schemas/study";

const PAGE_SIZE = 50;
const sourceOptions = exosomeSources.map((s) => ({ value: s, label: exosomeSourceLabels[s] }));

/** Table 1's columns, in the paper's order. */
const columns: { field: StudyField; kind: "text" | "number" | "select" | "textarea"; width: string }[] = [
  { field: "author", kind: "text", width: "w-40" },
  { field: "year", kind: "number", width: "w-20" },
  { field: "exosomeSource", kind: "select", width: "w-32" },
  { field: "exosomeSourceDetail", kind: "text", width: "w-56" },
  { field: "administrationRoute", kind: "text", width: "w-40" },
  { field: "injuredSite", kind: "text", width: "w-24" },
  { field: "modelingMethod", kind: "text", width: "w-28" },
  { field: "possibleMechanism", kind: "textarea", width: "w-72" },
  { field: "reference", kind: "text", width: "w-24" },
];

type SortKey = "position" | StudyField;

export function StudyTable({ reviewId, canEdit }: { reviewId: number; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useLiveReview(reviewId);
  const studies = useQuery(trpc.studies.list.queryOptions({ reviewId }));
  const remove = useMutation(trpc.studies.delete.mutationOptions());
  const [search, setSearch] = useState("");
  const deferredSearch = useDeferredValue(search);
  const [sourceFilter, setSourceFilter] = useState<string>("");
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: "position", dir: 1 });
  const [page, setPage] = useState(0);
  const [confirming, setConfirming] = useState<{ id: number; label: string; version: number } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const rows = useMemo(() => {
    const needle = deferredSearch.trim().toLowerCase();
    const filtered = (studies.data ?? []).filter(
      (s) =>
        (!sourceFilter || s.exosomeSource === sourceFilter) &&
        (!needle || columns.some((c) => String(s[c.field] ?? "").toLowerCase().includes(needle)) || s.doi.toLowerCase().includes(needle)),
    );
    const key = sort.key;
    return filtered.sort((a, b) => {
      const x = a[key] ?? "";
      const y = b[key] ?? "";
      const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
      return order * sort.dir || a.position - b.position;
    });
  }, [studies.data, deferredSearch, sourceFilter, sort]);

  const { items: visible, pageCount, current: currentPage } = pageSlice(rows, PAGE_SIZE, page);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.studies.list.queryKey({ reviewId }) });

  const save = useStudyFieldSave(reviewId);

  const toggleSort = (key: SortKey) => setSort((s) => ({ key, dir: s.key === key ? (s.dir === 1 ? -1 : 1) : 1 }));
  const ariaSort = (key: SortKey) => (sort.key === key ? (sort.dir === 1 ? "ascending" : "descending") : "none");

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-end gap-3">
        <div>
          <label htmlFor="study-search" className="block text-sm font-medium">
            Search
          </label>
          <input
            id="study-search"
            type="search"
            className="mt-1 w-64 rounded border border-slate-300 px-2 py-1"
            placeholder="Author, mechanism, site…"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              setPage(0);
            }}
          />
        </div>
        <div>
          <label htmlFor="source-filter" className="block text-sm font-medium">
            Source
          </label>
          <select
            id="source-filter"
            className="mt-1 rounded border border-slate-300 px-2 py-1"
            value={sourceFilter}
            onChange={(e) => {
              setSourceFilter(e.target.value);
              setPage(0);
            }}
          >
            <option value="">All sources</option>
            {sourceOptions.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <p className="text-sm text-slate-600" aria-live="polite">
          {rows.length} of {studies.data?.length ?? 0} studies
        </p>
        {canEdit && <AddStudyForm reviewId={reviewId} onAdded={(label) => setNotice(`Added ${label}.`)} />}
      </div>
      {notice && (
        <p role="status" className="text-sm text-green-800">
          {notice}
        </p>
      )}
      {studies.error && (
        <p role="alert" className="text-red-700">
          {errorMessage(studies.error)}
        </p>
      )}
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
        <table className="min-w-full text-sm" aria-label="Included studies (Table 1)">
          <thead className="bg-slate-100 text-left">
            <tr>
              <th scope="col" aria-sort={ariaSort("position")} className="w-12 px-2 py-2">
                <button type="button" onClick={() => toggleSort("position")} className="font-semibold">
                  #
                </button>
              </th>
              {columns.map((c) => (
                <th key={c.field} scope="col" aria-sort={ariaSort(c.field)} className={`${c.width} px-2 py-2`}>
                  <button type="button" onClick={() => toggleSort(c.field)} className="font-semibold">
                    {studyFieldLabels[c.field]}
                    {sort.key === c.field ? (sort.dir === 1 ? " ▲" : " ▼") : ""}
                  </button>
                </th>
              ))}
              <th scope="col" className="w-40 px-2 py-2">
                Outcome data
              </th>
              {canEdit && (
                <th scope="col" className="w-20 px-2 py-2">
                  <span className="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {visible.map((s) => (
              <tr key={s.id} className="border-t border-slate-100 align-top" data-study-id={s.id}>
                <td className="tabular px-2 py-1 text-slate-600">{s.position}</td>
                {columns.map((c) => (
                  <td key={c.field} className="px-1 py-1">
                    <EditableCell
                      label={`${studyFieldLabels[c.field]} of study ${s.position}`}
                      value={s[c.field] as string | number | null}
                      display={c.field === "exosomeSource" ? exosomeSourceLabels[s.exosomeSource] : undefined}
                      kind={c.kind}
                      options={c.kind === "select" ? sourceOptions : undefined}
                      readOnly={!canEdit}
                      version={s.version}
                      onSave={save(s.id, c.field)}
                    />
                  </td>
                ))}
                <td className="px-2 py-1">
                  <Link className="text-blue-800 underline" href={`/reviews/${reviewId}/studies/${s.id}`}>
                    {s.outcomeValues} values
                  </Link>
                  {s.hasExampleData && <ExampleBadge />}
                </td>
                {canEdit && (
                  <td className="px-2 py-1">
                    <button
                      type="button"
                      className="rounded px-2 py-0.5 text-red-700 hover:bg-red-50"
                      aria-label={`Delete study ${s.position} (${s.author} ${s.year})`}
                      onClick={() => setConfirming({ id: s.id, label: `${s.author} ${s.year}`, version: s.version })}
                    >
                      Delete
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager label="Pages" page={currentPage} pageCount={pageCount} onPage={setPage} />
      {confirming && (
        <div role="dialog" aria-modal="true" aria-labelledby="confirm-delete-title" className="fixed inset-0 z-10 flex items-center justify-center bg-black/40">
          <div className="w-96 rounded-lg bg-white p-5 shadow-xl">
            <h2 id="confirm-delete-title" className="text-lg font-semibold">
              Delete {confirming.label}?
            </h2>
            <p className="mt-2 text-sm">The study and all its outcome values will be removed. The audit trail keeps a copy.</p>
            {remove.error && (
              <p role="alert" className="mt-2 text-sm text-red-700">
                {errorMessage(remove.error)}
              </p>
            )}
            <div className="mt-4 flex justify-end gap-2">
              <button type="button" className="rounded border px-3 py-1.5" onClick={() => setConfirming(null)} autoFocus>
                Cancel
              </button>
              <button
                type="button"
                className="rounded bg-red-700 px-3 py-1.5 text-white"
                onClick={async () => {
                  await remove.mutateAsync({ reviewId, studyId: confirming.id, version: confirming.version }).catch(() => undefined);
                  if (!remove.isError) {
                    setNotice(`Deleted ${confirming.label}.`);
                    setConfirming(null);
                  }
                  await invalidate();
                }}
              >
                Delete study
              </button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}

function AddStudyForm({ reviewId, onAdded }: { reviewId: number; onAdded: (label: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [author, setAuthor] = useState("");
  const [year, setYear] = useState("");
  const [source, setSource] = useState<(typeof exosomeSources)[number]>("other");
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(trpc.studies.create.mutationOptions());
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    for (const [field, value] of [
      ["author", author],
      ["year", studyFieldValue("year", year)],
    ] as const) {
      const checked = parseStudyField(field, value);
      if (!checked.ok) return setError(checked.message);
    }
    try {
      await create.mutateAsync({ reviewId, author, year: Number(year), exosomeSource: source });
      await queryClient.invalidateQueries({ queryKey: trpc.studies.list.queryKey({ reviewId }) });
      onAdded(`${author} ${year}`);
      setAuthor("");
      setYear("");
      setError(null);
      setOpen(false);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  if (!open)
    return (
      <button type="button" className="ml-auto rounded bg-blue-700 px-3 py-1.5 text-white" onClick={() => setOpen(true)}>
        Add study
      </button>
    );
  return (
    <form onSubmit={submit} className="ml-auto flex flex-wrap items-end gap-2 rounded border border-slate-300 bg-white p-2" aria-label="Add study">
      <div>
        <label htmlFor="new-author" className="block text-xs font-medium">
          Author
        </label>
        <input id="new-author" className="w-40 rounded border border-slate-300 px-1 py-0.5" value={author} onChange={(e) => setAuthor(e.target.value)} />
      </div>
      <div>
        <label htmlFor="new-year" className="block text-xs font-medium">
          Year
        </label>
        <input id="new-year" inputMode="numeric" className="w-20 rounded border border-slate-300 px-1 py-0.5" value={year} onChange={(e) => setYear(e.target.value)} />
      </div>
      <div>
        <label htmlFor="new-source" className="block text-xs font-medium">
          Source
        </label>
        <select id="new-source" className="rounded border border-slate-300 px-1 py-0.5" value={source} onChange={(e) => setSource(e.target.value as typeof source)}>
          {sourceOptions.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="rounded bg-blue-700 px-3 py-1 text-white" disabled={create.isPending}>
        Save study
      </button>
      <button type="button" className="rounded border px-3 py-1" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {error && (
        <p role="alert" className="w-full text-sm text-red-700">
          {error}
        </p>
      )}
    </form>
  );
}
