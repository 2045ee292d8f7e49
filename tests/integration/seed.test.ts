import { afterEach, describe, expect, it } from "vitest";
import { ensureSeeded } from "@/db/seed";
import { table1 } from "@/db/seed/table1";
import { callerFor, demoReviewId, freshDb, type TestDb } from "../support/test-db";

let t: TestDb | undefined;
afterEach(() => t?.close());

describe("a fresh database", () => {
  it("migrates and seeds the demo review from nothing", async () => {
    t = await freshDb();
    const tables = t.db.$client.prepare("select name from sqlite_master where type = 'table'").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(["reviews", "studies", "measurements", "audit_log", "rob_judgments", "__drizzle_migrations"]));
    const lead = callerFor(t.db, "lead");
    const reviewId = demoReviewId(t.db);
    const { review } = await lead.reviews.get({ reviewId });
    expect([review.prismaIdentified, review.prismaAfterDuplicates, review.prismaFullText, review.prismaIncluded]).toEqual([276, 217, 45, 21]);
    const studies = await lead.studies.list({ reviewId });
    expect(studies).toHaveLength(21);
    // Every Table 1 field exactly as printed, in the paper's order.
    studies.forEach((s, i) => {
      const printed = table1[i]!;
      expect({ ...s, position: s.position }).toMatchObject({
        position: printed.position,
        author: printed.author,
        year: printed.year,
        exosomeSourceDetail: printed.exosomeSourceDetail,
        administrationRoute: "Tail vein injection",
        injuredSite: printed.injuredSite,
        modelingMethod: "Contusion",
        possibleMechanism: printed.possibleMechanism,
      });
      expect(s.hasExampleData).toBe(true);
      expect(s.outcomeValues).toBe(4);
    });
    expect(studies.filter((s) => s.exosomeSource === "bone_marrow")).toHaveLength(12);
    expect(studies.filter((s) => s.exosomeSource === "umbilical_cord")).toHaveLength(5);
    expect(studies.find((s) => s.position === 7)?.possibleMechanism).toBe("Reducing inflammation in spinal cord injury by regulating the TLR4/NK-κB signaling pathway");
  });

  it("gives the demo's pooled fixed-effect MD near the paper's 1.26 (first) and 1.56 (last)", async () => {
    t = await freshDb();
    const overview = await callerFor(t.db, "lead").reviews.overview({ reviewId: demoReviewId(t.db) });
    expect(overview.pooled.first.result.k).toBe(21);
    expect(overview.pooled.last.result.k).toBe(21);
    expect(overview.pooled.first.result.pooled?.estimate).toBeCloseTo(1.26, 1);
    expect(overview.pooled.last.result.pooled?.estimate).toBeCloseTo(1.56, 1);
    expect(overview.pooled.first.inputs.every((s) => s.isExampleData)).toBe(true);
    // The rats: 235 treated and 229 control at the first assessment, as in the paper.
    expect(overview.pooled.first.inputs.reduce((n, s) => n + (s.n1 ?? 0), 0)).toBe(235);
    expect(overview.pooled.first.inputs.reduce((n, s) => n + (s.n2 ?? 0), 0)).toBe(229);
  });

  it("seeds idempotently and leaves the demo out when DEMO=off", async () => {
    t = await freshDb();
    await ensureSeeded(t.db, () => undefined);
    expect(t.db.$client.prepare("select count(*) from reviews").pluck().get()).toBe(1);
    t.close();
    t = await freshDb({ demo: false });
    expect(t.db.$client.prepare("select count(*) from reviews").pluck().get()).toBe(0);
    expect(t.db.$client.prepare("select username from users").pluck().all()).toEqual(["admin"]);
  });
});
