import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { sessions, users } from "@/db/schema";
import { env } from "@/server/env";

export const SESSION_COOKIE = "wb_session";
const SESSION_DAYS = 7;

export type SessionUser = { id: number; username: string; displayName: string; isAdmin: boolean };

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export function createSession(db: DbOrTx, userId: number): { token: string; expiresAt: Date } {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 86_400_000);
  db.insert(sessions).values({ tokenHash: hashToken(token), userId, expiresAt: expiresAt.toISOString() }).run();
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
