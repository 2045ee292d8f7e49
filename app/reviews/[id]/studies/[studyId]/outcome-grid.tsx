"use client";
import { useMutation } from "@tanstack/react-query";
import { useState, type FocusEvent, type KeyboardEvent } from "react";
import { ExampleBadge } from "@/app/_components/example-badge";
import { ScrollBox } from "@/app/_components/scroll-box";
import { conflictOf, errorMessage } from "@/app/_lib/trpc-errors";
import { useUnsavedChanges } from "@/app/_lib/use-unsaved-changes";
import { useTRPC } from "@/app/_trpc/client";
import { dataSources, errorTypes, type ErrorType } from "@/db/schema/studies";
import { errorTypeLabels, measurementFieldLabel, measurementInput, measurementProblems, numberFromInput } from "@/server/schemas/measurement";
import { describeScale } from "@/server/schemas/outcomes";
import { toStandardDeviation } from "@/server/services/outcome-data";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/root";

type Detail = inferRouterOutputs<AppRouter>["studies"]["get"];
type Stored = Detail["timepoints"][number]["values"][string];
type Arm = Detail["arms"][number];
type Outcome = Detail["outcomes"][number];

const sourceLabels: Record<(typeof dataSources)[number], string> = { table: "table", text: "text", figure: "digitised figure" };

/**
 * The outcome values of one study: per outcome, per day after injury, one row per arm. It behaves like the Table 1
 * grid: a row saves on Enter and when focus leaves one of its cells with the row complete; a bad value is marked in
 * its cell with the reason; Escape reverts the row. Leaving the page with unsaved input asks first.
 */
export function OutcomeGrid({ reviewId, detail, canEdit, onChanged }: { reviewId: number; detail: Detail; canEdit: boolean; onChanged: () => Promise<unknown> }) {
  const [addedDays, setAddedDays] = useState<{ outcomeId: number; day: number }[]>([]);
  if (detail.outcomes.length === 0)
    return <p className="mt-2 text-sm text-slate-600">This review has no outcome yet: the lead defines outcomes on the Set-up page.</p>;
  return (
    <div className="mt-2 space-y-6">
      {detail.outcomes.map((outcome) => {
        const days = [
          ...new Set([...detail.timepoints.filter((t) => t.outcomeId === outcome.id).map((t) => t.day), ...addedDays.filter((d) => d.outcomeId === outcome.id).map((d) => d.day)]),
        ].sort((a, b) => a - b);
        return (
          <OutcomeTable
            key={outcome.id}
            reviewId={reviewId}
            detail={detail}
            outcome={outcome}
            days={days}
            canEdit={canEdit}
            onChanged={onChanged}
            onAddDay={(day) => setAddedDays((list) => [...list, { outcomeId: outcome.id, day }])}
            onForgetDay={(day) => setAddedDays((list) => list.filter((d) => !(d.outcomeId === outcome.id && d.day === day)))}
          />
        );
      })}
    </div>
  );
}

