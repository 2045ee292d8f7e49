import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { afterAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import * as schema from "@/db/schema";
import { demoDatabaseAt, sameColumnsAs, tagBefore } from "../support/migrate-to";

/**
 * The digitiser migration applied to a database made by the migrations before it, full of data (the seeded
 * demo review plus an edited value): every row of every earlier table is still there, value for value.
 */
const migrations = join(process.cwd(), "db", "migrations");
const dir = mkdtempSync(join(tmpdir(), "workbench-migration-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dump(client: Database.Database): Record<string, unknown[]> {
  const tables = client.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name <> '__drizzle_migrations' order by name").pluck().all() as string[];
  return Object.fromEntries(tables.map((name) => [name, client.prepare(`select * from "${name}" order by rowid`).all()]));
}

describe("migration digitiser", () => {
  it("keeps every value of a database made by the earlier migrations and adds its empty tables", async () => {
    await demoDatabaseAt(join(dir, "old.sqlite"), tagBefore(/_digitiser$/));
    const client = new Database(join(dir, "old.sqlite"));
    client.pragma("foreign_keys = ON");
    const db = drizzle({ client, schema }) as unknown as Db;
    client.prepare("update measurements set mean = 3.25, source_detail = 'Fig. 1, p. 4', data_source = 'figure' where id = (select min(id) from measurements)").run();
    const before = dump(client);
    expect(before.measurements!.length).toBeGreaterThan(40);
    expect(Object.keys(before)).not.toContain("figures");

    migrate(db, { migrationsFolder: migrations });
    const after = dump(client);
    for (const [table, rows] of Object.entries(before)) expect(sameColumnsAs(after[table] ?? [], rows), table).toEqual(rows);
    for (const table of ["stored_files", "figures", "figure_readings", "figure_points", "figure_values", "figure_views"]) expect(after[table], table).toEqual([]);
    expect(client.pragma("foreign_key_check")).toEqual([]);
    client.close();
  });
});
