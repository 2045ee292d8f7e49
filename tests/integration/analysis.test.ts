import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { analyze, type AnalysisRequest } from "@/server/analysis";
import { defaultAnalysisSettings, type AnalysisSettings } from "@/server/schemas/analysis-settings";
import { createReview } from "@/server/services/reviews";
import type { ReviewAnalysis } from "@/server/services/analysis";
import { callerFor, demoReviewId, freshDb, userId, type TestDb } from "../support/test-db";
import { rejection } from "../support/rejection";

let t: TestDb;
let reviewId: number;
beforeEach(async () => {
  t = await freshDb();
  reviewId = demoReviewId(t.db);
});
afterEach(() => t.close());

/** The analysis module run directly on the per-study inputs that the procedure reports it used. */
function analyzeInputs(run: ReviewAnalysis, extra: Partial<AnalysisRequest> = {}) {
  return analyze({
    measure: run.settings.measure,
    model: run.settings.model,
    tau2Method: run.settings.tau2Method,
    ciMethod: run.settings.ciMethod,
    level: run.settings.level,
    studies: run.inputs.map((s) => ({ id: String(s.studyId), m1: s.m1, sd1: s.sd1, n1: s.n1, m2: s.m2, sd2: s.sd2, n2: s.n2, year: s.year, ...(s.group !== null && run.settings.subgroupField ? { group: s.group } : {}) })),
    ...extra,
  });
}

const savedAudit = () =>
  t.db.$client.prepare("select user_name as userName, action, field, old_value as oldValue, new_value as newValue from audit_log where entity = 'savedAnalysis' order by id").all() as {
    userName: string;
    action: string;
    field: string | null;
    oldValue: string | null;
    newValue: string | null;
  }[];

async function demoSettings(): Promise<AnalysisSettings> {
  const [first] = await callerFor(t.db, "lead").analyses.list({ reviewId });
  return first!.settings;
}

