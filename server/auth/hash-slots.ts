import "server-only";
import { availableParallelism } from "node:os";
import { tryAgainLater } from "@/server/errors";

/**
 * A cap on password hashes running at once for sign-in. Each scrypt hash (N = 2^17) takes about half a second
 * of one core and 128 MB in Node's thread pool; uncapped, a few batches of anonymous sign-ins fill the pool
 * and every other request (file reads, compression) queues behind them. One core is always left to the event
 * loop; a short queue absorbs ordinary bursts; beyond it the answer is 503 with Retry-After at once, so that
 * a flood costs the server nothing but the refusal.
 */
export const HASH_SLOTS = Math.max(1, Math.min(4, availableParallelism() - 1));
export const MAX_WAITING_FOR_HASH = 4 * HASH_SLOTS;
export const HASH_BUSY_MESSAGE = "Many sign-ins are being checked right now. Try again in a few seconds.";
const RETRY_AFTER_SECONDS = 2;

let running = 0;
const waiting: (() => void)[] = [];

function release(): void {
  const nextInLine = waiting.shift();
  if (nextInLine) nextInLine();
  else running -= 1;
}

/** Waits for a hashing slot (or refuses at once when the queue is full); call the returned function when done. */
export function acquireHashSlot(): Promise<() => void> {
  let released = false;
  const releaseOnce = () => {
    if (released) return;
    released = true;
    release();
  };
  if (running < HASH_SLOTS) {
    running += 1;
    return Promise.resolve(releaseOnce);
  }
  if (waiting.length >= MAX_WAITING_FOR_HASH) return Promise.reject(tryAgainLater("busy", HASH_BUSY_MESSAGE, RETRY_AFTER_SECONDS));
  // The slot passes straight from the releasing caller to the next in line: `running` stays the same.
  return new Promise((resolve) => waiting.push(() => resolve(releaseOnce)));
}

/** For tests: how many hashes run and wait now. */
export const hashSlotUsage = () => ({ running, waiting: waiting.length });
