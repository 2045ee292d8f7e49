"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { conflictOf, errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";

const textFields = [
  ["title", "Title"],
  ["question", "Review question"],
  ["population", "Population"],
  ["intervention", "Intervention"],
  ["comparison", "Comparison"],
  ["outcomeDescription", "Outcome"],
  ["studyDesign", "Study design"],
  ["inclusionCriteria", "Inclusion criteria"],
  ["exclusionCriteria", "Exclusion criteria"],
] as const;
const countFields = [
  ["prismaIdentified", "Records identified"],
  ["prismaAfterDuplicates", "After duplicates removed"],
  ["prismaFullText", "Full texts assessed"],
  ["prismaIncluded", "Studies included"],
] as const;
type TextField = (typeof textFields)[number][0];
type CountField = (typeof countFields)[number][0];

/** The lead's editor of the review's protocol, PRISMA counts and outcomes (version-checked, audited). */
export function ReviewSettings({ reviewId }: { reviewId: number }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const review = useQuery({ ...trpc.reviews.get.queryOptions({ reviewId }), enabled: open });
  return (
    <section aria-label="Review settings" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <button type="button" className="text-lg font-semibold" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "▾" : "▸"} Edit review details and outcomes
      </button>
      {open && review.data && <DetailsForm reviewId={reviewId} review={review.data.review} />}
      {open && <OutcomesEditor reviewId={reviewId} />}
    </section>
  );
}

type ReviewData = Record<TextField, string> & Record<CountField, number | null> & { version: number };

function DetailsForm({ reviewId, review }: { reviewId: number; review: ReviewData }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(() => Object.fromEntries([...textFields, ...countFields].map(([k]) => [k, review[k] === null ? "" : String(review[k])])) as Record<TextField | CountField, string>);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const update = useMutation(trpc.reviews.update.mutationOptions());
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const patch: Record<string, string | number | null> = Object.fromEntries(textFields.map(([k]) => [k, draft[k]]));
    for (const [k, label] of countFields) {
      const text = draft[k].trim();
      const value = text === "" ? null : Number(text);
      if (value !== null && !(Number.isInteger(value) && value >= 0)) return setMessage({ ok: false, text: `${label}: must be a whole number, 0 or more` });
      patch[k] = value;
    }
    try {
      await update.mutateAsync({ reviewId, patch, version: review.version });
      await queryClient.invalidateQueries({ queryKey: trpc.reviews.get.queryKey({ reviewId }) });
      setMessage({ ok: true, text: "Saved" });
      router.refresh();
    } catch (error) {
      setMessage({ ok: false, text: conflictOf(error) ? `${errorMessage(error)} Reopen this panel to see the current details.` : errorMessage(error) });
    }
  };
  return (
    <form onSubmit={submit} className="mt-3 grid gap-3 md:grid-cols-2" aria-label="Review details">
      {textFields.map(([key, label]) => (
        <div key={key} className={key === "title" || key === "question" ? "md:col-span-2" : ""}>
          <label htmlFor={`review-${key}`} className="block text-sm font-medium">
            {label}
          </label>
          <textarea id={`review-${key}`} rows={key.endsWith("Criteria") ? 5 : 2} className="mt-1 w-full rounded border border-slate-300 px-2 py-1 text-sm" value={draft[key]} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} />
        </div>
      ))}
      {countFields.map(([key, label]) => (
        <div key={key}>
          <label htmlFor={`review-${key}`} className="block text-sm font-medium">
            {label}
          </label>
          <input id={`review-${key}`} inputMode="numeric" className="mt-1 w-32 rounded border border-slate-300 px-2 py-1 text-sm" value={draft[key]} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} />
        </div>
      ))}
      <div className="md:col-span-2">
        <button type="submit" className="rounded bg-blue-700 px-3 py-1.5 text-white" disabled={update.isPending}>
          Save review details
        </button>
        {message && (
          <span role={message.ok ? "status" : "alert"} className={`ml-3 text-sm ${message.ok ? "text-green-800" : "text-red-700"}`}>
            {message.text}
          </span>
        )}
      </div>
    </form>
  );
}

function OutcomesEditor({ reviewId }: { reviewId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const outcomes = useQuery(trpc.measurements.outcomes.queryOptions({ reviewId }));
  const create = useMutation(trpc.measurements.createOutcome.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.measurements.outcomes.queryKey({ reviewId }) }) }));
  const [draft, setDraft] = useState({ name: "", unit: "points", scaleMin: "", scaleMax: "", higherIsBetter: true });
  const bound = (text: string) => (text.trim() === "" ? null : Number(text));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ reviewId, name: draft.name, unit: draft.unit, scaleMin: bound(draft.scaleMin), scaleMax: bound(draft.scaleMax), higherIsBetter: draft.higherIsBetter });
  };
  return (
    <div className="mt-4">
      <h3 className="font-semibold">Outcomes</h3>
      <ul className="mt-1 list-disc pl-5 text-sm">
        {(outcomes.data ?? []).map((o) => (
          <li key={o.id}>
            {o.name} ({o.unit}; scale {o.scaleMin ?? "−∞"} to {o.scaleMax ?? "∞"}, {o.higherIsBetter ? "higher is better" : "lower is better"})
          </li>
        ))}
      </ul>
      <form onSubmit={submit} className="mt-2 flex flex-wrap items-end gap-2 text-sm" aria-label="Add outcome">
        {(
          [
            ["name", "Outcome name", "w-56"],
            ["unit", "Unit", "w-24"],
            ["scaleMin", "Scale minimum", "w-24"],
            ["scaleMax", "Scale maximum", "w-24"],
          ] as const
        ).map(([key, label, width]) => (
          <div key={key}>
            <label htmlFor={`outcome-${key}`} className="block text-xs font-medium">
              {label}
            </label>
            <input id={`outcome-${key}`} className={`rounded border border-slate-300 px-1 py-0.5 ${width}`} value={draft[key]} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} />
          </div>
        ))}
        <label className="flex items-center gap-1">
          <input type="checkbox" checked={draft.higherIsBetter} onChange={(e) => setDraft({ ...draft, higherIsBetter: e.target.checked })} /> Higher is better
        </label>
        <button type="submit" className="rounded border border-blue-700 px-2 py-0.5 text-blue-800">
          Add outcome
        </button>
        {create.error && (
          <p role="alert" className="w-full text-red-700">
            {errorMessage(create.error)}
          </p>
        )}
      </form>
    </div>
  );
}
