"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ScrollBox } from "@/app/_components/scroll-box";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";

/** The audit trail of one study: who changed what, when (UTC), from what to what; a deleted value can be restored. */
export function HistoryPanel({ reviewId, studyId, canRestore, onRestored }: { reviewId: number; studyId: number; canRestore: boolean; onRestored: () => Promise<unknown> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const history = useQuery({ ...trpc.studies.history.queryOptions({ reviewId, studyId }), enabled: open });
  const restore = useMutation(trpc.measurements.restore.mutationOptions());
  const [message, setMessage] = useState<string | null>(null);
  const restoreValue = async (measurementId: number) => {
    try {
      await restore.mutateAsync({ reviewId, measurementId });
      setMessage(`Restored outcome value ${measurementId}.`);
    } catch (error) {
      setMessage(errorMessage(error));
    }
    await Promise.all([onRestored(), queryClient.invalidateQueries({ queryKey: trpc.studies.history.queryKey({ reviewId, studyId }) })]);
  };
  return (
    <section aria-label="History" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <button type="button" className="text-left text-lg font-semibold" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "▾" : "▸"} History of this study and its outcome values
      </button>
      {message && (
        <p role="status" className="mt-1 text-sm">
          {message}
        </p>
      )}
      {open && (
        <ScrollBox label="History" className="mt-2">
          <table className="w-full text-sm">
            <thead className="text-left text-slate-600">
              <tr>
                <th className="px-1 py-1">When (UTC)</th>
                <th className="px-1">Who</th>
                <th className="px-1">What</th>
                <th className="px-1">Action</th>
                <th className="px-1">Field</th>
                <th className="px-1">Old value</th>
                <th className="px-1">New value</th>
              </tr>
            </thead>
            <tbody>
              {(history.data ?? []).map((h) => (
                <tr key={h.id} className="border-t border-slate-100 align-top">
                  <td className="px-1 py-1 whitespace-nowrap">{h.at.replace("T", " ").slice(0, 19)}</td>
                  <td className="px-1">{h.userName}</td>
                  <td className="px-1">{h.entity === "measurement" ? `outcome value ${h.entityId}` : h.entity === "arm" ? `arm ${h.entityId}` : "study"}</td>
                  <td className="px-1">
                    {h.action}
                    {h.reason && <span className="block text-xs text-slate-600">{h.reason}</span>}
                    {canRestore && h.entity === "measurement" && h.action === "delete" && h.field === null && h.entityId !== null && (
                      <button type="button" className="mt-1 block rounded border border-blue-700 px-1 text-xs text-blue-800" onClick={() => void restoreValue(h.entityId!)}>
                        Restore
                      </button>
                    )}
                  </td>
                  <td className="px-1">{h.field ?? "—"}</td>
                  <td className="max-w-xs truncate px-1" title={h.oldValue ?? ""}>
                    {h.oldValue ?? "—"}
                  </td>
                  <td className="max-w-xs truncate px-1" title={h.newValue ?? ""}>
                    {h.newValue ?? "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
    </section>
  );
}
