import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";

/** The one error type services throw. Mapped to tRPC codes in one place: `toTRPCError` below. */
export type AppErrorKind = "not_found" | "forbidden" | "unauthenticated" | "conflict" | "invalid" | "rate_limited";

const trpcCodeByKind: Record<AppErrorKind, TRPC_ERROR_CODE_KEY> = {
  not_found: "NOT_FOUND",
  forbidden: "FORBIDDEN",
  unauthenticated: "UNAUTHORIZED",
  conflict: "CONFLICT",
  invalid: "BAD_REQUEST",
  rate_limited: "TOO_MANY_REQUESTS",
};

export class AppError extends Error {
  constructor(
    readonly kind: AppErrorKind,
    message: string,
    /** For `invalid`: the input field at fault, so the UI can show the message beside it. */
    readonly field?: string,
    /** For `conflict`: the row as it is now, and who changed it, so the UI can offer reapply/keep. */
    readonly current?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export function toTRPCError(error: AppError): TRPCError {
  return new TRPCError({ code: trpcCodeByKind[error.kind], message: error.message, cause: error });
}

export const notFound = (what: string) => new AppError("not_found", `${what} was not found.`);
export const invalid = (field: string, message: string) => new AppError("invalid", `${field}: ${message}`, field);
