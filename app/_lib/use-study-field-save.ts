"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { SaveOutcome } from "@/app/_components/editable-cell";
import { useTRPC } from "@/app/_trpc/client";
import type { CharacteristicDefinition } from "@/server/schemas/characteristics";
import { checkColumnInput } from "./study-columns";
import { conflictOf, errorMessage } from "./trpc-errors";

/**
 * Saving one study column (a fixed field or a characteristic) from an editable cell: validated in the browser with
 * the server's own schema first, then sent with the version the cell showed; a CONFLICT comes back as "changed by X
 * meanwhile" with a retry ("Reapply mine") against the current version.
 */
export function useStudyFieldSave(reviewId: number, definitions: readonly CharacteristicDefinition[]) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const update = useMutation(trpc.studies.update.mutationOptions());
  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: trpc.studies.list.queryKey() }), queryClient.invalidateQueries({ queryKey: trpc.studies.get.queryKey() })]);

  return (studyId: number, column: string) =>
    async function attempt(raw: string, atVersion: number): Promise<SaveOutcome> {
      const checked = checkColumnInput(definitions, column, raw);
      if (!checked.ok) return { ok: false, message: checked.message };
      try {
        await update.mutateAsync({ reviewId, studyId, field: column, value: checked.value, version: atVersion });
        await refresh();
        return { ok: true };
      } catch (error) {
        const conflict = conflictOf(error);
        await refresh();
        if (!conflict) return { ok: false, message: errorMessage(error) };
        const latest = (conflict.row as { version: number }).version;
        return { ok: false, message: errorMessage(error), conflict: { by: conflict.by, retry: () => attempt(raw, latest) } };
      }
    };
}
