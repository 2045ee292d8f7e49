"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { formatCountLines, parseCountLines } from "@/app/_lib/count-lines";
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
  ["prismaNotRetrieved", "Reports not retrieved"],
] as const;
/** PRISMA 2020 boxes with one count per line ("PubMed: 120"): records per source, full-text exclusions by reason. */
const listFields = [
  ["prismaSources", "Records per source", "source", "records", "One source per line, e.g. “PubMed: 120”"],
  ["prismaExclusionReasons", "Full texts excluded, with reasons", "reason", "reports", "One reason per line, e.g. “Not a contusion model: 9”"],
] as const;
type TextField = (typeof textFields)[number][0];
type CountField = (typeof countFields)[number][0];

/** The lead's editor of the review's protocol and PRISMA counts (version-checked, audited); outcomes are on Set-up. */
export function ReviewSettings({ reviewId }: { reviewId: number }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const review = useQuery({ ...trpc.reviews.get.queryOptions({ reviewId }), enabled: open });
  return (
    <section aria-label="Review settings" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <button type="button" className="text-lg font-semibold" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "▾" : "▸"} Edit review details
      </button>
      {open && review.data && <DetailsForm reviewId={reviewId} review={review.data.review} />}
    </section>
  );
}

type ListField = (typeof listFields)[number][0];
type ReviewData = Record<TextField, string> &
  Record<CountField, number | null> & { prismaSources: { source: string; records: number }[]; prismaExclusionReasons: { reason: string; reports: number }[]; version: number };

function DetailsForm({ reviewId, review }: { reviewId: number; review: ReviewData }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(
    () =>
      ({
        ...Object.fromEntries([...textFields, ...countFields].map(([k]) => [k, review[k] === null ? "" : String(review[k])])),
        prismaSources: formatCountLines(review.prismaSources.map((s) => ({ name: s.source, count: s.records }))),
        prismaExclusionReasons: formatCountLines(review.prismaExclusionReasons.map((r) => ({ name: r.reason, count: r.reports }))),
      }) as Record<TextField | CountField | ListField, string>,
  );
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
    const lists: Record<string, unknown> = {};
    for (const [k, label, nameKey, countKey] of listFields) {
      const parsed = parseCountLines(draft[k]);
      if ("badLine" in parsed) return setMessage({ ok: false, text: `${label}, line ${parsed.badLine}: write it as “name: whole number”` });
      lists[k] = parsed.lines.map((l) => ({ [nameKey]: l.name, [countKey]: l.count }));
    }
    try {
      await update.mutateAsync({ reviewId, patch: { ...patch, ...lists }, version: review.version });
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
      {listFields.map(([key, label, , , hint]) => (
        <div key={key}>
          <label htmlFor={`review-${key}`} className="block text-sm font-medium">
            {label}
          </label>
          <textarea
            id={`review-${key}`}
            rows={4}
            aria-describedby={`review-${key}-hint`}
            className="mt-1 w-full rounded border border-slate-300 px-2 py-1 text-sm"
            value={draft[key]}
            onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
          />
          <p id={`review-${key}-hint`} className="text-xs text-slate-600">
            {hint} (for the PRISMA 2020 diagram; they must add up)
          </p>
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
