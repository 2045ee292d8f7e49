import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";

const migrationsFolder = join(process.cwd(), "db", "migrations");

/**
 * Applies the committed migrations up to and including `lastTag` (e.g. "0001_audit_append_only") to `file`: a
 * database exactly as the version of the app that shipped with those migrations made it.
 */
export function migrateUpTo(file: string, lastTag: string): void {
  const folder = mkdtempSync(join(tmpdir(), "migrations-"));
  cpSync(migrationsFolder, folder, { recursive: true });
  const journalPath = join(folder, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
  const last = journal.entries.findIndex((e) => e.tag === lastTag);
  if (last < 0) throw new Error(`No migration tagged ${lastTag}`);
  journal.entries = journal.entries.slice(0, last + 1);
  writeFileSync(journalPath, JSON.stringify(journal));
  const client = new Database(file);
  client.pragma("foreign_keys = ON");
  migrate(drizzle({ client }), { migrationsFolder: folder });
  client.close();
}

/** The tag of the committed migration just before the one whose tag matches `pattern` (e.g. /_digitiser$/). */
export function tagBefore(pattern: RegExp): string {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] };
  const index = journal.entries.findIndex((e) => pattern.test(e.tag));
  if (index < 1) throw new Error(`No migration before one matching ${pattern}`);
  return journal.entries[index - 1]!.tag;
}

/**
 * A database as the version that shipped with migrations up to `lastTag` had it, holding the demo review: the demo
 * is seeded into a current database and copied, column by column, into the tables and columns that existed then.
 * (The seed code itself writes today's columns, so it cannot seed an older schema directly.)
 */
export async function demoDatabaseAt(file: string, lastTag: string): Promise<void> {
  migrateUpTo(file, lastTag);
  const { openDb } = await import("@/db/client");
  const { ensureSeeded } = await import("@/db/seed");
  const { resetEnvForTests } = await import("@/lib/env");
  const currentFile = `${file}.current`;
  process.env.DEMO = "on";
  process.env.ADMIN_PASSWORD ??= "admin-test-password";
  resetEnvForTests();
  const current = openDb(currentFile);
  await ensureSeeded(current, () => undefined);
  current.$client.close();
  const client = new Database(file);
  client.pragma("foreign_keys = OFF");
  client.exec(`attach database '${currentFile.replace(/'/g, "''")}' as current`);
  const tableNames = (schemaName: string) =>
    client.prepare(`select name from ${schemaName}.sqlite_master where type = 'table' and name not like 'sqlite_%' and name <> '__drizzle_migrations'`).pluck().all() as string[];
  const columnsOf = (schemaName: string, table: string) => client.prepare(`select name from pragma_table_info(?, ?)`).pluck().all(table, schemaName) as string[];
  const currentTables = new Set(tableNames("current"));
  client.transaction(() => {
    for (const table of tableNames("main").filter((t) => currentTables.has(t))) {
      const wanted = new Set(columnsOf("current", table));
      const shared = columnsOf("main", table).filter((c) => wanted.has(c));
      const list = shared.map((c) => `"${c}"`).join(", ");
      client.exec(`insert into main."${table}" (${list}) select ${list} from current."${table}"`);
    }
  })();
  client.exec("detach database current");
  client.close();
}

/**
 * Rows as they were before a migration, read back after it: only the columns the rows had before (later migrations
 * may add columns; the values that existed must be found again unchanged).
 */
export function sameColumnsAs(after: readonly unknown[], before: readonly unknown[]): unknown[] {
  const keys = Object.keys((before[0] ?? {}) as object);
  return after.map((row) => Object.fromEntries(keys.map((k) => [k, (row as Record<string, unknown>)[k]])));
}

/** The app's tables in a database file's connection (not SQLite's own, not the migrations' bookkeeping). */
export const tableNames = (client: Database.Database) =>
  client.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name != '__drizzle_migrations' order by name").pluck().all() as string[];
/** A table's column names. */
export const columnNames = (client: Database.Database, table: string) => client.prepare(`select name from pragma_table_info(?)`).pluck().all(table) as string[];
