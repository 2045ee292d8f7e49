import Papa from "papaparse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalysisSettings } from "@/server/schemas/analysis-settings";
import { columnText } from "@/server/schemas/columns";
import { exportFiles } from "@/server/schemas/data-import";
import { studyFields } from "@/server/schemas/study";
import { createReview } from "@/server/services/reviews";
import { callerFor, demoReviewId, freshDb, userId, type TestDb } from "../support/test-db";

/**
 * Export the demo review and import it into an empty review: every study field, characteristic value, arm and
 * outcome value comes back, and every saved analysis gives the same result. CSV (one table), XLSX (Studies, Outcome
 * data and Set-up sheets) and the whole-review JSON archive.
 */
let t: TestDb;
let demo: number;
type Caller = ReturnType<typeof callerFor>;
let admin: Caller;

beforeAll(async () => {
  t = await freshDb();
  demo = demoReviewId(t.db);
  admin = callerFor(t.db, "admin");
}, 60_000);
afterAll(() => t.close());

const asFile = (name: string, download: { encoding: "utf8" | "base64"; content: string }) => ({
  name,
  base64: download.encoding === "base64" ? download.content : Buffer.from(download.content, "utf8").toString("base64"),
});

function emptyReview(title: string): number {
  return createReview(t.db, { id: userId(t.db, "admin"), displayName: "Administrator" }, { title }).id;
}

/** Everything a person reads about a review's studies, keyed by what does not depend on database ids. */
async function snapshot(caller: Caller, reviewId: number) {
  const definitions = await caller.characteristics.list({ reviewId });
  const outcomes = await caller.outcomes.list({ reviewId });
  const studies = await caller.studies.list({ reviewId });
  return studies.map((s) => {
    const arms = t.db.$client.prepare("select id, label, kind, control_arm_id from arms where study_id = ? order by id").all(s.id) as { id: number; label: string; kind: string; control_arm_id: number | null }[];
    const values = t.db.$client
      .prepare(
        "select a.label as arm, o.name as outcome, m.day, m.mean, m.error_type, m.error_value, m.ci_lower, m.ci_upper, m.n, m.data_source, m.source_detail, m.is_example_data from measurements m join arms a on a.id = m.arm_id join outcomes o on o.id = m.outcome_id where a.study_id = ? order by a.label, o.name, m.day",
      )
      .all(s.id);
    return {
      position: s.position,
      fields: Object.fromEntries(studyFields.map((f) => [f, s[f]])),
      characteristics: Object.fromEntries(definitions.map((d) => [d.label, columnText(definitions, `c:${d.id}`, s, s.characteristics)])),
      arms: arms.map((a) => ({ label: a.label, kind: a.kind, control: arms.find((c) => c.id === a.control_arm_id)?.label ?? null })),
      values,
      outcomes: outcomes.map((o) => o.name),
    };
  });
}

/** Runs each of the demo's saved analyses on `reviewId`, with its outcome and subgroup column found by name. */
async function analysisResults(caller: Caller, reviewId: number, saved: { settings: AnalysisSettings }[], sourceReview: number) {
  const sourceOutcomes = await admin.outcomes.list({ reviewId: sourceReview });
  const sourceDefinitions = await admin.characteristics.list({ reviewId: sourceReview });
  const outcomes = await caller.outcomes.list({ reviewId });
  const definitions = await caller.characteristics.list({ reviewId });
  return Promise.all(
    saved.map(async ({ settings }) => {
      const outcomeName = sourceOutcomes.find((o) => o.id === settings.outcomeId)!.name;
      const subgroupLabel = settings.subgroupField ? sourceDefinitions.find((d) => `c:${d.id}` === settings.subgroupField)?.label : null;
      const mapped = {
        ...settings,
        outcomeId: outcomes.find((o) => o.name === outcomeName)!.id,
        subgroupField: subgroupLabel ? `c:${definitions.find((d) => d.label === subgroupLabel)!.id}` : settings.subgroupField,
      };
      const run = await caller.analysis.run({ reviewId, settings: mapped });
      // Study ids differ between reviews: name every per-study number by its study's label.
      const byLabel = (id: string) => run.labels[id] ?? id;
      const { studies, leaveOneOut, excluded, ...summary } = run.result;
      return {
        summary,
        studies: studies?.map((s) => ({ ...s, id: byLabel(s.id) })),
        leaveOneOut: leaveOneOut?.map((s) => ({ ...s, id: byLabel(s.id) })),
        excluded: excluded.map((e) => ({ ...e, id: byLabel(e.id) })),
        inputs: run.inputs.map(({ studyId: _studyId, id: _id, ...input }) => input),
      };
    }),
  );
}

