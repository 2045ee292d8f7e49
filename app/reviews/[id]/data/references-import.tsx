"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { PreviewTable, previewCell as cell } from "./preview-table";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import { readUpload, type Upload } from "./read-file";

const actionLabel = { create: "New study", fill: "Fills empty fields", unchanged: "Nothing to fill", skip: "Skipped" } as const;

/** References (RIS, BibTeX, PubMed) fill in the studies they match, or become new studies; preview first. */
export function ReferencesImport({ reviewId }: { reviewId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const inputId = useId();
  const [upload, setUpload] = useState<Upload | null>(null);
  const [createMissing, setCreateMissing] = useState(true);
  const [readError, setReadError] = useState<string | null>(null);
  const preview = useMutation(trpc.dataIo.previewReferences.mutationOptions());
  const commit = useMutation(
    trpc.dataIo.commitReferences.mutationOptions({
      onSuccess: () => {
        preview.reset();
        setUpload(null);
        void queryClient.invalidateQueries();
      },
    }),
  );
  const plan = preview.data;
  const run = (file: Upload, create: boolean) => {
    commit.reset();
    preview.mutate({ reviewId, file, createMissing: create });
  };
  const choose = async (file: File | undefined) => {
    setReadError(null);
    preview.reset();
    if (!file) return setUpload(null);
    try {
      const read = await readUpload(file);
      setUpload(read);
      run(read, createMissing);
    } catch (error) {
      setReadError(error instanceof Error ? error.message : String(error));
    }
  };
  const changes = plan ? plan.plans.filter((p) => p.action === "create" || p.action === "fill").length : 0;
  return (
    <section aria-labelledby="references-heading" className="space-y-3">
      <h2 id="references-heading" className="text-xl font-semibold">
        Import references
      </h2>
      <p className="text-sm text-slate-600" id={`${inputId}-help`}>
        RIS, BibTeX or PubMed (.nbib) exports from Zotero, EndNote, Mendeley or Rayyan. A reference fills the empty title, journal and DOI of the study it matches (same
        DOI, else same first author and year); values already entered are kept.
      </p>
      <div className="flex flex-wrap items-end gap-4">
        <div>
          <label htmlFor={inputId} className="block text-sm font-medium">
            References (RIS, BibTeX or PubMed)
          </label>
          <input
            id={inputId}
            type="file"
            aria-describedby={`${inputId}-help`}
            accept=".ris,.bib,.bibtex,.nbib,.txt"
            className="mt-1 block w-full max-w-md text-sm file:mr-3 file:rounded file:border file:border-slate-300 file:bg-white file:px-3 file:py-1"
            onChange={(e) => void choose(e.target.files?.[0])}
          />
        </div>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={createMissing}
            onChange={(e) => {
              setCreateMissing(e.target.checked);
              if (upload) run(upload, e.target.checked);
            }}
          />
          Add references that match no study as new studies
        </label>
      </div>
      {(readError || preview.error || commit.error) && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800">
          {readError ?? errorMessage(preview.error ?? commit.error)}
        </p>
      )}
      {commit.data && (
        <p role="status" className="rounded border border-green-300 bg-green-50 p-2 text-sm text-green-900">
          Imported references: {commit.data.created} new studies, {commit.data.filled} studies filled in.
        </p>
      )}
      {plan && upload && (
        <div className="space-y-3" aria-label="References preview">
          <p className="text-sm">
            {plan.records} {plan.format === "bibtex" ? "BibTeX" : plan.format === "ris" ? "RIS" : "PubMed"} records.
          </p>
          {plan.problems.length > 0 && (
            <ul role="alert" className="list-disc rounded border border-red-300 bg-red-50 p-2 pl-6 text-sm text-red-800">
              {plan.problems.map((p) => (
                <li key={p.record}>{p.message}</li>
              ))}
            </ul>
          )}
          <PreviewTable label="References in the file" caption="Each reference and what the import does with it" headers={["Record", "Study", "Action", "Details"]}>
                {plan.plans.map((p) => (
                  <tr key={p.record} className="border-t border-slate-100 align-top">
                    <td className={cell}>{p.record}</td>
                    <td className={cell}>{p.label}</td>
                    <td className={cell}>{actionLabel[p.action]}</td>
                    <td className={cell}>
                      {[...p.fills.map((f) => `${f.field}: ${f.value}`), ...p.kept.map((k) => `${k.field} kept as entered (file: ${k.file})`), ...(p.message ? [p.message] : [])].join("; ") || "–"}
                    </td>
                  </tr>
                ))}
              </PreviewTable>
          <button
            type="button"
            className="rounded bg-blue-700 px-3 py-1.5 text-sm text-white hover:bg-blue-800 disabled:cursor-not-allowed disabled:bg-slate-400"
            disabled={plan.problems.length > 0 || changes === 0 || commit.isPending}
            onClick={() => commit.mutate({ reviewId, file: upload, createMissing, fingerprint: plan.fingerprint })}
          >
            Import references
          </button>
        </div>
      )}
    </section>
  );
}
