"use client";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ExampleBadge } from "@/app/_components/example-badge";
import { conflictOf, errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import { dataSources, errorTypes, type ErrorType } from "@/db/schema/studies";
import { measurementInput } from "@/server/schemas/measurement";
import { toStandardDeviation } from "@/server/services/outcome-data";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/root";

type Detail = inferRouterOutputs<AppRouter>["studies"]["get"];
type Stored = NonNullable<Detail["timepoints"][number]["treated"]>;
type ArmKind = "treated" | "control";

const errorTypeLabels: Record<ErrorType, string> = { SD: "SD", SEM: "SEM", CI95: "95% CI" };

export function OutcomeGrid({ reviewId, detail, canEdit, onChanged }: { reviewId: number; detail: Detail; canEdit: boolean; onChanged: () => Promise<unknown> }) {
  const [extraDays, setExtraDays] = useState<{ outcomeId: number; day: number }[]>([]);
  const rows = [
    ...detail.timepoints,
    ...extraDays
      .filter((d) => !detail.timepoints.some((t) => t.outcomeId === d.outcomeId && t.day === d.day))
      .map((d) => ({ ...d, treated: null, control: null, totalFlag: null })),
  ].sort((a, b) => a.outcomeId - b.outcomeId || a.day - b.day);
  const outcomeName = (id: number) => detail.outcomes.find((o) => o.id === id)?.name ?? `Outcome ${id}`;

  return (
    <div className="mt-2 space-y-3">
      {rows.length === 0 && <p className="text-sm text-slate-600">No outcome values yet.</p>}
      {rows.length > 0 && (
        <div className="overflow-x-auto">
          <table className="min-w-full text-sm" aria-label="Outcome values by time point">
            <thead className="bg-slate-100 text-left">
              <tr>
                <th className="px-2 py-1">Outcome, day</th>
                <th className="px-2 py-1">Arm</th>
                <th className="px-2 py-1">Mean</th>
                <th className="px-2 py-1">Error type</th>
                <th className="px-2 py-1">Error value / 95% CI</th>
                <th className="px-2 py-1">n</th>
                <th className="px-2 py-1">Source</th>
                <th className="px-2 py-1">SD used in the analysis</th>
                {canEdit && (
                  <th className="px-2 py-1">
                    <span className="sr-only">Save</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => (
                <TimepointRows key={`${t.outcomeId}:${t.day}`} reviewId={reviewId} studyId={detail.study.id} timepoint={t} label={`${outcomeName(t.outcomeId)}, day ${t.day}`} canEdit={canEdit} onChanged={onChanged} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canEdit && detail.outcomes.length > 0 && <AddTimepoint outcomes={detail.outcomes} onAdd={(d) => setExtraDays((list) => [...list, d])} />}
    </div>
  );
}

function TimepointRows({
  reviewId,
  studyId,
  timepoint,
  label,
  canEdit,
  onChanged,
}: {
  reviewId: number;
  studyId: number;
  timepoint: { outcomeId: number; day: number; treated: Stored | null; control: Stored | null; totalFlag: { message: string } | null };
  label: string;
  canEdit: boolean;
  onChanged: () => Promise<unknown>;
}) {
  return (
    <>
      {(["treated", "control"] as const).map((kind, i) => (
        <ArmRow
          key={kind}
          reviewId={reviewId}
          studyId={studyId}
          outcomeId={timepoint.outcomeId}
          day={timepoint.day}
          kind={kind}
          stored={timepoint[kind]}
          rowLabel={i === 0 ? label : null}
          extraFlag={i === 1 ? timepoint.totalFlag?.message : undefined}
          canEdit={canEdit}
          onChanged={onChanged}
        />
      ))}
    </>
  );
}

type Draft = { mean: string; errorType: ErrorType; errorValue: string; ciLower: string; ciUpper: string; n: string; dataSource: (typeof dataSources)[number] };

const draftOf = (s: Stored | null): Draft => ({
  mean: s ? String(s.mean) : "",
  errorType: s?.errorType ?? "SD",
  errorValue: s?.errorValue != null ? String(s.errorValue) : "",
  ciLower: s?.ciLower != null ? String(s.ciLower) : "",
  ciUpper: s?.ciUpper != null ? String(s.ciUpper) : "",
  n: s ? String(s.n) : "",
  dataSource: s?.dataSource ?? "table",
});

const numberOrNull = (text: string) => (text.trim() === "" ? null : Number(text.trim().replace(",", ".")));

function ArmRow(props: {
  reviewId: number;
  studyId: number;
  outcomeId: number;
  day: number;
  kind: ArmKind;
  stored: Stored | null;
  rowLabel: string | null;
  extraFlag?: string;
  canEdit: boolean;
  onChanged: () => Promise<unknown>;
}) {
  const { reviewId, studyId, outcomeId, day, kind, stored, canEdit } = props;
  const trpc = useTRPC();
  const save = useMutation(trpc.measurements.save.mutationOptions());
  const [draft, setDraft] = useState<Draft>(() => draftOf(stored));
  const [baseVersion, setBaseVersion] = useState(stored?.version);
  const [message, setMessage] = useState<{ kind: "error" | "ok"; text: string; conflictBy?: string } | null>(null);
  const [seen, setSeen] = useState(stored);
  if (seen !== stored && !save.isPending) {
    // A newer version arrived (live update or our own save). Show it only if the user has no unsaved edit:
    // an edit in progress keeps the version it started from, so saving it reports a conflict instead of
    // silently overwriting the other person's change.
    const untouched = JSON.stringify(draft) === JSON.stringify(draftOf(seen));
    setSeen(stored);
    if (untouched && !message?.conflictBy) {
      setDraft(draftOf(stored));
      setBaseVersion(stored?.version);
    }
  }
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const input = {
    reviewId,
    studyId,
    outcomeId,
    armKind: kind,
    day,
    mean: numberOrNull(draft.mean),
    errorType: draft.errorType,
    errorValue: draft.errorType === "CI95" ? null : numberOrNull(draft.errorValue),
    ciLower: draft.errorType === "CI95" ? numberOrNull(draft.ciLower) : null,
    ciUpper: draft.errorType === "CI95" ? numberOrNull(draft.ciUpper) : null,
    n: numberOrNull(draft.n),
    dataSource: draft.dataSource,
    version: baseVersion,
  };
  const preview = (() => {
    const parsed = measurementInput.safeParse(input);
    return parsed.success ? toStandardDeviation(parsed.data) : null;
  })();

  const submit = async (e?: FormEvent, atVersion = baseVersion) => {
    e?.preventDefault();
    const parsed = measurementInput.safeParse({ ...input, version: atVersion });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return setMessage({ kind: "error", text: `${issue?.path.join(".") || "value"}: ${issue?.message}` });
    }
    try {
      const row = await save.mutateAsync({ ...parsed.data, reviewId });
      setBaseVersion(row.version);
      setMessage({ kind: "ok", text: "Saved" });
      await props.onChanged();
    } catch (error) {
      const conflict = conflictOf(error);
      if (conflict) setBaseVersion((conflict.row as { version: number } | null)?.version);
      setMessage({ kind: "error", text: errorMessage(error), conflictBy: conflict?.by });
      if (!conflict) return;
    }
  };

  const cellId = `${outcomeId}-${day}-${kind}`;
  const inputClass = "w-20 rounded border border-slate-300 px-1 py-0.5 tabular";
  return (
    <tr className={`align-top ${kind === "treated" ? "border-t-2 border-slate-200" : ""}`}>
      <td className="px-2 py-1 font-medium">
        {props.rowLabel}
        {props.rowLabel && (stored?.isExampleData ? <ExampleBadge /> : null)}
      </td>
      <td className="px-2 py-1">{kind === "treated" ? "Treated" : "Control"}</td>
      <td className="px-2 py-1">
        <input aria-label={`Mean, ${kind}, day ${day}`} id={`mean-${cellId}`} className={inputClass} value={draft.mean} readOnly={!canEdit} onChange={(e) => set({ mean: e.target.value })} />
      </td>
      <td className="px-2 py-1">
        <select aria-label={`Error type, ${kind}, day ${day}`} className="rounded border border-slate-300 px-1 py-0.5" value={draft.errorType} disabled={!canEdit} onChange={(e) => set({ errorType: e.target.value as ErrorType })}>
          {errorTypes.map((t) => (
            <option key={t} value={t}>
              {errorTypeLabels[t]}
            </option>
          ))}
        </select>
      </td>
      <td className="px-2 py-1">
        {draft.errorType === "CI95" ? (
          <span className="flex gap-1">
            <input aria-label={`CI lower, ${kind}, day ${day}`} className={inputClass} value={draft.ciLower} readOnly={!canEdit} onChange={(e) => set({ ciLower: e.target.value })} />
            <input aria-label={`CI upper, ${kind}, day ${day}`} className={inputClass} value={draft.ciUpper} readOnly={!canEdit} onChange={(e) => set({ ciUpper: e.target.value })} />
          </span>
        ) : (
          <input aria-label={`${draft.errorType}, ${kind}, day ${day}`} className={inputClass} value={draft.errorValue} readOnly={!canEdit} onChange={(e) => set({ errorValue: e.target.value })} />
        )}
      </td>
      <td className="px-2 py-1">
        <input aria-label={`n, ${kind}, day ${day}`} className="w-14 rounded border border-slate-300 px-1 py-0.5" value={draft.n} readOnly={!canEdit} onChange={(e) => set({ n: e.target.value })} />
      </td>
      <td className="px-2 py-1">
        <select aria-label={`Source of the value, ${kind}, day ${day}`} className="rounded border border-slate-300 px-1 py-0.5" value={draft.dataSource} disabled={!canEdit} onChange={(e) => set({ dataSource: e.target.value as Draft["dataSource"] })}>
          {dataSources.map((s) => (
            <option key={s} value={s}>
              {s === "figure" ? "digitised figure" : s}
            </option>
          ))}
        </select>
      </td>
      <td className="tabular px-2 py-1 text-xs">
        {preview?.sd != null ? <strong>{preview.sd.toFixed(3)}</strong> : "—"}
        {preview && <div className="text-slate-600">{preview.note}</div>}
        {[...(stored?.flags ?? []).map((f) => f.message), ...(props.extraFlag ? [props.extraFlag] : [])].map((text) => (
          <div key={text} className="mt-1 rounded bg-amber-50 px-1 text-amber-900" title="Kept, but please check">
            ⚠ {text}
          </div>
        ))}
      </td>
      {canEdit && (
        <td className="px-2 py-1">
          <button type="button" className="rounded bg-blue-700 px-2 py-0.5 text-white disabled:opacity-50" disabled={save.isPending} onClick={() => void submit()}>
            Save
          </button>
          {message && (
            <div role={message.kind === "error" ? "alert" : "status"} className={`mt-1 max-w-56 text-xs ${message.kind === "error" ? "text-red-700" : "text-green-800"}`}>
              {message.text}
              {message.conflictBy && (
                <span className="mt-1 flex gap-1">
                  <button type="button" className="rounded bg-red-700 px-1 text-white" onClick={() => void submit(undefined, baseVersion)}>
                    Reapply mine
                  </button>
                  <button
                    type="button"
                    className="rounded border border-red-700 px-1"
                    onClick={() => {
                      setMessage(null);
                      setDraft(draftOf(stored));
                      setBaseVersion(stored?.version);
                    }}
                  >
                    Keep theirs
                  </button>
                </span>
              )}
            </div>
          )}
        </td>
      )}
    </tr>
  );
}

function AddTimepoint({ outcomes, onAdd }: { outcomes: { id: number; name: string }[]; onAdd: (d: { outcomeId: number; day: number }) => void }) {
  const [day, setDay] = useState("");
  const [outcomeId, setOutcomeId] = useState(outcomes[0]!.id);
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="flex flex-wrap items-end gap-2 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        const value = Number(day);
        if (day.trim() === "" || !Number.isFinite(value) || value < 0) return setError("day: must be a number of days after injury, 0 or more");
        setError(null);
        onAdd({ outcomeId, day: value });
        setDay("");
      }}
    >
      <div>
        <label htmlFor="new-outcome" className="block text-xs font-medium">
          Outcome
        </label>
        <select id="new-outcome" className="rounded border border-slate-300 px-1 py-0.5" value={outcomeId} onChange={(e) => setOutcomeId(Number(e.target.value))}>
          {outcomes.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="new-day" className="block text-xs font-medium">
          Day after injury
        </label>
        <input id="new-day" className="w-20 rounded border border-slate-300 px-1 py-0.5" value={day} onChange={(e) => setDay(e.target.value)} />
      </div>
      <button type="submit" className="rounded border border-blue-700 px-2 py-0.5 text-blue-800">
        Add time point
      </button>
      {error && (
        <p role="alert" className="w-full text-red-700">
          {error}
        </p>
      )}
    </form>
  );
}
