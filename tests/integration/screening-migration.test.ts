import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { afterEach, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import * as schema from "@/db/schema";
import { demoDatabaseAt, sameColumnsAs, tagBefore } from "../support/migrate-to";
import { resetEnvForTests } from "@/lib/env";

const MIGRATIONS = join(process.cwd(), "db", "migrations");
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});


function dumpTables(client: Database.Database, tables: string[]): Record<string, unknown[]> {
  return Object.fromEntries(tables.map((name) => [name, client.prepare(`select * from "${name}" order by rowid`).all()]));
}

describe("migration 0003_screening", () => {
  it("migrates a database made by the previous migrations, with the demo data in it, keeping every value", async () => {
    const dir = mkdtempSync(join(tmpdir(), "workbench-migrate-"));
    dirs.push(dir);
    const file = join(dir, "old.sqlite");
    process.env.DEMO = "on";
    process.env.ADMIN_PASSWORD = "admin-test-password";
    resetEnvForTests();
    await demoDatabaseAt(file, tagBefore(/^0003_screening$/));
    const client = new Database(file);
    client.pragma("foreign_keys = ON");
    const db = drizzle({ client, schema }) as unknown as Db;
    const oldTables = (client.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name <> '__drizzle_migrations'").pluck().all() as string[]).sort();
    expect(oldTables).not.toContain("screening_records");
    const before = dumpTables(client, oldTables);
    expect((before.studies as unknown[]).length).toBeGreaterThanOrEqual(21);
    expect((before.rob_judgments as unknown[]).length).toBeGreaterThan(0);

    migrate(db, { migrationsFolder: MIGRATIONS });
    const after = dumpTables(client, oldTables);
    for (const table of oldTables) expect(sameColumnsAs(after[table] ?? [], before[table] ?? []), table).toEqual(before[table]);
    const tables = client.prepare("select name from sqlite_master where type = 'table'").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(["screening_searches", "screening_records", "screening_merges", "screening_duplicate_candidates", "screening_decisions", "screening_resolutions", "screening_exclusion_reasons", "screening_settings"]));
    // The new tables work against the migrated data: a search and a record linked to a seeded study.
    const reviewId = client.prepare("select id from reviews where is_demo = 1").pluck().get() as number;
    const userId = client.prepare("select id from users where username = 'lead'").pluck().get() as number;
    const studyId = client.prepare("select id from studies where review_id = ? order by position limit 1").pluck().get(reviewId) as number;
    const search = client.prepare("insert into screening_searches (review_id, source, searched_on, format, imported_by, created_at) values (?, 'PubMed', '2024-01-01', 'ris', ?, '2024-01-01T00:00:00.000Z')").run(reviewId, userId);
    client
      .prepare("insert into screening_records (review_id, search_id, title, study_id, created_at, updated_at) values (?, ?, 'A record', ?, 'x', 'x')")
      .run(reviewId, search.lastInsertRowid, studyId);
    expect(client.prepare("select study_id from screening_records").pluck().get()).toBe(studyId);
    // Deleting the study unlinks the record, it does not delete it.
    client.prepare("delete from studies where id = ?").run(studyId);
    expect(client.prepare("select study_id from screening_records").pluck().get()).toBeNull();
    client.close();
  });
});
