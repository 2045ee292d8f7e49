import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeDbForTests, writeTransaction } from "@/db/client";
import { createSession } from "@/server/auth/session";
import { FREE_FAILURES_PER_ACCOUNT } from "@/server/auth/throttle";
import { PEER_ADDRESS_HEADER } from "@/server/client-address";
import { resetEnvForTests } from "@/lib/env";
import { handleTrpcHttp } from "@/server/http";
import { MAX_JSON_DEPTH } from "@/server/request-safety";
import { INTERNAL_ERROR_MESSAGE, MAX_BATCH_CALLS } from "@/server/trpc";
import { callerFor, demoReviewId, freshDb, simulatePeerAddressServer, userId, type TestDb } from "../support/test-db";

/** The tRPC HTTP handler as the route serves it, on a fresh database (getDb() opens DATABASE_PATH). */
let t: TestDb;
beforeEach(async () => {
  t = await freshDb();
  process.env.DATABASE_PATH = t.file;
  resetEnvForTests();
  closeDbForTests();
  simulatePeerAddressServer();
});
afterEach(() => {
  closeDbForTests();
  delete process.env.DATABASE_PATH;
  delete process.env.TRUST_PROXY;
  resetEnvForTests();
  t.close();
});

const BASE = "http://127.0.0.1:3000/api/trpc/";
const sameOrigin = { host: "127.0.0.1:3000", origin: "http://127.0.0.1:3000", [PEER_ADDRESS_HEADER]: "198.51.100.7" };
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  handleTrpcHttp(new Request(BASE + path, { method: "POST", headers: { "content-type": "application/json", ...sameOrigin, ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) }));
const get = (path: string) => handleTrpcHttp(new Request(BASE + path, { headers: sameOrigin }));
const attempts = () => t.db.$client.prepare("select count(*) from login_attempts").pluck().get() as number;
const messages = async (response: Response) => {
  const body = (await response.json()) as unknown;
  const list = Array.isArray(body) ? body : [body];
  return list.map((item) => (item as { error?: { json?: { message?: string }; message?: string } }).error).map((e) => e?.json?.message ?? e?.message);
};
const signInInput = (password: string) => ({ json: { username: "lead", password } });

describe("batches", () => {
  it("refuses a batch that holds auth.signIn, before any password is tried", async () => {
    const before = attempts();
    const twoGuesses = await post("auth.signIn,auth.signIn?batch=1", { 0: signInInput("guess-1"), 1: signInInput("exosome-demo") });
    expect(twoGuesses.status).toBe(400);
    expect(await messages(twoGuesses)).toEqual(Array(2).fill("auth.signIn cannot be batched with other calls: send it on its own."));
    const mixed = await post("auth.me,auth.signIn?batch=1", { 1: signInInput("exosome-demo") });
    expect(mixed.status).toBe(400);
    expect(attempts()).toBe(before);
    // Alone, it is an ordinary sign-in.
    const alone = await post("auth.signIn", signInInput("exosome-demo"));
    expect(alone.status).toBe(200);
    expect(alone.headers.getSetCookie().some((c) => c.startsWith("wb_session="))).toBe(true);
  });

  it(`caps a batch at ${MAX_BATCH_CALLS} calls with a clear 400`, async () => {
    const paths = (n: number) => Array(n).fill("auth.me").join(",");
    const tooMany = await get(`${paths(MAX_BATCH_CALLS + 1)}?batch=1`);
    expect(tooMany.status).toBe(400);
    expect((await messages(tooMany))[0]).toBe(`A batch may hold at most ${MAX_BATCH_CALLS} calls; this one holds ${MAX_BATCH_CALLS + 1}.`);
    const atCap = await get(`${paths(MAX_BATCH_CALLS)}?batch=1`);
    expect(atCap.status).toBe(200);
    expect(((await atCap.json()) as unknown[]).length).toBe(MAX_BATCH_CALLS);
  });
});

