import { spawn } from "node:child_process";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoReviewId, freshDb, type TestDb } from "../support/test-db";

/**
 * Durability: a writer killed with SIGKILL at random moments (at least 20 times) never loses a row whose
 * commit it had acknowledged, and never leaves a corrupt file.
 */
let t: TestDb;
let reviewId: number;
beforeAll(async () => {
  t = await freshDb();
  reviewId = demoReviewId(t.db);
  t.db.$client.close();
}, 60_000);
afterAll(() => t.close());

function runAndKill(file: string, killAfterMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "tests/support/crash-writer.ts", file, String(reviewId)], { stdio: ["ignore", "pipe", "pipe"] });
    const acknowledged: number[] = [];
    let buffer = "";
    let stderr = "";
    let started = false;
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) if (line) acknowledged.push(Number(line));
      if (!started) {
        started = true;
        setTimeout(() => child.kill("SIGKILL"), killAfterMs);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (_code, signal) => (signal === "SIGKILL" ? resolve(acknowledged) : reject(new Error(`writer exited without being killed: ${stderr}`))));
  });
}

describe("crash safety", () => {
  it("keeps every acknowledged row and an intact file across 20 SIGKILLs", async () => {
    for (let round = 0; round < 20; round++) {
      const acknowledged = await runAndKill(t.file, Math.floor(Math.random() * 150));
      const db = new Database(t.file);
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      const present = new Set(db.prepare("select id from studies where review_id = ?").pluck().all(reviewId) as number[]);
      const audited = new Set(db.prepare("select entity_id from audit_log where user_name = 'crash-writer'").pluck().all() as number[]);
      db.close();
      expect(acknowledged.length).toBeGreaterThan(0);
      expect(acknowledged.filter((id) => !present.has(id))).toEqual([]);
      expect(acknowledged.filter((id) => !audited.has(id))).toEqual([]);
    }
  }, 300_000);
});
