"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import { characteristicTypes, type CharacteristicType } from "@/db/schema/characteristics";
import { characteristicTypeLabels } from "@/server/schemas/characteristics";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/root";
import { FormActions } from "./form-actions";

type Characteristic = inferRouterOutputs<AppRouter>["characteristics"]["list"][number];
type Draft = { label: string; type: CharacteristicType; unit: string; options: { value?: string; label: string }[]; helpText: string; inTable1: boolean };

const emptyDraft: Draft = { label: "", type: "text", unit: "", options: [], helpText: "", inTable1: true };

/** The review's own study characteristics: label, type, unit or choices, help text, order, Table 1 or not. */
export function CharacteristicsEditor({ reviewId, canEdit }: { reviewId: number; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.characteristics.list.queryOptions({ reviewId }));
  const review = useQuery(trpc.reviews.get.queryOptions({ reviewId }));
  const move = useMutation(trpc.characteristics.move.mutationOptions());
  const remove = useMutation(trpc.characteristics.delete.mutationOptions());
  const [editing, setEditing] = useState<number | "new" | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.pathKey() });
  const inTable1 = (id: number) => review.data?.review.table1Columns.includes(`c:${id}`) ?? false;
  const items = list.data ?? [];

  return (
    <section aria-labelledby="characteristics-title" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="characteristics-title" className="text-lg font-semibold">
        Study characteristics of this review
      </h2>
      <p className="text-sm text-slate-600">
        Every study has the fixed fields (author, species, dose, route…). Add here what your question needs: a drug class, a cell source, a stimulation
        frequency. A list characteristic can group the studies into subgroups.
      </p>
      {message && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {message}
        </p>
      )}
      <ol className="mt-2 space-y-2">
        {items.map((c, i) =>
          editing === c.id ? (
            <li key={c.id}>
              <CharacteristicForm reviewId={reviewId} characteristic={c} inTable1={inTable1(c.id)} onDone={() => setEditing(null)} />
            </li>
          ) : (
            <li key={c.id} className="flex flex-wrap items-baseline gap-2 border-b border-slate-100 pb-1 text-sm">
              <strong>{c.label}</strong>
              <span className="text-slate-700">
                {characteristicTypeLabels[c.type]}
                {c.unit && ` (${c.unit})`}
                {c.options.length > 0 && `: ${c.options.map((o) => o.label).join(", ")}`}
              </span>
              <span className="text-slate-500">
                {c.studiesWithValue} {c.studiesWithValue === 1 ? "study" : "studies"} with a value{inTable1(c.id) ? " · Table 1 column" : ""}
              </span>
              {canEdit && (
                <span className="ml-auto flex flex-wrap gap-2">
                  <button type="button" disabled={i === 0} aria-label={`Move ${c.label} up`} className="min-h-8 min-w-8 rounded border px-1 disabled:opacity-40 sm:min-h-0 sm:min-w-0" onClick={() => move.mutateAsync({ reviewId, characteristicId: c.id, direction: "up" }).then(refresh, (e: unknown) => setMessage(errorMessage(e)))}>
                    ↑
                  </button>
                  <button type="button" disabled={i === items.length - 1} aria-label={`Move ${c.label} down`} className="min-h-8 min-w-8 rounded border px-1 disabled:opacity-40 sm:min-h-0 sm:min-w-0" onClick={() => move.mutateAsync({ reviewId, characteristicId: c.id, direction: "down" }).then(refresh, (e: unknown) => setMessage(errorMessage(e)))}>
                    ↓
                  </button>
                  <button type="button" className="min-h-8 text-blue-800 underline sm:min-h-0" onClick={() => setEditing(c.id)}>
                    Edit {c.label}
                  </button>
                  <button
                    type="button"
                    className="min-h-8 text-red-700 underline sm:min-h-0"
                    onClick={async () => {
                      if (c.studiesWithValue > 0 && !window.confirm(`Remove "${c.label}" and its values in ${c.studiesWithValue} studies? The audit trail keeps them.`)) return;
                      await remove.mutateAsync({ reviewId, characteristicId: c.id, version: c.version }).then(refresh, (e: unknown) => setMessage(errorMessage(e)));
                    }}
                  >
                    Remove {c.label}
                  </button>
                </span>
              )}
            </li>
          ),
        )}
        {items.length === 0 && <li className="text-sm text-slate-600">None yet.</li>}
      </ol>
      {canEdit &&
        (editing === "new" ? (
          <CharacteristicForm reviewId={reviewId} inTable1 onDone={() => setEditing(null)} />
        ) : (
          <button type="button" className="mt-3 rounded bg-blue-700 px-3 py-1.5 text-white" onClick={() => setEditing("new")}>
            Add characteristic
          </button>
        ))}
    </section>
  );
}

