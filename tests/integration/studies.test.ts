import { TRPCError } from "@trpc/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { callerFor, demoReviewId, freshDb, type TestDb } from "../support/test-db";
import { rejection } from "../support/rejection";

let t: TestDb;
let reviewId: number;
beforeEach(async () => {
  t = await freshDb();
  reviewId = demoReviewId(t.db);
});
afterEach(() => t.close());

const auditCount = () => t.db.$client.prepare("select count(*) from audit_log").pluck().get() as number;

async function characteristicId(label: string): Promise<number> {
  const list = await callerFor(t.db, "lead").characteristics.list({ reviewId });
  return list.find((c) => c.label === label)!.id;
}

/** The treated and control arm ids of a study, and its first outcome. */
async function armsOf(studyId: number) {
  const detail = await callerFor(t.db, "lead").studies.get({ reviewId, studyId });
  return { treated: detail.arms.find((a) => a.kind === "treated")!.id, control: detail.arms.find((a) => a.kind === "control")!.id, outcomeId: detail.outcomes[0]!.id, detail };
}

describe("study table procedures", () => {
  it("updates a fixed field, bumps the version and writes one audit row with old and new values", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const [study] = await r1.studies.list({ reviewId });
    const before = auditCount();
    const updated = await r1.studies.update({ reviewId, studyId: study!.id, field: "strain", value: "Wistar", version: study!.version });
    expect(updated.strain).toBe("Wistar");
    expect(updated.version).toBe(study!.version + 1);
    expect(auditCount()).toBe(before + 1);
    const [audit] = await r1.studies.history({ reviewId, studyId: study!.id });
    expect(audit).toMatchObject({ field: "strain", oldValue: "", newValue: "Wistar", action: "update", userName: "Reviewer 1 (demo)" });
  });

  it("updates a characteristic's value through the same procedure, with the study's version and an audit row", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const [study] = await r1.studies.list({ reviewId });
    const site = await characteristicId("Injured site");
    const source = await characteristicId("Exosome source");
    expect(study!.characteristics[String(site)]).toBe("T9–10");
    const updated = await r1.studies.update({ reviewId, studyId: study!.id, field: `c:${site}`, value: "T9", version: study!.version });
    expect(updated.version).toBe(study!.version + 1);
    const after = await r1.studies.update({ reviewId, studyId: study!.id, field: `c:${source}`, value: "placenta", version: updated.version });
    const [row] = await r1.studies.list({ reviewId });
    expect(row!.characteristics).toMatchObject({ [String(site)]: "T9", [String(source)]: "placenta" });
    const history = await r1.studies.history({ reviewId, studyId: study!.id });
    expect(history[0]).toMatchObject({ field: `Exosome source (c:${source})`, oldValue: "adipose", newValue: "placenta" });
    expect(history[1]).toMatchObject({ field: `Injured site (c:${site})`, oldValue: "T9–10", newValue: "T9" });
    // Clearing a value removes it ("not reported").
    await r1.studies.update({ reviewId, studyId: study!.id, field: `c:${site}`, value: null, version: after.version });
    expect((await r1.studies.list({ reviewId }))[0]!.characteristics[String(site)]).toBeUndefined();
  });

  it.each([
    ["year", 1800, "Year must be 1900 or later"],
    ["year", 2021.5, "Year must be a whole year"],
    ["year", "2021", "Year must be a number"],
    ["author", "   ", "First author is required"],
    ["doi", "not a doi", "DOI must look like"],
    ["animalsTotal", 1, "Animals (total) must be at least 2"],
    ["animalsTotal", 1_000_000, "Animals (total) must be at most 100 000"],
    ["notes", "x".repeat(5001), "Notes must be at most 5000 characters"],
    ["exosomeSource", "bone_marrow", 'Column "exosomeSource" is not a study field or characteristic'],
  ] as const)("refuses a bad %s with a message naming the field, writing nothing", async (field, value, message) => {
    const r1 = callerFor(t.db, "reviewer1");
    const [study] = await r1.studies.list({ reviewId });
    const before = auditCount();
    const error = await rejection(r1.studies.update({ reviewId, studyId: study!.id, field, value, version: study!.version }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toContain(message);
    expect((await r1.studies.list({ reviewId }))[0]).toEqual(study);
    expect(auditCount()).toBe(before);
  });

  it("checks a characteristic's value against its type and choices", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const [study] = await r1.studies.list({ reviewId });
    const source = await characteristicId("Exosome source");
    const error = await rejection(r1.studies.update({ reviewId, studyId: study!.id, field: `c:${source}`, value: "liver", version: study!.version }));
    expect(error.message).toBe("Exosome source must be one of Bone marrow, Adipose, Umbilical cord, Placenta, Other");
    const missing = await rejection(r1.studies.update({ reviewId, studyId: study!.id, field: "c:999999", value: "x", version: study!.version }));
    expect(missing.code).toBe("NOT_FOUND");
  });

  it("stores text as given (no HTML interpretation happens server-side)", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const [study] = await r1.studies.list({ reviewId });
    const mechanism = await characteristicId("Possible mechanism");
    const html = '<img src=x onerror="alert(1)">';
    await r1.studies.update({ reviewId, studyId: study!.id, field: `c:${mechanism}`, value: html, version: study!.version });
    expect((await r1.studies.list({ reviewId }))[0]!.characteristics[String(mechanism)]).toBe(html);
  });

  it("adds a study with a treated and a control arm and lets a reviewer remove it while it holds nothing", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const created = await r1.studies.create({ reviewId, author: "Doe et al.", year: 2024, title: "A title", doi: "10.1000/xyz" });
    expect(created).toMatchObject({ position: 22, title: "A title", doi: "10.1000/xyz" });
    const { detail } = await armsOf(created.id);
    expect(detail.arms.map((a) => a.kind)).toEqual(["treated", "control"]);
    await r1.studies.delete({ reviewId, studyId: created.id, version: created.version });
    expect(await r1.studies.list({ reviewId })).toHaveLength(21);
    expect((await rejection(r1.studies.get({ reviewId, studyId: created.id }))).code).toBe("NOT_FOUND");
    const history = await r1.studies.history({ reviewId, studyId: created.id });
    expect(history[0]).toMatchObject({ action: "delete" });
    expect(history[0]!.oldValue).toContain("Doe et al.");
  });

  it("refuses a reviewer who removes a study holding outcome values or judgments; the lead removes it, recoverably", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const lead = callerFor(t.db, "lead");
    const studies = await r1.studies.list({ reviewId });
    const study = studies[0]!;
    const refused = await rejection(r1.studies.delete({ reviewId, studyId: study.id, version: study.version }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toMatch(/Only the lead can remove Afsartala 2023: it holds 4 outcome values, 20 risk-of-bias judgments/);
    expect(await r1.studies.list({ reviewId })).toHaveLength(21);

    const auditBefore = auditCount();
    await lead.studies.delete({ reviewId, studyId: study.id, version: study.version });
    expect(auditCount()).toBe(auditBefore + 1);
    expect(await lead.studies.list({ reviewId })).toHaveLength(20);
    expect((await lead.analysis.run({ reviewId })).result.k).toBe(20);
    const removedRow = t.db.$client.prepare("select old_value from audit_log where entity = 'study' and entity_id = ? and action = 'delete'").pluck().get(study.id) as string;
    const removed = JSON.parse(removedRow) as { study: { author: string }; measurements: unknown[]; judgments: unknown[]; characteristics: unknown[] };
    expect(removed.study.author).toBe("Afsartala et al.");
    expect(removed.measurements).toHaveLength(4);
    expect(removed.judgments).toHaveLength(20);
    expect(removed.characteristics.length).toBeGreaterThan(0);

    const [listed] = await r1.studies.removed({ reviewId });
    expect(listed).toMatchObject({ id: study.id, label: "Afsartala 2023", removedBy: "Team lead (demo)", outcomeValues: 4 });
    expect((await rejection(r1.studies.restore({ reviewId, studyId: study.id }))).code).toBe("FORBIDDEN");
    await lead.studies.restore({ reviewId, studyId: study.id });
    expect(await lead.studies.list({ reviewId })).toHaveLength(21);
    expect((await lead.analysis.run({ reviewId })).result.k).toBe(21);
    expect((await armsOf(study.id)).detail.timepoints).toHaveLength(2);
    expect(await r1.studies.removed({ reviewId })).toEqual([]);
  });
});

