"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useLiveReview } from "@/app/_lib/use-live-review";
import { useTRPC } from "@/app/_trpc/client";

const statusLabel = { in_progress: "in progress", completed: "completed" } as const;

export function FigureList({ reviewId, studyId }: { reviewId: number; studyId: number }) {
  const trpc = useTRPC();
  useLiveReview(reviewId);
  const list = useQuery(trpc.figures.list.queryOptions({ reviewId, studyId }));
  if (list.error) return <p role="alert">{errorMessage(list.error)}</p>;
  if (!list.data) return <p>Loading…</p>;
  if (list.data.length === 0) return <p className="text-sm text-slate-700">No figure has been digitised for this study yet.</p>;
  return (
    <section aria-labelledby="figure-list" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="figure-list" className="text-lg font-semibold">
        Digitised figures
      </h2>
      <ul className="mt-2 divide-y divide-slate-100">
        {list.data.map((f) => (
          <li key={f.id} className="flex flex-wrap items-baseline gap-x-3 gap-y-1 py-2 text-sm">
            <Link href={`/reviews/${reviewId}/studies/${studyId}/figures/${f.id}`} className="font-medium text-blue-800 underline">
              {f.label}
            </Link>
            <span className="text-slate-600">
              {f.chartKind} chart{f.sourcePage ? `, page ${f.sourcePage}` : ""}
              {f.sourceName ? ` of ${f.sourceName}` : ""}
            </span>
            <span>{f.valuesInGrid} values in the grid</span>
            <span className="text-slate-600">
              {f.readings.map((r) => `reading ${r.ordinal} by ${r.readerName} (${statusLabel[r.status]})`).join("; ")}
              {f.decided ? "; decided by the lead" : ""}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** On the study page, under the outcome grid: which of its values were read from which figure (with a link to it). */
export function StudyFigureValues({ reviewId, studyId }: { reviewId: number; studyId: number }) {
  const trpc = useTRPC();
  const provenance = useQuery(trpc.figures.provenance.queryOptions({ reviewId }));
  const rows = (provenance.data ?? []).filter((p) => p.studyId === studyId);
  if (rows.length === 0) return null;
  return (
    <div className="mt-3 text-sm">
      <h3 className="font-medium">Values read from figures</h3>
      <ul className="mt-1 space-y-0.5">
        {rows.map((p) => (
          <li key={p.measurementId}>
            {p.outcome}, day {p.day}, {p.armLabel}: from{" "}
            <Link href={`/reviews/${reviewId}/studies/${studyId}/figures/${p.figureId}`} className="text-blue-800 underline">
              {p.figureLabel}
              {p.page ? `, page ${p.page}` : ""}
            </Link>{" "}
            (reading {p.readingOrdinal} by {p.readerName}){p.editedSince ? ", edited in the grid since" : ""}
          </li>
        ))}
      </ul>
    </div>
  );
}
