"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { conflictOf, errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import type { SaveJudgmentInput } from "@/server/schemas/risk-of-bias";
import { cellKey, type GridData, type Judgment } from "./rob-model";

export type PendingCell = { token: number; judgment?: Judgment | null; state: "saving" | "failed"; message?: string };
export type SaveStatus = { kind: "idle" } | { kind: "saving" } | { kind: "saved"; at: string; count: number } | { kind: "failed"; message: string };

/**
 * Autosave of the caller's own judgments. Saves of one cell run one after another, each with the newest
 * version known (from the grid or from the previous save), so fast typing never conflicts with itself; a real
 * conflict (the same cell changed in another window) is shown, and the grid reloaded.
 */
export function useJudgmentSaver(reviewId: number, data: GridData | undefined) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { mutateAsync } = useMutation(trpc.riskOfBias.saveJudgment.mutationOptions());
  const [pending, setPending] = useState<ReadonlyMap<string, PendingCell>>(new Map());
  const [status, setStatus] = useState<SaveStatus>({ kind: "idle" });
  const versions = useRef(new Map<string, number>());
  const chains = useRef(new Map<string, Promise<void>>());
  const tokens = useRef(0);
  const savedCount = useRef(0);
  const latest = useRef(data);
  useEffect(() => {
    latest.current = data;
  }, [data]);

  const save = useCallback(
    (studyId: number, domain: number, patch: SaveJudgmentInput["patch"]): Promise<void> => {
      const key = cellKey(studyId, domain);
      const token = ++tokens.current;
      const update = (change: (map: Map<string, PendingCell>) => void) =>
        setPending((current) => {
          const next = new Map(current);
          change(next);
          return next;
        });
      update((map) => map.set(key, { token, judgment: patch.judgment, state: "saving" }));
      setStatus({ kind: "saving" });
      const gridKey = trpc.riskOfBias.grid.queryKey({ reviewId });
      const run = async () => {
        const grid = latest.current;
        const row = grid?.judgments.find((j) => j.slot === grid.me.slot && j.studyId === studyId && j.domain === domain);
        const known = Math.max(row?.version ?? 0, versions.current.get(key) ?? 0);
        try {
          const saved = await mutateAsync({ reviewId, studyId, domain, patch, version: known || null });
          versions.current.set(key, saved.version);
          queryClient.setQueryData(gridKey, (old) => old && { ...old, judgments: [...old.judgments.filter((j) => j.id !== saved.id), saved] });
          update((map) => {
            if (map.get(key)?.token === token) map.delete(key);
          });
          setStatus({ kind: "saved", at: new Date().toLocaleTimeString(), count: ++savedCount.current });
        } catch (error) {
          const message = conflictOf(error) ? `${errorMessage(error)} The cell now shows the saved value; press the key again to reapply yours.` : errorMessage(error);
          // After a conflict the cell shows the saved value again; after any other failure, the unsaved one.
          update((map) => map.set(key, { token, judgment: conflictOf(error) ? undefined : patch.judgment, state: "failed", message }));
          setStatus({ kind: "failed", message });
          if (conflictOf(error)) await queryClient.invalidateQueries({ queryKey: gridKey });
        }
      };
      const chain = (chains.current.get(key) ?? Promise.resolve()).then(run);
      chains.current.set(key, chain);
      return chain;
    },
    [mutateAsync, queryClient, reviewId, trpc],
  );

  return { pending, status, save };
}