function CharacteristicForm({ reviewId, characteristic, inTable1, onDone }: { reviewId: number; characteristic?: Characteristic; inTable1: boolean; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() =>
    characteristic ? { label: characteristic.label, type: characteristic.type, unit: characteristic.unit, options: characteristic.options, helpText: characteristic.helpText, inTable1 } : emptyDraft,
  );
  const [optionsText, setOptionsText] = useState(() => draft.options.map((o) => o.label).join("\n"));
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(trpc.characteristics.create.mutationOptions());
  const update = useMutation(trpc.characteristics.update.mutationOptions());
  const idBase = characteristic ? `characteristic-${characteristic.id}` : "characteristic-new";
  const isList = draft.type === "single" || draft.type === "multiple";

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // Options keep their stored value when their label is only renamed in place (same line).
    const labels = optionsText.split("\n").map((l) => l.trim()).filter(Boolean);
    const previous = characteristic?.options ?? [];
    const options = isList ? labels.map((label, i) => ({ label, value: previous.find((o) => o.label === label)?.value ?? previous[i]?.value })) : [];
    const unique = options.filter((o, i) => !o.value || options.findIndex((p) => p.value === o.value) === i);
    const definition = { ...draft, options: unique.map((o) => (o.value ? o : { label: o.label })) };
    try {
      if (characteristic) await update.mutateAsync({ reviewId, characteristicId: characteristic.id, definition, version: characteristic.version });
      else await create.mutateAsync({ reviewId, definition });
      await queryClient.invalidateQueries({ queryKey: trpc.pathKey() });
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <form onSubmit={submit} aria-label={characteristic ? `Edit ${characteristic.label}` : "New characteristic"} className="mt-2 space-y-2 rounded border border-slate-300 bg-slate-50 p-3 text-sm">
      <div className="flex flex-wrap items-end gap-2">
        <div>
          <label htmlFor={`${idBase}-label`} className="block text-xs font-medium">
            Label
          </label>
          <input id={`${idBase}-label`} className="w-56 max-w-full rounded border border-slate-300 px-1 py-0.5" value={draft.label} onChange={(e) => setDraft({ ...draft, label: e.target.value })} />
        </div>
        <div>
          <label htmlFor={`${idBase}-type`} className="block text-xs font-medium">
            Type
          </label>
          <select id={`${idBase}-type`} className="rounded border border-slate-300 px-1 py-0.5" value={draft.type} onChange={(e) => setDraft({ ...draft, type: e.target.value as CharacteristicType })}>
            {characteristicTypes.map((t) => (
              <option key={t} value={t}>
                {characteristicTypeLabels[t]}
              </option>
            ))}
          </select>
        </div>
        {draft.type === "number" && (
          <div>
            <label htmlFor={`${idBase}-unit`} className="block text-xs font-medium">
              Unit
            </label>
            <input id={`${idBase}-unit`} className="w-28 rounded border border-slate-300 px-1 py-0.5" value={draft.unit} onChange={(e) => setDraft({ ...draft, unit: e.target.value })} />
          </div>
        )}
        <label className="flex items-center gap-1">
          <input type="checkbox" checked={draft.inTable1} onChange={(e) => setDraft({ ...draft, inTable1: e.target.checked })} /> Table 1 column
        </label>
      </div>
      {isList && (
        <div>
          <label htmlFor={`${idBase}-options`} className="block text-xs font-medium">
            Choices (one per line)
          </label>
          <textarea id={`${idBase}-options`} rows={5} className="w-72 max-w-full rounded border border-slate-300 px-1 py-0.5" value={optionsText} onChange={(e) => setOptionsText(e.target.value)} />
        </div>
      )}
      <div>
        <label htmlFor={`${idBase}-help`} className="block text-xs font-medium">
          Help text for extractors
        </label>
        <input id={`${idBase}-help`} className="w-full rounded border border-slate-300 px-1 py-0.5" value={draft.helpText} onChange={(e) => setDraft({ ...draft, helpText: e.target.value })} />
      </div>
      <FormActions submitLabel={characteristic ? "Save characteristic" : "Add this characteristic"} pending={create.isPending || update.isPending} onCancel={onDone} error={error} />
    </form>
  );
}