function OutcomeTable(props: {
  reviewId: number;
  detail: Detail;
  outcome: Outcome;
  days: number[];
  canEdit: boolean;
  onChanged: () => Promise<unknown>;
  onAddDay: (day: number) => void;
  onForgetDay: (day: number) => void;
}) {
  const { reviewId, detail, outcome, days, canEdit } = props;
  const trpc = useTRPC();
  const remove = useMutation(trpc.measurements.delete.mutationOptions());
  const restore = useMutation(trpc.measurements.restore.mutationOptions());
  const [notice, setNotice] = useState<{ text: string; undo?: number[] } | null>(null);
  const valuesAt = (day: number) => detail.timepoints.find((t) => t.outcomeId === outcome.id && t.day === day);

  const deleteValues = async (day: number, stored: Stored[], what: string, wholeDay: boolean) => {
    if (stored.length === 0) return props.onForgetDay(day);
    try {
      await remove.mutateAsync({ reviewId, studyId: detail.study.id, values: stored.map((m) => ({ measurementId: m.id, version: m.version })) });
      // A day added on this page would otherwise stay on screen, empty, after its values are gone (Undo brings them back).
      if (wholeDay) props.onForgetDay(day);
      setNotice({ text: `Deleted ${what}.`, undo: stored.map((m) => m.id) });
    } catch (error) {
      setNotice({ text: errorMessage(error) });
    }
    await props.onChanged();
  };
  const undo = async (ids: number[]) => {
    try {
      for (const measurementId of ids) await restore.mutateAsync({ reviewId, measurementId });
      setNotice({ text: "Restored." });
    } catch (error) {
      setNotice({ text: errorMessage(error) });
    }
    await props.onChanged();
  };

  return (
    <section aria-label={`${outcome.name} values`}>
      <h3 className="font-semibold">
        {outcome.name} <span className="text-sm font-normal text-slate-600">({describeScale(outcome)})</span>
      </h3>
      {notice && (
        <p role="status" className="mt-1 text-sm">
          {notice.text}{" "}
          {notice.undo && (
            <button type="button" className="rounded border border-blue-700 px-1.5 text-blue-800" onClick={() => void undo(notice.undo!)}>
              Undo
            </button>
          )}
        </p>
      )}
      {days.length === 0 ? (
        <p className="mt-1 text-sm text-slate-600">No values yet.</p>
      ) : (
        <ScrollBox label={`${outcome.name} values by day`} className="mt-2">
          <table className="min-w-full text-sm" aria-label={`${outcome.name}: values by day and arm`}>
            <thead className="bg-slate-100 text-left">
              <tr>
                <th className="px-2 py-1">Day</th>
                <th className="px-2 py-1">Arm</th>
                <th className="px-2 py-1">Mean</th>
                <th className="px-2 py-1">Error type</th>
                <th className="px-2 py-1">SD / SEM / 95% CI</th>
                <th className="px-2 py-1">n</th>
                <th className="px-2 py-1">Source</th>
                <th className="px-2 py-1">SD used in the analysis</th>
                {canEdit && (
                  <th className="px-2 py-1">
                    <span className="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            {days.map((day) => {
              const at = valuesAt(day);
              const stored = detail.arms.flatMap((a) => (at?.values[String(a.id)] ? [at.values[String(a.id)]!] : []));
              return (
                <tbody key={day} className="border-t-2 border-slate-300">
                  {detail.arms.map((arm, i) => (
                    <ArmRow
                      key={`${arm.id}:${day}`}
                      reviewId={reviewId}
                      studyId={detail.study.id}
                      outcomeId={outcome.id}
                      day={day}
                      arm={arm}
                      stored={at?.values[String(arm.id)] ?? null}
                      dayCell={
                        i === 0 ? (
                          <td rowSpan={detail.arms.length} className="px-2 py-1 align-top font-medium">
                            Day {day}
                            {stored.some((m) => m.isExampleData) && <ExampleBadge />}
                            {canEdit && (
                              <button
                                type="button"
                                className="mt-1 block rounded px-1 py-1 text-xs text-red-700 hover:bg-red-50 sm:py-0"
                                onClick={() => void deleteValues(day, stored, `every value of day ${day}`, true)}
                              >
                                Delete day {day}
                              </button>
                            )}
                            {at?.totalFlag && <div className="mt-1 max-w-40 rounded bg-amber-50 px-1 text-xs text-amber-900">⚠ {at.totalFlag.message}</div>}
                          </td>
                        ) : null
                      }
                      canEdit={canEdit}
                      onChanged={props.onChanged}
                      onDelete={(m) => void deleteValues(day, [m], `the ${arm.label} value of day ${day}`, false)}
                    />
                  ))}
                </tbody>
              );
            })}
          </table>
        </ScrollBox>
      )}
      {canEdit && <AddTimepoint outcomeName={outcome.name} existing={days} onAdd={props.onAddDay} />}
    </section>
  );
}

type Draft = { mean: string; errorType: ErrorType; errorValue: string; ciLower: string; ciUpper: string; n: string; dataSource: (typeof dataSources)[number]; sourceDetail: string };

