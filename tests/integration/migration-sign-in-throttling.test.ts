import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { afterEach, describe, expect, it } from "vitest";
import * as schema from "@/db/schema";
import { columnNames, demoDatabaseAt, tableNames, tagBefore } from "../support/migrate-to";

/**
 * The sign-in throttling migration (trusted_devices, login_attempts.device_hash) on a database made by the
 * migrations before it, holding data: every value is still there afterwards, and the new column is empty.
 */
const MIGRATIONS = join(process.cwd(), "db", "migrations");

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("migration sign_in_throttling", () => {
  it("keeps every row of a populated database and adds the throttling columns empty", async () => {
    dir = mkdtempSync(join(tmpdir(), "workbench-migration-"));
    const file = join(dir, "old.sqlite");
    // A database in use: the demo review (every table of it), sessions, and sign-in attempts of all kinds.
    await demoDatabaseAt(file, tagBefore(/_sign_in_throttling$/));
    const client = new Database(file);
    client.pragma("foreign_keys = ON");
    expect(columnNames(client, "login_attempts")).not.toContain("device_hash");
    const lead = client.prepare("select id from users where username = 'lead'").pluck().get() as number;
    client.prepare("insert into sessions (token_hash, user_id, created_at, expires_at, revoked_at) values (?, ?, ?, ?, ?)").run("a".repeat(64), lead, "2030-01-01T00:00:00.000Z", "2030-01-08T00:00:00.000Z", null);
    client.prepare("insert into sessions (token_hash, user_id, created_at, expires_at, revoked_at) values (?, ?, ?, ?, ?)").run("b".repeat(64), lead, "2030-01-02T00:00:00.000Z", "2030-01-09T00:00:00.000Z", "2030-01-03T00:00:00.000Z");
    const attempt = client.prepare("insert into login_attempts (username, address, succeeded, at) values (?, ?, ?, ?)");
    attempt.run("lead", "192.0.2.1", 0, "2030-01-01T00:00:01.000Z");
    attempt.run("lead", "192.0.2.1", 1, "2030-01-01T00:00:02.000Z");
    attempt.run("nobody", "::ffff:198.51.100.7", 0, "2030-01-01T00:00:03.000Z");

    const before = new Map(tableNames(client).map((t) => [t, { columns: columnNames(client, t), rows: client.prepare(`select * from "${t}" order by rowid`).all() }]));
    expect(before.get("login_attempts")!.rows).toHaveLength(3);
    expect(before.get("rob_judgments")!.rows.length).toBeGreaterThan(0);
    client.close();

    // The current migrations, as the app applies them at start.
    const after = new Database(file);
    migrate(drizzle({ client: after, schema }), { migrationsFolder: MIGRATIONS });
    for (const [table, { columns: old, rows }] of before) {
      const list = old.map((c) => `"${c}"`).join(", ");
      expect(after.prepare(`select ${list} from "${table}" order by rowid`).all(), table).toEqual(rows);
    }
    expect(after.prepare("select count(*) from login_attempts where device_hash is not null").pluck().get()).toBe(0);
    expect(tableNames(after)).toContain("trusted_devices");
    expect(after.prepare("select count(*) from trusted_devices").pluck().get()).toBe(0);
    expect(after.prepare("select name from pragma_index_list('login_attempts')").pluck().all()).toContain("login_attempts_device_idx");
    expect(after.pragma("foreign_key_check")).toEqual([]);
    expect(after.pragma("integrity_check", { simple: true })).toBe("ok");
    after.close();
  });
});
