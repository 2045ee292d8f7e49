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
    const definitions = await lead.characteristics.list({ reviewId });
    const id = (label: string) => String(definitions.find((d) => d.label === label)!.id);
    expect(definitions.map((d) => d.label)).toEqual(["Exosome source", "Source (as printed)", "Injured site", "Possible mechanism", "Reference", "Isolation method", "Injury device", "Injury severity"]);
    // Table 1 in the paper's column order, every field exactly as printed.
    expect(review.table1Columns.map((key) => (key.startsWith("c:") ? definitions.find((d) => `c:${d.id}` === key)!.label : key))).toEqual([
      "Exosome source",
      "Source (as printed)",
      "administrationRoute",
      "Injured site",
      "modelInduction",
      "Possible mechanism",
      "Reference",
    ]);
    studies.forEach((s, i) => {
      const printed = table1[i]!;
      expect(s).toMatchObject({ position: printed.position, author: printed.author, year: printed.year, doi: printed.doi, administrationRoute: "Tail vein injection", modelInduction: "Contusion", species: "Rat" });
      expect(s.characteristics).toMatchObject({
        [id("Exosome source")]: printed.exosomeSource,
        [id("Source (as printed)")]: printed.exosomeSourceDetail,
        [id("Injured site")]: printed.injuredSite,
        [id("Possible mechanism")]: printed.possibleMechanism,
        [id("Reference")]: printed.reference,
      });
      expect(s.hasExampleData).toBe(true);
      expect(s.outcomeValues).toBe(4);
    });
    expect(studies.filter((s) => s.characteristics[id("Exosome source")] === "bone_marrow")).toHaveLength(12);
    expect(studies.filter((s) => s.characteristics[id("Exosome source")] === "umbilical_cord")).toHaveLength(5);
    expect(studies.find((s) => s.position === 7)?.characteristics[id("Possible mechanism")]).toBe("Reducing inflammation in spinal cord injury by regulating the TLR4/NK-κB signaling pathway");
    const [outcome] = await lead.outcomes.list({ reviewId });
    expect(outcome).toMatchObject({ name: "BBB locomotor score", scaleMin: 0, scaleMax: 21, higherIsBetter: true, normalValue: 21 });
  });

  it("gives the demo's pooled fixed-effect MD near the paper's 1.26 (first) and 1.56 (last)", async () => {
    t = await freshDb();
    const overview = await callerFor(t.db, "lead").reviews.overview({ reviewId: demoReviewId(t.db) });
    if (!overview.pooled) throw new Error("the demo has an outcome");
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
