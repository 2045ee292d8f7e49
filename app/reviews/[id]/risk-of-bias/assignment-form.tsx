"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import type { GridData } from "./rob-model";

const fields = [
  ["reviewer1", "Reviewer 1"],
  ["reviewer2", "Reviewer 2"],
  ["arbiter", "Arbiter (optional: may record the consensus)"],
] as const;

/** Who judges (two reviewers) and who may settle disagreements besides the lead (the arbiter). The lead edits it. */
export function AssignmentForm({ reviewId, assignment, canAssign }: { reviewId: number; assignment: GridData["assignment"]; canAssign: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery({ ...trpc.reviews.members.queryOptions({ reviewId }), enabled: canAssign });
  const assign = useMutation(trpc.riskOfBias.assign.mutationOptions());
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState({ reviewer1: assignment.reviewer1?.id ?? null, reviewer2: assignment.reviewer2?.id ?? null, arbiter: assignment.arbiter?.id ?? null });
  const [error, setError] = useState<string | null>(null);
  const summary = `Reviewers: ${assignment.reviewer1?.name ?? "not assigned"} and ${assignment.reviewer2?.name ?? "not assigned"}. Arbiter: ${assignment.arbiter?.name ?? "none (the lead decides)"}.`;
  if (!editing)
    return (
      <p className="text-sm text-slate-700">
        {summary}{" "}
        {canAssign && (
          <button type="button" className="text-blue-800 underline" onClick={() => setEditing(true)}>
            Change
          </button>
        )}
      </p>
    );
  const eligible = (members.data ?? []).filter((m) => m.role === "reviewer" || m.role === "lead");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await assign.mutateAsync({ reviewId, reviewer1Id: draft.reviewer1, reviewer2Id: draft.reviewer2, arbiterId: draft.arbiter, version: assignment.version });
      await queryClient.invalidateQueries({ queryKey: trpc.riskOfBias.pathKey() });
      setEditing(false);
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <form onSubmit={submit} aria-label="Assign reviewers" className="flex flex-wrap items-end gap-3 rounded border border-slate-300 bg-white p-2 text-sm">
      {fields.map(([key, label]) => (
        <div key={key}>
          <label htmlFor={`rob-assign-${key}`} className="block text-xs font-medium">
            {label}
          </label>
          <select
            id={`rob-assign-${key}`}
            className="rounded border border-slate-400 px-1 py-0.5"
            value={draft[key] ?? ""}
            onChange={(e) => setDraft({ ...draft, [key]: e.target.value ? Number(e.target.value) : null })}
          >
            <option value="">— none —</option>
            {eligible.map((m) => (
              <option key={m.userId} value={m.userId}>
                {m.displayName} ({m.role})
              </option>
            ))}
          </select>
        </div>
      ))}
      <button type="submit" className="rounded bg-blue-700 px-3 py-1 text-white" disabled={assign.isPending}>
        Save assignment
      </button>
      <button type="button" className="rounded border px-3 py-1" onClick={() => setEditing(false)}>
        Cancel
      </button>
      {error && (
        <p role="alert" className="w-full text-red-800">
          {error}
        </p>
      )}
    </form>
  );
}
