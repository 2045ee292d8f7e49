import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openDb } from "@/db/client";
import { resetEnvForTests } from "@/lib/env";
import { createSession } from "@/server/auth/session";
import { createCaller } from "@/server/root";
import { createContext } from "@/server/trpc";
import { migrateUpTo, tagBefore } from "../support/migrate-to";

/**
 * Migration 0003 (issue 13): arms gain control_arm_id, dose and dose_unit, and their own characteristic values. A
 * database made by the migrations before it (0000 to 0007), with studies of every arm layout (one treated and one control; two doses
 * sharing a control; two controls; no control), outcome values and characteristic values, is migrated; every value
 * is looked for again, and each treated arm is linked to its control exactly when the study has one control arm.
 */
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const at = "2025-06-01T10:00:00.000Z";
// [id, study, kind, label, version]
const oldArms: [number, number, string, string, number][] = [
  [1, 1, "treated", "Exosomes", 1],
  [2, 1, "control", "PBS", 2],
  [3, 2, "treated", "10 µg", 1],
  [4, 2, "treated", "50 µg", 3],
  [5, 2, "control", "Vehicle", 1],
  [6, 3, "treated", "MSC", 1],
  [7, 3, "control", "Vehicle", 1],
  [8, 3, "control", "Untreated", 1],
  [9, 4, "treated", "Only arm", 1],
];
// [id, arm, day, mean, errorType, errorValue, ciLower, ciUpper, n, source, detail, example]
const oldValues: [number, number, number, number, string, number | null, number | null, number | null, number, string, string, number][] = [
  [1, 1, 7, 5.5, "SEM", 0.4, null, null, 12, "figure", "Fig. 3B", 0],
  [2, 2, 7, 3.25, "CI95", null, 2.1, 4.4, 12, "table", "Table 2", 0],
  [3, 3, 28, 9.1, "SD", 2.2, null, null, 8, "text", "p. 4", 1],
  [4, 4, 28, 12.4, "SD", 2.9, null, null, 9, "table", "", 0],
  [5, 5, 28, 6.2, "SD", 1.9, null, null, 12, "table", "", 0],
  [6, 6, 14, 8, "SD", 2, null, null, 10, "table", "", 0],
  [7, 7, 14, 6, "SD", 2, null, null, 10, "table", "", 0],
  [8, 9, 14, 7, "SD", 2, null, null, 10, "table", "", 0],
];

