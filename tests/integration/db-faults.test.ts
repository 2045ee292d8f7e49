import Database from "better-sqlite3";
import { TRPCError } from "@trpc/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeDbForTests, getDb } from "@/db/client";
import { BUSY_RETRY_DELAYS_MS, DB_BUSY_MESSAGE, DB_READ_ONLY_MESSAGE } from "@/server/db-faults";
import { checkDatabaseHealth, forgetHealthForTests } from "@/server/db-health";
import { resetEnvForTests } from "@/lib/env";
import { callerFor, demoReviewId, freshDb, type TestDb } from "../support/test-db";

/**
 * The server's own connection (getDb(), as the route handlers use it) against a database that another
 * process locks, or that cannot be written.
 */
let t: TestDb;
let reviewId: number;
let lead: ReturnType<typeof callerFor>;
let anonymous: ReturnType<typeof callerFor>;
beforeEach(async () => {
  t = await freshDb();
  reviewId = demoReviewId(t.db);
  process.env.DATABASE_PATH = t.file;
  resetEnvForTests();
  closeDbForTests();
  forgetHealthForTests();
  // Signed in before any fault (a session is a write).
  lead = callerFor(getDb(), "lead");
  anonymous = callerFor(getDb(), null);
});
afterEach(() => {
  closeDbForTests();
  delete process.env.DATABASE_PATH;
  resetEnvForTests();
  t.close();
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as TRPCError,
  );
const titleNow = () => getDb().$client.prepare("select title from reviews where id = ?").pluck().get(reviewId) as string;
const auditRows = () => getDb().$client.prepare("select count(*) from audit_log").pluck().get() as number;

/** The longest time the event loop went without running a 5 ms timer while `work` ran. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number; tookMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 5);
  const started = performance.now();
  const result = await work();
  const tookMs = performance.now() - started;
  clearInterval(timer);
  return { result, stallMs, tookMs };
}

async function renameReview(title: string) {
  const { review } = await lead.reviews.get({ reviewId });
  return lead.reviews.update({ reviewId, patch: { title }, version: review.version });
}

describe("a busy database (another process holds the write lock)", () => {
  let other: Database.Database;
  beforeEach(() => {
    other = new Database(t.file);
    other.exec("BEGIN IMMEDIATE");
  });
  afterEach(() => {
    if (other.inTransaction) other.exec("ROLLBACK");
    other.close();
  });

  it("retries off the event loop, then answers 503 'The database is busy, try again' with nothing written", async () => {
    const before = { title: titleNow(), audit: auditRows() };
    const { result: error, stallMs, tookMs } = await longestStall(() => failure(renameReview("Renamed while locked")));
    expect(error).toMatchObject({ code: "SERVICE_UNAVAILABLE", message: DB_BUSY_MESSAGE });
    expect(error?.message).not.toMatch(/locked/);
    // It waited for the lock through the retries (timers), and the event loop kept turning meanwhile.
    expect(tookMs).toBeGreaterThanOrEqual(BUSY_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0) - 50);
    expect(stallMs).toBeLessThan(250);
    // Reads go on (WAL: readers do not wait for the writer).
    expect(titleNow()).toBe(before.title);
    expect(auditRows()).toBe(before.audit);
    // Sign-in writes its attempt first: it is told the same.
    const signIn = await failure(anonymous.auth.signIn({ username: "lead", password: "exosome-demo" }));
    expect(signIn).toMatchObject({ code: "SERVICE_UNAVAILABLE", message: DB_BUSY_MESSAGE });
    expect(await checkDatabaseHealth()).toMatchObject({ ok: false, fault: "busy", reason: DB_BUSY_MESSAGE });

    // The lock goes away: the same server, no restart, saves again.
    other.exec("ROLLBACK");
    forgetHealthForTests();
    expect((await renameReview("Renamed after the lock")).title).toBe("Renamed after the lock");
    expect(titleNow()).toBe("Renamed after the lock");
    expect(auditRows()).toBeGreaterThan(before.audit);
    expect(await checkDatabaseHealth()).toEqual({ ok: true });
  });

  it("saves once the lock is released during the retries, exactly once", async () => {
    const before = auditRows();
    setTimeout(() => other.exec("ROLLBACK"), 150);
    const saved = await renameReview("Saved on a retry");
    expect(saved.title).toBe("Saved on a retry");
    expect(auditRows() - before).toBe(1);
  });
});

describe("a database that cannot be written", () => {
  /**
   * What SQLite answers for a read-only file or file system is what query_only answers: SQLITE_READONLY. A
   * connection opened on a read-only file stays read-only after the file is fixed; query_only on the server's
   * connection stands for that connection, and a fresh connection for the fixed file.
   */
  it("answers writes 503 in words, keeps reads working, reports health 503, and recovers without a restart", async () => {
    const before = { title: titleNow(), audit: auditRows() };
    const stuck = getDb();
    stuck.$client.pragma("query_only = ON");
    expect(await checkDatabaseHealth()).toEqual({ ok: false, fault: "read_only", reason: DB_READ_ONLY_MESSAGE });
    const error = await failure(renameReview("Renamed on a read-only disk"));
    expect(error).toMatchObject({ code: "SERVICE_UNAVAILABLE", message: DB_READ_ONLY_MESSAGE });
    expect(error?.message).not.toMatch(/readonly database/);
    const signIn = await failure(anonymous.auth.signIn({ username: "lead", password: "exosome-demo" }));
    expect(signIn).toMatchObject({ code: "SERVICE_UNAVAILABLE", message: DB_READ_ONLY_MESSAGE });
    // Reading works.
    expect((await lead.studies.list({ reviewId })).length).toBe(21);
    expect({ title: titleNow(), audit: auditRows() }).toEqual(before);

    // The next request gets a fresh connection: the app saves again, with no restart.
    forgetHealthForTests();
    expect(getDb()).not.toBe(stuck);
    expect(await checkDatabaseHealth()).toEqual({ ok: true });
    const fresh = callerFor(getDb(), "lead");
    const { review } = await fresh.reviews.get({ reviewId });
    expect((await fresh.reviews.update({ reviewId, patch: { title: "Renamed once writable" }, version: review.version })).title).toBe("Renamed once writable");
    expect(await callerFor(getDb(), null).auth.signIn({ username: "lead", password: "exosome-demo" })).toMatchObject({ username: "lead" });
    expect(stuck.$client.open).toBe(false);
  });
});
