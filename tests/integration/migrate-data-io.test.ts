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
import { migrateUpTo } from "../support/migrate-to";

/**
 * Migration 0006 (issue 12) adds arms.control_arm_id (shared controls) and reviews.import_mapping (remembered column
 * mapping). A database made by migrations 0000–0005, with data in every table the migration touches, is migrated,
 * and every value is found again.
 */
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const at = "2025-04-01T10:00:00.000Z";

function makePreviousDatabase(file: string): void {
  migrateUpTo(file, "0005_full_text");
  const db = new Database(file);
  db.exec(`
    insert into users (id, username, display_name, password_hash, is_admin, created_at) values (1, 'admin', 'Administrator', 'scrypt$x', 1, '${at}');
    insert into reviews (id, title, question, table1_columns, is_demo, created_at, updated_at, version) values
      (1, 'Exosomes', 'Do exosomes help?', '["species","c:1"]', 0, '${at}', '${at}', 4);
    insert into outcomes (id, review_id, name, unit, scale_min, scale_max, higher_is_better, normal_value, position, created_at, updated_at, version) values
      (1, 1, 'BBB', 'points', 0, 21, 1, 21, 1, '${at}', '${at}', 1);
    insert into characteristics (id, review_id, label, type, unit, options, help_text, position, created_at, updated_at, version) values
      (1, 1, 'Source', 'single', '', '[{"value":"bm","label":"Bone marrow"},{"value":"ad","label":"Adipose"}]', '', 1, '${at}', '${at}', 1);
    insert into studies (id, review_id, position, author, year, doi, species, created_at, updated_at, version) values
      (1, 1, 1, 'Chang et al.', 2021, '10.1/abc', 'Rat', '${at}', '${at}', 3);
    insert into characteristic_values (study_id, characteristic_id, value, updated_at) values (1, 1, '"bm"', '${at}');
    insert into arms (id, study_id, kind, label, created_at, version) values (1, 1, 'treated', 'Low dose', '${at}', 1), (2, 1, 'treated', 'High dose', '${at}', 1), (3, 1, 'control', 'PBS', '${at}', 2);
    insert into measurements (id, arm_id, outcome_id, day, mean, error_type, error_value, ci_lower, ci_upper, n, data_source, source_detail, is_example_data, created_at, updated_at, version) values
      (1, 1, 1, 28, 9.5, 'SD', 1.5, null, null, 10, 'table', 'Table 2', 0, '${at}', '${at}', 2),
      (2, 3, 1, 28, 7.25, 'CI95', null, 6.1, 8.4, 11, 'figure', 'Fig. 3', 1, '${at}', '${at}', 1);
    insert into saved_analyses (id, review_id, position, title, settings, created_at, updated_at, version) values
      (1, 1, 1, 'BBB last', '{"outcomeId":1,"timepoint":"last","subgroupField":"c:1"}', '${at}', '${at}', 2);
  `);
  db.close();
}

describe("migration 0006 (shared control arm, remembered import mapping)", () => {
  it("keeps every arm, value, study and review field, and starts the new columns empty", async () => {
    dir = mkdtempSync(join(tmpdir(), "migrate-"));
    const file = join(dir, "previous.sqlite");
    makePreviousDatabase(file);
    // This migration alone: the new columns start empty.
    migrateUpTo(file, "0006_data_io");
    const raw = new Database(file);
    expect(raw.prepare("select control_arm_id from arms").pluck().all()).toEqual([null, null, null]);
    expect(raw.prepare("select import_mapping from reviews").pluck().all()).toEqual(["{}"]);
    raw.close();
    // The later ones too (0008 links each treated arm to its study's only control arm).
    process.env.DEMO = "off";
    resetEnvForTests();
    const db = openDb(file);
    const admin = createCaller(createContext({ headers: new Headers({ cookie: `wb_session=${createSession(db, 1).token}` }), db }));
    try {
      const { review } = await admin.reviews.get({ reviewId: 1 });
      expect(review).toMatchObject({ title: "Exosomes", question: "Do exosomes help?", table1Columns: ["species", "c:1"], version: 4, importMapping: {} });
      const [study] = await admin.studies.list({ reviewId: 1 });
      expect(study).toMatchObject({ id: 1, author: "Chang et al.", year: 2021, doi: "10.1/abc", species: "Rat", version: 3, characteristics: { "1": "bm" } });
      const detail = await admin.studies.get({ reviewId: 1, studyId: 1 });
      const arms = db.$client.prepare("select id, study_id, kind, label, version, control_arm_id from arms order by id").all();
      expect(arms).toEqual([
        { id: 1, study_id: 1, kind: "treated", label: "Low dose", version: 1, control_arm_id: 3 },
        { id: 2, study_id: 1, kind: "treated", label: "High dose", version: 1, control_arm_id: 3 },
        { id: 3, study_id: 1, kind: "control", label: "PBS", version: 2, control_arm_id: null },
      ]);
      const values = db.$client.prepare("select * from measurements order by id").all();
      expect(values).toEqual([
        expect.objectContaining({ id: 1, arm_id: 1, day: 28, mean: 9.5, error_type: "SD", error_value: 1.5, n: 10, data_source: "table", source_detail: "Table 2", is_example_data: 0, version: 2 }),
        expect.objectContaining({ id: 2, arm_id: 3, day: 28, mean: 7.25, error_type: "CI95", ci_lower: 6.1, ci_upper: 8.4, n: 11, data_source: "figure", source_detail: "Fig. 3", is_example_data: 1 }),
      ]);
      expect(JSON.stringify(detail)).toContain("Low dose");
      const [analysis] = await admin.analyses.list({ reviewId: 1 });
      expect(analysis).toMatchObject({ title: "BBB last", settings: { outcomeId: 1, timepoint: "last", subgroupField: "c:1" }, version: 2 });

      // The new column works as a foreign key: pointing at a control arm, and cleared if that arm goes.
      expect(db.$client.prepare("select count(*) from arms where control_arm_id = 3").pluck().get()).toBe(2);
      expect(() => db.$client.prepare("update arms set control_arm_id = 999 where id = 1").run()).toThrow(/FOREIGN KEY/);
      db.$client.prepare("delete from measurements where arm_id = 3").run();
      db.$client.prepare("delete from arms where id = 3").run();
      expect(db.$client.prepare("select control_arm_id from arms where id in (1, 2)").pluck().all()).toEqual([null, null]);
    } finally {
      db.$client.close();
    }
  });
});
