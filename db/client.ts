import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { env } from "@/server/env";
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

let cached: Db | undefined;

/** The process-wide database, opened on first use (never at import time, so `next build` does not create it). */
export function getDb(): Db {
  cached ??= openDb(env().DATABASE_PATH);
  return cached;
}

/** Runs `work` in one BEGIN IMMEDIATE transaction: writers queue on the lock instead of failing mid-way. */
export function writeTransaction<T>(db: Db, work: (tx: Tx) => T): T {
  return db.transaction(work, { behavior: "immediate" });
}

export function closeDbForTests(): void {
  cached?.$client.close();
  cached = undefined;
}
