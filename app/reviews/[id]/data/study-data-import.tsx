"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { PreviewTable, previewCell as cell } from "./preview-table";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import { fixedTargetLabels } from "@/server/schemas/data-import";
import { readUpload, type Upload } from "./read-file";

const targetGroups: { label: string; targets: string[] }[] = [
  { label: "Study", targets: ["study", "author", "year", "title", "journal", "doi", "species", "strain", "sex", "age", "bodyWeight", "diseaseModel", "modelInduction", "intervention", "dose", "doseUnit", "administrationRoute", "timingAfterInjury", "administrationFrequency", "animalsTotal", "notes"] },
  { label: "Outcome data", targets: ["outcome", "arm", "armKind", "sharedControl", "day", "mean", "sd", "sem", "ciLower", "ciUpper", "errorType", "errorValue", "n", "dataSource", "sourceDetail", "isExampleData"] },
];
const buttonClass = "rounded bg-blue-700 px-3 py-1.5 text-sm text-white hover:bg-blue-800 disabled:cursor-not-allowed disabled:bg-slate-400";

/**
 * The lead's study-data import: choose a file, read the preview (how its columns map, every problem by row and
 * column, what would be created or changed), adjust the mapping, then import it all in one go.
 */
export function StudyDataImport({ reviewId }: { reviewId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const inputId = useId();
  const [upload, setUpload] = useState<Upload | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [readError, setReadError] = useState<string | null>(null);
  const preview = useMutation(trpc.dataIo.previewImport.mutationOptions());
  const commit = useMutation(
    trpc.dataIo.commitImport.mutationOptions({
      onSuccess: () => {
        preview.reset();
        setUpload(null);
        void queryClient.invalidateQueries();
      },
    }),
  );
  const plan = preview.data;
  const runPreview = (file: Upload, nextMapping: Record<string, string>) => {
    commit.reset();
    preview.mutate({ reviewId, file, mapping: nextMapping });
  };
  const choose = async (file: File | undefined) => {
    setReadError(null);
    preview.reset();
    commit.reset();
    setMapping({});
    if (!file) return setUpload(null);
    try {
      const read = await readUpload(file);
      setUpload(read);
      runPreview(read, {});
    } catch (error) {
      setUpload(null);
      setReadError(error instanceof Error ? error.message : String(error));
    }
  };
  const remap = (key: string, target: string) => {
    const next = { ...mapping, [key]: target };
    setMapping(next);
    if (upload) runPreview(upload, next);
  };
  const nothingToDo = plan && plan.totals.studiesCreated + plan.totals.studiesUpdated === 0;
  return (
    <section aria-labelledby="import-heading" className="space-y-3">
      <h2 id="import-heading" className="text-xl font-semibold">
        Import study data
      </h2>
      <p className="text-sm text-slate-600" id={`${inputId}-help`}>
        CSV (any delimiter) or XLSX in the template&apos;s layout or any other (map its columns below), a SyRF quantitative export, a RevMan 5 file (.rm5) or a RevMan Web
        data package (.zip or its data-rows.csv). At most 10 MB and 50 000 rows. Studies are matched by DOI, else by first author, year and arm label; blank cells
        leave stored values as they are. Nothing is written until you import the preview.
      </p>
      <div>
        <label htmlFor={inputId} className="block text-sm font-medium">
          File
        </label>
        <input
          id={inputId}
          type="file"
          aria-describedby={`${inputId}-help`}
          accept=".csv,.tsv,.txt,.xlsx,.rm5,.zip,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          className="mt-1 block w-full max-w-md text-sm file:mr-3 file:rounded file:border file:border-slate-300 file:bg-white file:px-3 file:py-1"
          onChange={(e) => void choose(e.target.files?.[0])}
        />
      </div>
      {(readError || preview.error) && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800">
          {readError ?? errorMessage(preview.error)}
        </p>
      )}
      {preview.isPending && (
        <p role="status" className="text-sm text-slate-600">
          Reading the file…
        </p>
      )}
      {commit.data && (
        <p role="status" className="rounded border border-green-300 bg-green-50 p-2 text-sm text-green-900">
          Imported: {commit.data.studiesCreated} new {commit.data.studiesCreated === 1 ? "study" : "studies"}, {commit.data.studiesUpdated} updated, {commit.data.armsCreated} arms and{" "}
          {commit.data.valuesCreated} outcome values added, {commit.data.valuesUpdated} values changed
          {commit.data.outcomesCreated + commit.data.characteristicsCreated > 0 ? `; ${commit.data.outcomesCreated} outcomes and ${commit.data.characteristicsCreated} characteristics defined` : ""}.
        </p>
      )}
      {commit.error && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800">
          {errorMessage(commit.error)}
        </p>
      )}
      {plan && upload && (
        <div className="space-y-4" aria-label="Import preview">
          <p className="text-sm">
            <span className="font-medium">{plan.fileName}</span> read as <span className="font-medium">{plan.layoutLabel}</span>: {plan.rowCount} {plan.rowCount === 1 ? "row" : "rows"}.
          </p>
          {plan.notes.length > 0 && (
            <ul className="list-disc pl-5 text-sm text-slate-700">
              {plan.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
          <h3 className="font-medium">Columns</h3>
          <PreviewTable label="Columns of the file" caption="How each column of the file is imported" headers={["Sheet", "Column", "Imported as"]}>
                {plan.columns.map((c) => (
                  <tr key={`${c.sheet}:${c.header}`} className="border-t border-slate-100">
                    <td className={cell}>{c.sheet}</td>
                    <td className={cell}>{c.header || "(no header)"}</td>
                    <td className={cell}>
                      <select
                        aria-label={`Import column ${c.header || "(no header)"} of ${c.sheet} as`}
                        className="rounded border border-slate-300 px-1 py-0.5"
                        value={c.target}
                        disabled={plan.layout === "syrf" || plan.layout === "rm5" || plan.layout === "revman-web"}
                        onChange={(e) => remap(c.key, e.target.value)}
                      >
                        <option value="ignore">Not imported</option>
                        <option value="new">New characteristic</option>
                        {targetGroups.map((g) => (
                          <optgroup key={g.label} label={g.label}>
                            {g.targets.map((t) => (
                              <option key={t} value={t}>
                                {fixedTargetLabels[t as keyof typeof fixedTargetLabels]}
                              </option>
                            ))}
                          </optgroup>
                        ))}
                        {plan.characteristicChoices.length > 0 && (
                          <optgroup label="Characteristics">
                            {plan.characteristicChoices.map((o) => (
                              <option key={o.target} value={o.target}>
                                {o.label}
                              </option>
                            ))}
                          </optgroup>
                        )}
                      </select>
                      {c.how === "remembered" && <span className="ml-2 text-xs text-slate-500">as last time</span>}
                    </td>
                  </tr>
                ))}
              </PreviewTable>

          {plan.problemCount > 0 ? (
            <div role="alert" className="space-y-2">
              <p className="rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800">
                {plan.problemCount} {plan.problemCount === 1 ? "problem" : "problems"} in the file: nothing will be imported until {plan.problemCount === 1 ? "it is" : "they are"} fixed
                {plan.problemCount > plan.problems.length ? ` (the first ${plan.problems.length} are listed)` : ""}.
              </p>
              <PreviewTable label="Problems" caption="Problems by row and column" headers={["Sheet", "Row", "Column", "Problem"]}>
                    {plan.problems.map((p, i) => (
                      <tr key={i} className="border-t border-slate-100 align-top">
                        <td className={cell}>{p.sheet}</td>
                        <td className={cell}>{p.row ?? "–"}</td>
                        <td className={cell}>{p.column || "–"}</td>
                        <td className={cell}>{p.message}</td>
                      </tr>
                    ))}
                  </PreviewTable>
            </div>
          ) : (
            <p role="status" className="text-sm text-green-900">
              No problems found.
            </p>
          )}

          <h3 className="font-medium">{plan.problemCount > 0 ? "What the import would change once the problems are fixed" : "What the import changes"}</h3>
          <p className="text-sm">
            {plan.totals.studiesCreated} new {plan.totals.studiesCreated === 1 ? "study" : "studies"}, {plan.totals.studiesUpdated} updated, {plan.totals.studiesUnchanged} unchanged;{" "}
            {plan.totals.armsCreated} new arms; {plan.totals.valuesCreated} new outcome values, {plan.totals.valuesUpdated} changed, {plan.totals.valuesUnchanged} unchanged.
          </p>
          {(plan.newOutcomes.length > 0 || plan.newCharacteristics.length > 0) && (
            <ul className="list-disc pl-5 text-sm">
              {plan.newOutcomes.map((o) => (
                <li key={`o:${o.name}`}>
                  New outcome <span className="font-medium">{o.name}</span>
                  {o.scaleMin === null && o.scaleMax === null ? " (no scale: set it in Set-up)" : ""}
                </li>
              ))}
              {plan.newCharacteristics.map((c) => (
                <li key={`c:${c.label}`}>
                  New characteristic <span className="font-medium">{c.label}</span> ({c.type}
                  {c.unit ? `, ${c.unit}` : ""})
                </li>
              ))}
            </ul>
          )}
          {plan.studies.length > 0 && (
            <PreviewTable label="Studies in the file" caption="Each study of the file and what the import does to it" headers={["Study", "Action", "Rows", "Changes"]}>
                  {plan.studies.map((s) => (
                    <tr key={s.key} className="border-t border-slate-100 align-top">
                      <td className={cell}>{s.label}</td>
                      <td className={cell}>{s.action === "create" ? "New" : s.action === "update" ? "Updated" : "Unchanged"}</td>
                      <td className={`${cell} text-slate-600`}>{s.rows}</td>
                      <td className={cell}>
                        {s.changes.length === 0 && s.armsCreated.length === 0 && s.values.created === 0 ? (
                          <span className="text-slate-500">none</span>
                        ) : (
                          <ul className="space-y-0.5">
                            {s.action !== "create" &&
                              s.changes.map((c, i) => (
                                <li key={i}>
                                  {c.field}: <del className="text-red-800">{c.from}</del> → <ins className="text-green-900 no-underline">{c.to}</ins>
                                </li>
                              ))}
                            {s.armsCreated.length > 0 && <li>New arms: {s.armsCreated.join(", ")}</li>}
                            {s.values.created > 0 && <li>{s.values.created} new outcome values</li>}
                          </ul>
                        )}
                      </td>
                    </tr>
                  ))}
                </PreviewTable>
          )}
          <div className="flex flex-wrap items-center gap-2">
            <button
              type="button"
              className={buttonClass}
              disabled={plan.problemCount > 0 || Boolean(nothingToDo) || commit.isPending || preview.isPending}
              onClick={() => commit.mutate({ reviewId, file: upload, mapping, fingerprint: plan.fingerprint })}
            >
              {commit.isPending ? "Importing…" : "Import"}
            </button>
            {nothingToDo && plan.problemCount === 0 && <span className="text-sm text-slate-600">The review already holds everything in this file.</span>}
          </div>
        </div>
      )}
    </section>
  );
}
