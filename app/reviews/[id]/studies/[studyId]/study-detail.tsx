"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { EditableCell } from "@/app/_components/editable-cell";
import { ExampleBadge } from "@/app/_components/example-badge";
import { columnEditValue, columnEditor } from "@/app/_lib/study-columns";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useStudyFieldSave } from "@/app/_lib/use-study-field-save";
import { useLiveReview } from "@/app/_lib/use-live-review";
import { useTRPC } from "@/app/_trpc/client";
import { formatCharacteristicValue, type CharacteristicValue } from "@/server/schemas/characteristics";
import { studyFieldLabels, type StudyField } from "@/server/schemas/study";
import { ArmsEditor } from "./arms-editor";
import { HistoryPanel } from "./history-panel";
import { LinkedRecords } from "./linked-records";
import { OutcomeGrid } from "./outcome-grid";
import { StudyFigureValues } from "./figures/figure-list";

/** The fixed fields every animal study has, in the order an extraction form asks for them. */
const fieldGroups: { title: string; fields: StudyField[] }[] = [
  { title: "Publication", fields: ["author", "year", "title", "journal", "doi"] },
  { title: "Animals", fields: ["species", "strain", "sex", "age", "bodyWeight", "animalsTotal"] },
  { title: "Disease model", fields: ["diseaseModel", "modelInduction"] },
  { title: "Intervention", fields: ["intervention", "dose", "doseUnit", "administrationRoute", "timingAfterInjury", "administrationFrequency"] },
  { title: "Notes", fields: ["notes"] },
];

export function StudyDetail({ reviewId, studyId, canEdit }: { reviewId: number; studyId: number; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useLiveReview(reviewId);
  const detail = useQuery(trpc.studies.get.queryOptions({ reviewId, studyId }));
  const definitions = detail.data?.characteristics ?? [];
  const saveField = useStudyFieldSave(reviewId, definitions);
  if (detail.error) return <p role="alert">{errorMessage(detail.error)}</p>;
  if (!detail.data) return <p>Loading…</p>;
  const { study, label } = detail.data;
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.studies.get.queryKey({ reviewId, studyId }) });
  const values = Object.fromEntries(definitions.flatMap((d) => (d.value === null ? [] : [[String(d.id), d.value]]))) as Record<string, CharacteristicValue>;
  const cell = (key: string, cellLabel: string) => {
    const editor = columnEditor(definitions, key);
    const definition = definitions.find((d) => `c:${d.id}` === key);
    return (
      <EditableCell
        label={cellLabel}
        value={columnEditValue(key, study, values)}
        display={definition ? formatCharacteristicValue(definition, definition.value) : undefined}
        kind={editor.kind}
        options={editor.options}
        readOnly={!canEdit}
        version={study.version}
        onSave={saveField(studyId, key)}
      />
    );
  };

  return (
    <div className="space-y-6">
      <div>
        <Link href={`/reviews/${reviewId}/studies`} className="text-sm text-blue-800 underline">
          ← All studies
        </Link>
        <h1 className="mt-1 text-2xl font-semibold break-words">
          {study.position}. {label}
        </h1>
        {study.title && <p className="text-slate-700">{study.title}</p>}
        <LinkedRecords reviewId={reviewId} studyId={studyId} />
        {study.doi && (
          <p className="text-sm break-all text-slate-600">
            doi:{" "}
            <a className="underline" href={`https://doi.org/${encodeURIComponent(study.doi).replace(/%2F/g, "/")}`} rel="noreferrer noopener">
              {study.doi}
            </a>
          </p>
        )}
      </div>
      <ArmsEditor reviewId={reviewId} detail={detail.data} canEdit={canEdit} onChanged={invalidate} />
      <section aria-label="Outcome data" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <h2 className="text-lg font-semibold">Outcome data by time point</h2>
        <Link href={`/reviews/${reviewId}/studies/${studyId}/figures`} className="mt-1 inline-block rounded border border-blue-700 px-2 py-0.5 text-sm text-blue-800">
          {canEdit ? "Extract from a figure" : "Figures read for this study"}
        </Link>
        {detail.data.hiddenWhileReadingBlind.length > 0 && (
          <p role="note" className="mt-2 rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-950">
            Hidden while you read blind: {detail.data.hiddenWhileReadingBlind.map((h) => `${h.values} value${h.values === 1 ? "" : "s"} from ${h.figureLabel}`).join("; ")}. They
            appear once you complete your reading.
          </p>
        )}
        <OutcomeGrid reviewId={reviewId} detail={detail.data} canEdit={canEdit} onChanged={invalidate} />
        <StudyFigureValues reviewId={reviewId} studyId={studyId} />
      </section>
      <section aria-label="Characteristics of this review" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <h2 className="text-lg font-semibold">Characteristics of this review</h2>
        {definitions.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600">The review defines no characteristics of its own yet (the lead adds them on the Set-up page).</p>
        ) : (
          <dl className="mt-2 grid gap-x-6 gap-y-1 text-sm md:grid-cols-2">
            {definitions.map((d) => (
              <div key={d.id} className="grid grid-cols-1 items-start gap-1 border-b border-slate-100 py-1 sm:grid-cols-[12rem_1fr] sm:gap-2">
                <dt className="pt-1 text-slate-600">
                  {d.label}
                  {d.unit && ` (${d.unit})`}
                  {d.helpText && <span className="block text-xs text-slate-500">{d.helpText}</span>}
                </dt>
                <dd>{cell(`c:${d.id}`, d.label)}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
      <section aria-label="Study details" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <h2 className="text-lg font-semibold">Study details</h2>
        {fieldGroups.map((group) => (
          <div key={group.title} className="mt-3">
            <h3 className="text-sm font-semibold text-slate-700">{group.title}</h3>
            <dl className="mt-1 grid gap-x-6 gap-y-1 text-sm md:grid-cols-2">
              {group.fields.map((field) => (
                <div key={field} className="grid grid-cols-1 items-start gap-1 border-b border-slate-100 py-1 sm:grid-cols-[12rem_1fr] sm:gap-2">
                  <dt className="pt-1 text-slate-600">{studyFieldLabels[field]}</dt>
                  <dd>{cell(field, studyFieldLabels[field])}</dd>
                </div>
              ))}
            </dl>
          </div>
        ))}
      </section>
      <HistoryPanel reviewId={reviewId} studyId={studyId} canRestore={canEdit} onRestored={invalidate} />
      {detail.data.timepoints.some((t) => Object.values(t.values).some((v) => v.isExampleData)) && (
        <p className="text-sm text-amber-900">
          <ExampleBadge /> Values marked this way were invented for the demo; the seed paper prints no per-study BBB values.
        </p>
      )}
    </div>
  );
}
