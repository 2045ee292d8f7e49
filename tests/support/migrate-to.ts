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
