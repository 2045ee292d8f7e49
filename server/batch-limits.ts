/** Shared by the server (server/trpc.ts refuses) and the browser's tRPC client (app/_trpc/client.tsx complies). */

/** A batch (several calls in one HTTP request) holds at most this many calls. */
export const MAX_BATCH_CALLS = 50;
/** Procedures that must arrive alone: one password guess per request, so that every guess meets the throttle. */
export const UNBATCHABLE_PROCEDURES = ["auth.signIn"] as const;
