"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import { IMPORT_CHUNK_RECORDS, startImportInput } from "@/server/schemas/screening";
import { referenceFormatLabels, referenceFormatList, type ReferenceFormat } from "@/server/screening/formats";
import type { ParseResult, ReferenceRecord } from "@/server/screening/references";

/** Each request stays well under the server's 1 MB body limit even when abstracts are long. */
const MAX_CHUNK_BYTES = 700_000;
const knownSources = ["PubMed", "Embase", "Web of Science", "Scopus", "CINAHL", "Cochrane Library", "PsycINFO", "Google Scholar", "bioRxiv"];

function chunksOf(records: ReferenceRecord[]): { offset: number; records: ReferenceRecord[] }[] {
  const chunks: { offset: number; records: ReferenceRecord[] }[] = [];
  let current: ReferenceRecord[] = [];
  let bytes = 0;
  let offset = 0;
  for (const record of records) {
    const size = new TextEncoder().encode(JSON.stringify(record)).length;
    if (current.length && (current.length >= IMPORT_CHUNK_RECORDS || bytes + size > MAX_CHUNK_BYTES)) {
      chunks.push({ offset, records: current });
      offset += current.length;
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length) chunks.push({ offset, records: current });
  return chunks;
}

type Phase =
  | { kind: "idle" }
  | { kind: "reading" }
  | { kind: "read"; parsed: ParseResult; fileName: string }
  | { kind: "importing"; parsed: ParseResult; fileName: string; searchId: number; sent: number }
  | { kind: "failed"; parsed: ParseResult; fileName: string; searchId: number | null; sent: number; message: string }
  | { kind: "done"; records: number; exactDuplicates: number; likelyDuplicates: number };

export function ImportForm({ reviewId }: { reviewId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const start = useMutation(trpc.screening.startImport.mutationOptions());
  const chunk = useMutation(trpc.screening.importChunk.mutationOptions());
  const finish = useMutation(trpc.screening.finishImport.mutationOptions());
  const cancel = useMutation(trpc.screening.cancelImport.mutationOptions());
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<ReferenceFormat | "">("");
  const [details, setDetails] = useState({ source: "", searchedOn: new Date().toISOString().slice(0, 10), query: "" });
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });

  const read = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return setFieldErrors({ file: "Search export file is required" });
    setFieldErrors({});
    setPhase({ kind: "reading" });
    try {
      const text = await file.text();
      // The parsers (citation-js and friends) load only here, not with every screening page.
      const { parseReferences } = await import("@/server/screening/references");
      // Let "Reading…" paint before the parse occupies the main thread.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const parsed = parseReferences(text, format || undefined);
      if (!parsed.records.length) throw new Error(`File: no usable records (${parsed.skipped.length} skipped).`);
      setPhase({ kind: "read", parsed, fileName: file.name });
    } catch (err) {
      setPhase({ kind: "idle" });
      setFieldErrors({ file: err instanceof Error ? err.message : String(err) });
    }
  };

  const send = async (parsed: ParseResult, fileName: string, existing: { searchId: number; sent: number } | null) => {
    const input = { reviewId, ...details, fileName: fileName.slice(0, 300), format: parsed.format, expectedRecords: parsed.records.length };
    const checked = startImportInput.safeParse(input);
    if (!checked.success) {
      setFieldErrors(Object.fromEntries(checked.error.issues.map((i) => [String(i.path[0]), i.message])));
      return;
    }
    setFieldErrors({});
    let searchId = existing?.searchId ?? null;
    let sent = existing?.sent ?? 0;
    try {
      if (searchId === null) searchId = (await start.mutateAsync(input)).id;
      for (const c of chunksOf(parsed.records)) {
        if (c.offset + c.records.length <= sent) continue;
        setPhase({ kind: "importing", parsed, fileName, searchId, sent });
        const result = await chunk.mutateAsync({ reviewId, searchId, offset: c.offset, records: c.records });
        sent = result.received;
      }
      setPhase({ kind: "importing", parsed, fileName, searchId, sent });
      const done = await finish.mutateAsync({ reviewId, searchId });
      await queryClient.invalidateQueries({ queryKey: trpc.screening.pathKey() });
      setPhase({ kind: "done", ...done });
    } catch (err) {
      setPhase({ kind: "failed", parsed, fileName, searchId, sent, message: errorMessage(err) });
    }
  };

  const busy = phase.kind === "reading" || phase.kind === "importing";
  const total = "parsed" in phase ? phase.parsed.records.length : 0;
  const sent = phase.kind === "importing" || phase.kind === "failed" ? phase.sent : 0;

  return (
    <div className="max-w-3xl space-y-4">
      <form onSubmit={read} aria-label="Search export" className="space-y-3 rounded border border-slate-300 bg-white p-3 text-sm">
        <div className="grid gap-3 sm:grid-cols-2">
          <div>
            <label htmlFor="import-source" className="block font-medium">
              Source (database or register)
            </label>
            <input id="import-source" list="import-sources" className="mt-1 w-full rounded border border-slate-400 px-2 py-1" value={details.source} onChange={(e) => setDetails({ ...details, source: e.target.value })} aria-describedby="import-source-error" />
            <datalist id="import-sources">
              {knownSources.map((s) => (
                <option key={s} value={s} />
              ))}
            </datalist>
            <FieldError id="import-source-error" text={fieldErrors.source} />
          </div>
          <div>
            <label htmlFor="import-date" className="block font-medium">
              Search date
            </label>
            <input id="import-date" type="date" className="mt-1 w-full rounded border border-slate-400 px-2 py-1" value={details.searchedOn} onChange={(e) => setDetails({ ...details, searchedOn: e.target.value })} aria-describedby="import-date-error" />
            <FieldError id="import-date-error" text={fieldErrors.searchedOn} />
          </div>
        </div>
        <div>
          <label htmlFor="import-query" className="block font-medium">
            Search query (as run, for the report&apos;s methods)
          </label>
          <textarea id="import-query" rows={3} className="mt-1 w-full rounded border border-slate-400 px-2 py-1 font-mono text-xs" value={details.query} onChange={(e) => setDetails({ ...details, query: e.target.value })} aria-describedby="import-query-error" />
          <FieldError id="import-query-error" text={fieldErrors.query} />
        </div>
        <div className="grid gap-3 sm:grid-cols-2">
          <div>
            <label htmlFor="import-file" className="block font-medium">
              Search export file
            </label>
            <input
              id="import-file"
              type="file"
              accept=".ris,.nbib,.txt,.xml,.bib,.csv"
              className="mt-1 w-full text-sm"
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                setPhase({ kind: "idle" });
              }}
              aria-describedby="import-file-error"
            />
            <FieldError id="import-file-error" text={fieldErrors.file} />
          </div>
          <div>
            <label htmlFor="import-format" className="block font-medium">
              File format
            </label>
            <select id="import-format" className="mt-1 w-full rounded border border-slate-400 px-1 py-1" value={format} onChange={(e) => setFormat(e.target.value as ReferenceFormat | "")}>
              <option value="">Detect from the file</option>
              {referenceFormatList.map((f) => (
                <option key={f} value={f}>
                  {referenceFormatLabels[f]}
                </option>
              ))}
            </select>
          </div>
        </div>
        <button type="submit" className="rounded border border-slate-500 bg-white px-3 py-1.5 disabled:opacity-60" disabled={busy}>
          {phase.kind === "reading" ? "Reading…" : "Read file"}
        </button>
      </form>

      {"parsed" in phase && (
        <section aria-labelledby="import-preview-title" className="space-y-2 rounded border border-slate-300 bg-white p-3 text-sm">
          <h2 id="import-preview-title" className="font-semibold">
            {phase.fileName}: {total} record{total === 1 ? "" : "s"} read as {referenceFormatLabels[phase.parsed.format]}
          </h2>
          {phase.parsed.skipped.length > 0 && (
            <details>
              <summary>
                {phase.parsed.skipped.length} entr{phase.parsed.skipped.length === 1 ? "y" : "ies"} skipped
              </summary>
              <ul className="list-disc pl-6">
                {phase.parsed.skipped.slice(0, 20).map((s) => (
                  <li key={s.entry}>
                    Entry {s.entry}: {s.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
          <ul className="list-disc pl-6 text-slate-700">
            {phase.parsed.records.slice(0, 3).map((r, i) => (
              <li key={i}>
                {r.title || "(no title)"} {r.year ? `(${r.year})` : ""}
              </li>
            ))}
          </ul>
          <div className="flex flex-wrap items-center gap-3">
            <button
              type="button"
              className="rounded bg-blue-700 px-3 py-1.5 text-white disabled:opacity-60"
              disabled={busy}
              onClick={() => void send(phase.parsed, phase.fileName, phase.kind === "failed" && phase.searchId !== null ? { searchId: phase.searchId, sent: phase.sent } : null)}
            >
              {phase.kind === "failed" ? "Retry the rest" : `Import ${total} records`}
            </button>
            {phase.kind === "failed" && phase.searchId !== null && (
              <button
                type="button"
                className="rounded border border-red-700 px-3 py-1.5 text-red-800"
                onClick={() =>
                  void cancel
                    .mutateAsync({ reviewId, searchId: phase.searchId! })
                    .then(() => setPhase({ kind: "read", parsed: phase.parsed, fileName: phase.fileName }))
                    .catch((err: unknown) => setPhase({ ...phase, message: errorMessage(err) }))
                }
              >
                Cancel this import
              </button>
            )}
          </div>
          {(phase.kind === "importing" || phase.kind === "failed") && (
            <div className="space-y-1">
              <label htmlFor="import-progress" className="block">
                Imported <span className="tabular">{sent}</span> of <span className="tabular">{total}</span>
                {phase.kind === "importing" && sent === total ? " · looking for likely duplicates…" : ""}
              </label>
              <progress id="import-progress" className="h-3 w-full" max={total} value={sent} />
            </div>
          )}
          {phase.kind === "failed" && (
            <p role="alert" className="text-red-700">
              The import stopped: {phase.message}
            </p>
          )}
        </section>
      )}
      {phase.kind === "done" && (
        <p role="status" className="rounded border border-green-700 bg-green-50 p-3 text-sm">
          Imported {phase.records} records: {phase.exactDuplicates} exact duplicate{phase.exactDuplicates === 1 ? "" : "s"} (same DOI or PMID) merged,{" "}
          {phase.likelyDuplicates} likely duplicate pair{phase.likelyDuplicates === 1 ? "" : "s"} queued.{" "}
          <Link className="text-blue-800 underline" href={`/reviews/${reviewId}/screening/duplicates`}>
            Review duplicates
          </Link>{" "}
          ·{" "}
          <Link className="text-blue-800 underline" href={`/reviews/${reviewId}/screening`}>
            Overview
          </Link>
        </p>
      )}
    </div>
  );
}

function FieldError({ id, text }: { id: string; text: string | undefined }) {
  return (
    <p id={id} role={text ? "alert" : undefined} className="mt-1 text-sm text-red-700">
      {text}
    </p>
  );
}
