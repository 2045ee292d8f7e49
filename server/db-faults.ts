import "server-only";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { AppError, tryAgainLater } from "@/server/errors";

/**
 * What a person reads when the database, not their input, is at fault. SQLite's own words ("database is
 * locked", "attempt to write a readonly database") say nothing to someone editing a cell, and name internals.
 */
export const DB_BUSY_MESSAGE = "The database is busy, try again.";
export const DB_READ_ONLY_MESSAGE =
  "The database cannot be written right now (its file or disk is read-only), so nothing was saved. Reading still works; tell the administrator.";
export const DB_DISK_FULL_MESSAGE = "The disk holding the database is full, so nothing was saved. Tell the administrator.";
export const DB_DISK_ERROR_MESSAGE = "The database file cannot be read or written (disk error), so nothing was saved. Tell the administrator.";

export type DbFaultReason = "busy" | "read_only" | "disk_full" | "disk_error";
export type DbFault = { reason: DbFaultReason; message: string };

const faultByCode: [prefix: string, fault: DbFault][] = [
  // SQLITE_BUSY: another connection holds the write lock. SQLITE_LOCKED: a conflict inside this process.
  ["SQLITE_BUSY", { reason: "busy", message: DB_BUSY_MESSAGE }],
  ["SQLITE_LOCKED", { reason: "busy", message: DB_BUSY_MESSAGE }],
  ["SQLITE_READONLY", { reason: "read_only", message: DB_READ_ONLY_MESSAGE }],
  ["SQLITE_FULL", { reason: "disk_full", message: DB_DISK_FULL_MESSAGE }],
  ["SQLITE_IOERR", { reason: "disk_error", message: DB_DISK_ERROR_MESSAGE }],
  ["SQLITE_CANTOPEN", { reason: "disk_error", message: DB_DISK_ERROR_MESSAGE }],
  ["SQLITE_CORRUPT", { reason: "disk_error", message: DB_DISK_ERROR_MESSAGE }],
  ["SQLITE_NOTADB", { reason: "disk_error", message: DB_DISK_ERROR_MESSAGE }],
];

/** The fault behind an error thrown by better-sqlite3, or null when the error is not the database's state. */
export function classifyDbFault(error: unknown): DbFault | null {
  if (!(error instanceof Database.SqliteError)) return null;
  // Extended codes carry the primary one as their prefix (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE, …).
  return faultByCode.find(([prefix]) => error.code === prefix || error.code.startsWith(`${prefix}_`))?.[1] ?? null;
}

export const isBusy = (error: unknown) => classifyDbFault(error)?.reason === "busy";

/** How long a caller should wait before trying again after a busy answer. */
export const BUSY_RETRY_AFTER_SECONDS = 2;

/** The AppError (503) a database fault is answered with. */
export function dbFaultError(fault: DbFault): AppError {
  return fault.reason === "busy" ? tryAgainLater("busy", fault.message, BUSY_RETRY_AFTER_SECONDS) : new AppError("unavailable", fault.message);
}

/** Whether a fresh connection may cure the fault: a read-only or failing disk (db/client.ts, reopenDbSoon). */
export const connectionMayBeStuck = (fault: DbFault) => fault.reason !== "busy";

/**
 * Waits between attempts when the database is busy: about 1.3 s in all, then the caller answers 503. Each
 * attempt fails at once (busy_timeout 0, db/client.ts), and the waits are timers, so the event loop serves
 * everyone else meanwhile. Retrying is safe because a failed BEGIN IMMEDIATE transaction rolled back whole.
 */
export const BUSY_RETRY_DELAYS_MS = [20, 40, 80, 160, 320, 640] as const;

/** Runs `work` (one transaction), retrying while the database is busy; a lasting lock becomes AppError "busy". */
export async function retryWhileBusy<T>(work: () => T): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return work();
    } catch (error) {
      const delay = BUSY_RETRY_DELAYS_MS[attempt];
      if (!isBusy(error)) throw error;
      if (delay === undefined) throw dbFaultError(classifyDbFault(error)!);
      await sleep(delay);
    }
  }
}
