import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openDb } from "@/db/client";
import { defaultAnalysisSettings } from "@/server/schemas/analysis-settings";
import { resetEnvForTests } from "@/lib/env";
import { createCaller } from "@/server/root";
import { createSession } from "@/server/auth/session";
import { createContext } from "@/server/trpc";
import { migrateUpTo } from "../support/migrate-to";

/**
 * Migration 0002 (issue 10) moves the exosome-specific study columns into the review's own characteristics and the
 * single analysis_settings row into saved analysis 1.1. A database made by the previous version, with data in every
 * table, is migrated, and every value is looked for again through the app's own procedures.
 */
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const at = "2025-03-01T10:00:00.000Z";
type OldStudy = {
  id: number;
  review_id: number;
  position: number;
  author: string;
  year: number;
  exosome_source: string;
  exosome_source_detail: string;
  administration_route: string;
  injured_site: string;
  modeling_method: string;
  possible_mechanism: string;
  reference: string;
  doi: string;
  species: string;
  strain: string;
  sex: string;
  body_weight: string;
  age: string;
  dose: number | null;
  dose_unit: string;
  administration_frequency: string;
  timing_after_injury: string;
  isolation_method: string;
  injury_device: string;
  injury_severity: string;
  animals_total: number | null;
  notes: string;
};

const oldStudies: OldStudy[] = [
  {
    id: 1, review_id: 1, position: 1, author: "Chang et al.", year: 2021, exosome_source: "bone_marrow", exosome_source_detail: "Bone marrow mesenchymal stem cell",
    administration_route: "Tail vein injection", injured_site: "T10", modeling_method: "Contusion", possible_mechanism: "M2 polarization via IRF5", reference: "(25)",
    doi: "10.1016/j.brainresbull.2021.02.015", species: "Rat", strain: "Sprague-Dawley", sex: "Female", body_weight: "200-250 g", age: "8 weeks", dose: 200, dose_unit: "µg",
    administration_frequency: "Once", timing_after_injury: "30 min", isolation_method: "Ultracentrifugation", injury_device: "NYU impactor", injury_severity: "10 g × 25 mm",
    animals_total: 24, notes: "Values from Fig. 3",
  },
  {
    id: 2, review_id: 1, position: 2, author: "Zhou et al.", year: 2022, exosome_source: "placenta", exosome_source_detail: "", administration_route: "", injured_site: "",
    modeling_method: "", possible_mechanism: "", reference: "", doi: "", species: "", strain: "", sex: "", body_weight: "", age: "", dose: null, dose_unit: "",
    administration_frequency: "", timing_after_injury: "", isolation_method: "", injury_device: "Infinite Horizon", injury_severity: "", animals_total: null, notes: "",
  },
  {
    id: 3, review_id: 2, position: 1, author: "Curcu et al.", year: 2019, exosome_source: "other", exosome_source_detail: "", administration_route: "Oral gavage",
    injured_site: "T9", modeling_method: "Compression", possible_mechanism: "", reference: "", doi: "", species: "Mouse", strain: "C57BL/6", sex: "Male", body_weight: "",
    age: "", dose: 50.5, dose_unit: "mg/kg", administration_frequency: "Daily", timing_after_injury: "1 h", isolation_method: "", injury_device: "", injury_severity: "",
    animals_total: 16, notes: "",
  },
];