const draftOf = (s: Pick<Stored, "mean" | "errorType" | "errorValue" | "ciLower" | "ciUpper" | "n" | "dataSource" | "sourceDetail"> | null): Draft => ({
  mean: s ? String(s.mean) : "",
  errorType: s?.errorType ?? "SD",
  errorValue: s?.errorValue != null ? String(s.errorValue) : "",
  ciLower: s?.ciLower != null ? String(s.ciLower) : "",
  ciUpper: s?.ciUpper != null ? String(s.ciUpper) : "",
  n: s ? String(s.n) : "",
  dataSource: s?.dataSource ?? "table",
  sourceDetail: s?.sourceDetail ?? "",
});

const sameDraft = (a: Draft, b: Draft) => JSON.stringify(a) === JSON.stringify(b);

type RowState = { status: "idle" | "saving" | "saved" } | { status: "invalid"; problems: { field: string; message: string }[] } | { status: "error"; message: string; conflictBy?: string };

function ArmRow(props: {
  reviewId: number;
  studyId: number;
  outcomeId: number;
  day: number;
  arm: Arm;
  stored: Stored | null;
  dayCell: React.ReactNode;
  canEdit: boolean;
  onChanged: () => Promise<unknown>;
  onDelete: (stored: Stored) => void;
}) {
  const { reviewId, studyId, outcomeId, day, arm, stored, canEdit } = props;
  const trpc = useTRPC();
  const save = useMutation(trpc.measurements.save.mutationOptions());
  const [draft, setDraft] = useState<Draft>(() => draftOf(stored));
  const [baseVersion, setBaseVersion] = useState(stored?.version);
  const [state, setState] = useState<RowState>({ status: "idle" });
  const [seen, setSeen] = useState(stored);
  if (seen !== stored && !save.isPending) {
    // A newer version arrived (live update or our own save). Show it only if the row has no unsaved edit: an edit
    // in progress keeps the version it started from, so saving it reports a conflict instead of overwriting.
    const untouched = sameDraft(draft, draftOf(seen));
    setSeen(stored);
    if (untouched && !(state.status === "error" && state.conflictBy)) {
      setDraft(draftOf(stored));
      setBaseVersion(stored?.version);
    }
  }
  const dirty = !sameDraft(draft, draftOf(stored));
  useUnsavedChanges(dirty && canEdit);
  const set = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    if (state.status === "saved") setState({ status: "idle" });
  };

  const input = (atVersion = baseVersion) => ({
    reviewId,
    studyId,
    outcomeId,
    armId: arm.id,
    day,
    mean: numberFromInput(draft.mean),
    errorType: draft.errorType,
    errorValue: draft.errorType === "CI95" ? null : numberFromInput(draft.errorValue),
    ciLower: draft.errorType === "CI95" ? numberFromInput(draft.ciLower) : null,
    ciUpper: draft.errorType === "CI95" ? numberFromInput(draft.ciUpper) : null,
    n: numberFromInput(draft.n),
    dataSource: draft.dataSource,
    sourceDetail: draft.sourceDetail,
    version: atVersion,
  });
  const parsedNow = measurementInput.safeParse(input());
  const preview = parsedNow.success ? toStandardDeviation(parsedNow.data) : null;
  const required = draft.errorType === "CI95" ? ([draft.mean, draft.ciLower, draft.ciUpper, draft.n] as const) : ([draft.mean, draft.errorValue, draft.n] as const);
  const complete = required.every((v) => v.trim() !== "");
  const blank = [draft.mean, draft.errorValue, draft.ciLower, draft.ciUpper, draft.n].every((v) => v.trim() === "");

  const submit = async (atVersion = baseVersion) => {
    // One save at a time: leaving a cell and pressing Enter right after would otherwise send the row twice, and the
    // second (still without the new row's version) would fail as a conflict with the first.
    // (The row's state, not `save.isPending`: React re-renders after the blur, a discrete event, before the key
    // arrives, while the mutation's own status reaches the component later.)
    if (state.status === "saving") return;
    const problems = measurementProblems(input(atVersion));
    if (problems.length > 0) return setState({ status: "invalid", problems });
    setState({ status: "saving" });
    const sent = draft;
    try {
      const row = await save.mutateAsync({ ...measurementInput.parse(input(atVersion)), reviewId });
      setBaseVersion(row.version);
      // Show the value as stored ("3.0" typed reads "3"), so that a saved row is not taken for an unsaved one; input
      // typed while the save was under way stays.
      setDraft((current) => (sameDraft(current, sent) ? draftOf(row) : current));
      setState({ status: "saved" });
      await props.onChanged();
    } catch (error) {
      const conflict = conflictOf(error);
      if (conflict) setBaseVersion((conflict.row as { version: number } | null)?.version);
      setState({ status: "error", message: errorMessage(error), conflictBy: conflict?.by });
    }
  };

  /** Leaving a cell: a complete, changed row saves; an incomplete one waits (and says what it still needs). */
  const onLeaveCell = (e: FocusEvent) => {
    if (!canEdit || !dirty || state.status === "saving") return;
    if (state.status === "error" && state.conflictBy) return;
    const next = e.relatedTarget as Node | null;
    const row = e.currentTarget.closest("tr");
    const stillInRow = next !== null && row?.contains(next);
    if (complete) void submit();
    else if (!stillInRow && !blank) setState({ status: "invalid", problems: measurementProblems(input()) });
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Enter") {
      e.preventDefault();
      if (dirty) void submit();
    } else if (e.key === "Escape") {
      setDraft(draftOf(stored));
      setBaseVersion(stored?.version);
      setState({ status: "idle" });
    }
  };

  const label = (field: string) => `${measurementFieldLabel(field, draft.errorType)}, ${arm.label}, day ${day}`;
  const problemOf = (field: string) => (state.status === "invalid" ? state.problems.find((p) => p.field === field) : undefined);
  const rowKey = `${outcomeId}-${day}-${arm.id}`;
  const cellProps = (field: string) => {
    const problem = problemOf(field);
    return {
      "aria-label": label(field),
      "aria-invalid": problem ? true : undefined,
      "aria-describedby": problem ? `problem-${rowKey}-${field}` : undefined,
      readOnly: !canEdit,
      onBlur: onLeaveCell,
      onKeyDown,
      inputMode: "decimal" as const,
      className: `w-20 rounded border px-1 py-0.5 tabular ${problem ? "border-red-600 bg-red-50" : "border-slate-300"}`,
    };
  };
  const selectProps = { disabled: !canEdit, onBlur: onLeaveCell, onKeyDown, className: "rounded border border-slate-300 px-1 py-0.5" };

  return (
    <tr className="align-top" data-row={rowKey} data-dirty={dirty ? "true" : undefined}>
      {props.dayCell}
      <td className="px-2 py-1">
        {arm.label}
        <span className="block text-xs text-slate-600">{arm.kind}</span>
      </td>
      <td className="px-2 py-1">
        <input {...cellProps("mean")} value={draft.mean} onChange={(e) => set({ mean: e.target.value })} />
      </td>
      <td className="px-2 py-1">
        <select {...selectProps} aria-label={label("errorType")} value={draft.errorType} onChange={(e) => set({ errorType: e.target.value as ErrorType })}>
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
            <input {...cellProps("ciLower")} value={draft.ciLower} onChange={(e) => set({ ciLower: e.target.value })} />
            <input {...cellProps("ciUpper")} value={draft.ciUpper} onChange={(e) => set({ ciUpper: e.target.value })} />
          </span>
        ) : (
          <input {...cellProps("errorValue")} value={draft.errorValue} onChange={(e) => set({ errorValue: e.target.value })} />
        )}
      </td>
      <td className="px-2 py-1">
        <input {...cellProps("n")} inputMode="numeric" className={`${cellProps("n").className} w-16`} value={draft.n} onChange={(e) => set({ n: e.target.value })} />
      </td>
      <td className="px-2 py-1">
        <select {...selectProps} aria-label={label("dataSource")} value={draft.dataSource} onChange={(e) => set({ dataSource: e.target.value as Draft["dataSource"] })}>
          {dataSources.map((s) => (
            <option key={s} value={s}>
              {sourceLabels[s]}
            </option>
          ))}
        </select>
        <input
          aria-label={label("sourceDetail")}
          placeholder="page, table or figure"
          readOnly={!canEdit}
          onBlur={onLeaveCell}
          onKeyDown={onKeyDown}
          className="mt-1 block w-36 rounded border border-slate-300 px-1 py-0.5 text-xs"
          value={draft.sourceDetail}
          onChange={(e) => set({ sourceDetail: e.target.value })}
        />
      </td>
      <td className="tabular px-2 py-1 text-xs">
        {preview?.sd != null ? <strong>{preview.sd.toFixed(3)}</strong> : "—"}
        {preview && <div className="text-slate-600">{preview.note}</div>}
        {(stored?.flags ?? []).map((f) => (
          <div key={f.message} className="mt-1 rounded bg-amber-50 px-1 text-amber-900" title="Kept, but please check">
            ⚠ {f.message}
          </div>
        ))}
      </td>
      {canEdit && (
        <td className="px-2 py-1 text-xs">
          <RowStatus state={state} dirty={dirty} rowKey={rowKey} onReapply={() => void submit(baseVersion)} onKeepTheirs={() => {
            setDraft(draftOf(stored));
            setBaseVersion(stored?.version);
            setState({ status: "idle" });
          }} />
          {stored && (
            <button type="button" className="mt-1 block rounded px-1 py-1 text-red-700 hover:bg-red-50 sm:py-0" aria-label={`Delete value, ${arm.label}, day ${day}`} onClick={() => props.onDelete(stored)}>
              Delete
            </button>
          )}
        </td>
      )}
    </tr>
  );
}

