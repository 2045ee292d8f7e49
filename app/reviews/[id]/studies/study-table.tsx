"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useDeferredValue, useMemo, useState, type FormEvent } from "react";
import { EditableCell } from "@/app/_components/editable-cell";
import { ExampleBadge } from "@/app/_components/example-badge";
import { Pager, pageSlice } from "@/app/_components/pager";
import { ScrollBox } from "@/app/_components/scroll-box";
import { checkColumnInput, columnEditValue, columnEditor } from "@/app/_lib/study-columns";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useStudyFieldSave } from "@/app/_lib/use-study-field-save";
import { useLiveReview } from "@/app/_lib/use-live-review";
import { useTRPC } from "@/app/_trpc/client";
import { isListType } from "@/server/schemas/characteristics";
import { columnLabel, columnText, columnValue } from "@/server/schemas/columns";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/root";
import { RemovedStudies } from "./removed-studies";

const PAGE_SIZE = 50;
type StudyRow = inferRouterOutputs<AppRouter>["studies"]["list"][number];
const POSITION = "#";

/**
 * Table 1: author and year, then the columns the review's lead chose (fixed fields and the review's own
 * characteristics, in order). Sort by any column, filter by any list characteristic, search every column.
 */
export function StudyTable({ reviewId, canEdit, isLead }: { reviewId: number; canEdit: boolean; isLead: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useLiveReview(reviewId);
  const studies = useQuery(trpc.studies.list.queryOptions({ reviewId }));
  const review = useQuery(trpc.reviews.get.queryOptions({ reviewId }));
  const characteristics = useQuery(trpc.characteristics.list.queryOptions({ reviewId }));
  const definitions = useMemo(() => characteristics.data ?? [], [characteristics.data]);
  const remove = useMutation(trpc.studies.delete.mutationOptions());
  const [search, setSearch] = useState("");
  const deferredSearch = useDeferredValue(search);
  const [filter, setFilter] = useState<{ key: string; value: string }>({ key: "", value: "" });
  const [sort, setSort] = useState<{ key: string; dir: 1 | -1 }>({ key: POSITION, dir: 1 });
  const [page, setPage] = useState(0);
  const [confirming, setConfirming] = useState<{ id: number; label: string; version: number } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const columns = useMemo(() => ["author", "year", ...(review.data?.review.table1Columns ?? [])], [review.data]);
  const filterable = definitions.filter((d) => isListType(d.type));
  const filterDefinition = filterable.find((d) => `c:${d.id}` === filter.key);

  const rows = useMemo(() => {
    const needle = deferredSearch.trim().toLowerCase();
    const text = (s: StudyRow, key: string) => columnText(definitions, key, s, s.characteristics);
    const filtered = (studies.data ?? []).filter((s) => {
      if (filter.key && filter.value) {
        const value = columnValue(filter.key, s, s.characteristics);
        const matches = Array.isArray(value) ? value.includes(filter.value) : String(value ?? "") === filter.value;
        if (!matches) return false;
      }
      return !needle || [...columns, "doi", "title"].some((key) => text(s, key).toLowerCase().includes(needle));
    });
    return filtered.sort((a, b) => {
      if (sort.key === POSITION) return (a.position - b.position) * sort.dir;
      const x = columnValue(sort.key, a, a.characteristics);
      const y = columnValue(sort.key, b, b.characteristics);
      const order = typeof x === "number" && typeof y === "number" ? x - y : text(a, sort.key).localeCompare(text(b, sort.key), undefined, { numeric: true });
      return order * sort.dir || a.position - b.position;
    });
  }, [studies.data, deferredSearch, filter, sort, columns, definitions]);

  const { items: visible, pageCount, current: currentPage } = pageSlice(rows, PAGE_SIZE, page);
  const invalidate = () => Promise.all([queryClient.invalidateQueries({ queryKey: trpc.studies.list.queryKey({ reviewId }) }), queryClient.invalidateQueries({ queryKey: trpc.studies.removed.queryKey({ reviewId }) })]);
  const save = useStudyFieldSave(reviewId, definitions);

  const toggleSort = (key: string) => setSort((s) => ({ key, dir: s.key === key ? (s.dir === 1 ? -1 : 1) : 1 }));
  const ariaSort = (key: string) => (sort.key === key ? (sort.dir === 1 ? "ascending" : "descending") : "none");
  const filterValues = filterDefinition
    ? filterDefinition.type === "boolean"
      ? [
          { value: "true", label: "Yes" },
          { value: "false", label: "No" },
        ]
      : filterDefinition.options
    : [];

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
            className="mt-1 w-56 max-w-full rounded border border-slate-300 px-2 py-1"
            placeholder="Any column, DOI, title…"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              setPage(0);
            }}
          />
        </div>
        {filterable.length > 0 && (
          <>
            <div>
              <label htmlFor="filter-by" className="block text-sm font-medium">
                Filter by
              </label>
              <select
                id="filter-by"
                className="mt-1 max-w-48 rounded border border-slate-300 px-2 py-1"
                value={filter.key}
                onChange={(e) => {
                  setFilter({ key: e.target.value, value: "" });
                  setPage(0);
                }}
              >
                <option value="">No filter</option>
                {filterable.map((d) => (
                  <option key={d.id} value={`c:${d.id}`}>
                    {d.label}
                  </option>
                ))}
              </select>
            </div>
            {filterDefinition && (
              <div>
                <label htmlFor="filter-value" className="block text-sm font-medium">
                  {filterDefinition.label}
                </label>
                <select
                  id="filter-value"
                  className="mt-1 max-w-48 rounded border border-slate-300 px-2 py-1"
                  value={filter.value}
                  onChange={(e) => {
                    setFilter({ ...filter, value: e.target.value });
                    setPage(0);
                  }}
                >
                  <option value="">Any</option>
                  {filterValues.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </div>
            )}
          </>
        )}
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
      {(studies.error ?? review.error ?? characteristics.error) && (
        <p role="alert" className="text-red-700">
          {errorMessage(studies.error ?? review.error ?? characteristics.error)}
        </p>
      )}
      <ScrollBox label="Included studies (Table 1)">
        <table className="min-w-full text-sm" aria-label="Included studies (Table 1)">
          <thead className="bg-slate-100 text-left">
            <tr>
              <th scope="col" aria-sort={ariaSort(POSITION)} className="w-12 px-2 py-2">
                <button type="button" onClick={() => toggleSort(POSITION)} className="font-semibold">
                  #
                </button>
              </th>
              {columns.map((key) => (
                <th key={key} scope="col" aria-sort={ariaSort(key)} className={`px-2 py-2 ${key === "year" ? "w-20" : "min-w-32"}`}>
                  <button type="button" onClick={() => toggleSort(key)} className="text-left font-semibold">
                    {columnLabel(definitions, key)}
                    {sort.key === key ? (sort.dir === 1 ? " ▲" : " ▼") : ""}
                  </button>
                </th>
              ))}
              <th scope="col" className="w-32 px-2 py-2">
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
                {columns.map((key) => {
                  const editor = columnEditor(definitions, key);
                  return (
                    <td key={key} className="px-1 py-1">
                      <EditableCell
                        label={`${columnLabel(definitions, key)} of study ${s.position}`}
                        value={columnEditValue(key, s, s.characteristics)}
                        display={columnText(definitions, key, s, s.characteristics)}
                        kind={editor.kind}
                        options={editor.options}
                        readOnly={!canEdit}
                        version={s.version}
                        onSave={save(s.id, key)}
                      />
                    </td>
                  );
                })}
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
                      aria-label={`Remove study ${s.position} (${s.author} ${s.year})`}
                      onClick={() => {
                        remove.reset();
                        setConfirming({ id: s.id, label: `${s.author} ${s.year}`, version: s.version });
                      }}
                    >
                      Remove
                    </button>
                  </td>
                )}
              </tr>
            ))}
            {visible.length === 0 && (
              <tr>
                <td colSpan={columns.length + 3} className="px-2 py-6 text-center text-slate-600">
                  {studies.data?.length ? "No study matches the search or filter." : "No studies yet."}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </ScrollBox>
      <Pager label="Pages" page={currentPage} pageCount={pageCount} onPage={setPage} />
      {canEdit && <RemovedStudies reviewId={reviewId} canRestore={isLead} />}
      {confirming && (
        <div role="dialog" aria-modal="true" aria-labelledby="confirm-delete-title" className="fixed inset-0 z-10 flex items-center justify-center bg-black/40 p-4">
          <div className="w-96 max-w-full rounded-lg bg-white p-5 shadow-xl">
            <h2 id="confirm-delete-title" className="text-lg font-semibold">
              Remove {confirming.label}?
            </h2>
            <p className="mt-2 text-sm">
              The study leaves Table 1, the analyses and the risk-of-bias figures. Its outcome values and judgments are kept with it: the lead can restore it from
              &ldquo;Removed studies&rdquo;.
            </p>
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
                  const removed = await remove.mutateAsync({ reviewId, studyId: confirming.id, version: confirming.version }).then(
                    () => true,
                    () => false,
                  );
                  if (removed) {
                    setNotice(`Removed ${confirming.label}.`);
                    setConfirming(null);
                  }
                  await invalidate();
                }}
              >
                Remove study
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
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(trpc.studies.create.mutationOptions());
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const checkedAuthor = checkColumnInput([], "author", author);
    const checkedYear = checkColumnInput([], "year", year);
    if (!checkedAuthor.ok) return setError(checkedAuthor.message);
    if (!checkedYear.ok) return setError(checkedYear.message);
    try {
      await create.mutateAsync({ reviewId, author, year: checkedYear.value as number });
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
          First author
        </label>
        <input id="new-author" className="w-40 rounded border border-slate-300 px-1 py-0.5" placeholder="Smith et al." value={author} onChange={(e) => setAuthor(e.target.value)} />
      </div>
      <div>
        <label htmlFor="new-year" className="block text-xs font-medium">
          Year
        </label>
        <input id="new-year" inputMode="numeric" className="w-20 rounded border border-slate-300 px-1 py-0.5" value={year} onChange={(e) => setYear(e.target.value)} />
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