function makeOldDatabase(file: string): void {
  migrateUpTo(file, "0001_audit_append_only");
  const db = new Database(file);
  db.exec(`
    insert into users (id, username, display_name, password_hash, is_admin, created_at) values
      (1, 'admin', 'Administrator', 'scrypt$x', 1, '${at}'), (2, 'rev', 'Reviewer', 'scrypt$x', 0, '${at}');
    insert into reviews (id, title, question, prisma_identified, prisma_after_duplicates, prisma_full_text, prisma_included, is_demo, created_at, updated_at, version) values
      (1, 'Exosomes', 'Do exosomes help?', 276, 217, 45, 21, 0, '${at}', '${at}', 3),
      (2, 'Curcumin', 'Does curcumin help?', null, null, null, null, 0, '${at}', '${at}', 1),
      (3, 'Empty review', '', null, null, null, null, 0, '${at}', '${at}', 1);
    insert into review_members (review_id, user_id, role, created_at) values (1, 2, 'reviewer', '${at}');
    insert into outcomes (id, review_id, name, unit, scale_min, scale_max, higher_is_better, created_at, version) values
      (1, 1, 'BBB locomotor score', 'points', 0, 21, 1, '${at}', 2),
      (2, 2, 'BMS', 'points', 0, 9, 1, '${at}', 1),
      (3, 2, 'Lesion volume', 'mm3', 0, null, 0, '${at}', 1);
    insert into analysis_settings (review_id, outcome_id, timepoint, day, measure, model, tau2_method, ci_method, level, subgroup_field, updated_at, version) values
      (1, 1, 'first', null, 'SMD', 'random', 'DL', 'hk', 0.9, 'exosomeSource', '${at}', 4),
      (2, 3, 'day', 28, 'MD', 'fixed', 'REML', 'z', 0.95, 'modelingMethod', '${at}', 2);
  `);
  const insert = db.prepare(
    `insert into studies (${Object.keys(oldStudies[0]!).join(", ")}, created_at, updated_at, version) values (${Object.keys(oldStudies[0]!).map((k) => `@${k}`).join(", ")}, '${at}', '${at}', 2)`,
  );
  for (const s of oldStudies) insert.run(s);
  db.exec(`
    insert into arms (id, study_id, kind, label, created_at) values (1, 1, 'treated', 'Exosomes', '${at}'), (2, 1, 'control', 'PBS', '${at}');
    insert into measurements (arm_id, outcome_id, day, mean, error_type, error_value, ci_lower, ci_upper, n, data_source, source_detail, is_example_data, created_at, updated_at) values
      (1, 1, 7, 5.5, 'SEM', 0.4, null, null, 12, 'figure', 'Fig. 3B', 0, '${at}', '${at}'),
      (2, 1, 7, 3.25, 'CI95', null, 2.1, 4.4, 12, 'table', 'Table 2', 0, '${at}', '${at}');
    insert into rob_assignments (review_id, reviewer1_id, reviewer2_id) values (1, 2, 1);
    insert into rob_judgments (review_id, study_id, reviewer_id, domain, judgment, quote, reasoning, updated_at) values (1, 1, 2, 3, 'high', 'not concealed', 'quoted', '${at}');
    insert into rob_consensus (review_id, study_id, domain, judgment, reason, decided_by, updated_at) values (1, 1, 3, 'high', 'agreed', 1, '${at}');
    insert into audit_log (at, user_id, user_name, review_id, entity, entity_id, action, field, old_value, new_value) values ('${at}', 2, 'Reviewer', 1, 'study', 1, 'update', 'injuredSite', 'T9', 'T10');
  `);
  db.close();
}