function makeOldDatabase(file: string): void {
  migrateUpTo(file, tagBefore(/_preclinical_arms$/));
  const db = new Database(file);
  db.exec(`
    insert into users (id, username, display_name, password_hash, is_admin, created_at) values (1, 'admin', 'Administrator', 'scrypt$x', 1, '${at}');
    insert into reviews (id, title, table1_columns, is_demo, created_at, updated_at, version) values (1, 'Doses', '["c:1"]', 0, '${at}', '${at}', 2);
    insert into outcomes (id, review_id, name, unit, scale_min, scale_max, higher_is_better, normal_value, position, created_at, updated_at, version) values
      (1, 1, 'BBB', 'points', 0, 21, 1, 21, 1, '${at}', '${at}', 1);
    insert into characteristics (id, review_id, label, type, unit, options, help_text, position, created_at, updated_at, version) values
      (1, 1, 'Cell source', 'single', '', '[{"value":"bm","label":"Bone marrow"},{"value":"uc","label":"Umbilical cord"}]', 'Tissue', 1, '${at}', '${at}', 1);
    insert into studies (id, review_id, position, author, year, dose, dose_unit, created_at, updated_at, version) values
      (1, 1, 1, 'Chang et al.', 2021, 200, 'µg', '${at}', '${at}', 4),
      (2, 1, 2, 'Afsartala et al.', 2023, null, '', '${at}', '${at}', 1),
      (3, 1, 3, 'Two controls et al.', 2020, null, '', '${at}', '${at}', 1),
      (4, 1, 4, 'No control et al.', 2019, null, '', '${at}', '${at}', 1);
    insert into characteristic_values (study_id, characteristic_id, value, updated_at) values (1, 1, '"bm"', '${at}'), (2, 1, '"uc"', '${at}');
    insert into saved_analyses (review_id, position, title, settings, created_at, updated_at) values
      (1, 1, 'BBB, last', '{"outcomeId":1,"timepoint":"last","measure":"MD","model":"fixed"}', '${at}', '${at}');
  `);
  const arm = db.prepare("insert into arms (id, study_id, kind, label, created_at, version) values (?, ?, ?, ?, ?, ?)");
  for (const [id, study, kind, label, version] of oldArms) arm.run(id, study, kind, label, at, version);
  const value = db.prepare(
    "insert into measurements (id, arm_id, outcome_id, day, mean, error_type, error_value, ci_lower, ci_upper, n, data_source, source_detail, is_example_data, created_at, updated_at) values (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  for (const v of oldValues) value.run(...v, at, at);
  db.close();
}

describe("migration 0008 (several arms per study)", () => {
  it("keeps every arm and value, and links each treated arm to its study's only control arm", async () => {
    dir = mkdtempSync(join(tmpdir(), "migrate-arms-"));
    const file = join(dir, "old.sqlite");
    makeOldDatabase(file);
    process.env.DEMO = "off";
    resetEnvForTests();
    const db = openDb(file);
    const admin = createCaller(createContext({ headers: new Headers({ cookie: `wb_session=${createSession(db, 1).token}` }), db }));
    try {
      const controlOf: Record<number, number | null> = { 1: 2, 3: 5, 4: 5, 6: null, 9: null };
      for (const studyId of [1, 2, 3, 4]) {
        const detail = await admin.studies.get({ reviewId: 1, studyId });
        expect(detail.arms.map((a) => [a.id, a.studyId, a.kind, a.label, a.version, a.dose, a.doseUnit])).toEqual(
          oldArms.filter((a) => a[1] === studyId).map(([id, study, kind, label, version]) => [id, study, kind, label, version, null, ""]),
        );
        for (const a of detail.arms) expect(a.controlArmId, `arm ${a.id}`).toBe(a.kind === "treated" ? controlOf[a.id] : null);
        expect(detail.armValues).toEqual({});
        const values = detail.timepoints.flatMap((t) => Object.values(t.values));
        expect(values.map((v) => [v.id, v.armId, v.day, v.mean, v.errorType, v.errorValue, v.ciLower, v.ciUpper, v.n, v.dataSource, v.sourceDetail, v.isExampleData ? 1 : 0])).toEqual(
          oldValues.filter((v) => detail.arms.some((a) => a.id === v[1])).map((v) => [...v]),
        );
      }
      const studies = await admin.studies.list({ reviewId: 1 });
      expect(studies.map((s) => [s.id, s.author, s.dose, s.doseUnit, s.version, s.characteristics])).toEqual([
        [1, "Chang et al.", 200, "µg", 4, { "1": "bm" }],
        [2, "Afsartala et al.", null, "", 1, { "1": "uc" }],
        [3, "Two controls et al.", null, "", 1, {}],
        [4, "No control et al.", null, "", 1, {}],
      ]);
      // The migrated review analyses with the new model: study 2's doses share their control, the others say why not.
      const run = await admin.analysis.run({ reviewId: 1 });
      expect(run.inputs.map((r) => [r.label, r.controlGroup !== null])).toEqual([
        ["Chang 2021", false],
        ["Afsartala 2023 (10 µg)", true],
        ["Afsartala 2023 (50 µg)", true],
      ]);
      expect(run.excluded).toEqual([
        { id: "3", reason: "no control arm is chosen for it (the study has 2 control arms)" },
        { id: "4", reason: "the study has no control arm" },
      ]);
      expect(run.settings).toMatchObject({ outcomeId: 1, model: "fixed", combineTreatedArms: false, strata: [], moderators: [], lowRiskDomain: "" });
    } finally {
      db.$client.close();
    }
  });
});