describe("outcome values", () => {
  it("saves by arm, converts SEM to SD, and deletes one value or a whole time point, restorable from history", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const created = await r1.studies.create({ reviewId, author: "Doe et al.", year: 2024 });
    const { treated, control, outcomeId } = await armsOf(created.id);
    const a = await r1.measurements.save({ reviewId, studyId: created.id, outcomeId, armId: treated, day: 7, mean: 5, errorType: "SD", errorValue: 1.2, n: 8 });
    const b = await r1.measurements.save({ reviewId, studyId: created.id, outcomeId, armId: control, day: 7, mean: 4, errorType: "SEM", errorValue: 0.5, n: 8 });
    let detail = await r1.studies.get({ reviewId, studyId: created.id });
    expect(detail.timepoints).toHaveLength(1);
    expect(detail.timepoints[0]!.values[String(control)]!.conversion.sd).toBeCloseTo(0.5 * Math.sqrt(8), 12);

    await r1.measurements.delete({ reviewId, studyId: created.id, values: [{ measurementId: a.id, version: a.version }] });
    detail = await r1.studies.get({ reviewId, studyId: created.id });
    expect(Object.keys(detail.timepoints[0]!.values)).toEqual([String(control)]);
    await r1.measurements.restore({ reviewId, measurementId: a.id });
    detail = await r1.studies.get({ reviewId, studyId: created.id });
    expect(detail.timepoints[0]!.values[String(treated)]).toMatchObject({ id: a.id, mean: 5, errorValue: 1.2, n: 8 });
    expect((await rejection(r1.measurements.restore({ reviewId, measurementId: a.id }))).code).toBe("CONFLICT");

    const restored = detail.timepoints[0]!.values[String(treated)]!;
    await r1.measurements.delete({
      reviewId,
      studyId: created.id,
      values: [
        { measurementId: restored.id, version: restored.version },
        { measurementId: b.id, version: b.version },
      ],
    });
    expect((await r1.studies.get({ reviewId, studyId: created.id })).timepoints).toEqual([]);
    const history = (await r1.studies.history({ reviewId, studyId: created.id })).filter((h) => h.entity === "measurement");
    expect(history.filter((h) => h.action === "delete")).toHaveLength(3);
  });

  it("deletes a time point all or nothing: a stale version leaves every value in place", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const [study] = await r1.studies.list({ reviewId });
    const { detail, treated, control } = await armsOf(study!.id);
    const tp = detail.timepoints[0]!;
    const t1 = tp.values[String(treated)]!;
    const c1 = tp.values[String(control)]!;
    const error = await rejection(
      r1.measurements.delete({
        reviewId,
        studyId: study!.id,
        values: [
          { measurementId: t1.id, version: t1.version },
          { measurementId: c1.id, version: c1.version + 5 },
        ],
      }),
    );
    expect(error.code).toBe("CONFLICT");
    expect(Object.keys((await armsOf(study!.id)).detail.timepoints[0]!.values)).toHaveLength(2);
  });

  it("refuses an arm of another study", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const [first, second] = await r1.studies.list({ reviewId });
    const { treated, outcomeId } = await armsOf(second!.id);
    const error = await rejection(r1.measurements.save({ reviewId, studyId: first!.id, outcomeId, armId: treated, day: 3, mean: 1, errorType: "SD", errorValue: 1, n: 5 }));
    expect(error.code).toBe("NOT_FOUND");
  });

  it("refuses values outside the outcome's scale with human messages and keeps implausible ones with a flag", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const [study] = await r1.studies.list({ reviewId });
    const { treated, outcomeId } = await armsOf(study!.id);
    const base = { reviewId, studyId: study!.id, outcomeId, armId: treated, day: 100, errorType: "SD" as const, n: 10 };
    const outside = await rejection(r1.measurements.save({ ...base, mean: 22, errorValue: 1 }));
    expect(outside).toMatchObject({ code: "BAD_REQUEST", message: "Mean 22 is outside the scale (BBB locomotor score runs from 0 to 21)." });
    expect((await rejection(r1.measurements.save({ ...base, mean: 5, errorValue: 1, n: 0 }))).message).toBe("n must be at least 1");
    expect((await rejection(r1.measurements.save({ ...base, mean: 5, errorValue: 1, n: 1_000_000 }))).message).toBe("n must be at most 100 000");
    expect((await rejection(r1.measurements.save({ ...base, mean: 5, errorValue: -1 }))).message).toBe("SD or SEM must be 0 or more");
    expect((await rejection(r1.measurements.save({ ...base, mean: Number.POSITIVE_INFINITY, errorValue: 1 }))).message).toBe("Mean must be a number");
    expect((await rejection(r1.measurements.save({ ...base, mean: 5, errorType: "CI95", ciLower: 4 }))).message).toBe("Upper 95% CI bound is required for a 95% CI");
    // An SD of 0.2 on a 0-21 scale is more likely an SEM: kept, flagged.
    await r1.measurements.save({ ...base, mean: 5, errorValue: 0.2 });
    const saved = (await armsOf(study!.id)).detail.timepoints.find((tp) => tp.day === 100)!.values[String(treated)]!;
    expect(saved.errorValue).toBe(0.2);
    expect(saved.flags[0]?.message).toMatch(/is it an SEM/);
  });

  it("flags treated and control n that exceed the study's animals", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const [study] = await r1.studies.list({ reviewId });
    await r1.studies.update({ reviewId, studyId: study!.id, field: "animalsTotal", value: 10, version: study!.version });
    const detail = await r1.studies.get({ reviewId, studyId: study!.id });
    expect(detail.timepoints.every((tp) => tp.totalFlag?.message.includes("exceeds the study's 10 animals"))).toBe(true);
  });
});