describe("migration 0002 (characteristics, outcomes, saved analyses)", () => {
  it("moves a previous version's data into the new model and loses nothing", async () => {
    dir = mkdtempSync(join(tmpdir(), "migrate-"));
    const file = join(dir, "old.sqlite");
    makeOldDatabase(file);
    process.env.DEMO = "off";
    resetEnvForTests();
    const db = openDb(file);
    const headers = new Headers({ cookie: `wb_session=${createSession(db, 1).token}` });
    const admin = createCaller(createContext({ headers, db }));
    try {
      // Reviews keep every field; studies keep every value, fixed or moved into a characteristic.
      const exo = await admin.reviews.get({ reviewId: 1 });
      expect(exo.review).toMatchObject({ title: "Exosomes", question: "Do exosomes help?", prismaIdentified: 276, prismaIncluded: 21, version: 3 });
      for (const reviewId of [1, 2]) {
        const definitions = await admin.characteristics.list({ reviewId });
        const byLabel = (label: string) => definitions.find((d) => d.label === label);
        const studies = await admin.studies.list({ reviewId });
        for (const old of oldStudies.filter((s) => s.review_id === reviewId)) {
          const study = studies.find((s) => s.id === old.id)!;
          expect(study).toMatchObject({
            position: old.position, author: old.author, year: old.year, doi: old.doi, species: old.species, strain: old.strain, sex: old.sex, bodyWeight: old.body_weight,
            age: old.age, dose: old.dose, doseUnit: old.dose_unit, administrationRoute: old.administration_route, administrationFrequency: old.administration_frequency,
            timingAfterInjury: old.timing_after_injury, animalsTotal: old.animals_total, notes: old.notes, modelInduction: old.modeling_method, version: 2,
          });
          const moved: [string, string][] = [
            ["Exosome source", old.exosome_source],
            ["Source (as printed)", old.exosome_source_detail],
            ["Injured site", old.injured_site],
            ["Possible mechanism", old.possible_mechanism],
            ["Reference", old.reference],
            ["Isolation method", old.isolation_method],
            ["Injury device", old.injury_device],
            ["Injury severity", old.injury_severity],
          ];
          for (const [label, value] of moved) {
            if (value === "") continue;
            const definition = byLabel(label);
            expect(definition, `${label} of review ${reviewId}`).toBeDefined();
            expect(study.characteristics[String(definition!.id)], `${label} of study ${old.id}`).toBe(value);
          }
        }
        // A characteristic exists only where some study had a value (the exosome source was required, so always).
        expect(byLabel("Exosome source")?.options.map((o) => o.value)).toEqual(["bone_marrow", "adipose", "umbilical_cord", "placenta", "other"]);
        if (reviewId === 2) expect(definitions.map((d) => d.label)).toEqual(["Exosome source", "Injured site"]);
      }
      // Table 1 keeps its columns, in the old order.
      const defs1 = await admin.characteristics.list({ reviewId: 1 });
      const key = (label: string) => `c:${defs1.find((d) => d.label === label)!.id}`;
      expect(exo.review.table1Columns).toEqual([key("Exosome source"), key("Source (as printed)"), "administrationRoute", key("Injured site"), "modelInduction", key("Possible mechanism"), key("Reference")]);
      expect((await admin.reviews.get({ reviewId: 3 })).review.table1Columns).toEqual(["species", "diseaseModel", "intervention", "dose", "administrationRoute"]);

      // Outcome values, their arms, and the risk-of-bias judgments are untouched.
      const detail = await admin.studies.get({ reviewId: 1, studyId: 1 });
      expect(detail.arms.map((a) => [a.kind, a.label])).toEqual([
        ["treated", "Exosomes"],
        ["control", "PBS"],
      ]);
      expect(detail.timepoints[0]!.values["1"]).toMatchObject({ mean: 5.5, errorType: "SEM", errorValue: 0.4, n: 12, dataSource: "figure", sourceDetail: "Fig. 3B" });
      expect(detail.timepoints[0]!.values["2"]).toMatchObject({ mean: 3.25, errorType: "CI95", ciLower: 2.1, ciUpper: 4.4, sourceDetail: "Table 2" });
      expect(db.$client.prepare("select judgment, quote, reasoning from rob_judgments").get()).toEqual({ judgment: "high", quote: "not concealed", reasoning: "quoted" });
      expect(db.$client.prepare("select judgment, reason from rob_consensus").get()).toEqual({ judgment: "high", reason: "agreed" });
      expect(db.$client.prepare("select count(*) from audit_log").pluck().get()).toBe(1);

      // Outcomes keep their scale and direction; BBB gets its normal value.
      expect(await admin.outcomes.list({ reviewId: 1 })).toEqual([expect.objectContaining({ name: "BBB locomotor score", scaleMin: 0, scaleMax: 21, higherIsBetter: true, normalValue: 21, version: 2, position: 1 })]);
      expect((await admin.outcomes.list({ reviewId: 2 })).map((o) => [o.name, o.higherIsBetter, o.position, o.normalValue])).toEqual([
        ["BMS", true, 1, null],
        ["Lesion volume", false, 2, null],
      ]);

      // The analysis settings became saved analysis 1.1, their subgroup field following its column.
      const [saved1] = await admin.analyses.list({ reviewId: 1 });
      expect(saved1).toMatchObject({ number: "1.1", title: "BBB locomotor score, first time point" });
      // (Options added since, e.g. issue 13's, read as their defaults.)
      expect(saved1!.settings).toEqual({
        ...defaultAnalysisSettings,
        outcomeId: 1,
        timepoint: "first",
        day: null,
        measure: "SMD",
        model: "random",
        tau2Method: "DL",
        ciMethod: "hk",
        level: 0.9,
        subgroupField: key("Exosome source"),
      });
      const [saved2] = await admin.analyses.list({ reviewId: 2 });
      expect(saved2!.title).toBe("Lesion volume, day 28");
      expect(saved2!.settings).toMatchObject({ outcomeId: 3, timepoint: "day", day: 28, model: "fixed", subgroupField: "modelInduction" });
      expect(await admin.analyses.list({ reviewId: 3 })).toEqual([]);

      // And the migrated review analyses as before.
      const run = await admin.analysis.run({ reviewId: 1 });
      expect(run.settings.measure).toBe("SMD");
      expect(run.inputs.map((s) => s.studyId)).toEqual([1]);
    } finally {
      db.$client.close();
    }
  });
});
