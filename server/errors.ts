import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";

/** The one error type services throw. Mapped to tRPC codes in one place: `toTRPCError` below. */
export type AppErrorKind = "not_found" | "forbidden" | "unauthenticated" | "conflict" | "invalid" | "rate_limited" | "busy" | "unavailable";

const trpcCodeByKind: Record<AppErrorKind, TRPC_ERROR_CODE_KEY> = {
  not_found: "NOT_FOUND",
  forbidden: "FORBIDDEN",
  unauthenticated: "UNAUTHORIZED",
  conflict: "CONFLICT",
  invalid: "BAD_REQUEST",
  rate_limited: "TOO_MANY_REQUESTS",
  // Both answer 503: "busy" passes in seconds (a lock, a full queue), "unavailable" needs someone to act (disk).
  busy: "SERVICE_UNAVAILABLE",
  unavailable: "SERVICE_UNAVAILABLE",
};

export class AppError extends Error {
  constructor(
    readonly kind: AppErrorKind,
    message: string,
    /** For `invalid`: the input field at fault, so the UI can show the message beside it. */
    readonly field?: string,
    /** For `conflict`: the row as it is now, and who changed it, so the UI can offer reapply/keep. */
    readonly current?: unknown,
    /** For `rate_limited` and `busy`: when to try again, sent as the Retry-After header. */
    readonly retryAfterSeconds?: number,
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
export const tryAgainLater = (kind: "rate_limited" | "busy", message: string, retryAfterSeconds: number) =>
  new AppError(kind, message, undefined, undefined, Math.max(1, Math.ceil(retryAfterSeconds)));

/** The Retry-After (seconds) a failed call asks for, if any: the longest among a batch's errors. */
export function retryAfterOf(errors: readonly unknown[]): number | null {
  let longest: number | null = null;
  for (const error of errors) {
    const cause = error instanceof TRPCError ? error.cause : error;
    if (cause instanceof AppError && cause.retryAfterSeconds !== undefined) longest = Math.max(longest ?? 0, cause.retryAfterSeconds);
  }
  return longest;
}
