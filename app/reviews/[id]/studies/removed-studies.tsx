"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";

/** Studies removed from the review, kept with everything they held; the lead restores them. */
export function RemovedStudies({ reviewId, canRestore }: { reviewId: number; canRestore: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const removed = useQuery(trpc.studies.removed.queryOptions({ reviewId }));
  const restore = useMutation(trpc.studies.restore.mutationOptions());
  const [message, setMessage] = useState<string | null>(null);
  if (!removed.data?.length) return null;
  return (
    <details className="rounded-lg border border-slate-200 bg-white p-3 text-sm shadow-sm">
      <summary className="cursor-pointer font-semibold">Removed studies ({removed.data.length})</summary>
      <ul className="mt-2 space-y-1">
        {removed.data.map((s) => (
          <li key={s.id} className="flex flex-wrap items-center gap-2 border-b border-slate-100 py-1">
            <span>
              {s.position}. {s.label}
            </span>
            <span className="text-slate-600">
              removed by {s.removedBy} on {new Date(s.removedAt).toLocaleString("en-GB")}; holds {s.outcomeValues} outcome values and {s.judgments} risk-of-bias judgments
            </span>
            {canRestore && (
              <button
                type="button"
                className="ml-auto rounded border border-blue-700 px-2 py-0.5 text-blue-800"
                onClick={async () => {
                  try {
                    await restore.mutateAsync({ reviewId, studyId: s.id });
                    setMessage(`Restored ${s.label}.`);
                  } catch (error) {
                    setMessage(errorMessage(error));
                  }
                  await queryClient.invalidateQueries({ queryKey: trpc.studies.pathKey() });
                }}
              >
                Restore {s.label}
              </button>
            )}
          </li>
        ))}
      </ul>
      {message && (
        <p role="status" className="mt-2">
          {message}
        </p>
      )}
    </details>
  );
}