function RowStatus({ state, dirty, rowKey, onReapply, onKeepTheirs }: { state: RowState; dirty: boolean; rowKey: string; onReapply: () => void; onKeepTheirs: () => void }) {
  if (state.status === "saving") return <span className="text-slate-600">Saving…</span>;
  if (state.status === "invalid")
    return (
      <div role="alert" className="max-w-56 space-y-0.5 text-red-700">
        {state.problems.map((p) => (
          <div key={p.field} id={`problem-${rowKey}-${p.field}`}>
            {p.message}
          </div>
        ))}
      </div>
    );
  if (state.status === "error")
    return (
      <div role="alert" className="max-w-56 text-red-700">
        {state.message}
        {state.conflictBy && (
          <span className="mt-1 flex gap-1">
            <button type="button" className="rounded bg-red-700 px-1 text-white" onClick={onReapply}>
              Reapply mine
            </button>
            <button type="button" className="rounded border border-red-700 px-1" onClick={onKeepTheirs}>
              Keep theirs
            </button>
          </span>
        )}
      </div>
    );
  if (dirty) return <span className="text-amber-800">Not saved yet (Enter saves)</span>;
  if (state.status === "saved")
    return (
      <span role="status" className="text-green-800">
        Saved
      </span>
    );
  return null;
}

