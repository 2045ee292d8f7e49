import "server-only";
import { and, count, eq, gte, isNull, max, type SQL } from "drizzle-orm";
import { writeTransaction, type Db, type DbOrTx } from "@/db/client";
import { loginAttempts } from "@/db/schema";
import { tryAgainLater } from "@/server/errors";

/*
 * Sign-in throttling (OWASP ASVS 5.0 V6.3.1, and V6.1.1: it must not let anyone lock an account's owner out).
 *
 * - Progressive delay, not lockout: after FREE failures in the window, each further attempt must wait
 *   2^(failures − FREE) seconds (at most MAX_DELAY_SECONDS) after the previous attempt; until then it is
 *   answered 429 with Retry-After, before any password is hashed. A success resets its key's count.
 * - Counted per account from browsers not known for it, and per client address; a browser in which the user
 *   signed in before (its device cookie, server/auth/session.ts) is counted on its own, so a guesser elsewhere
 *   slows down only the guessing, never the owner's own browser (OWASP "device cookies").
 * - Atomic: the attempt is written (as a failure) in the same BEGIN IMMEDIATE transaction that checks the
 *   counts, BEFORE the password is hashed, so attempts running at the same time see each other; a batch of
 *   sign-ins is refused outright (server/trpc.ts), so every guess is one request and meets this check.
 */
export const THROTTLE_WINDOW_MS = 15 * 60_000;
export const FREE_FAILURES_PER_ACCOUNT = 5;
export const FREE_FAILURES_PER_ADDRESS = 20;
export const MAX_DELAY_SECONDS = 300;
export const THROTTLED_MESSAGE = (seconds: number) => `Too many failed sign-in attempts. Wait ${seconds} s and try again.`;

export type AttemptSource = { username: string; address: string; deviceHash: string | null };

/** Seconds to wait after the last attempt, once `failures` exceed the free ones. */
export const delaySeconds = (failures: number, free: number) => (failures < free ? 0 : Math.min(MAX_DELAY_SECONDS, 2 ** (failures - free)));

/** How long the attempts matching `where` must still wait, in seconds (0: go ahead). */
function secondsToWait(db: DbOrTx, where: SQL | undefined, free: number, now: number): number {
  const lastSuccess = db.select({ at: max(loginAttempts.at) }).from(loginAttempts).where(and(where, eq(loginAttempts.succeeded, true))).get()?.at;
  const windowStart = new Date(now - THROTTLE_WINDOW_MS).toISOString();
  const since = lastSuccess && lastSuccess > windowStart ? lastSuccess : windowStart;
  const failures = db
    .select({ n: count(), last: max(loginAttempts.at) })
    .from(loginAttempts)
    .where(and(where, eq(loginAttempts.succeeded, false), gte(loginAttempts.at, since)))
    .get();
  const delay = delaySeconds(failures?.n ?? 0, free);
  if (delay === 0 || !failures?.last) return 0;
  return Math.max(0, (Date.parse(failures.last) + delay * 1000 - now) / 1000);
}

/**
 * Checks the throttle and, when the attempt may go ahead, records it as a failure in the same transaction;
 * returns its id (see markSucceeded). Throws 429 with the wait otherwise.
 */
export function reserveAttempt(db: Db, source: AttemptSource): number {
  return writeTransaction(db, (tx) => {
    const now = Date.now();
    const keys: [SQL | undefined, number][] = source.deviceHash
      ? [[eq(loginAttempts.deviceHash, source.deviceHash), FREE_FAILURES_PER_ACCOUNT]]
      : [
          [and(eq(loginAttempts.username, source.username), isNull(loginAttempts.deviceHash)), FREE_FAILURES_PER_ACCOUNT],
          [and(eq(loginAttempts.address, source.address), isNull(loginAttempts.deviceHash)), FREE_FAILURES_PER_ADDRESS],
        ];
    const wait = Math.max(...keys.map(([where, free]) => secondsToWait(tx, where, free, now)));
    if (wait > 0) throw tryAgainLater("rate_limited", THROTTLED_MESSAGE(Math.ceil(wait)), wait);
    return tx
      .insert(loginAttempts)
      .values({ ...source, succeeded: false, at: new Date(now).toISOString() })
      .returning({ id: loginAttempts.id })
      .get().id;
  });
}

export function markSucceeded(db: DbOrTx, attemptId: number): void {
  db.update(loginAttempts).set({ succeeded: true }).where(eq(loginAttempts.id, attemptId)).run();
}
