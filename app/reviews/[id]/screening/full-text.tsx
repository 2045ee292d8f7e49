"use client";
import { useMutation } from "@tanstack/react-query";
import { useId, useState } from "react";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";

type Record = { id: number; version: number; fullTextFileId: number | null };

/**
 * A record's full text at the full-text stage: download the attached PDF, or attach one (checked by its content on
 * the server, at most 25 MB, kept in the review's file store); screeners can replace or detach it.
 */
export function FullTextAttachment({ reviewId, record, canEdit, onChanged }: { reviewId: number; record: Record; canEdit: boolean; onChanged: () => Promise<unknown> }) {
  const trpc = useTRPC();
  const inputId = useId();
  const detach = useMutation(trpc.screening.detachFullText.mutationOptions());
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const upload = async (file: File) => {
    setBusy(true);
    setStatus(null);
    const form = new FormData();
    form.append("file", file);
    form.append("version", String(record.version));
    try {
      const response = await fetch(`/api/reviews/${reviewId}/screening/records/${record.id}/full-text`, { method: "POST", body: form, headers: { "x-workbench-upload": "1" } });
      const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
      setStatus(response.ok ? { ok: true, text: `Attached ${file.name}.` } : { ok: false, text: body.error?.message ?? `The upload failed (HTTP ${response.status}).` });
      await onChanged();
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="mt-3 rounded border border-slate-200 bg-slate-50 p-2 text-sm">
      {record.fullTextFileId !== null ? (
        <p className="flex flex-wrap items-center gap-2">
          <a className="text-blue-800 underline" href={`/api/reviews/${reviewId}/files/${record.fullTextFileId}`}>
            Download the full text (PDF)
          </a>
          {canEdit && (
            <button
              type="button"
              className="rounded border border-slate-400 px-1.5 text-xs"
              onClick={() =>
                detach.mutateAsync({ reviewId, recordId: record.id, version: record.version }).then(
                  () => onChanged(),
                  (e: unknown) => setStatus({ ok: false, text: errorMessage(e) }),
                )
              }
            >
              Detach
            </button>
          )}
        </p>
      ) : (
        <p className="text-slate-700">No full text attached yet.</p>
      )}
      {canEdit && (
        <div className="mt-1">
          <label htmlFor={inputId} className="block text-xs font-medium">
            {record.fullTextFileId !== null ? "Replace the full text (PDF, at most 25 MB)" : "Attach the full text (PDF, at most 25 MB)"}
          </label>
          <input
            id={inputId}
            type="file"
            accept="application/pdf,.pdf"
            disabled={busy}
            className="mt-0.5 block max-w-full text-xs"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = "";
              if (file) void upload(file);
            }}
          />
        </div>
      )}
      {busy && <p className="text-xs text-slate-600">Uploading…</p>}
      {status && (
        <p role={status.ok ? "status" : "alert"} className={`text-xs ${status.ok ? "text-green-800" : "text-red-700"}`}>
          {status.text}
        </p>
      )}
    </div>
  );
}
