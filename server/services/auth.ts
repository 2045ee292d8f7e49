import "server-only";
import { and, asc, count, eq, gt } from "drizzle-orm";
import { writeTransaction, type Db } from "@/db/client";
import { loginAttempts, users } from "@/db/schema";
import { hashPassword, verifyPassword } from "@/server/auth/password";
import { createSession, revokeSession, type SessionUser } from "@/server/auth/session";
import { AppError } from "@/server/errors";
import { env } from "@/server/env";

/** The 6th failure within a minute is refused, per account and (more loosely, for shared offices) per address. */
export const LOGIN_WINDOW_MS = 60_000;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;

// Compared against when the username is unknown, so that a wrong username costs as long as a wrong password.
let dummyHash: Promise<string> | undefined;

function recentFailures(db: Db, column: typeof loginAttempts.username | typeof loginAttempts.address, value: string): number {
  const since = new Date(Date.now() - LOGIN_WINDOW_MS).toISOString();
  return (
    db
      .select({ n: count() })
      .from(loginAttempts)
      .where(and(eq(column, value), eq(loginAttempts.succeeded, false), gt(loginAttempts.at, since)))
      .get()?.n ?? 0
  );
}

export async function signIn(
  db: Db,
  username: string,
  password: string,
  address: string,
): Promise<{ user: SessionUser; token: string; expiresAt: Date }> {
  const name = username.trim().toLowerCase();
  if (recentFailures(db, loginAttempts.username, name) >= MAX_FAILURES_PER_ACCOUNT || recentFailures(db, loginAttempts.address, address) >= MAX_FAILURES_PER_ADDRESS)
    throw new AppError("rate_limited", "Too many failed sign-in attempts. Wait a minute and try again.");
  const found = db.select().from(users).where(eq(users.username, name)).get();
  // With the demo switched off, its accounts (public password) cannot sign in even if they are still stored.
  const row = found?.isDemo && env().DEMO === "off" ? undefined : found;
  const ok = row ? await verifyPassword(password, row.passwordHash) : await verifyPassword(password, await (dummyHash ??= hashPassword("not-a-password")));
  const at = new Date().toISOString();
  if (!row || !ok) {
    db.insert(loginAttempts).values({ username: name, address, succeeded: false, at }).run();
    throw new AppError("unauthenticated", "Wrong username or password.");
  }
  return writeTransaction(db, (tx) => {
    tx.insert(loginAttempts).values({ username: name, address, succeeded: true, at }).run();
    const session = createSession(tx, row.id);
    return { user: { id: row.id, username: row.username, displayName: row.displayName, isAdmin: row.isAdmin }, ...session };
  });
}

export function signOut(db: Db, token: string | undefined): void {
  if (token) revokeSession(db, token);
}

export async function createUser(
  db: Db,
  input: { username: string; displayName: string; password: string; isAdmin?: boolean; isDemo?: boolean },
): Promise<SessionUser> {
  const username = input.username.trim().toLowerCase();
  if (db.select({ id: users.id }).from(users).where(eq(users.username, username)).get())
    throw new AppError("invalid", `username: "${username}" is taken.`, "username");
  const passwordHash = await hashPassword(input.password);
  const row = db
    .insert(users)
    .values({ username, displayName: input.displayName, passwordHash, isAdmin: input.isAdmin ?? false, isDemo: input.isDemo ?? false })
    .returning()
    .get();
  return { id: row.id, username: row.username, displayName: row.displayName, isAdmin: row.isAdmin };
}

export function listUsers(db: Db) {
  return db
    .select({ id: users.id, username: users.username, displayName: users.displayName, isAdmin: users.isAdmin, isDemo: users.isDemo, createdAt: users.createdAt })
    .from(users)
    .orderBy(asc(users.username))
    .all();
}
