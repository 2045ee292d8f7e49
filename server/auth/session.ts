import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { sessions, trustedDevices, users } from "@/db/schema";
import { env } from "@/lib/env";

export const SESSION_COOKIE = "wb_session";
const SESSION_DAYS = 7;
/** Signed in on more browsers than this, a user's oldest sessions are revoked (stolen tokens do not pile up). */
export const MAX_SESSIONS_PER_USER = 20;

export const DEVICE_COOKIE = "wb_device";
const DEVICE_DAYS = 365;
/** Known browsers remembered per user; the least recently used are forgotten beyond it. */
export const MAX_DEVICES_PER_USER = 20;

export type SessionUser = { id: number; username: string; displayName: string; isAdmin: boolean };

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** A new session; call it inside a write transaction, so that the cap below cannot be raced past. */
export function createSession(db: DbOrTx, userId: number): { token: string; expiresAt: Date } {
  const token = randomBytes(32).toString("base64url");
  const now = new Date();
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
  db.insert(sessions).values({ tokenHash: hashToken(token), userId, createdAt: now.toISOString(), expiresAt: expiresAt.toISOString() }).run();
  const live = db
    .select({ tokenHash: sessions.tokenHash })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now.toISOString())))
    // Newest first; rowid breaks ties between sessions created in the same millisecond.
    .orderBy(desc(sessions.createdAt), desc(sql`rowid`))
    .all();
  const surplus = live.slice(MAX_SESSIONS_PER_USER).map((s) => s.tokenHash);
  if (surplus.length) db.update(sessions).set({ revokedAt: now.toISOString() }).where(inArray(sessions.tokenHash, surplus)).run();
  return { token, expiresAt };
}

export function findSessionUser(db: DbOrTx, token: string | undefined): SessionUser | null {
  if (!token) return null;
  const row = db
    .select({ id: users.id, username: users.username, displayName: users.displayName, isAdmin: users.isAdmin })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, hashToken(token)), isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date().toISOString())))
    .get();
  return row ?? null;
}

export function revokeSession(db: DbOrTx, token: string): void {
  db.update(sessions).set({ revokedAt: new Date().toISOString() }).where(eq(sessions.tokenHash, hashToken(token))).run();
}

/** httpOnly (no script access), SameSite=Lax (no cross-site POST carries it), Secure behind HTTPS. */
export function sessionCookie(token: string, expiresAt: Date): string {
  const secure = env().COOKIE_SECURE === "true" ? "; Secure" : "";
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Expires=${expiresAt.toUTCString()}${secure}`;
}

/** The user a device cookie is known for (a device belongs to the one account that signed in with it). */
export function findTrustedDevice(db: DbOrTx, token: string | undefined): { tokenHash: string; userId: number } | null {
  if (!token) return null;
  return db.select({ tokenHash: trustedDevices.tokenHash, userId: trustedDevices.userId }).from(trustedDevices).where(eq(trustedDevices.tokenHash, hashToken(token))).get() ?? null;
}

/**
 * Remembers the browser a user just signed in with: refreshes its device, or issues a new token (returned, to
 * be set as the cookie) when it had none for this user. Call it inside the sign-in's write transaction.
 */
export function rememberDevice(db: DbOrTx, userId: number, token: string | undefined): { token: string; expiresAt: Date } | null {
  const now = new Date().toISOString();
  const known = findTrustedDevice(db, token);
  if (token && known?.userId === userId) {
    db.update(trustedDevices).set({ lastUsedAt: now }).where(eq(trustedDevices.tokenHash, known.tokenHash)).run();
    return null;
  }
  const fresh = randomBytes(32).toString("base64url");
  db.insert(trustedDevices).values({ tokenHash: hashToken(fresh), userId, createdAt: now, lastUsedAt: now }).run();
  const kept = db.select({ tokenHash: trustedDevices.tokenHash }).from(trustedDevices).where(eq(trustedDevices.userId, userId)).orderBy(desc(trustedDevices.lastUsedAt), desc(sql`rowid`)).all();
  const forgotten = kept.slice(MAX_DEVICES_PER_USER).map((d) => d.tokenHash);
  if (forgotten.length) db.delete(trustedDevices).where(inArray(trustedDevices.tokenHash, forgotten)).run();
  return { token: fresh, expiresAt: new Date(Date.now() + DEVICE_DAYS * 86_400_000) };
}

/** Outlives sign-out on purpose: it says "this browser signed in here before", not who is signed in. */
export function deviceCookie(token: string, expiresAt: Date): string {
  const secure = env().COOKIE_SECURE === "true" ? "; Secure" : "";
  return `${DEVICE_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Expires=${expiresAt.toUTCString()}${secure}`;
}


export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}

export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}
