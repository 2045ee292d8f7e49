import { TRPCClientError } from "@trpc/client";

export type ConflictInfo = { by: string; row: unknown };

/** The message a person should read for a failed call: names the field for validation errors. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

export function conflictOf(error: unknown): ConflictInfo | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data = error.data as { code?: string; current?: ConflictInfo } | undefined;
  return data?.code === "CONFLICT" && data.current ? data.current : null;
}
