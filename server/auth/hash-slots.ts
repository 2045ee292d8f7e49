import "server-only";
import { availableParallelism } from "node:os";
import { tryAgainLater } from "@/server/errors";

/**
 * A cap on password hashes running at once for sign-in. Each scrypt hash (N = 2^17) takes about half a second
 * of one core and 128 MB in Node's thread pool; uncapped, a few batches of anonymous sign-ins fill the pool
 * and every other request (file reads, compression) queues behind them. One core is always left to the event
 * loop; a short queue absorbs ordinary bursts; beyond it the answer is 503 with Retry-After at once, before
 * the request has touched the database, so that a flood costs the server no more than the refusal.
 */
export const HASH_SLOTS = Math.max(1, Math.min(4, availableParallelism() - 1));
export const MAX_WAITING_FOR_HASH = 4 * HASH_SLOTS;
export const HASH_BUSY_MESSAGE = "Many sign-ins are being checked right now. Try again in a few seconds.";
const RETRY_AFTER_SECONDS = 2;

/** A place among the running or waiting hashes: await `ready`, hash, then `release()` (also when giving up). */
export type HashTicket = { ready: Promise<void>; release: () => void };

type Place = { running: boolean; released: boolean; start: () => void };
let running = 0;
const waiting: Place[] = [];

/** Takes a place at once, or throws the 503 when every slot and the queue are taken. */
export function takeHashTicket(): HashTicket {
  let start!: () => void;
  const ready = new Promise<void>((resolve) => (start = resolve));
  const place: Place = { running: false, released: false, start };
  if (running < HASH_SLOTS) {
    running += 1;
    place.running = true;
    start();
  } else if (waiting.length < MAX_WAITING_FOR_HASH) {
    waiting.push(place);
  } else {
    throw tryAgainLater("busy", HASH_BUSY_MESSAGE, RETRY_AFTER_SECONDS);
  }
  const release = () => {
    if (place.released) return;
    place.released = true;
    if (!place.running) {
      waiting.splice(waiting.indexOf(place), 1);
      return;
    }
    // The slot passes straight to the next in line: `running` stays the same.
    const next = waiting.shift();
    if (!next) {
      running -= 1;
      return;
    }
    next.running = true;
    next.start();
  };
  return { ready, release };
}

/** For tests: how many hashes run and wait now. */
export const hashSlotUsage = () => ({ running, waiting: waiting.length });
