"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import type { GridData } from "./rob-model";

type Draft = { reviewer1: number | null; reviewer2: number | null; arbiter: number | null };

const fields = [
  ["reviewer1", "Reviewer 1"],
  ["reviewer2", "Reviewer 2"],
  ["arbiter", "Arbiter (optional: may record the consensus)"],
] as const;

/**
 * Who judges (two reviewers) and who may settle disagreements besides the lead (the arbiter). The lead edits
 * it. With nobody assigned yet, the review's reviewers are offered as the pair at once (the server assigns
 * them by itself when there are exactly two).
 */
export function AssignmentForm({ reviewId, assignment, canAssign }: { reviewId: number; assignment: GridData["assignment"]; canAssign: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery({ ...trpc.reviews.members.queryOptions({ reviewId }), enabled: canAssign });
  const assign = useMutation(trpc.riskOfBias.assign.mutationOptions());
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const summary = `Reviewers: ${assignment.reviewer1?.name ?? "not assigned"} and ${assignment.reviewer2?.name ?? "not assigned"}. Arbiter: ${assignment.arbiter?.name ?? "none (the lead decides)"}.`;
  const reviewers = (members.data ?? []).filter((m) => m.role === "reviewer");
  const unassigned = !assignment.reviewer1 && !assignment.reviewer2;
  const offered = unassigned && reviewers.length >= 2 ? ([reviewers[0]!, reviewers[1]!] as const) : null;
  const save = async (chosen: Draft) => {
    try {
      await assign.mutateAsync({ reviewId, reviewer1Id: chosen.reviewer1, reviewer2Id: chosen.reviewer2, arbiterId: chosen.arbiter, version: assignment.version });
      await queryClient.invalidateQueries({ queryKey: trpc.riskOfBias.pathKey() });
      setEditing(false);
      setDraft(null);
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  if (!editing)
    return (
      <div className="text-sm text-slate-700">
        <p>
          {summary}{" "}
          {canAssign && (
            <button type="button" className="text-blue-800 underline" onClick={() => setEditing(true)}>
              Change
            </button>
          )}
        </p>
        {canAssign && offered && (
          <p className="mt-1">
            <button
              type="button"
              className="rounded bg-blue-700 px-3 py-1 text-white disabled:opacity-60"
              disabled={assign.isPending}
              onClick={() => void save({ reviewer1: offered[0].userId, reviewer2: offered[1].userId, arbiter: assignment.arbiter?.id ?? null })}
            >
              Assign {offered[0].displayName} and {offered[1].displayName} as the two reviewers
            </button>
          </p>
        )}
        {error && (
          <p role="alert" className="text-red-800">
            {error}
          </p>
        )}
      </div>
    );
  const eligible = (members.data ?? []).filter((m) => m.role === "reviewer" || m.role === "lead");
  // The form opens on the current assignment, or on the offered pair when nobody is assigned.
  const shown: Draft = draft ?? {
    reviewer1: assignment.reviewer1?.id ?? offered?.[0].userId ?? null,
    reviewer2: assignment.reviewer2?.id ?? offered?.[1].userId ?? null,
    arbiter: assignment.arbiter?.id ?? null,
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save(shown);
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
            value={shown[key] ?? ""}
            onChange={(e) => setDraft({ ...shown, [key]: e.target.value ? Number(e.target.value) : null })}
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
      <button
        type="button"
        className="rounded border px-3 py-1"
        onClick={() => {
          setEditing(false);
          setDraft(null);
        }}
      >
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
