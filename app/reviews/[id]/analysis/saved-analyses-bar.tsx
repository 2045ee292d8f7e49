"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import type { AnalysisSettings } from "@/server/schemas/analysis-settings";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/root";

type Saved = inferRouterOutputs<AppRouter>["analyses"]["list"][number];

const settingLabels: Record<keyof AnalysisSettings, string> = {
  outcomeId: "outcome",
  timepoint: "time point",
  day: "day",
  measure: "effect measure",
  model: "model",
  tau2Method: "τ² estimator",
  ciMethod: "CI method",
  level: "confidence level",
  subgroupField: "subgroups",
  combineTreatedArms: "treated arms split or combined",
  lowRiskDomain: "risk-of-bias restriction",
  strata: "stratifications",
  moderators: "meta-regression",
};

/**
 * Which saved analysis the page shows, and whether the view differs from it. The lead saves a view for everyone
 * (into the shown analysis, or as a new one) and orders, renames and removes the saved analyses; the others explore.
 */
export function SavedAnalysesBar({
  reviewId,
  saved,
  selected,
  changed,
  settings,
  suggestedTitle,
  isLead,
  onSelect,
  onReset,
}: {
  reviewId: number;
  saved: Saved[];
  selected: Saved | null;
  changed: (keyof AnalysisSettings)[];
  settings: AnalysisSettings;
  suggestedTitle: string;
  isLead: boolean;
  onSelect: (id: number) => void;
  onReset: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.analyses.create.mutationOptions());
  const update = useMutation(trpc.analyses.update.mutationOptions());
  const move = useMutation(trpc.analyses.move.mutationOptions());
  const remove = useMutation(trpc.analyses.delete.mutationOptions());
  const [naming, setNaming] = useState<"new" | "rename" | null>(null);
  const [title, setTitle] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const run = async (work: () => Promise<unknown>, done: string, after?: (result: unknown) => void) => {
    setMessage(null);
    try {
      const result = await work();
      setMessage({ ok: true, text: done });
      setNaming(null);
      await queryClient.invalidateQueries({ queryKey: trpc.analyses.list.queryKey({ reviewId }) });
      after?.(result);
    } catch (error) {
      setMessage({ ok: false, text: errorMessage(error) });
      await queryClient.invalidateQueries({ queryKey: trpc.analyses.list.queryKey({ reviewId }) });
    }
  };
  const submitTitle = (e: FormEvent) => {
    e.preventDefault();
    if (naming === "new")
      void run(
        () => create.mutateAsync({ reviewId, title, settings }),
        `Saved as a new analysis for everyone.`,
        (result) => onSelect((result as Saved).id),
      );
    else if (selected)
      void run(() => update.mutateAsync({ reviewId, analysisId: selected.id, version: selected.version, title, settings: selected.settings }), "Renamed.");
  };

  const index = selected ? saved.findIndex((a) => a.id === selected.id) : -1;
  const button = "rounded border border-slate-400 px-2 py-0.5 text-sm disabled:opacity-40";
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-end gap-2">
        <div className="max-w-full">
          <label htmlFor="saved-analysis" className="block text-xs font-medium text-slate-700">
            Saved analysis
          </label>
          <select id="saved-analysis" className="mt-0.5 block max-w-full rounded border border-slate-300 bg-white px-1 py-0.5 text-sm" value={selected?.id ?? ""} onChange={(e) => onSelect(Number(e.target.value))}>
            {saved.length === 0 && <option value="">None saved yet (defaults)</option>}
            {saved.map((a) => (
              <option key={a.id} value={a.id}>
                Analysis {a.number} {a.title}
              </option>
            ))}
          </select>
        </div>
        {isLead && (
          <div className="flex flex-wrap gap-1">
            {selected && changed.length > 0 && (
              <button
                type="button"
                className={`${button} border-blue-700 bg-blue-700 text-white`}
                onClick={() => void run(() => update.mutateAsync({ reviewId, analysisId: selected.id, version: selected.version, title: selected.title, settings }), `Saved into Analysis ${selected.number}: everyone now sees it.`, onReset)}
              >
                Save into Analysis {selected.number}
              </button>
            )}
            <button
              type="button"
              className={button}
              onClick={() => {
                setTitle(suggestedTitle);
                setNaming("new");
              }}
            >
              Save as new analysis…
            </button>
            {selected && (
              <>
                <button
                  type="button"
                  className={button}
                  onClick={() => {
                    setTitle(selected.title);
                    setNaming("rename");
                  }}
                >
                  Rename
                </button>
                <button type="button" className={button} aria-label={`Move Analysis ${selected.number} up`} disabled={index <= 0} onClick={() => void run(() => move.mutateAsync({ reviewId, analysisId: selected.id, direction: "up" }), "Moved up.")}>
                  ↑
                </button>
                <button type="button" className={button} aria-label={`Move Analysis ${selected.number} down`} disabled={index >= saved.length - 1} onClick={() => void run(() => move.mutateAsync({ reviewId, analysisId: selected.id, direction: "down" }), "Moved down.")}>
                  ↓
                </button>
                <button
                  type="button"
                  className={`${button} text-red-700`}
                  onClick={() => {
                    if (window.confirm(`Remove Analysis ${selected.number} "${selected.title}" for everyone?`))
                      void run(() => remove.mutateAsync({ reviewId, analysisId: selected.id, version: selected.version }), "Removed.", onReset);
                  }}
                >
                  Remove
                </button>
              </>
            )}
          </div>
        )}
      </div>
      {naming && (
        <form onSubmit={submitTitle} className="flex flex-wrap items-end gap-2 text-sm" aria-label={naming === "new" ? "Save as a new analysis" : "Rename the analysis"}>
          <div className="min-w-0 grow">
            <label htmlFor="analysis-title" className="block text-xs font-medium">
              Title
            </label>
            <input id="analysis-title" className="w-full rounded border border-slate-300 px-1 py-0.5" value={title} onChange={(e) => setTitle(e.target.value)} autoFocus />
          </div>
          <button type="submit" className="rounded bg-blue-700 px-3 py-1 text-white">
            {naming === "new" ? "Save for everyone" : "Rename"}
          </button>
          <button type="button" className="rounded border px-3 py-1" onClick={() => setNaming(null)}>
            Cancel
          </button>
        </form>
      )}
      <p className="text-xs text-slate-700" data-testid="view-status">
        {changed.length === 0 ? (
          selected ? (
            <>You see Analysis {selected.number} as saved: what everyone sees and the report prints.</>
          ) : (
            <>No analysis is saved yet: these are the default settings.</>
          )
        ) : (
          <>
            Your view differs from {selected ? `Analysis ${selected.number}` : "the defaults"} in {changed.map((k) => settingLabels[k]).join(", ")}: only you see it (share the address to
            show it).{" "}
            <button type="button" className="text-blue-800 underline" onClick={onReset}>
              Back to the saved settings
            </button>
          </>
        )}
      </p>
      {message && (
        <p role={message.ok ? "status" : "alert"} className={`text-sm ${message.ok ? "text-green-800" : "text-red-700"}`}>
          {message.text}
        </p>
      )}
    </div>
  );
}
