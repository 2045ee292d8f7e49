"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import { numberFromInput } from "@/server/schemas/measurement";
import { describeScale, outcomePresets } from "@/server/schemas/outcomes";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/root";
import { FormActions } from "./form-actions";

type Outcome = inferRouterOutputs<AppRouter>["outcomes"]["list"][number];
type Draft = { name: string; unit: string; scaleMin: string; scaleMax: string; normalValue: string; higherIsBetter: boolean };

const text = (v: number | null) => (v === null ? "" : String(v));
const draftOf = (o: { name: string; unit: string; scaleMin: number | null; scaleMax: number | null; normalValue: number | null; higherIsBetter: boolean }): Draft => ({
  name: o.name,
  unit: o.unit,
  scaleMin: text(o.scaleMin),
  scaleMax: text(o.scaleMax),
  normalValue: text(o.normalValue),
  higherIsBetter: o.higherIsBetter,
});
const outcomeOf = (d: Draft) => ({ name: d.name, unit: d.unit, scaleMin: numberFromInput(d.scaleMin), scaleMax: numberFromInput(d.scaleMax), normalValue: numberFromInput(d.normalValue), higherIsBetter: d.higherIsBetter });

/** The review's outcomes: none until the lead adds one (from a preset or from scratch); each editable and removable. */
export function OutcomesEditor({ reviewId, canEdit }: { reviewId: number; canEdit: boolean }) {
  const trpc = useTRPC();
  const outcomes = useQuery(trpc.outcomes.list.queryOptions({ reviewId }));
  const [editing, setEditing] = useState<number | "new" | null>(null);
  return (
    <section aria-labelledby="outcomes-title" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="outcomes-title" className="text-lg font-semibold">
        Outcomes
      </h2>
      <p className="text-sm text-slate-600">Values outside an outcome&apos;s scale are refused. Its direction sets the &ldquo;Favours&rdquo; labels of the plots.</p>
      {outcomes.error && <p role="alert">{errorMessage(outcomes.error)}</p>}
      <ul className="mt-2 space-y-2">
        {(outcomes.data ?? []).map((o) =>
          editing === o.id ? (
            <li key={o.id}>
              <OutcomeForm reviewId={reviewId} outcome={o} onDone={() => setEditing(null)} />
            </li>
          ) : (
            <li key={o.id} className="flex flex-wrap items-baseline gap-2 border-b border-slate-100 pb-1">
              <strong>{o.name}</strong>
              <span className="text-sm text-slate-700">
                {describeScale(o)}
                {o.normalValue !== null && `; normal animal ${o.normalValue}`}
              </span>
              {canEdit && (
                <span className="ml-auto flex gap-2">
                  <button type="button" className="min-h-8 text-sm text-blue-800 underline sm:min-h-0" onClick={() => setEditing(o.id)}>
                    Edit {o.name}
                  </button>
                  <DeleteOutcome reviewId={reviewId} outcome={o} />
                </span>
              )}
            </li>
          ),
        )}
        {outcomes.data?.length === 0 && <li className="text-sm text-slate-600">No outcome yet.</li>}
      </ul>
      {canEdit && (editing === "new" ? <OutcomeForm reviewId={reviewId} onDone={() => setEditing(null)} /> : (
        <button type="button" className="mt-3 rounded bg-blue-700 px-3 py-1.5 text-white" onClick={() => setEditing("new")}>
          Add outcome
        </button>
      ))}
    </section>
  );
}

function DeleteOutcome({ reviewId, outcome }: { reviewId: number; outcome: Outcome }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(trpc.outcomes.delete.mutationOptions({ onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.outcomes.list.queryKey({ reviewId }) }) }));
  return (
    <>
      <button type="button" className="min-h-8 text-sm text-red-700 underline sm:min-h-0" onClick={() => remove.mutate({ reviewId, outcomeId: outcome.id, version: outcome.version })}>
        Remove {outcome.name}
      </button>
      {remove.error && (
        <span role="alert" className="w-full text-sm text-red-700">
          {errorMessage(remove.error)}
        </span>
      )}
    </>
  );
}

function OutcomeForm({ reviewId, outcome, onDone }: { reviewId: number; outcome?: Outcome; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => (outcome ? draftOf(outcome) : draftOf(outcomePresets[0]!.outcome)));
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(trpc.outcomes.create.mutationOptions());
  const update = useMutation(trpc.outcomes.update.mutationOptions());
  const idBase = outcome ? `outcome-${outcome.id}` : "outcome-new";
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      if (outcome) await update.mutateAsync({ reviewId, outcomeId: outcome.id, outcome: outcomeOf(draft), version: outcome.version });
      else await create.mutateAsync({ reviewId, outcome: outcomeOf(draft) });
      await queryClient.invalidateQueries({ queryKey: trpc.outcomes.list.queryKey({ reviewId }) });
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const input = (key: "name" | "unit" | "scaleMin" | "scaleMax" | "normalValue", label: string, width: string) => (
    <div>
      <label htmlFor={`${idBase}-${key}`} className="block text-xs font-medium">
        {label}
      </label>
      <input
        id={`${idBase}-${key}`}
        className={`rounded border border-slate-300 px-1 py-0.5 ${width}`}
        inputMode={key === "name" || key === "unit" ? undefined : "decimal"}
        value={draft[key]}
        onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
      />
    </div>
  );
  return (
    <form onSubmit={submit} aria-label={outcome ? `Edit ${outcome.name}` : "New outcome"} className="mt-2 space-y-2 rounded border border-slate-300 bg-slate-50 p-3 text-sm">
      {!outcome && (
        <div>
          <label htmlFor={`${idBase}-preset`} className="block text-xs font-medium">
            Start from
          </label>
          <select id={`${idBase}-preset`} className="rounded border border-slate-300 px-1 py-0.5" onChange={(e) => setDraft(draftOf(outcomePresets.find((p) => p.key === e.target.value)!.outcome))}>
            {outcomePresets.map((p) => (
              <option key={p.key} value={p.key}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="flex flex-wrap items-end gap-2">
        {input("name", "Outcome name", "w-56")}
        {input("unit", "Unit", "w-28")}
        {input("scaleMin", "Scale minimum (blank: none)", "w-28")}
        {input("scaleMax", "Scale maximum (blank: none)", "w-28")}
        {input("normalValue", "Normal (uninjured) value", "w-28")}
        <fieldset>
          <legend className="text-xs font-medium">Better is</legend>
          <label className="mr-2">
            <input type="radio" name={`${idBase}-direction`} checked={draft.higherIsBetter} onChange={() => setDraft({ ...draft, higherIsBetter: true })} /> higher
          </label>
          <label>
            <input type="radio" name={`${idBase}-direction`} checked={!draft.higherIsBetter} onChange={() => setDraft({ ...draft, higherIsBetter: false })} /> lower
          </label>
        </fieldset>
      </div>
      <FormActions submitLabel={outcome ? "Save outcome" : "Add this outcome"} pending={create.isPending || update.isPending} onCancel={onDone} error={error} />
    </form>
  );
}
