import "server-only";
import { asc, eq } from "drizzle-orm";
import { writeTransaction, type Db } from "@/db/client";
import { users } from "@/db/schema";
import { takeHashTicket } from "@/server/auth/hash-slots";
import { hashPassword, verifyPassword } from "@/lib/password";
import { createSession, findTrustedDevice, rememberDevice, revokeSession, type SessionUser } from "@/server/auth/session";
import { markSucceeded, reserveAttempt } from "@/server/auth/throttle";
import { retryWhileBusy } from "@/server/db-faults";
import { AppError } from "@/server/errors";
import { env } from "@/lib/env";

// Compared against when the username is unknown, so that a wrong username costs as long as a wrong password.
let dummyHash: Promise<string> | undefined;

export type SignInResult = {
  user: SessionUser;
  token: string;
  expiresAt: Date;
  /** A new device cookie, when this browser was not yet known for the user. */
  device: { token: string; expiresAt: Date } | null;
};

/**
 * Checks a password. First a place among the few password hashes (server/auth/hash-slots.ts): without one the
 * request is refused (503) before it has written anything. Then the attempt is reserved (throttle checked and
 * attempt recorded in one transaction, server/auth/throttle.ts) before anything is hashed.
 */
export async function signIn(
  db: Db,
  input: { username: string; password: string; address: string; deviceToken: string | undefined },
): Promise<SignInResult> {
  // A place among the hashes first: without one, the request is refused before it has read or written anything.
  const ticket = takeHashTicket();
  let row: typeof users.$inferSelect | undefined;
  let attemptId: number;
  let ok: boolean;
  try {
    const name = input.username.trim().toLowerCase();
    const found = db.select().from(users).where(eq(users.username, name)).get();
    // With the demo switched off, its accounts (public password) cannot sign in even if they are still stored.
    row = found?.isDemo && env().DEMO === "off" ? undefined : found;
    const device = findTrustedDevice(db, input.deviceToken);
    const deviceHash = row && device?.userId === row.id ? device.tokenHash : null;
    // A busy database here is retried by the tRPC middleware: nothing has happened yet.
    attemptId = reserveAttempt(db, { username: name, address: input.address, deviceHash });
    await ticket.ready;
    ok = await verifyPassword(input.password, row ? row.passwordHash : await (dummyHash ??= hashPassword("not-a-password")));
  } finally {
    ticket.release();
  }
  if (!ok || !row) throw new AppError("unauthenticated", "Wrong username or password.");
  return finishSignIn(db, row, attemptId, input.deviceToken);
}

function finishSignIn(db: Db, row: typeof users.$inferSelect, attemptId: number, deviceToken: string | undefined): Promise<SignInResult> {
  return retryWhileBusy(() =>
    writeTransaction(db, (tx) => {
      markSucceeded(tx, attemptId);
      const session = createSession(tx, row.id);
      const newDevice = rememberDevice(tx, row.id, deviceToken);
      return { user: { id: row.id, username: row.username, displayName: row.displayName, isAdmin: row.isAdmin }, ...session, device: newDevice };
    }),
  );
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