function AddTimepoint({ outcomeName, existing, onAdd }: { outcomeName: string; existing: number[]; onAdd: (day: number) => void }) {
  const [day, setDay] = useState("");
  const [error, setError] = useState<string | null>(null);
  const id = `new-day-${outcomeName.replace(/\W+/g, "-")}`;
  return (
    <form
      className="mt-2 flex flex-wrap items-end gap-2 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        const value = numberFromInput(day);
        if (value === null || !Number.isFinite(value) || value < 0 || value > 3650) return setError("Day must be a number of days after injury, from 0 to 3650");
        if (existing.includes(value)) return setError(`Day ${value} is already in the grid`);
        setError(null);
        onAdd(value);
        setDay("");
        // Focus the new day's first cell once it is drawn, so typing can start at once.
        setTimeout(() => document.querySelector<HTMLInputElement>(`input[aria-label^="Mean, "][aria-label$=", day ${value}"]`)?.focus(), 0);
      }}
    >
      <div>
        <label htmlFor={id} className="block text-xs font-medium">
          Day after injury ({outcomeName})
        </label>
        <input id={id} inputMode="decimal" aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} className="w-24 rounded border border-slate-300 px-1 py-0.5" value={day} onChange={(e) => setDay(e.target.value)} />
      </div>
      <button type="submit" className="rounded border border-blue-700 px-2 py-0.5 text-blue-800">
        Add time point
      </button>
      {error && (
        <p role="alert" id={`${id}-error`} className="w-full text-red-700">
          {error}
        </p>
      )}
    </form>
  );
}
