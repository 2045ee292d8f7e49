import { afterEach, describe, expect, it } from "vitest";
import { ensureSeeded } from "@/db/seed";
import { PRECLINICAL_DEMO_TITLE } from "@/db/seed/preclinical-demo";
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
    // The seed paper's review and the preclinical example review (issue 13), each once.
    expect(t.db.$client.prepare("select title from reviews order by id").pluck().all()).toEqual([
      "Stem cell-derived exosomes for acute spinal cord injury (demo)",
      PRECLINICAL_DEMO_TITLE,
    ]);
    t.close();
    t = await freshDb({ demo: false });
    expect(t.db.$client.prepare("select count(*) from reviews").pluck().get()).toBe(0);
    expect(t.db.$client.prepare("select username from users").pluck().all()).toEqual(["admin"]);
  });

  it("seeds the preclinical example review: invented, marked data showing every preclinical analysis", async () => {
    t = await freshDb();
    const id = t.db.$client.prepare("select id from reviews where title = ?").pluck().get(PRECLINICAL_DEMO_TITLE) as number;
    const lead = callerFor(t.db, "lead");
    expect((await lead.reviews.get({ reviewId: id })).role).toBe("lead");
    expect((await callerFor(t.db, "reviewer1").reviews.get({ reviewId: id })).role).toBe("reviewer");
    const studies = await lead.studies.list({ reviewId: id });
    expect(studies.every((s) => s.author.startsWith("Example ") && s.hasExampleData)).toBe(true);
    const values = t.db.$client.prepare("select count(*) as n, sum(is_example_data) as example from measurements m join arms a on a.id = m.arm_id join studies s on s.id = a.study_id where s.review_id = ?").get(id) as { n: number; example: number };
    expect(values.n).toBeGreaterThan(100);
    expect(values.example).toBe(values.n);
    // Its first saved analysis: NMD of every treated arm (several per study, shared controls split), stratified, with a meta-regression on dose.
    const run = await lead.analysis.run({ reviewId: id });
    expect(run.settings).toMatchObject({ measure: "NMD", strata: expect.arrayContaining(["rob:D7", "arm:dose"]), moderators: ["dose"] });
    expect(run.inputs.filter((r) => r.controlGroup !== null).length).toBeGreaterThanOrEqual(4);
    expect(run.inputs.some((r) => r.shamSource?.startsWith("sham arm"))).toBe(true);
    expect(run.inputs.some((r) => r.shamSource === "the outcome's normal value")).toBe(true);
    expect(run.excluded).toEqual([{ id: expect.stringMatching(/-/), reason: "no day with values of both this arm and its control (Vehicle)" }]);
    expect(run.labels[run.excluded[0]!.id]).toBe("Example H 2023 (500 µg)");
    expect(run.stratified!.stratifications).toHaveLength(3);
    expect(run.regression!.bubble!.points.length).toBe(run.result.metaRegression!.k);
    const course = await lead.analysis.timeCourse({ reviewId: id });
    expect(course.days.length).toBeGreaterThanOrEqual(5);
    const rob = await lead.analysis.riskOfBias({ reviewId: id });
    expect(rob.studiesFullyJudged).toBe(rob.studiesAnalysed);
    expect(rob.rows.find((r) => r.choice === "D7")!.k).toBeGreaterThan(0);
    // Lesion volume: lower is better.
    const lesion = (await lead.outcomes.list({ reviewId: id })).find((o) => o.name === "Lesion volume");
    expect(lesion).toMatchObject({ higherIsBetter: false });
  });

  it("adds the preclinical example to a demo seeded before it existed, once", async () => {
    t = await freshDb();
    t.db.$client.prepare("update reviews set title = 'Renamed example' where title = ?").run(PRECLINICAL_DEMO_TITLE);
    await ensureSeeded(t.db, () => undefined);
    await ensureSeeded(t.db, () => undefined);
    expect(t.db.$client.prepare("select count(*) from reviews where title = ?").pluck().get(PRECLINICAL_DEMO_TITLE)).toBe(1);
  });
});
