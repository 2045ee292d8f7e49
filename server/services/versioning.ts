import "server-only";
import { AppError } from "@/server/errors";
import { lastEditor } from "./audit";
import type { DbOrTx } from "@/db/client";

/**
 * Optimistic concurrency: an update carries the version it read. Called inside the BEGIN IMMEDIATE write
 * transaction, so the check and the write cannot interleave with another writer's.
 */
export function assertVersion(
  tx: DbOrTx,
  entity: string,
  current: { id: number; version: number } & Record<string, unknown>,
  expectedVersion: number,
): void {
  if (current.version === expectedVersion) return;
  const by = lastEditor(tx, entity, current.id) ?? "another user";
  throw new AppError("conflict", `Changed by ${by} meanwhile: reload or reapply your edit.`, undefined, { row: current, by });
}