describe("running an analysis", () => {
  it("runs the review's first saved analysis by default: the module's result, with the inputs, labels and exclusions it used", async () => {
    const run = await callerFor(t.db, "reviewer1").analysis.run({ reviewId });
    expect(run.settings).toEqual(await demoSettings());
    expect(run.inputs).toHaveLength(21);
    expect(run.result.k).toBe(21);
    expect(run.excluded).toEqual([]);
    expect(run.result).toEqual(analyzeInputs(run));
    for (const s of run.result.studies) expect(run.labels[s.id]).toMatch(/^\S.* \d{4}$/);
    expect(run.result.cumulative).toBeUndefined();
  });

  it("adds the cumulative meta-analysis by year on request: ordered by year, its last step the pooled result", async () => {
    const run = await callerFor(t.db, "reviewer1").analysis.run({ reviewId, cumulative: "year" });
    const steps = run.result.cumulative!;
    expect(steps).toHaveLength(run.result.k);
    expect(steps.map((s) => s.year)).toEqual([...steps.map((s) => s.year)].sort((a, b) => a! - b!));
    expect(steps.at(-1)!.estimate).toBeCloseTo(run.result.pooled!.estimate, 12);
    expect(run.result.cumulative).toEqual(analyzeInputs(run, { cumulative: "year" }).cumulative);
  });

  it("gives the first and the last time point side by side, each equal to a run at that time point", async () => {
    const caller = callerFor(t.db, "reviewer1");
    const settings = { ...(await demoSettings()), model: "random" as const };
    const both = await caller.analysis.timepoints({ reviewId, settings });
    for (const timepoint of ["first", "last"] as const) {
      const run = await caller.analysis.run({ reviewId, settings: { ...settings, timepoint } });
      expect(both[timepoint].pooled).toEqual(run.result.pooled);
      expect(both[timepoint].heterogeneity).toEqual(run.result.heterogeneity);
    }
    expect(both.first.pooled!.estimate).not.toBeCloseTo(both.last.pooled!.estimate, 3);
  });

  it("lets a viewer explore any settings without changing what others see", async () => {
    const lead = callerFor(t.db, "lead");
    const viewerCaller = callerFor(t.db, "reviewer2");
    const before = await lead.analyses.list({ reviewId });
    const explored = await viewerCaller.analysis.run({ reviewId, settings: { ...before[0]!.settings, model: "random", tau2Method: "DL", ciMethod: "hk" } });
    expect(explored.result.pooled!.df).toBe(20); // Hartung-Knapp: t with k - 1 degrees of freedom
    expect(explored.result).toEqual(analyzeInputs(explored));
    expect(await lead.analyses.list({ reviewId })).toEqual(before);
    expect((await lead.analysis.run({ reviewId })).settings.model).toBe("fixed");
    expect(savedAudit()).toEqual([]);
  });

  it("applies the seed paper's rule with model auto and says why", async () => {
    const run = await callerFor(t.db, "lead").analysis.run({ reviewId, settings: { ...(await demoSettings()), model: "auto" } });
    const selection = run.result.modelSelection!;
    expect(selection.chosen).toBe(selection.I2! > 50 || selection.pValue! <= 0.05 ? "random" : "fixed");
    expect(selection.reason).toMatch(/I²/);
  });

  it("groups by a list characteristic, a fixed field, or not at all", async () => {
    const lead = callerFor(t.db, "lead");
    const saved = await lead.analyses.list({ reviewId });
    const bySource = await lead.analysis.run({ reviewId, settings: saved[2]!.settings });
    expect(bySource.subgroupLabel).toBe("Exosome source");
    expect(bySource.result.subgroups!.groups.map((g) => [g.name, g.k])).toEqual([
      ["Adipose", 2],
      ["Bone marrow", 12],
      ["Placenta", 2],
      ["Umbilical cord", 5],
    ]);
    expect((await lead.analysis.run({ reviewId, settings: { ...saved[2]!.settings, subgroupField: "" } })).result.subgroups).toBeNull();
    const studies = await lead.studies.list({ reviewId });
    for (const s of studies.slice(0, 3)) await lead.studies.update({ reviewId, studyId: s.id, field: "species", value: "Mouse", version: s.version });
    const bySpecies = await lead.analysis.run({ reviewId, settings: { ...saved[2]!.settings, subgroupField: "species" } });
    expect(bySpecies.subgroupLabel).toBe("Species");
    expect(bySpecies.result.subgroups!.groups.map((g) => [g.name, g.k])).toEqual([
      ["Mouse", 3],
      ["Rat", 18],
    ]);
  });

  it("refuses settings naming another review's outcome or characteristic, and invalid settings by field", async () => {
    const admin = { id: userId(t.db, "admin"), displayName: "Administrator" };
    const other = createReview(t.db, admin, { title: "Review B" });
    const foreignOutcome = t.db.$client.prepare("insert into outcomes (review_id, name, created_at, updated_at) values (?, 'Other', '2024-01-01', '2024-01-01') returning id").pluck().get(other.id) as number;
    const foreignCharacteristic = t.db.$client
      .prepare("insert into characteristics (review_id, label, type, position, created_at, updated_at) values (?, 'X', 'single', 1, '2024', '2024') returning id")
      .pluck()
      .get(other.id) as number;
    const lead = callerFor(t.db, "lead");
    const settings = await demoSettings();
    expect((await rejection(lead.analysis.run({ reviewId, settings: { ...settings, outcomeId: foreignOutcome } }))).code).toBe("NOT_FOUND");
    expect((await rejection(lead.analysis.run({ reviewId, settings: { ...settings, subgroupField: `c:${foreignCharacteristic}` } }))).code).toBe("NOT_FOUND");
    const bad = await rejection(lead.analysis.run({ reviewId, settings: { ...settings, level: 1.5 } }));
    expect(bad).toMatchObject({ code: "BAD_REQUEST", message: "Confidence level must be below 1" });
    const noDay = await rejection(lead.analysis.run({ reviewId, settings: { ...settings, timepoint: "day" } }));
    expect(noDay.message).toBe("Day is required when the time point is a given day");
  });

  it("analyses a review with no outcome and no studies without failing", async () => {
    const admin = { id: userId(t.db, "admin"), displayName: "Administrator" };
    const empty = createReview(t.db, admin, { title: "Curcumin" });
    const run = await callerFor(t.db, "admin").analysis.run({ reviewId: empty.id });
    expect(run.outcome).toBeNull();
    expect(run.result.k).toBe(0);
    expect(run.settings).toEqual({ ...defaultAnalysisSettings, outcomeId: null });
  });
});

