import { TRPCError } from "@trpc/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { writeTransaction } from "@/db/client";
import { HASH_BUSY_MESSAGE, HASH_SLOTS, MAX_WAITING_FOR_HASH } from "@/server/auth/hash-slots";
import { verifyPassword } from "@/lib/password";
import { createSession, findSessionUser, MAX_SESSIONS_PER_USER } from "@/server/auth/session";
import { delaySeconds, FREE_FAILURES_PER_ACCOUNT, FREE_FAILURES_PER_ADDRESS, MAX_DELAY_SECONDS } from "@/server/auth/throttle";
import { resetEnvForTests } from "@/lib/env";
import { callerFor, callerWithHeaders, freshDb, userId, type TestDb } from "../support/test-db";

let t: TestDb;
beforeEach(async () => {
  t = await freshDb();
});
afterEach(() => {
  vi.useRealTimers();
  delete process.env.TRUST_PROXY;
  resetEnvForTests();
  t.close();
});

const codeOf = (p: Promise<unknown>) => p.then(() => "OK", (e: unknown) => (e instanceof TRPCError ? e.code : String(e)));
const attempts = () => t.db.$client.prepare("select count(*) from login_attempts").pluck().get() as number;
const tally = (codes: string[]) => codes.reduce<Record<string, number>>((acc, c) => ({ ...acc, [c]: (acc[c] ?? 0) + 1 }), {});
const signIn = (username: string, password: string, address = "198.51.100.1", headers: Record<string, string> = {}) =>
  callerWithHeaders(t.db, null, address, headers);

describe("sign-in", () => {
  it("stores scrypt hashes at OWASP cost, never the password", async () => {
    const hash = t.db.$client.prepare("select password_hash from users where username = 'lead'").pluck().get() as string;
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(hash).not.toContain("exosome-demo");
    expect(await verifyPassword("exosome-demo", hash)).toBe(true);
    expect(await verifyPassword("exosome-demo ", hash)).toBe(false);
  });

  it("signs in with a session cookie that is httpOnly and SameSite=Lax, and signs out by revoking it", async () => {
    const { caller: anonymous, resHeaders } = callerWithHeaders(t.db, null);
    const user = await anonymous.auth.signIn({ username: "Lead", password: "exosome-demo" });
    expect(user.username).toBe("lead");
    const [session, device] = resHeaders.getSetCookie();
    expect(session).toMatch(/^wb_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Expires=/);
    // The device cookie outlives the session: it marks this browser as one the user signed in with.
    expect(device).toMatch(/^wb_device=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Expires=/);
    const token = session!.split(";")[0]!.split("=")[1]!;
    const { appRouter } = await import("@/server/root");
    const { createContext } = await import("@/server/trpc");
    const signedIn = appRouter.createCaller(createContext({ headers: new Headers({ cookie: `wb_session=${token}` }), resHeaders: new Headers(), db: t.db }));
    expect((await signedIn.auth.me())?.username).toBe("lead");
    await signedIn.auth.signOut();
    const afterSignOut = appRouter.createCaller(createContext({ headers: new Headers({ cookie: `wb_session=${token}` }), db: t.db }));
    expect(await afterSignOut.auth.me()).toBeNull();
    expect(await codeOf(afterSignOut.reviews.list())).toBe("UNAUTHORIZED");
  });

  it("refuses a wrong password and an unknown user with the same message", async () => {
    const anonymous = callerFor(t.db, null);
    const a = await anonymous.auth.signIn({ username: "lead", password: "wrong-password" }).catch((e: TRPCError) => e.message);
    const b = await anonymous.auth.signIn({ username: "nobody", password: "wrong-password" }).catch((e: TRPCError) => e.message);
    expect(a).toBe("Wrong username or password.");
    expect(b).toBe(a);
  });

  it("refuses the demo accounts once the demo is switched off", async () => {
    expect(await codeOf(callerFor(t.db, null).auth.signIn({ username: "lead", password: "exosome-demo" }))).toBe("OK");
    process.env.DEMO = "off";
    resetEnvForTests();
    expect(await codeOf(callerFor(t.db, null).auth.signIn({ username: "lead", password: "exosome-demo" }))).toBe("UNAUTHORIZED");
    process.env.DEMO = "on";
    resetEnvForTests();
  });

  it("applies ASVS password rules: 8 to 256 characters, no composition rules", async () => {
    const admin = callerFor(t.db, "admin");
    expect(await codeOf(admin.auth.createUser({ username: "short", displayName: "Short", password: "1234567" }))).toBe("BAD_REQUEST");
    expect(await codeOf(admin.auth.createUser({ username: "plain", displayName: "Plain", password: "all lowercase words" }))).toBe("OK");
    expect(await codeOf(admin.auth.createUser({ username: "long", displayName: "Long", password: "x".repeat(64) }))).toBe("OK");
    expect(await codeOf(callerFor(t.db, "lead").auth.createUser({ username: "x1", displayName: "X", password: "long-enough-1" }))).toBe("FORBIDDEN");
  });
});

