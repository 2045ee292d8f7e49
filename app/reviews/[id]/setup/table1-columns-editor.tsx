"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import { columnLabel } from "@/server/schemas/columns";
import { fixedTable1Fields } from "@/server/schemas/study";

/** Table 1's columns after author and year, in order: any fixed field or characteristic, moved up and down. */
export function Table1ColumnsEditor({ reviewId, canEdit }: { reviewId: number; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const review = useQuery(trpc.reviews.get.queryOptions({ reviewId }));
  const characteristics = useQuery(trpc.characteristics.list.queryOptions({ reviewId }));
  const setColumns = useMutation(trpc.characteristics.setTable1Columns.mutationOptions());
  const [adding, setAdding] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  if (!review.data || !characteristics.data) return null;
  const definitions = characteristics.data;
  const columns = review.data.review.table1Columns;
  const available = [...fixedTable1Fields, ...definitions.map((d) => `c:${d.id}`)].filter((key) => !columns.includes(key));
  const save = async (next: string[]) => {
    setMessage(null);
    try {
      await setColumns.mutateAsync({ reviewId, columns: next, version: review.data.review.version });
    } catch (error) {
      setMessage(errorMessage(error));
    }
    await queryClient.invalidateQueries({ queryKey: trpc.pathKey() });
  };
  const moved = (from: number, to: number) => {
    const next = [...columns];
    const [key] = next.splice(from, 1);
    next.splice(to, 0, key!);
    return next;
  };
  return (
    <section aria-labelledby="table1-title" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="table1-title" className="text-lg font-semibold">
        Table 1 columns
      </h2>
      <p className="text-sm text-slate-600"># , first author and year always come first; then these, in this order (the study table, exports and the report follow it).</p>
      {message && (
        <p role="alert" className="text-sm text-red-700">
          {message}
        </p>
      )}
      <ol className="mt-2 space-y-1 text-sm">
        {columns.map((key, i) => (
          <li key={key} className="flex items-center gap-2 border-b border-slate-100 pb-1">
            <span className="w-6 text-slate-500">{i + 1}.</span>
            <span>{columnLabel(definitions, key)}</span>
            {canEdit && (
              <span className="ml-auto flex gap-1">
                <button type="button" aria-label={`Move column ${columnLabel(definitions, key)} left`} disabled={i === 0} className="min-h-8 min-w-8 rounded border px-1 disabled:opacity-40 sm:min-h-0 sm:min-w-0" onClick={() => void save(moved(i, i - 1))}>
                  ↑
                </button>
                <button type="button" aria-label={`Move column ${columnLabel(definitions, key)} right`} disabled={i === columns.length - 1} className="min-h-8 min-w-8 rounded border px-1 disabled:opacity-40 sm:min-h-0 sm:min-w-0" onClick={() => void save(moved(i, i + 1))}>
                  ↓
                </button>
                <button type="button" aria-label={`Remove column ${columnLabel(definitions, key)}`} className="min-h-8 min-w-8 rounded border px-1 text-red-700 sm:min-h-0 sm:min-w-0" onClick={() => void save(columns.filter((c) => c !== key))}>
                  ✕
                </button>
              </span>
            )}
          </li>
        ))}
      </ol>
      {canEdit && available.length > 0 && (
        <div className="mt-2 flex flex-wrap items-end gap-2 text-sm">
          <div>
            <label htmlFor="table1-add" className="block text-xs font-medium">
              Add a column
            </label>
            <select id="table1-add" className="rounded border border-slate-300 px-1 py-0.5" value={adding} onChange={(e) => setAdding(e.target.value)}>
              <option value="">Choose…</option>
              {available.map((key) => (
                <option key={key} value={key}>
                  {columnLabel(definitions, key)}
                </option>
              ))}
            </select>
          </div>
          <button type="button" className="rounded border border-blue-700 px-2 py-0.5 text-blue-800" disabled={!adding} onClick={() => void save([...columns, adding]).then(() => setAdding(""))}>
            Add column
          </button>
        </div>
      )}
    </section>
  );
}
