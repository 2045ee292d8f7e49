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

describe("study table procedures", () => {
  it("updates a cell, bumps its version and writes one audit row with old and new values", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const [study] = await r1.studies.list({ reviewId });
    const before = auditCount();
    const updated = await r1.studies.update({ reviewId, studyId: study!.id, field: "injuredSite", value: "T9", version: study!.version });
    expect(updated.injuredSite).toBe("T9");
    expect(updated.version).toBe(study!.version + 1);
    expect(auditCount()).toBe(before + 1);
    const [audit] = await r1.studies.history({ reviewId, studyId: study!.id });
    expect(audit).toMatchObject({ field: "injuredSite", oldValue: "T9–10", newValue: "T9", action: "update", userName: "Reviewer 1 (demo)" });
  });

  it.each([
    ["year", 1800, "Year: must be 1900 or later"],
    ["year", 2021.5, "Year: must be a whole year"],
    ["year", "2021", "Year: must be a number"],
    ["author", "   ", "Author: is required"],
    ["exosomeSource", "liver", "Source: must be one of"],
    ["doi", "not a doi", "DOI: must look like"],
    ["animalsTotal", 1, "Animals (total): must be at least 2"],
    ["possibleMechanism", "x".repeat(1001), "Possible mechanism: must be at most 1000 characters"],
  ] as const)("refuses %s with a bad value, with a message naming the field, writing nothing", async (field, value, message) => {
    const r1 = callerFor(t.db, "reviewer1");
    const [study] = await r1.studies.list({ reviewId });
    const before = auditCount();
    const error = await rejection(r1.studies.update({ reviewId, studyId: study!.id, field, value, version: study!.version }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toContain(message);
    const [after] = await r1.studies.list({ reviewId });
    expect(after).toEqual(study);
    expect(auditCount()).toBe(before);
  });

  it("stores text as given (no HTML interpretation happens server-side)", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const [study] = await r1.studies.list({ reviewId });
    const html = '<img src=x onerror="alert(1)">';
    const updated = await r1.studies.update({ reviewId, studyId: study!.id, field: "possibleMechanism", value: html, version: study!.version });
    expect(updated.possibleMechanism).toBe(html);
  });

  it("adds a study with a treated and a control arm, and deletes it with its outcome values in one transaction", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const created = await r1.studies.create({ reviewId, author: "Doe et al.", year: 2024, exosomeSource: "placenta" });
    expect(created.position).toBe(22);
    const [outcome] = await r1.measurements.outcomes({ reviewId });
    await r1.measurements.save({ reviewId, studyId: created.id, outcomeId: outcome!.id, armKind: "treated", day: 7, mean: 5, errorType: "SD", errorValue: 1.2, n: 8 });
    await r1.measurements.save({ reviewId, studyId: created.id, outcomeId: outcome!.id, armKind: "control", day: 7, mean: 4, errorType: "SEM", errorValue: 0.5, n: 8 });
    const detail = await r1.studies.get({ reviewId, studyId: created.id });
    expect(detail.timepoints).toHaveLength(1);
    expect(detail.timepoints[0]!.control?.conversion.sd).toBeCloseTo(0.5 * Math.sqrt(8), 12);
    await r1.studies.delete({ reviewId, studyId: created.id, version: created.version });
    expect(await r1.studies.list({ reviewId })).toHaveLength(21);
    expect(t.db.$client.prepare("select count(*) from arms where study_id = ?").pluck().get(created.id)).toBe(0);
    const history = await r1.studies.history({ reviewId, studyId: created.id });
    expect(history[0]).toMatchObject({ action: "delete" });
    expect(history[0]!.oldValue).toContain("Doe et al.");
  });

  it("shows a study's outcome values, even deleted ones, in its history", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const [study] = await r1.studies.list({ reviewId });
    const [outcome] = await r1.measurements.outcomes({ reviewId });
    const input = { reviewId, studyId: study!.id, outcomeId: outcome!.id, armKind: "control" as const, day: 60, errorType: "SD" as const, errorValue: 2, n: 9 };
    const created = await r1.measurements.save({ ...input, mean: 9 });
    const updated = await r1.measurements.save({ ...input, mean: 9.5, version: created.version });
    await r1.measurements.delete({ reviewId, measurementId: created.id, version: updated.version });
    const history = (await r1.studies.history({ reviewId, studyId: study!.id })).filter((h) => h.entity === "measurement");
    expect(history.map((h) => h.action)).toEqual(expect.arrayContaining(["create", "update", "delete"]));
    expect(history.find((h) => h.action === "update")).toMatchObject({ field: "mean", oldValue: "9", newValue: "9.5" });
    const other = await r1.studies.history({ reviewId, studyId: (await r1.studies.list({ reviewId }))[1]!.id });
    expect(other.some((h) => h.entityId === created.id && h.entity === "measurement")).toBe(false);
  });

  it("refuses values outside the outcome's scale and keeps implausible ones with a flag", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const [study] = await r1.studies.list({ reviewId });
    const [outcome] = await r1.measurements.outcomes({ reviewId });
    const base = { reviewId, studyId: study!.id, outcomeId: outcome!.id, armKind: "treated" as const, day: 100, errorType: "SD" as const, n: 10 };
    const outside = await rejection(r1.measurements.save({ ...base, mean: 22, errorValue: 1 }));
    expect(outside.code).toBe("BAD_REQUEST");
    expect(outside.message).toMatch(/^mean: 22 is outside the scale/);
    const negativeN = await rejection(r1.measurements.save({ ...base, mean: 5, errorValue: 1, n: 0 }));
    expect(negativeN.message).toMatch(/^n: /);
    const badError = await rejection(r1.measurements.save({ ...base, mean: 5, errorValue: -1 }));
    expect(badError.message).toMatch(/^errorValue: /);
    const notFinite = await rejection(r1.measurements.save({ ...base, mean: Number.POSITIVE_INFINITY, errorValue: 1 }));
    expect(notFinite.message).toMatch(/^mean: /);
    const ciMissing = await rejection(r1.measurements.save({ ...base, mean: 5, errorType: "CI95", ciLower: 4 }));
    expect(ciMissing.message).toMatch(/^ciUpper: /);
    // An SD of 0.2 on a 0-21 scale is more likely an SEM: kept, flagged.
    await r1.measurements.save({ ...base, mean: 5, errorValue: 0.2 });
    const detail = await r1.studies.get({ reviewId, studyId: study!.id });
    const saved = detail.timepoints.find((tp) => tp.day === 100)!.treated!;
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
    await r1.studies.update({ reviewId, studyId: study!.id, field: "injuredSite", value: "T8", version: study!.version });
    const error = await rejection(r2.studies.update({ reviewId, studyId: study!.id, field: "injuredSite", value: "T12", version: study!.version }));
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toContain("Reviewer 1 (demo)");
    const [after] = await r2.studies.list({ reviewId });
    expect(after!.injuredSite).toBe("T8");
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
    const detail = await r1.studies.get({ reviewId, studyId: study!.id });
    const tp = detail.timepoints[0]!;
    const m = tp.treated!;
    const input = { reviewId, studyId: study!.id, outcomeId: tp.outcomeId, armKind: "treated" as const, day: tp.day, errorType: m.errorType, errorValue: m.errorValue, ciLower: m.ciLower, ciUpper: m.ciUpper, n: m.n, version: m.version };
    await r1.measurements.save({ ...input, mean: 6 });
    const error = await rejection(r2.measurements.save({ ...input, mean: 7 }));
    expect(error.code).toBe("CONFLICT");
  });
});
