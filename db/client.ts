import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { env } from "@/lib/env";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
/** What a transaction callback receives; services accept either. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

const migrationsFolder = path.join(process.cwd(), "db", "migrations");

/** While migrating at start-up nothing is served yet, so waiting for another process's lock costs nobody. */
const STARTUP_BUSY_TIMEOUT_MS = 5000;
/**
 * better-sqlite3 is synchronous: SQLite's busy handler sleeps on the event loop, so every request would wait
 * with the one that hit the lock. Serving connections therefore fail at once with SQLITE_BUSY, and the tRPC
 * middleware (server/trpc.ts) retries the whole procedure asynchronously (server/db-faults.ts).
 */
export const SERVING_BUSY_TIMEOUT_MS = 0;

/**
 * Opens (creating if needed) the SQLite file, sets the durability pragmas and applies pending migrations.
 * WAL + synchronous=FULL: an acknowledged commit survives a crash or power loss.
 */
export function openDb(file: string): Db {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const client = new Database(file);
  client.pragma(`busy_timeout = ${STARTUP_BUSY_TIMEOUT_MS}`);
  client.pragma("journal_mode = WAL");
  client.pragma("synchronous = FULL");
  client.pragma("foreign_keys = ON");
  const db = drizzle({ client, schema });
  migrate(db, { migrationsFolder });
  client.pragma(`busy_timeout = ${SERVING_BUSY_TIMEOUT_MS}`);
  return db;
}

/**
 * One connection per process, kept on globalThis: Next bundles the instrumentation hook, route handlers and
 * pages separately, each with its own copy of this module, and they must share the connection (a fault that
 * replaces it must replace it for all of them).
 */
type Holder = { db: Db | undefined; reopenWanted: boolean; lastReopen: number };
const holder = ((globalThis as unknown as Record<symbol, Holder | undefined>)[Symbol.for("workbench.db")] ??= { db: undefined, reopenWanted: false, lastReopen: 0 });
/** A faulty connection is replaced at most this often. */
const REOPEN_INTERVAL_MS = 1000;

/**
 * The process-wide database, opened on first use (never at import time, so `next build` does not create it).
 * After a fault that the connection itself may keep (reopenDbSoon), the next call opens the file again.
 */
export function getDb(): Db {
  if (holder.db && holder.reopenWanted && Date.now() - holder.lastReopen >= REOPEN_INTERVAL_MS) {
    holder.reopenWanted = false;
    holder.lastReopen = Date.now();
    // Closed first, not kept for requests still running: SQLite shares a file's WAL index among the
    // connections of one process, so while the old one is open a new one would be read-only as well. (A
    // request that meets the closed connection fails once; the disk was failing anyway.)
    holder.db.$client.close();
    holder.db = undefined;
  }
  holder.db ??= openDb(env().DATABASE_PATH);
  return holder.db;
}

/**
 * SQLite opens a file it cannot write read-only, and such a connection stays read-only after the disk or the
 * file's permissions are fixed; a connection that met an I/O error may likewise be stuck. Called when a
 * request meets one of those faults, so that the app recovers without a restart once the disk does.
 */
export function reopenDbSoon(): void {
  holder.reopenWanted = true;
}

/** Runs `work` in one BEGIN IMMEDIATE transaction: writers queue on the lock instead of failing mid-way. */
export function writeTransaction<T>(db: Db, work: (tx: Tx) => T): T {
  return db.transaction(work, { behavior: "immediate" });
}

export function closeDbForTests(): void {
  holder.db?.$client.close();
  Object.assign(holder, { db: undefined, reopenWanted: false, lastReopen: 0 });
}
