"use client";
import { useId, useState, type ReactNode } from "react";
import { lowRiskChoices, type AnalysisSettings } from "@/server/schemas/analysis-settings";
import { robDomains } from "@/server/schemas/risk-of-bias";
import { isListType } from "@/server/schemas/characteristics";
import { studyFieldLabels, type StudyField } from "@/server/schemas/study";

/** Fixed fields that can group studies (identifiers, numbers and free notes cannot). */
const subgroupFixedFields: StudyField[] = ["species", "strain", "sex", "diseaseModel", "modelInduction", "intervention", "administrationRoute", "timingAfterInjury", "administrationFrequency", "doseUnit"];

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

type Outcome = { id: number; name: string };
type Characteristic = { id: number; label: string; type: "text" | "number" | "single" | "multiple" | "boolean" };

/**
 * The analysis settings someone is looking at. Anyone who can read the analysis can change them for themselves
 * (they live in the page's address, so a view can be shared); saving them for everyone is the lead's, elsewhere.
 */
export function SettingsPanel({
  settings,
  outcomes,
  characteristics,
  onChange,
}: {
  settings: AnalysisSettings;
  outcomes: Outcome[];
  characteristics: Characteristic[];
  onChange: (patch: Partial<AnalysisSettings>) => void;
}) {
  const idBase = useId();
  const [dayDraft, setDayDraft] = useState<string | null>(null);
  const [dayError, setDayError] = useState<string | null>(null);
  const random = settings.model !== "fixed";
  const field = "mt-0.5 block max-w-full rounded border border-slate-300 bg-white px-1 py-0.5 text-sm disabled:bg-slate-100 disabled:text-slate-700";
  const levelOptions = levels.includes(settings.level) ? levels : [...levels, settings.level].sort();
  const subgroupOptions = [
    ...characteristics.filter((c) => isListType(c.type)).map((c) => ({ value: `c:${c.id}`, label: c.label })),
    ...subgroupFixedFields.map((f) => ({ value: f, label: studyFieldLabels[f] })),
  ];
  if (settings.subgroupField && !subgroupOptions.some((o) => o.value === settings.subgroupField)) subgroupOptions.push({ value: settings.subgroupField, label: settings.subgroupField });

  const commitDay = () => {
    if (dayDraft === null) return;
    const day = Number(dayDraft.replace(",", "."));
    if (dayDraft.trim() === "" || !Number.isFinite(day) || day < 0 || day > 3650) return setDayError("Day must be a number of days after injury, from 0 to 3650");
    setDayError(null);
    setDayDraft(null);
    onChange({ timepoint: "day", day });
  };

  // Controls only: on paper the pooled result's heading states the settings (the report prints them in words).
  return (
    <div className="no-print flex flex-wrap items-end gap-x-4 gap-y-2">
      <Field id={`${idBase}-1`} label="Outcome">
        <select id={`${idBase}-1`} className={field} value={settings.outcomeId ?? outcomes[0]?.id ?? ""} onChange={(e) => onChange({ outcomeId: Number(e.target.value) })}>
          {outcomes.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
      </Field>
      <Field id={`${idBase}-2`} label="Time point">
        <select
          id={`${idBase}-2`}
          className={field}
          value={dayDraft !== null ? "day" : settings.timepoint}
          onChange={(e) => {
            const timepoint = e.target.value as AnalysisSettings["timepoint"];
            if (timepoint === "day") setDayDraft(String(settings.day ?? 28));
            else {
              setDayDraft(null);
              onChange({ timepoint });
            }
          }}
        >
          <option value="first">First (per study)</option>
          <option value="last">Last (per study)</option>
          <option value="day">A given day</option>
        </select>
      </Field>
      {(settings.timepoint === "day" || dayDraft !== null) && (
        <Field id={`${idBase}-3`} label="Day after injury">
          <input
            id={`${idBase}-3`}
            className={`${field} w-20`}
            inputMode="decimal"
            aria-invalid={dayError ? true : undefined}
            aria-describedby={dayError ? `${idBase}-3-error` : undefined}
            value={dayDraft ?? String(settings.day ?? "")}
            onChange={(e) => setDayDraft(e.target.value)}
            onBlur={commitDay}
            onKeyDown={(e) => {
              if (e.key === "Enter") commitDay();
            }}
          />
          {dayError && (
            <span role="alert" id={`${idBase}-3-error`} className="block text-xs text-red-700">
              {dayError}
            </span>
          )}
        </Field>
      )}
      <Field id={`${idBase}-4`} label="Effect measure">
        <select id={`${idBase}-4`} className={field} value={settings.measure} onChange={(e) => onChange({ measure: e.target.value as AnalysisSettings["measure"] })}>
          <option value="MD">Mean difference (MD)</option>
          <option value="SMD">Std. mean difference (SMD)</option>
          <option value="ROM">Ratio of means (ROM)</option>
          <option value="NMD">Normalised mean difference (NMD, % of injury)</option>
        </select>
      </Field>
      <Field id={`${idBase}-5`} label="Model">
        <select id={`${idBase}-5`} className={field} value={settings.model} onChange={(e) => onChange({ model: e.target.value as AnalysisSettings["model"] })}>
          <option value="fixed">Fixed effect (inverse variance)</option>
          <option value="random">Random effects</option>
          <option value="auto">Auto: seed paper&apos;s I²/Q rule</option>
        </select>
      </Field>
      <Field id={`${idBase}-6`} label="τ² estimator">
        <select id={`${idBase}-6`} className={field} disabled={!random} value={settings.tau2Method} onChange={(e) => onChange({ tau2Method: e.target.value as AnalysisSettings["tau2Method"] })}>
          {estimators.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      <Field id={`${idBase}-7`} label="Confidence interval">
        <select id={`${idBase}-7`} className={field} disabled={!random} value={settings.ciMethod} onChange={(e) => onChange({ ciMethod: e.target.value as AnalysisSettings["ciMethod"] })}>
          <option value="z">Wald-type (normal)</option>
          <option value="hk">Hartung-Knapp (t)</option>
        </select>
      </Field>
      <Field id={`${idBase}-8`} label="Confidence level">
        <select id={`${idBase}-8`} className={field} value={settings.level} onChange={(e) => onChange({ level: Number(e.target.value) })}>
          {levelOptions.map((l) => (
            <option key={l} value={l}>
              {Math.round(l * 1000) / 10}%
            </option>
          ))}
        </select>
      </Field>
      <Field id={`${idBase}-10`} label="Treated arms sharing a control">
        <select id={`${idBase}-10`} className={field} value={settings.combineTreatedArms ? "combine" : "split"} onChange={(e) => onChange({ combineTreatedArms: e.target.value === "combine" })}>
          <option value="split">One comparison each, control n split</option>
          <option value="combine">Combine the treated arms (Handbook 6.5.a)</option>
        </select>
      </Field>
      <Field id={`${idBase}-11`} label="Studies">
        <select id={`${idBase}-11`} className={field} value={settings.lowRiskDomain} onChange={(e) => onChange({ lowRiskDomain: e.target.value as AnalysisSettings["lowRiskDomain"] })}>
          {lowRiskChoices.map((choice) => (
            <option key={choice} value={choice}>
              {choice === "" ? "All" : choice === "all" ? "Low risk of bias in every domain" : `Low risk in ${choice} ${robDomains.find((d) => d.code === choice)?.name.toLowerCase() ?? ""}`}
            </option>
          ))}
        </select>
      </Field>
      <Field id={`${idBase}-9`} label="Subgroups by">
        <select id={`${idBase}-9`} className={field} value={settings.subgroupField} onChange={(e) => onChange({ subgroupField: e.target.value })}>
          <option value="">None</option>
          {subgroupOptions.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </Field>
    </div>
  );
}

function Field({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div className="max-w-full">
      <label htmlFor={id} className="block text-xs font-medium text-slate-700">
        {label}
      </label>
      {children}
    </div>
  );
}
