"use client";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/app/_trpc/client";

/** The audit trail of one study: who changed what, when (UTC), from what to what. */
export function HistoryPanel({ reviewId, studyId }: { reviewId: number; studyId: number }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const history = useQuery({ ...trpc.studies.history.queryOptions({ reviewId, studyId }), enabled: open });
  return (
    <section aria-label="History" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <button type="button" className="text-lg font-semibold" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "▾" : "▸"} History of this study and its outcome values
      </button>
      {open && (
        <table className="mt-2 w-full text-sm">
          <thead className="text-left text-slate-600">
            <tr>
              <th className="py-1">When (UTC)</th>
              <th>Who</th>
              <th>What</th>
              <th>Action</th>
              <th>Field</th>
              <th>Old value</th>
              <th>New value</th>
            </tr>
          </thead>
          <tbody>
            {(history.data ?? []).map((h) => (
              <tr key={h.id} className="border-t border-slate-100 align-top">
                <td className="py-1 whitespace-nowrap">{h.at.replace("T", " ").slice(0, 19)}</td>
                <td>{h.userName}</td>
                <td>{h.entity === "measurement" ? `outcome value ${h.entityId}` : "study"}</td>
                <td>{h.action}</td>
                <td>{h.field ?? "—"}</td>
                <td className="max-w-xs truncate" title={h.oldValue ?? ""}>
                  {h.oldValue ?? "—"}
                </td>
                <td className="max-w-xs truncate" title={h.newValue ?? ""}>
                  {h.newValue ?? "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
