"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type ReactNode } from "react";
import { conflictOf, errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import { studyFieldLabels, studyFields, type StudyField } from "@/server/schemas/study";
import type { AnalysisSettingsInput } from "@/server/schemas/analysis-settings";
import type { AnalysisSettings } from "@/server/services/analysis";

/** Table 1 fields that make sense as subgroups (identifiers and free notes do not). */
const notSubgroups = new Set<StudyField>(["author", "reference", "doi", "notes", "possibleMechanism"]);
export const subgroupFields = studyFields.filter((f) => !notSubgroups.has(f));

const estimators = [
  ["REML", "Restricted maximum likelihood (REML)"],
  ["DL", "DerSimonian-Laird (DL)"],
  ["PM", "Paule-Mandel (PM)"],
  ["ML", "Maximum likelihood (ML)"],
  ["HS", "Hunter-Schmidt (HS)"],
  ["SJ", "Sidik-Jonkman (SJ)"],
  ["EB", "Empirical Bayes (EB)"],
] as const;

const levels = [0.8, 0.9, 0.95, 0.99];

type Outcome = { id: number; name: string; unit: string | null };

/**
 * The lead's analysis choices, saved per review as soon as one changes (everyone's charts follow). Others see
 * them read-only. A change made meanwhile by someone else is reported, not overwritten.
 */
export function SettingsPanel({ reviewId, settings, outcomes, canEdit }: { reviewId: number; settings: AnalysisSettings; outcomes: Outcome[]; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const idBase = useId();
  const update = useMutation(trpc.analysis.updateSettings.mutationOptions());
  const [pending, setPending] = useState<AnalysisSettingsInput>({});
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [dayDraft, setDayDraft] = useState<string | null>(null);
  const shown = { ...settings, ...pending };

  const save = async (patch: AnalysisSettingsInput) => {
    setPending((p) => ({ ...p, ...patch }));
    setMessage(null);
    try {
      await update.mutateAsync({ reviewId, patch, version: settings.version });
      await queryClient.invalidateQueries({ queryKey: trpc.analysis.pathKey() });
      setMessage({ kind: "ok", text: "Saved" });
    } catch (error) {
      const conflict = conflictOf(error);
      await queryClient.invalidateQueries({ queryKey: trpc.analysis.settings.queryKey({ reviewId }) });
      setMessage({ kind: "error", text: conflict ? `${errorMessage(error)} The settings now shown are theirs.` : errorMessage(error) });
    } finally {
      setPending({});
    }
  };

  const disabled = !canEdit || update.isPending;
  const random = shown.model !== "fixed";
  const field = "mt-0.5 block rounded border border-slate-300 bg-white px-1 py-0.5 text-sm disabled:bg-slate-100 disabled:text-slate-700";
  const levelOptions = levels.includes(shown.level) ? levels : [...levels, shown.level].sort();
  const subgroupOptions = shown.subgroupField && !subgroupFields.includes(shown.subgroupField as StudyField) ? [...subgroupFields, shown.subgroupField as StudyField] : subgroupFields;

  const commitDay = () => {
    if (dayDraft === null) return;
    const day = Number(dayDraft.replace(",", "."));
    setDayDraft(null);
    if (dayDraft.trim() === "" || !Number.isFinite(day) || day < 0) return setMessage({ kind: "error", text: "Day: must be a number of days after injury, 0 or more" });
    if (day !== settings.day || settings.timepoint !== "day") void save({ timepoint: "day", day });
  };

  return (
    <section aria-labelledby="settings-title" className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
      <div className="flex items-baseline gap-3">
        <h2 id="settings-title" className="font-semibold">
          Analysis settings
        </h2>
        <p className="text-xs text-slate-600">{canEdit ? "Saved for the whole review as you change them." : "Only the review lead can change these settings."}</p>
        <span aria-live="polite" className="ml-auto text-xs">
          {update.isPending ? <span className="text-slate-600">Saving…</span> : message && <span className={message.kind === "ok" ? "text-green-800" : "text-red-700"}>{message.kind === "ok" && message.text}</span>}
        </span>
      </div>
      {message?.kind === "error" && (
        <p role="alert" className="mt-1 text-sm text-red-700">
          {message.text}
        </p>
      )}
      <div className="mt-2 flex flex-wrap items-end gap-x-4 gap-y-2">
        <Field id={`${idBase}-1`} label="Outcome">
          <select id={`${idBase}-1`} className={field} disabled={disabled} value={shown.outcomeId ?? outcomes[0]?.id ?? ""} onChange={(e) => void save({ outcomeId: Number(e.target.value) })}>
            {outcomes.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id={`${idBase}-2`} label="Time point">
          <select id={`${idBase}-2`}
            className={field}
            disabled={disabled}
            value={dayDraft !== null ? "day" : shown.timepoint}
            onChange={(e) => {
              const timepoint = e.target.value as "first" | "last" | "day";
              if (timepoint === "day") setDayDraft(String(settings.day ?? 28));
              else {
                setDayDraft(null);
                void save({ timepoint });
              }
            }}
          >
            <option value="first">First (per study)</option>
            <option value="last">Last (per study)</option>
            <option value="day">A given day</option>
          </select>
        </Field>
        {(shown.timepoint === "day" || dayDraft !== null) && (
          <Field id={`${idBase}-3`} label="Day after injury">
            <input id={`${idBase}-3`}
              className={`${field} w-20`}
              inputMode="decimal"
              disabled={disabled}
              value={dayDraft ?? String(shown.day ?? "")}
              onChange={(e) => setDayDraft(e.target.value)}
              onBlur={commitDay}
              onKeyDown={(e) => {
                if (e.key === "Enter") commitDay();
              }}
            />
          </Field>
        )}
        <Field id={`${idBase}-4`} label="Effect measure">
          <select id={`${idBase}-4`} className={field} disabled={disabled} value={shown.measure} onChange={(e) => void save({ measure: e.target.value as AnalysisSettings["measure"] })}>
            <option value="MD">Mean difference (MD)</option>
            <option value="SMD">Std. mean difference (SMD)</option>
            <option value="ROM">Ratio of means (ROM)</option>
          </select>
        </Field>
        <Field id={`${idBase}-5`} label="Model">
          <select id={`${idBase}-5`} className={field} disabled={disabled} value={shown.model} onChange={(e) => void save({ model: e.target.value as AnalysisSettings["model"] })}>
            <option value="fixed">Fixed effect (inverse variance)</option>
            <option value="random">Random effects</option>
            <option value="auto">Auto: seed paper&apos;s I²/Q rule</option>
          </select>
        </Field>
        <Field id={`${idBase}-6`} label="τ² estimator">
          <select id={`${idBase}-6`} className={field} disabled={disabled || !random} value={shown.tau2Method} onChange={(e) => void save({ tau2Method: e.target.value as AnalysisSettings["tau2Method"] })}>
            {estimators.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <Field id={`${idBase}-7`} label="Confidence interval">
          <select id={`${idBase}-7`} className={field} disabled={disabled || !random} value={shown.ciMethod} onChange={(e) => void save({ ciMethod: e.target.value as AnalysisSettings["ciMethod"] })}>
            <option value="z">Wald-type (normal)</option>
            <option value="hk">Hartung-Knapp (t)</option>
          </select>
        </Field>
        <Field id={`${idBase}-8`} label="Confidence level">
          <select id={`${idBase}-8`} className={field} disabled={disabled} value={shown.level} onChange={(e) => void save({ level: Number(e.target.value) })}>
            {levelOptions.map((l) => (
              <option key={l} value={l}>
                {Math.round(l * 1000) / 10}%
              </option>
            ))}
          </select>
        </Field>
        <Field id={`${idBase}-9`} label="Subgroups by">
          <select id={`${idBase}-9`} className={field} disabled={disabled} value={shown.subgroupField} onChange={(e) => void save({ subgroupField: e.target.value as AnalysisSettings["subgroupField"] as StudyField | "" })}>
            <option value="">None</option>
            {subgroupOptions.map((f) => (
              <option key={f} value={f}>
                {f === "exosomeSource" ? "Exosome source" : studyFieldLabels[f]}
              </option>
            ))}
          </select>
        </Field>
      </div>
    </section>
  );
}

function Field({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="block text-xs font-medium text-slate-700">
        {label}
      </label>
      {children}
    </div>
  );
}
