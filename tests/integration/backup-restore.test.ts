import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, writeTransaction } from "@/db/client";
import { studies } from "@/db/schema";
import { exportReviewArchive } from "@/server/services/review-archive";
import { demoReviewId, freshDb, type TestDb } from "../support/test-db";

/**
 * `npm run backup` while the app writes: the copy passes integrity_check and is a consistent snapshot; `npm run
 * restore -- FILE` (server stopped) brings exactly that review back, and refuses while the database is in use.
 */
let t: TestDb;
let reviewId: number;
beforeAll(async () => {
  t = await freshDb();
  reviewId = demoReviewId(t.db);
}, 60_000);
afterAll(() => t.close());

function run(script: "backup" | "restore", args: string[], databasePath: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", script, "--", ...args], { env: { ...process.env, DATABASE_PATH: databasePath }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** The review as exported, without the export time (and, for comparing live with restored, the edited notes). */
function reviewOf(file: string) {
  const db = openDb(file);
  try {
    const { exportedAt: _at, ...archive } = exportReviewArchive(db, reviewId);
    return archive;
  } finally {
    db.$client.close();
  }
}

describe("backup and restore", () => {
  it("backs up while the app writes, and restores that snapshot exactly", async () => {
    const [first, second] = t.db.select().from(studies).where(eq(studies.reviewId, reviewId)).all();
    // The "server": every transaction sets two studies' notes to the same text, so a torn copy would show them apart.
    let edits = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        edits += 1;
        const note = `edit ${edits}`;
        writeTransaction(t.db, (tx) => {
          tx.update(studies).set({ notes: note }).where(eq(studies.id, first!.id)).run();
          tx.update(studies).set({ notes: note }).where(eq(studies.id, second!.id)).run();
        });
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const backupFile = join(t.dir, "backups", "during-writes.sqlite");
    const backup = await run("backup", [backupFile], t.file);
    const editsDuringBackup = edits;
    writing = false;
    await writer;
    expect(backup.stderr).toContain("integrity_check ok");
    expect(backup.code).toBe(0);
    expect(backup.stdout.trim().split("\n").pop()).toBe(backupFile);
    expect(editsDuringBackup).toBeGreaterThan(5);

    const copy = new Database(backupFile, { readonly: true });
    expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
    const notes = copy.prepare("select notes from studies where id in (?, ?)").pluck().all(first!.id, second!.id) as string[];
    copy.close();
    expect(notes[0]).toMatch(/^edit \d+$/);
    expect(notes[1]).toBe(notes[0]);

    // Restore into a stopped install's database path: the review comes back exactly as the backup holds it.
    const target = join(t.dir, "restored", "workbench.sqlite");
    const restored = await run("restore", [backupFile], target);
    expect(restored.stderr).toContain("Restored");
    expect(restored.code).toBe(0);
    expect(reviewOf(target)).toEqual(reviewOf(backupFile));
    // …which is the live review but for the notes edited after the snapshot.
    const live = reviewOf(t.file);
    const withoutNotes = (r: ReturnType<typeof reviewOf>) => ({ ...r, studies: r.studies.map((s) => ({ ...s, notes: null })) });
    expect(withoutNotes(reviewOf(target))).toEqual(withoutNotes(live));
  }, 180_000);

  it("refuses to restore while the database is open, or from a file that is not a workbench backup", async () => {
    const backupFile = join(t.dir, "backups", "second.sqlite");
    expect((await run("backup", [backupFile], t.file)).code).toBe(0);
    // t.db holds the live database open, as a running server does.
    const busy = await run("restore", [backupFile], t.file);
    expect(busy.code).not.toBe(0);
    expect(busy.stderr).toContain("in use");
    const junk = join(t.dir, "junk.sqlite");
    writeFileSync(junk, "this is not a database");
    const bad = await run("restore", [junk], join(t.dir, "other.sqlite"));
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/not a readable SQLite database|not a workbench database/);
    expect(existsSync(join(t.dir, "other.sqlite"))).toBe(false);
    const missing = await run("restore", [], t.file);
    expect(missing.code).toBe(2);
  }, 120_000);
});
