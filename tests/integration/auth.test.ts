import { TRPCError } from "@trpc/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyPassword } from "@/server/auth/password";
import { resetEnvForTests } from "@/server/env";
import { MAX_FAILURES_PER_ACCOUNT } from "@/server/services/auth";
import { callerFor, callerWithHeaders, freshDb, type TestDb } from "../support/test-db";

let t: TestDb;
beforeEach(async () => {
  t = await freshDb();
});
afterEach(() => t.close());

const codeOf = (p: Promise<unknown>) => p.then(() => "OK", (e: unknown) => (e instanceof TRPCError ? e.code : String(e)));

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
    const cookie = resHeaders.get("set-cookie")!;
    expect(cookie).toMatch(/^wb_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Expires=/);
    const token = cookie.split(";")[0]!.split("=")[1]!;
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

  it("refuses the 6th failure within a minute for an account, even with the right password", async () => {
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++) {
      expect(await codeOf(callerFor(t.db, null, `10.0.0.${i}`).auth.signIn({ username: "reviewer1", password: "not-the-password" }))).toBe("UNAUTHORIZED");
    }
    const sixth = callerFor(t.db, null, "10.0.0.99").auth.signIn({ username: "reviewer1", password: "exosome-demo" });
    await expect(sixth).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS", message: expect.stringContaining("Too many failed sign-in attempts") });
    // Another account from another address is not affected.
    expect(await codeOf(callerFor(t.db, null, "10.0.1.1").auth.signIn({ username: "reviewer2", password: "exosome-demo" }))).toBe("OK");
  });

  it("limits failures per address across accounts", async () => {
    const names = ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10", "a11", "a12", "a13", "a14", "a15", "a16", "a17", "a18", "a19", "a20"];
    for (const name of names) await codeOf(callerFor(t.db, null, "192.0.2.7").auth.signIn({ username: name, password: "whatever-pass" }));
    expect(await codeOf(callerFor(t.db, null, "192.0.2.7").auth.signIn({ username: "lead", password: "exosome-demo" }))).toBe("TOO_MANY_REQUESTS");
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
