import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { openDb, type Db } from "@/db/client";
import { users } from "@/db/schema";
import { ensureSeeded } from "@/db/seed";
import { createSession } from "@/server/auth/session";
import { PEER_ADDRESS_HEADER } from "@/server/client-address";
import { resetEnvForTests } from "@/lib/env";
import { createCaller } from "@/server/root";
import { createContext } from "@/server/trpc";

export type TestDb = { db: Db; dir: string; file: string; close: () => void };

/** A fresh, migrated database in a temporary directory; seeded with the demo review unless `demo: false`. */
export async function freshDb({ demo = true }: { demo?: boolean } = {}): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), "workbench-test-"));
  const file = join(dir, "test.sqlite");
  process.env.DEMO = demo ? "on" : "off";
  process.env.ADMIN_PASSWORD = "admin-test-password";
  resetEnvForTests();
  const db = openDb(file);
  await ensureSeeded(db, () => undefined);
  return {
    db,
    dir,
    file,
    close: () => {
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function userId(db: Db, username: string): number {
  const row = db.select({ id: users.id }).from(users).where(eq(users.username, username)).get();
  if (!row) throw new Error(`no user ${username}`);
  return row.id;
}

/**
 * What scripts/server.mjs does for every request: the TCP peer's address in PEER_ADDRESS_HEADER, and the
 * process marked so that the app believes that header.
 */
export function simulatePeerAddressServer(): void {
  (globalThis as Record<symbol, unknown>)[Symbol.for("workbench.peerAddressHeader")] = PEER_ADDRESS_HEADER;
}

/** A tRPC caller signed in as `username` (or anonymous), going through the same context as HTTP requests. */
export function callerWithHeaders(db: Db, username: string | null, address = "test", extraHeaders: Record<string, string> = {}) {
  simulatePeerAddressServer();
  const headers = new Headers({ ...extraHeaders, [PEER_ADDRESS_HEADER]: address });
  if (username) headers.set("cookie", `wb_session=${createSession(db, userId(db, username)).token}`);
  const resHeaders = new Headers();
  return { caller: createCaller(createContext({ headers, resHeaders, db })), resHeaders };
}

export const callerFor = (db: Db, username: string | null, address = "test", extraHeaders: Record<string, string> = {}) =>
  callerWithHeaders(db, username, address, extraHeaders).caller;

export function demoReviewId(db: Db): number {
  return db.$client.prepare("select id from reviews where is_demo = 1").pluck().get() as number;
}
