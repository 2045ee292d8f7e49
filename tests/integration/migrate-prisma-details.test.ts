import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openDb } from "@/db/client";
import { resetEnvForTests } from "@/lib/env";
import { createCaller } from "@/server/root";
import { createSession } from "@/server/auth/session";
import { createContext } from "@/server/trpc";
import { columnNames, demoDatabaseAt, tableNames, tagBefore } from "../support/migrate-to";

/**
 * Migration 0009 (issue 11) stores what the PRISMA 2020 diagram needs beyond the four counts: records per source,
 * reports not retrieved, full-text exclusions by reason. A database of the version before, holding the demo review
 * (every table), is opened by the app (which migrates it): every row of every table is found again, the new columns
 * start empty, and the report draws the stored counts as before.
 */
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});


describe("migration 0009 (PRISMA details)", () => {
  it("keeps every row of a populated database, starts the details empty, and the report reads the same counts", async () => {
    dir = mkdtempSync(join(tmpdir(), "migrate-prisma-"));
    const file = join(dir, "old.sqlite");
    await demoDatabaseAt(file, tagBefore(/_prisma_details$/));
    const old = new Database(file);
    expect(columnNames(old, "reviews")).not.toContain("prisma_sources");
    const before = new Map(tableNames(old).map((t) => [t, { columns: columnNames(old, t), rows: old.prepare(`select * from "${t}" order by rowid`).all() }]));
    expect(before.get("reviews")!.rows.length).toBeGreaterThan(0);
    expect(before.get("measurements")!.rows.length).toBeGreaterThan(0);
    old.close();

    process.env.DEMO = "off";
    resetEnvForTests();
    const db = openDb(file);
    try {
      for (const [table, { columns: cols, rows }] of before) {
        const list = cols.map((c) => `"${c}"`).join(", ");
        expect(db.$client.prepare(`select ${list} from "${table}" order by rowid`).all(), table).toEqual(rows);
      }
      expect(db.$client.prepare("select distinct prisma_sources, prisma_not_retrieved, prisma_exclusion_reasons from reviews").all()).toEqual([
        { prisma_sources: "[]", prisma_not_retrieved: null, prisma_exclusion_reasons: "[]" },
      ]);
      const demo = db.$client.prepare("select id from reviews where prisma_identified = 276").pluck().get() as number;
      const lead = db.$client.prepare("select id from users where username = 'lead'").pluck().get() as number;
      const caller = createCaller(createContext({ headers: new Headers({ cookie: `wb_session=${createSession(db, lead).token}` }), db }));
      const { prisma } = await caller.report.get({ reviewId: demo, sections: ["prisma"] });
      expect(prisma.flow).toMatchObject({ identified: 276, screened: 217, sought: 45, notRetrieved: 0, assessed: 45, studiesIncluded: 21, bySource: [], exclusionReasons: [] });
      expect(prisma.flow.notes.join(" ")).toContain("Not recorded: reports not retrieved (taken as 0); the reasons for excluding full texts.");
    } finally {
      db.$client.close();
    }
  });
});