describe("study data round trip", () => {
  for (const format of ["csv", "xlsx"] as const) {
    it(`exports the demo as ${format.toUpperCase()} and imports it into an empty review with every value and analysis result identical`, async () => {
      const download = await admin.dataIo.download({ reviewId: demo, file: `study-data.${format}` });
      const target = emptyReview(`Round trip ${format}`);
      // A CSV is one table of values: it cannot carry the outcome's definition (scale, direction, normal value), which
      // the lead defines on Set-up first; the XLSX carries it in its Set-up sheet.
      if (format === "csv") {
        const { id: _id, reviewId: _reviewId, position: _position, createdAt: _c, updatedAt: _u, version: _v, ...outcome } = (await admin.outcomes.list({ reviewId: demo }))[0]!;
        await admin.outcomes.create({ reviewId: target, outcome });
      }
      const file = asFile(`demo.${format}`, download);
      const preview = await admin.dataIo.previewImport({ reviewId: target, file, mapping: {} });
      expect(preview.problems).toEqual([]);
      expect(preview.totals).toMatchObject({ studiesCreated: 21, valuesCreated: 84, valuesUpdated: 0 });
      expect(preview.newOutcomes.map((o) => o.name)).toEqual(format === "csv" ? [] : ["BBB locomotor score"]);
      const result = await admin.dataIo.commitImport({ reviewId: target, file, mapping: {}, fingerprint: preview.fingerprint });
      expect(result).toMatchObject({ studiesCreated: 21, valuesCreated: 84 });

      const before = await snapshot(admin, demo);
      const after = await snapshot(admin, target);
      expect(after.map(({ outcomes: _o, ...s }) => s)).toEqual(before.map(({ outcomes: _o, ...s }) => s));
      if (format === "xlsx") {
        // The Set-up sheet brings the definitions as they were (choices, scale), not only the values.
        const [outcome] = await admin.outcomes.list({ reviewId: target });
        expect(outcome).toMatchObject({ name: "BBB locomotor score", scaleMin: 0, scaleMax: 21, normalValue: 21, higherIsBetter: true });
        const source = (await admin.characteristics.list({ reviewId: target })).find((c) => c.label === "Exosome source");
        expect(source).toMatchObject({ type: "single", options: expect.arrayContaining([expect.objectContaining({ label: "Bone marrow" })]) });
      }
      const saved = await admin.analyses.list({ reviewId: demo });
      expect(saved).toHaveLength(3);
      expect(await analysisResults(admin, target, saved, demo)).toEqual(await analysisResults(admin, demo, saved, demo));

      // The same file again changes nothing and duplicates nothing: every study and value matches.
      const again = await admin.dataIo.previewImport({ reviewId: target, file, mapping: {} });
      expect(again.problems).toEqual([]);
      expect(again.totals).toMatchObject({ studiesCreated: 0, studiesUpdated: 0, studiesUnchanged: 21, valuesCreated: 0, valuesUpdated: 0, valuesUnchanged: 84 });
    });
  }

  it("imports the whole-review JSON into another review with new ids, members by username, and the same results", async () => {
    const download = await admin.dataIo.download({ reviewId: demo, file: "review.json" });
    const archive = JSON.parse(download.content) as { schemaVersion: number; members: { username: string }[]; audit: unknown[]; riskOfBias: { judgments: unknown[]; consensus: unknown[] } };
    expect(archive.schemaVersion).toBe(1);
    expect(archive.members.map((m) => m.username)).toEqual(["lead", "reviewer1", "reviewer2"]);
    // One member this install does not have: listed, not invented.
    const edited = { ...archive, members: [...archive.members, { username: "ghost", displayName: "Ghost", role: "viewer" }] };
    const imported = await admin.dataIo.importReview({ file: { name: "review.json", base64: Buffer.from(JSON.stringify(edited)).toString("base64") } });
    expect(imported.missingUsers).toEqual(["ghost"]);
    expect(imported.membersAdded).toEqual(["lead", "reviewer1", "reviewer2"]);
    expect(imported.reviewId).not.toBe(demo);

    expect(await snapshot(admin, imported.reviewId)).toEqual(await snapshot(admin, demo));
    const saved = await admin.analyses.list({ reviewId: demo });
    const savedCopy = await admin.analyses.list({ reviewId: imported.reviewId });
    expect(savedCopy.map((a) => [a.number, a.title])).toEqual(saved.map((a) => [a.number, a.title]));
    expect(await analysisResults(admin, imported.reviewId, saved, demo)).toEqual(await analysisResults(admin, demo, saved, demo));

    // Judgments, consensus and the audit trail came along (plus one entry saying the review was imported).
    const again = JSON.parse((await admin.dataIo.download({ reviewId: imported.reviewId, file: "review.json" })).content) as typeof archive;
    expect(again.riskOfBias.judgments).toHaveLength(archive.riskOfBias.judgments.length);
    expect(again.riskOfBias.judgments.length).toBeGreaterThan(0);
    expect(again.audit).toHaveLength(archive.audit.length + 1);
    const strip = (e: unknown) => {
      const { entityId: _e, reason: _r, ...rest } = e as Record<string, unknown>;
      return rest;
    };
    expect(again.audit.slice(0, -1).map(strip)).toEqual(archive.audit.map(strip));
    const grid = await callerFor(t.db, "lead").riskOfBias.grid({ reviewId: imported.reviewId });
    const demoGrid = await callerFor(t.db, "lead").riskOfBias.grid({ reviewId: demo });
    expect(grid.judgments.map(({ id: _i, studyId: _s, updatedAt: _u, version: _v, ...j }) => j)).toEqual(demoGrid.judgments.map(({ id: _i, studyId: _s, updatedAt: _u, version: _v, ...j }) => j));
  });

  it("exports Table 1, outcome data as analysed, each analysis's results and the metafor data with the engine's numbers", async () => {
    const viewer = callerFor(t.db, "reviewer2");
    const parse = (content: string) => Papa.parse<Record<string, string>>(content.replace(/^\ufeff/, ""), { header: true, skipEmptyLines: true }).data;
    const table1 = parse((await viewer.dataIo.download({ reviewId: demo, file: "table1.csv" })).content);
    expect(table1).toHaveLength(21);
    expect(Object.keys(table1[0]!)).toEqual(["#", "First author", "Year", "Exosome source", "Source (as printed)", "Route", "Injured site", "Model induction", "Possible mechanism", "Reference"]);
    const outcome = parse((await viewer.dataIo.download({ reviewId: demo, file: "outcome-data.csv" })).content);
    expect(outcome).toHaveLength(84);
    const sem = outcome.find((r) => r["Error type"] === "SEM")!;
    expect(Number(sem["SD used in the analysis"])).toBeCloseTo(Number(sem["SD or SEM"]) * Math.sqrt(Number(sem.n)), 12);
    expect(sem["How the SD was obtained"]).toMatch(/^SD = SEM × √n/);
    for (const analysis of await viewer.analyses.list({ reviewId: demo })) {
      const { result } = await viewer.analysis.run({ reviewId: demo, settings: analysis.settings });
      const rows = parse((await viewer.dataIo.download({ reviewId: demo, file: "analysis.csv", analysisId: analysis.id })).content);
      const pooled = rows.find((r) => r.Row!.startsWith("pooled"))!;
      expect(Number(pooled.Estimate)).toBe(result.pooled!.estimate);
      expect(Number(pooled["CI lower"])).toBe(result.pooled!.ciLower);
      expect(Number(rows.find((r) => r.Row === "I² (%)")!.Value)).toBe(result.heterogeneity!.I2);
      expect(rows.filter((r) => r.Row === "study").map((r) => Number(r.yi))).toEqual(result.studies!.map((s) => s.yi));
      const metafor = parse((await viewer.dataIo.download({ reviewId: demo, file: "metafor.csv", analysisId: analysis.id })).content);
      expect(Object.keys(metafor[0]!)).toEqual(["study", "group", "day", "m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i", "yi", "vi"]);
      expect(metafor.map((r) => Number(r.vi))).toEqual(result.studies!.map((s) => s.vi));
    }
  });

  it("builds every download for a viewer, with no NaN, Infinity or undefined in it", async () => {
    const { createUser } = await import("@/server/services/auth");
    const { setMember } = await import("@/server/services/reviews");
    await createUser(t.db, { username: "reader", displayName: "Reader", password: "reader-password" });
    setMember(t.db, { id: userId(t.db, "admin"), displayName: "Administrator" }, demo, "reader", "viewer");
    const viewer = callerFor(t.db, "reader");
    const [analysis] = await viewer.analyses.list({ reviewId: demo });
    for (const file of exportFiles) {
      const download = await viewer.dataIo.download({ reviewId: demo, file, analysisId: analysis!.id });
      const text = download.encoding === "base64" ? Buffer.from(download.content, "base64").toString("latin1") : download.content;
      expect(text.length, file).toBeGreaterThan(100);
      if (download.encoding === "utf8") expect(text, file).not.toMatch(/\bNaN\b|Infinity|undefined/);
      expect(download.filename, file).toMatch(/^[a-z0-9][a-z0-9.-]*\.(csv|xlsx|R|ris|bib|json|svg)$/);
    }
  });

  it("refuses a document that is not a workbench archive, naming what is wrong", async () => {
    const bad = (json: unknown) => admin.dataIo.importReview({ file: { name: "x.json", base64: Buffer.from(JSON.stringify(json)).toString("base64") } });
    await expect(bad({ hello: 1 })).rejects.toThrow(/format must be "review-workbench\/review"/);
    await expect(admin.dataIo.importReview({ file: { name: "x.json", base64: Buffer.from("not json").toString("base64") } })).rejects.toThrow(/is not JSON/);
    await expect(callerFor(t.db, "lead").dataIo.importReview({ file: { name: "x.json", base64: "" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
