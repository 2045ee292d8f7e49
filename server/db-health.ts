import "server-only";
import { getDb, reopenDbSoon } from "@/db/client";
import { classifyDbFault, connectionMayBeStuck, retryWhileBusy, type DbFault } from "@/server/db-faults";
import { AppError } from "@/server/errors";

export type Health = { ok: true } | { ok: false; reason: string; fault: DbFault["reason"] | "error" };

/**
 * Whether the database can be written now, found by writing: `PRAGMA user_version = <its value>` commits a
 * real page to the WAL without changing anything the app reads, so a read-only file, a full or failing disk
 * and a lock held elsewhere all show. A busy lock is waited for as a procedure would (about 1.3 s, off the
 * event loop). Answers are reused for a second so that polling cannot turn into a stream of disk syncs.
 */
export async function checkDatabaseHealth(): Promise<Health> {
  const now = Date.now();
  if (recent && now - recent.at < REUSE_MS) return recent.health;
  inFlight ??= probe().finally(() => (inFlight = undefined));
  const health = await inFlight;
  recent = { at: Date.now(), health };
  return health;
}

const REUSE_MS = 1000;
let recent: { at: number; health: Health } | undefined;
let inFlight: Promise<Health> | undefined;

async function probe(): Promise<Health> {
  try {
    await retryWhileBusy(() => {
      const client = getDb().$client;
      const current = Number(client.pragma("user_version", { simple: true }));
      client.pragma(`user_version = ${current}`);
    });
    return { ok: true };
  } catch (error) {
    const fault = error instanceof AppError && error.kind === "busy" ? ({ reason: "busy", message: error.message } as const) : classifyDbFault(error);
    // As when a request meets it: a connection that may be stuck is replaced on a later call.
    if (fault && connectionMayBeStuck(fault)) reopenDbSoon();
    // Not a state SQLite names (e.g. a migration that fails at open): the operator needs the detail.
    if (!fault) return { ok: false, fault: "error", reason: `The database could not be opened or checked: ${error instanceof Error ? error.message : String(error)}` };
    return { ok: false, fault: fault.reason, reason: fault.message };
  }
}

/** For tests: forget the reused answer. */
export function forgetHealthForTests(): void {
  recent = undefined;
}
