import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { analyze, type AnalysisRequest } from "@/server/analysis";
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

const settingsAudit = () =>
  t.db.$client.prepare("select user_name as userName, field, old_value as oldValue, new_value as newValue from audit_log where entity = 'analysisSettings' order by id").all() as {
    userName: string;
    field: string | null;
    oldValue: string | null;
    newValue: string | null;
  }[];

describe("analysis procedures", () => {
  it("returns the analysis module's result for the demo's data, with the inputs, labels and exclusions it used", async () => {
    const run = await callerFor(t.db, "reviewer1").analysis.run({ reviewId });
    expect(run.inputs).toHaveLength(21);
    expect(run.result.k).toBe(21);
    expect(run.excluded).toEqual([]);
    expect(run.result).toEqual(analyzeInputs(run));
    expect(run.result.pooled!.estimate).toBeGreaterThan(0);
    for (const s of run.result.studies) expect(run.labels[s.id]).toMatch(/^\S.* \d{4}$/);
    expect(run.result.cumulative).toBeUndefined();
  });

  it("adds the cumulative meta-analysis by year on request: ordered by year, its last step the pooled result", async () => {
    const run = await callerFor(t.db, "reviewer1").analysis.run({ reviewId, cumulative: "year" });
    const steps = run.result.cumulative!;
    expect(steps).toHaveLength(run.result.k);
    expect(steps.map((s) => s.year)).toEqual([...steps.map((s) => s.year)].sort((a, b) => a! - b!));
    expect(steps.map((s) => s.k)).toEqual(steps.map((_, i) => i + 1));
    expect(steps.at(-1)!.estimate).toBeCloseTo(run.result.pooled!.estimate, 12);
    expect(run.result.cumulative).toEqual(analyzeInputs(run, { cumulative: "year" }).cumulative);
  });

  it("gives the first and the last time point side by side, each equal to a run at that time point", async () => {
    const caller = callerFor(t.db, "reviewer1");
    const both = await caller.analysis.timepoints({ reviewId });
    for (const timepoint of ["first", "last"] as const) {
      const run = await caller.analysis.run({ reviewId, timepoint });
      expect(both[timepoint].pooled).toEqual(run.result.pooled);
      expect(both[timepoint].heterogeneity).toEqual(run.result.heterogeneity);
      expect(both[timepoint].studies.map((s) => [s.id, s.yi, s.weight, s.day])).toEqual(
        run.result.studies.map((s) => [s.id, s.yi, s.weight, run.inputs.find((i) => String(i.studyId) === s.id)!.day]),
      );
    }
    expect(both.first.pooled!.estimate).not.toBeCloseTo(both.last.pooled!.estimate, 3);
    expect(Math.max(...both.first.studies.map((s) => s.day!))).toBeLessThan(Math.max(...both.last.studies.map((s) => s.day!)));
  });

  it("saves the lead's settings: version bumped, one audit row per changed field, and the next run uses them", async () => {
    const lead = callerFor(t.db, "lead");
    const before = await lead.analysis.settings({ reviewId });
    const saved = await lead.analysis.updateSettings({ reviewId, patch: { model: "random", tau2Method: "DL", ciMethod: "hk" }, version: before.version });
    expect(saved).toMatchObject({ model: "random", tau2Method: "DL", ciMethod: "hk", version: before.version + 1 });
    expect(settingsAudit()).toEqual([
      { userName: "Team lead (demo)", field: "model", oldValue: "fixed", newValue: "random" },
      { userName: "Team lead (demo)", field: "tau2Method", oldValue: "REML", newValue: "DL" },
      { userName: "Team lead (demo)", field: "ciMethod", oldValue: "z", newValue: "hk" },
    ]);
    const run = await callerFor(t.db, "reviewer1").analysis.run({ reviewId });
    expect(run.result).toEqual(analyzeInputs(run));
    expect(run.result.pooled!.df).toBe(20); // Hartung-Knapp: t with k - 1 degrees of freedom
    expect(run.result.prediction).not.toBeNull();
  });

  it("applies the seed paper's rule with model auto and says why", async () => {
    const lead = callerFor(t.db, "lead");
    const { version } = await lead.analysis.settings({ reviewId });
    await lead.analysis.updateSettings({ reviewId, patch: { model: "auto" }, version });
    const run = await lead.analysis.run({ reviewId });
    const selection = run.result.modelSelection!;
    expect(selection.chosen).toBe(selection.I2! > 50 || selection.pValue! <= 0.05 ? "random" : "fixed");
    expect(selection.reason).toMatch(/I²/);
  });

  it("groups by any Table 1 field, or not at all", async () => {
    const lead = callerFor(t.db, "lead");
    const exosome = await lead.analysis.run({ reviewId });
    expect(exosome.result.subgroups!.groups.map((g) => g.name)).toEqual(["Adipose", "Bone marrow", "Placenta", "Umbilical cord"]);
    const { version } = await lead.analysis.settings({ reviewId });
    await lead.analysis.updateSettings({ reviewId, patch: { subgroupField: "" }, version });
    expect((await lead.analysis.run({ reviewId })).result.subgroups).toBeNull();
    await lead.analysis.updateSettings({ reviewId, patch: { subgroupField: "injuredSite" }, version: version + 1 });
    const bySite = await lead.analysis.run({ reviewId });
    const sites = [...new Set(bySite.inputs.map((s) => s.group ?? "Unspecified"))].sort();
    expect(bySite.result.subgroups!.groups.map((g) => g.name)).toEqual(sites);
  });

  it("lets only the lead change the settings, and writes nothing otherwise", async () => {
    const { version } = await callerFor(t.db, "lead").analysis.settings({ reviewId });
    const error = await rejection(callerFor(t.db, "reviewer1").analysis.updateSettings({ reviewId, patch: { model: "random" }, version }));
    expect(error.code).toBe("FORBIDDEN");
    expect(settingsAudit()).toEqual([]);
    expect((await callerFor(t.db, "lead").analysis.settings({ reviewId })).model).toBe("fixed");
  });

  it("refuses a stale version with who changed it, and bad values naming the field; nothing is written", async () => {
    const lead = callerFor(t.db, "lead");
    const { version } = await lead.analysis.settings({ reviewId });
    await lead.analysis.updateSettings({ reviewId, patch: { level: 0.9 }, version });
    const audited = settingsAudit().length;
    const stale = await rejection(lead.analysis.updateSettings({ reviewId, patch: { level: 0.99 }, version }));
    expect(stale.code).toBe("CONFLICT");
    expect(stale.message).toContain("Team lead (demo)");
    for (const [patch, message] of [
      [{ level: 1.5 }, "patch.level: must be below 1"],
      [{ timepoint: "day" }, "patch.day: is required when the time point is a given day"],
      [{ measure: "OR" }, "patch.measure"],
      [{ subgroupField: "password" }, "patch.subgroupField"],
    ] as const) {
      const bad = await rejection(lead.analysis.updateSettings({ reviewId, patch: patch as never, version: version + 1 }));
      expect(bad.code).toBe("BAD_REQUEST");
      expect(bad.message).toContain(message);
    }
    expect(settingsAudit()).toHaveLength(audited);
    expect((await lead.analysis.settings({ reviewId })).level).toBe(0.9);
  });

  it("refuses an outcome of another review", async () => {
    const admin = { id: userId(t.db, "admin"), displayName: "Administrator" };
    const other = createReview(t.db, admin, { title: "Review B" });
    const foreignOutcome = t.db.$client.prepare("insert into outcomes (review_id, name, created_at) values (?, 'Other', '2024-01-01') returning id").pluck().get(other.id) as number;
    const lead = callerFor(t.db, "lead");
    const { version } = await lead.analysis.settings({ reviewId });
    const error = await rejection(lead.analysis.updateSettings({ reviewId, patch: { outcomeId: foreignOutcome }, version }));
    expect(error.code).toBe("NOT_FOUND");
    expect((await lead.analysis.settings({ reviewId })).outcomeId).not.toBe(foreignOutcome);
  });

  it("tells open pages that the settings changed (the SSE subscription)", async () => {
    const lead = callerFor(t.db, "lead");
    const changes = (await callerFor(t.db, "reviewer1").analysis.changes({ reviewId })) as AsyncGenerator<{ entity: string; by: string }>;
    const next = changes.next();
    const { version } = await lead.analysis.settings({ reviewId });
    await lead.analysis.updateSettings({ reviewId, patch: { measure: "SMD" }, version });
    const change = await Promise.race([next, new Promise((_, reject) => setTimeout(() => reject(new Error("no change event within 1 s")), 1000))]);
    expect(change).toMatchObject({ value: { entity: "analysisSettings", by: "Team lead (demo)" } });
    await changes.return(undefined);
  });
});
