import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openDb } from "@/db/client";
import { resetEnvForTests } from "@/lib/env";
import { migrateUpTo } from "../support/migrate-to";

/** Migration 0005 adds a record's full-text file; a database of 0004 with screening records keeps every value. */
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("migration 0005 (full texts)", () => {
  it("keeps every screening record as it was and gives each no full text", () => {
    dir = mkdtempSync(join(tmpdir(), "migrate-ft-"));
    const file = join(dir, "old.sqlite");
    migrateUpTo(file, "0004_digitiser");
    const old = new Database(file);
    const at = "2025-05-01T00:00:00.000Z";
    old.exec(`
      insert into users (id, username, display_name, password_hash, created_at) values (1, 'lead', 'Lead', 'x', '${at}');
      insert into reviews (id, title, created_at, updated_at) values (1, 'R', '${at}', '${at}');
      insert into screening_searches (id, review_id, source, searched_on, query, file_name, format, imported_by, created_at)
        values (1, 1, 'PubMed', '2025-01-01', 'exosome', 'p.nbib', 'nbib', 1, '${at}');
      insert into screening_records (id, review_id, search_id, title, abstract, authors, year, journal, doi, pmid, keywords, url, title_key, not_retrieved, not_retrieved_reason, created_at, updated_at, version)
        values (1, 1, 1, 'A title', 'An abstract', '["Li, W"]', 2020, 'J', '10.1/x', '123', '["k"]', 'http://x', 'a title li', 1, 'paywalled', '${at}', '${at}', 3);
    `);
    const before = old.prepare("select * from screening_records").all();
    old.close();
    process.env.DEMO = "off";
    resetEnvForTests();
    const db = openDb(file);
    try {
      const after = db.$client.prepare("select * from screening_records").all() as Record<string, unknown>[];
      expect(after.map(({ full_text_file_id, ...rest }) => ({ rest, full_text_file_id }))).toEqual((before as Record<string, unknown>[]).map((rest) => ({ rest, full_text_file_id: null })));
    } finally {
      db.$client.close();
    }
  });
});