describe("saved analyses", () => {
  it("seeds the seed paper's three analyses, numbered as RevMan numbers them", async () => {
    const saved = await callerFor(t.db, "reviewer2").analyses.list({ reviewId });
    expect(saved.map((a) => [a.number, a.title, a.settings.timepoint, a.settings.model])).toEqual([
      ["1.1", "BBB locomotor score, first time point", "first", "fixed"],
      ["1.2", "BBB locomotor score, last time point", "last", "fixed"],
      ["1.3", "BBB locomotor score, last time point, by exosome source", "last", "fixed"],
    ]);
  });

  it("lets the lead add, update, reorder and remove analyses, each audited and version-checked", async () => {
    const lead = callerFor(t.db, "lead");
    const settings = await demoSettings();
    const created = await lead.analyses.create({ reviewId, title: "BBB, random effects", settings: { ...settings, model: "random" } });
    expect(created.number).toBe("1.4");
    const updated = await lead.analyses.update({ reviewId, analysisId: created.id, version: created.version, title: "BBB, random effects (DL)", settings: { ...created.settings, tau2Method: "DL" } });
    expect(updated).toMatchObject({ version: created.version + 1, title: "BBB, random effects (DL)", settings: { tau2Method: "DL", model: "random" } });
    const stale = await rejection(lead.analyses.update({ reviewId, analysisId: created.id, version: created.version, title: "x", settings }));
    expect(stale.code).toBe("CONFLICT");
    await lead.analyses.move({ reviewId, analysisId: created.id, direction: "up" });
    expect((await lead.analyses.list({ reviewId })).map((a) => a.title.slice(0, 30))).toEqual([
      "BBB locomotor score, first tim",
      "BBB locomotor score, last time",
      "BBB, random effects (DL)",
      "BBB locomotor score, last time",
    ]);
    await lead.analyses.delete({ reviewId, analysisId: created.id, version: updated.version });
    expect(await lead.analyses.list({ reviewId })).toHaveLength(3);
    expect(savedAudit().map((a) => [a.action, a.field])).toEqual(
      expect.arrayContaining([
        ["create", "title"],
        ["update", "title"],
        ["update", "tau2Method"],
        ["update", "position"],
        ["delete", null],
      ]),
    );
    // What others see follows the lead's save: the first analysis is the default run.
    const [first] = await lead.analyses.list({ reviewId });
    await lead.analyses.update({ reviewId, analysisId: first!.id, version: first!.version, title: first!.title, settings: { ...first!.settings, model: "random" } });
    expect((await callerFor(t.db, "reviewer2").analysis.run({ reviewId })).settings.model).toBe("random");
  });

  it("lets only the lead save, and writes nothing otherwise", async () => {
    const settings = await demoSettings();
    const error = await rejection(callerFor(t.db, "reviewer1").analyses.create({ reviewId, title: "Mine", settings }));
    expect(error.code).toBe("FORBIDDEN");
    expect(savedAudit()).toEqual([]);
    const noTitle = await rejection(callerFor(t.db, "lead").analyses.create({ reviewId, title: "  ", settings }));
    expect(noTitle.message).toBe("Title is required");
  });

  it("tells open pages that a saved analysis changed (the SSE subscription)", async () => {
    const lead = callerFor(t.db, "lead");
    const changes = (await callerFor(t.db, "reviewer1").analysis.changes({ reviewId })) as AsyncGenerator<{ entity: string; by: string }>;
    const next = changes.next();
    await lead.analyses.create({ reviewId, title: "SMD", settings: { ...(await demoSettings()), measure: "SMD" } });
    const change = await Promise.race([next, new Promise((_, reject) => setTimeout(() => reject(new Error("no change event within 1 s")), 1000))]);
    expect(change).toMatchObject({ value: { entity: "savedAnalysis", by: "Team lead (demo)" } });
    await changes.return(undefined);
  });
});