describe("sign-in throttling", () => {
  // The throttle reads the clock; hashing takes real time. A frozen clock keeps the delays exact.
  const T0 = new Date("2030-01-01T10:00:00Z");
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(T0);
  });

  it("grows the delay after the free failures: 1 s, 2 s, 4 s … up to the cap", () => {
    expect([0, 1, 4].map((f) => delaySeconds(f, 5))).toEqual([0, 0, 0]);
    expect([5, 6, 7, 8].map((f) => delaySeconds(f, 5))).toEqual([1, 2, 4, 8]);
    expect(delaySeconds(60, 5)).toBe(MAX_DELAY_SECONDS);
  });

  it("never signs in once the window is exhausted, however many guesses run at once", async () => {
    // 40 concurrent sign-ins, the right password last: only the free failures reach the password check.
    const guesses = Array.from({ length: 40 }, (_, i) => (i === 39 ? "exosome-demo" : `wrong-${i}`));
    const codes = await Promise.all(guesses.map((password, i) => codeOf(signIn("reviewer1", password, `203.0.113.${i}`).caller.auth.signIn({ username: "reviewer1", password }))));
    // The rest are refused unchecked: by the throttle, or (when they arrive beyond the hashing queue) as busy.
    const { UNAUTHORIZED, OK, ...refused } = tally(codes);
    expect({ UNAUTHORIZED, OK }).toEqual({ UNAUTHORIZED: FREE_FAILURES_PER_ACCOUNT, OK: undefined });
    expect(Object.keys(refused).every((code) => code === "TOO_MANY_REQUESTS" || code === "SERVICE_UNAVAILABLE")).toBe(true);
    expect(["TOO_MANY_REQUESTS", "SERVICE_UNAVAILABLE"]).toContain(codes[39]);
    // Once they are spent, wherever the right password sits it is refused by the throttle, unchecked.
    const again = await Promise.all(
      Array.from({ length: 10 }, (_, i) => codeOf(signIn("reviewer1", "x", `203.0.114.${i}`).caller.auth.signIn({ username: "reviewer1", password: i === 3 ? "exosome-demo" : `wrong-${i}` }))),
    );
    expect(again).toEqual(Array(10).fill("TOO_MANY_REQUESTS"));
  });

  it("delays rather than locks out: the right password works once the delay has passed, and the delay grows", async () => {
    for (let i = 0; i < FREE_FAILURES_PER_ACCOUNT; i++)
      expect(await codeOf(signIn("lead", "x", `192.0.2.${i}`).caller.auth.signIn({ username: "lead", password: "wrong-password" }))).toBe("UNAUTHORIZED");
    const refused = await signIn("lead", "x", "192.0.2.50")
      .caller.auth.signIn({ username: "lead", password: "exosome-demo" })
      .catch((e: TRPCError) => e);
    expect(refused).toMatchObject({ code: "TOO_MANY_REQUESTS", message: "Too many failed sign-in attempts. Wait 1 s and try again." });
    vi.setSystemTime(new Date("2030-01-01T10:00:01.100Z"));
    expect(await codeOf(signIn("lead", "x", "192.0.2.51").caller.auth.signIn({ username: "lead", password: "wrong-again" }))).toBe("UNAUTHORIZED");
    // Six failures now: the next attempt waits 2 s after the last one.
    vi.setSystemTime(new Date("2030-01-01T10:00:02.200Z"));
    expect(await codeOf(signIn("lead", "x", "192.0.2.52").caller.auth.signIn({ username: "lead", password: "exosome-demo" }))).toBe("TOO_MANY_REQUESTS");
    vi.setSystemTime(new Date("2030-01-01T10:00:03.200Z"));
    expect(await codeOf(signIn("lead", "x", "192.0.2.53").caller.auth.signIn({ username: "lead", password: "exosome-demo" }))).toBe("OK");
    // A success resets the count.
    expect(await codeOf(signIn("lead", "x", "192.0.2.54").caller.auth.signIn({ username: "lead", password: "wrong-password" }))).toBe("UNAUTHORIZED");
  });

  it("does not slow down the owner's own browser while someone else guesses the password", async () => {
    const { caller: owner, resHeaders } = signIn("reviewer2", "x", "198.51.100.20");
    await owner.auth.signIn({ username: "reviewer2", password: "exosome-demo" });
    const deviceCookie = resHeaders.getSetCookie().find((c) => c.startsWith("wb_device="))!.split(";")[0]!;
    for (let i = 0; i < FREE_FAILURES_PER_ACCOUNT + 1; i++)
      await codeOf(signIn("reviewer2", "x", "203.0.113.66").caller.auth.signIn({ username: "reviewer2", password: `guess-${i}` }));
    // The guesser's browser, and any unknown browser, waits…
    expect(await codeOf(signIn("reviewer2", "x", "198.51.100.21").caller.auth.signIn({ username: "reviewer2", password: "exosome-demo" }))).toBe("TOO_MANY_REQUESTS");
    // …the owner's known browser does not.
    const known = signIn("reviewer2", "x", "198.51.100.20", { cookie: deviceCookie }).caller;
    expect(await codeOf(known.auth.signIn({ username: "reviewer2", password: "exosome-demo" }))).toBe("OK");
    // A device cookie counts only for the account it was issued to.
    const borrowed = signIn("lead", "x", "203.0.113.66", { cookie: deviceCookie }).caller;
    for (let i = 0; i < FREE_FAILURES_PER_ACCOUNT; i++) await codeOf(borrowed.auth.signIn({ username: "lead", password: `guess-${i}` }));
    expect(await codeOf(borrowed.auth.signIn({ username: "lead", password: "exosome-demo" }))).toBe("TOO_MANY_REQUESTS");
  });

  /** Failures already recorded from `address` (as earlier requests would have left them), without hashing each. */
  const failuresFrom = (address: string, n: number) => {
    const insert = t.db.$client.prepare("insert into login_attempts (username, address, succeeded, at) values (?, ?, 0, ?)");
    for (let i = 0; i < n; i++) insert.run(`someone-${i}`, address, new Date().toISOString());
  };
  const addressesOf = (username: string) => t.db.$client.prepare("select address from login_attempts where username = ?").pluck().all(username);

  it("limits failures per client address across accounts, and a forged X-Forwarded-For does not reset it", async () => {
    // The address recorded is the TCP peer's, whatever the forwarding headers say.
    for (let i = 0; i < 3; i++) {
      const forged = { "x-forwarded-for": `10.9.${i}.1`, "x-real-ip": `10.8.${i}.1` };
      expect(await codeOf(signIn("x", "x", "192.0.2.7", forged).caller.auth.signIn({ username: "nobody", password: "whatever-pass" }))).toBe("UNAUTHORIZED");
    }
    expect(addressesOf("nobody")).toEqual(["192.0.2.7", "192.0.2.7", "192.0.2.7"]);
    failuresFrom("192.0.2.7", FREE_FAILURES_PER_ADDRESS - 3);
    const fresh = { "x-forwarded-for": "10.200.0.1", "x-real-ip": "10.200.0.2" };
    expect(await codeOf(signIn("lead", "x", "192.0.2.7", fresh).caller.auth.signIn({ username: "lead", password: "exosome-demo" }))).toBe("TOO_MANY_REQUESTS");
    // From another address the same account signs in: the limit was the address's.
    expect(await codeOf(signIn("lead", "x", "192.0.2.8").caller.auth.signIn({ username: "lead", password: "exosome-demo" }))).toBe("OK");
  });

  it("believes X-Forwarded-For only from a proxy named in TRUST_PROXY", async () => {
    process.env.TRUST_PROXY = "loopback";
    resetEnvForTests();
    const viaProxy = (forwardedFor: string) => signIn("x", "x", "127.0.0.1", { "x-forwarded-for": forwardedFor }).caller;
    expect(await codeOf(viaProxy("198.51.100.99").auth.signIn({ username: "nobody", password: "whatever-pass" }))).toBe("UNAUTHORIZED");
    // A client's own prepended entry is not the one taken: the proxy appended the address it saw.
    expect(await codeOf(viaProxy("10.0.0.1, 198.51.100.100").auth.signIn({ username: "nobody", password: "whatever-pass" }))).toBe("UNAUTHORIZED");
    expect(addressesOf("nobody")).toEqual(["198.51.100.99", "198.51.100.100"]);
    failuresFrom("198.51.100.99", FREE_FAILURES_PER_ADDRESS);
    expect(await codeOf(viaProxy("198.51.100.99").auth.signIn({ username: "lead", password: "exosome-demo" }))).toBe("TOO_MANY_REQUESTS");
    expect(await codeOf(viaProxy("198.51.100.100").auth.signIn({ username: "lead", password: "exosome-demo" }))).toBe("OK");
    // The same header from a peer that is not the proxy is ignored: that peer is the client.
    const direct = signIn("x", "x", "198.51.100.99", { "x-forwarded-for": "192.0.2.200" }).caller;
    expect(await codeOf(direct.auth.signIn({ username: "lead", password: "exosome-demo" }))).toBe("TOO_MANY_REQUESTS");
  });

  it("caps password hashes running at once: beyond the queue the answer is 503 at once, before anything is written", async () => {
    const n = HASH_SLOTS + MAX_WAITING_FOR_HASH + 3;
    const before = attempts();
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        signIn("x", "x", `198.18.${i}.1`)
          .caller.auth.signIn({ username: `flood${i}`, password: "whatever-pass" })
          .then(
            () => "OK",
            (e: TRPCError) => `${e.code}: ${e.message}`,
          ),
      ),
    );
    expect(tally(results)).toEqual({ "UNAUTHORIZED: Wrong username or password.": HASH_SLOTS + MAX_WAITING_FOR_HASH, [`SERVICE_UNAVAILABLE: ${HASH_BUSY_MESSAGE}`]: 3 });
    expect(attempts() - before).toBe(HASH_SLOTS + MAX_WAITING_FOR_HASH);
  });
});

describe("sessions", () => {
  it(`keeps at most ${MAX_SESSIONS_PER_USER} sessions per user, revoking the oldest`, async () => {
    const id = userId(t.db, "reviewer1");
    const tokens = Array.from({ length: MAX_SESSIONS_PER_USER + 2 }, () => writeTransaction(t.db, (tx) => createSession(tx, id)).token);
    expect(tokens.map((token) => findSessionUser(t.db, token)?.username ?? null)).toEqual([null, null, ...Array(MAX_SESSIONS_PER_USER).fill("reviewer1")]);
    // Signing in counts as one more: the oldest live one goes.
    await signIn("reviewer1", "x").caller.auth.signIn({ username: "reviewer1", password: "exosome-demo" });
    expect(findSessionUser(t.db, tokens[2])).toBeNull();
    expect(findSessionUser(t.db, tokens[3])?.username).toBe("reviewer1");
    // Another user's sessions are untouched.
    const other = writeTransaction(t.db, (tx) => createSession(tx, userId(t.db, "reviewer2"))).token;
    expect(findSessionUser(t.db, other)?.username).toBe("reviewer2");
  });
});