describe("concurrent edits", () => {
  it("refuses a stale version with CONFLICT, naming who changed it, and leaves the row unchanged", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const r2 = callerFor(t.db, "reviewer2");
    const [study] = await r1.studies.list({ reviewId });
    const site = await characteristicId("Injured site");
    await r1.studies.update({ reviewId, studyId: study!.id, field: `c:${site}`, value: "T8", version: study!.version });
    const error = await rejection(r2.studies.update({ reviewId, studyId: study!.id, field: `c:${site}`, value: "T12", version: study!.version }));
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toContain("Reviewer 1 (demo)");
    expect((await r2.studies.list({ reviewId }))[0]!.characteristics[String(site)]).toBe("T8");
  });

  it("lets exactly one of two parallel updates from the same version win", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const r2 = callerFor(t.db, "reviewer2");
    const [study] = await r1.studies.list({ reviewId });
    const results = await Promise.allSettled([
      r1.studies.update({ reviewId, studyId: study!.id, field: "strain", value: "Sprague-Dawley", version: study!.version }),
      r2.studies.update({ reviewId, studyId: study!.id, field: "strain", value: "Wistar", version: study!.version }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((rejected.reason as TRPCError).code).toBe("CONFLICT");
  });

  it("detects a stale outcome value the same way", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const r2 = callerFor(t.db, "reviewer2");
    const [study] = await r1.studies.list({ reviewId });
    const { detail, treated } = await armsOf(study!.id);
    const tp = detail.timepoints[0]!;
    const m = tp.values[String(treated)]!;
    const input = { reviewId, studyId: study!.id, outcomeId: tp.outcomeId, armId: treated, day: tp.day, errorType: m.errorType, errorValue: m.errorValue, ciLower: m.ciLower, ciUpper: m.ciUpper, n: m.n, version: m.version };
    await r1.measurements.save({ ...input, mean: 6 });
    const error = await rejection(r2.measurements.save({ ...input, mean: 7 }));
    expect(error.code).toBe("CONFLICT");
  });
});
