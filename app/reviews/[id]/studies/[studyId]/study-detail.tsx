"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { EditableCell } from "@/app/_components/editable-cell";
import { ExampleBadge } from "@/app/_components/example-badge";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useStudyFieldSave } from "@/app/_lib/use-study-field-save";
import { useLiveReview } from "@/app/_lib/use-live-review";
import { useTRPC } from "@/app/_trpc/client";
import { exosomeSources } from "@/db/schema/studies";
import { exosomeSourceLabels, studyFieldLabels, studyFields, type StudyField } from "@/server/schemas/study";
import { OutcomeGrid } from "./outcome-grid";
import { HistoryPanel } from "./history-panel";
import { StudyFigureValues } from "./figures/figure-list";

const sourceOptions = exosomeSources.map((s) => ({ value: s, label: exosomeSourceLabels[s] }));
const numeric = new Set<StudyField>(["year", "dose", "animalsTotal"]);
const long = new Set<StudyField>(["possibleMechanism", "notes"]);

export function StudyDetail({ reviewId, studyId, canEdit }: { reviewId: number; studyId: number; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useLiveReview(reviewId);
  const detail = useQuery(trpc.studies.get.queryOptions({ reviewId, studyId }));
  const saveField = useStudyFieldSave(reviewId);
  if (detail.error) return <p role="alert">{errorMessage(detail.error)}</p>;
  if (!detail.data) return <p>Loading…</p>;
  const { study, label } = detail.data;
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.studies.get.queryKey({ reviewId, studyId }) });

  return (
    <div className="space-y-6">
      <div>
        <Link href={`/reviews/${reviewId}/studies`} className="text-sm text-blue-800 underline">
          ← All studies
        </Link>
        <h1 className="mt-1 text-2xl font-semibold">
          {study.position}. {label}
        </h1>
        {study.doi && (
          <p className="text-sm text-slate-600">
            doi:{" "}
            <a className="underline" href={`https://doi.org/${encodeURIComponent(study.doi).replace(/%2F/g, "/")}`} rel="noreferrer noopener">
              {study.doi}
            </a>
          </p>
        )}
      </div>
      <section aria-label="Outcome data" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <h2 className="text-lg font-semibold">Outcome data by time point</h2>
        <Link href={`/reviews/${reviewId}/studies/${studyId}/figures`} className="mt-1 inline-block rounded border border-blue-700 px-2 py-0.5 text-sm text-blue-800">
          {canEdit ? "Extract from a figure" : "Figures read for this study"}
        </Link>
        <OutcomeGrid reviewId={reviewId} detail={detail.data} canEdit={canEdit} onChanged={invalidate} />
        <StudyFigureValues reviewId={reviewId} studyId={studyId} />
      </section>
      <section aria-label="Study characteristics" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <h2 className="text-lg font-semibold">Characteristics and extraction fields</h2>
        <dl className="mt-2 grid gap-x-6 gap-y-1 text-sm md:grid-cols-2">
          {studyFields.map((field) => (
            <div key={field} className="grid grid-cols-[12rem_1fr] items-start gap-2 border-b border-slate-100 py-1">
              <dt className="pt-1 text-slate-600">{studyFieldLabels[field]}</dt>
              <dd>
                <EditableCell
                  label={studyFieldLabels[field]}
                  value={study[field] as string | number | null}
                  display={field === "exosomeSource" ? exosomeSourceLabels[study.exosomeSource] : undefined}
                  kind={field === "exosomeSource" ? "select" : numeric.has(field) ? "number" : long.has(field) ? "textarea" : "text"}
                  options={field === "exosomeSource" ? sourceOptions : undefined}
                  readOnly={!canEdit}
                  version={study.version}
                  onSave={saveField(studyId, field)}
                />
              </dd>
            </div>
          ))}
        </dl>
      </section>
      <HistoryPanel reviewId={reviewId} studyId={studyId} />
      {detail.data.timepoints.some((t) => t.treated?.isExampleData || t.control?.isExampleData) && (
        <p className="text-sm text-amber-900">
          <ExampleBadge /> Values marked this way were invented for the demo; the seed paper prints no per-study BBB values.
        </p>
      )}
    </div>
  );
}
