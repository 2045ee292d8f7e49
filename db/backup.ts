import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

/*
 * Online backup and offline restore of the SQLite file. The backup uses SQLite's backup API (better-sqlite3
 * `backup()`), which copies a consistent snapshot while the app keeps writing (it restarts itself when another
 * connection writes mid-copy), then checks the copy with `PRAGMA integrity_check`. A restore refuses to run while
 * any process has the database open: it first takes SQLite's exclusive lock, which fails while a connection (the
 * app, even idle) holds the file.
 */

export type BackupResult = { path: string; bytes: number; tables: number };

const stamp = () => new Date().toISOString().replace(/[:.]/g, "-");

/** Checks a file is an intact SQLite database made by this app (its tables and migration log are there). */
export function checkDatabaseFile(file: string): { ok: true; tables: number } | { ok: false; message: string } {
  if (!fs.existsSync(file)) return { ok: false, message: `${file} does not exist.` };
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const integrity = db.pragma("integrity_check", { simple: true });
    if (integrity !== "ok") return { ok: false, message: `${file} fails SQLite's integrity check: ${String(integrity)}` };
    const tables = db.prepare("select name from sqlite_master where type = 'table'").pluck().all() as string[];
    for (const required of ["reviews", "studies", "measurements", "audit_log", "__drizzle_migrations"])
      if (!tables.includes(required)) return { ok: false, message: `${file} is not a workbench database (no ${required} table).` };
    return { ok: true, tables: tables.length };
  } catch (error) {
    return { ok: false, message: `${file} is not a readable SQLite database (${error instanceof Error ? error.message : String(error)}).` };
  } finally {
    db?.close();
  }
}

/** Copies the live database to `destination` (default: backups/ beside it, timestamped) and checks the copy. */
export async function backupDatabase(source: string, destination?: string): Promise<BackupResult> {
  if (!fs.existsSync(source)) throw new Error(`There is no database at ${source} (DATABASE_PATH).`);
  const target = path.resolve(destination ?? path.join(path.dirname(source), "backups", `workbench-${stamp()}.sqlite`));
  if (fs.existsSync(target)) throw new Error(`${target} exists already; choose another file name.`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const db = new Database(source, { fileMustExist: true, timeout: 10_000 });
  try {
    await db.backup(target);
  } finally {
    db.close();
  }
  const check = checkDatabaseFile(target);
  if (!check.ok) throw new Error(`The backup was written but does not check out: ${check.message}`);
  return { path: target, bytes: fs.statSync(target).size, tables: check.tables };
}

/** Whether some process has the database open (the app holds it from its first request until it stops). */
export function databaseInUse(file: string): string | null {
  if (!fs.existsSync(file)) return null;
  const db = new Database(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    db.prepare("select count(*) from sqlite_master").get();
    db.exec("COMMIT");
    return null;
  } catch (error) {
    return `${file} is in use (${error instanceof Error ? error.message : String(error)}): stop the server first.`;
  } finally {
    db.close();
  }
}

/**
 * Replaces the database at `target` with the backup `file`, through SQLite (so that a stale WAL cannot mix with the
 * restored pages). The current database is first kept beside it as `<name>.before-restore-<time>.sqlite`.
 */
export async function restoreDatabase(file: string, target: string): Promise<{ restored: string; previous: string | null }> {
  const check = checkDatabaseFile(file);
  if (!check.ok) throw new Error(`Not restored: ${check.message}`);
  const busy = databaseInUse(target);
  if (busy) throw new Error(`Not restored: ${busy}`);
  let previous: string | null = null;
  if (fs.existsSync(target)) {
    previous = `${target.replace(/\.sqlite$/, "")}.before-restore-${stamp()}.sqlite`;
    const current = new Database(target, { fileMustExist: true, timeout: 0 });
    try {
      await current.backup(previous);
    } finally {
      current.close();
    }
  } else fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const source = new Database(file, { readonly: true, fileMustExist: true });
  try {
    await source.backup(target);
  } finally {
    source.close();
  }
  const after = checkDatabaseFile(target);
  if (!after.ok) throw new Error(`The restored database does not check out: ${after.message}${previous ? ` (the previous one is kept at ${previous})` : ""}`);
  return { restored: path.resolve(target), previous };
}