describe("input shape", () => {
  it("refuses deeply nested JSON with a clear 400, in a body or in a query's input", async () => {
    const deep = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
    const body = await post("auth.signIn", `{"json":${deep(50_000)}}`);
    expect(body.status).toBe(400);
    const message = ((await body.json()) as { error: { message: string } }).error.message;
    expect(message).toBe(`The request's input is nested more than ${MAX_JSON_DEPTH} levels deep; no form of this application sends that.`);
    expect(message).not.toMatch(/call stack/i);
    const query = await get(`auth.me?input=${encodeURIComponent(`{"json":${deep(MAX_JSON_DEPTH + 5)}}`)}`);
    expect(query.status).toBe(400);
    // Brackets inside strings are text, not nesting.
    const inString = await post("auth.signIn", { json: { username: "lead", password: "[".repeat(200) } });
    expect(inString.status).toBe(401);
  });

  it("answers an unforeseen server failure with a generic message, not the internal one", async () => {
    // A failure nothing anticipates: a table gone from under the app.
    t.db.$client.exec("drop table saved_analyses");
    const token = writeTransaction(t.db, (tx) => createSession(tx, userId(t.db, "lead"))).token;
    const response = await handleTrpcHttp(
      new Request(`${BASE}analyses.list?input=${encodeURIComponent(JSON.stringify({ json: { reviewId: demoReviewId(t.db) } }))}`, {
        headers: { ...sameOrigin, cookie: `wb_session=${token}` },
      }),
    );
    expect(response.status).toBe(500);
    expect(await messages(response)).toEqual([INTERNAL_ERROR_MESSAGE]);
  });
});

describe("text input", () => {
  it("stores text in NFC and refuses bidirectional overrides and invisible-only names, naming the field", async () => {
    const reviewId = demoReviewId(t.db);
    const lead = callerFor(t.db, "lead");
    const version = () => t.db.$client.prepare("select version from reviews where id = ?").pluck().get(reviewId) as number;
    await expect(lead.reviews.update({ reviewId, patch: { title: "\u202Eevil" }, version: version() })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "Title must not contain bidirectional control characters (found U+202E): they make text display in another order than it is stored",
    });
    await expect(lead.reviews.update({ reviewId, patch: { title: "\u200B\u200B" }, version: version() })).rejects.toMatchObject({
      message: "Title must contain visible characters, not only spaces or invisible ones",
    });
    await expect(callerFor(t.db, "admin").auth.createUser({ username: "nul", displayName: "N\u0000L", password: "long-enough-1" })).rejects.toMatchObject({
      message: "Display name must not contain control characters (found U+0000)",
    });
    const saved = await lead.reviews.update({ reviewId, patch: { title: "Effets de la curcumine (e\u0301tude)" }, version: version() });
    expect(saved.title).toBe("Effets de la curcumine (\u00e9tude)");
  });
});

describe("forged headers", () => {
  const evil = { origin: "https://evil.example", "x-forwarded-host": "evil.example" };

  it("refuses a foreign Origin even when X-Forwarded-Host names it, unless the request came through a trusted proxy", async () => {
    const forged = await post("auth.signIn", signInInput("exosome-demo"), evil);
    expect(forged.status).toBe(403);
    process.env.TRUST_PROXY = "loopback";
    resetEnvForTests();
    // A client that is not the proxy still cannot choose the host.
    expect((await post("auth.signIn", signInInput("exosome-demo"), evil)).status).toBe(403);
    // The proxy's word counts: it serves the app under that host.
    const viaProxy = await post("auth.signIn", signInInput("exosome-demo"), { ...evil, [PEER_ADDRESS_HEADER]: "127.0.0.1", "x-forwarded-for": "198.51.100.8" });
    expect(viaProxy.status).toBe(200);
  });

  it("answers a throttled sign-in 429 with Retry-After", async () => {
    const insert = t.db.$client.prepare("insert into login_attempts (username, address, succeeded, at) values ('lead', '203.0.113.1', 0, ?)");
    for (let i = 0; i < FREE_FAILURES_PER_ACCOUNT; i++) insert.run(new Date().toISOString());
    const refused = await post("auth.signIn", signInInput("exosome-demo"));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await messages(refused))[0]).toMatch(/^Too many failed sign-in attempts\. Wait \d+ s and try again\.$/);
  });
});
