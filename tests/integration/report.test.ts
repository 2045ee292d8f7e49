import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { prismaCsv, prismaFromStored, prismaSvg } from "@/server/report/prisma";
import { createReview, setMember } from "@/server/services/reviews";
import { renderReportPdf } from "@/server/services/report-pdf";
import { resetEnvForTests } from "@/lib/env";
import { AppError } from "@/server/errors";
import { importRecords, ref } from "../support/screening";
import { callerFor, demoReviewId, freshDb, userId, type TestDb } from "../support/test-db";
import { rejection } from "../support/rejection";

/**
 * The report's service (issue 11) through its procedure: every number is the analysis page's (`analysis.run` with the
 * saved settings), PRISMA comes from the review's counts, the hash follows the data, and nothing prints NaN.
 */
let t: TestDb;
let reviewId: number;
beforeEach(async () => {
  t = await freshDb();
  reviewId = demoReviewId(t.db);
});
afterEach(() => t.close());

const admin = () => ({ id: userId(t.db, "admin"), displayName: "Administrator" });
const noBadNumbers = (value: unknown) => expect(JSON.stringify(value, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? `BAD:${v}` : v))).not.toMatch(/BAD:|NaN|Infinity|"undefined"/);

describe("the review report", () => {
  it("reports the demo: each saved analysis exactly as the analysis page runs it, Table 1, risk of bias, provenance", async () => {
    const lead = callerFor(t.db, "lead");
    const report = await lead.report.get({ reviewId });
    expect(report.sections).toEqual(["title", "question", "prisma", "methods", "table1", "results", "rob", "provenance"]);
    const saved = await lead.analyses.list({ reviewId });
    expect(report.analyses.map((a) => a.number)).toEqual(["1.1", "1.2", "1.3"]);
    for (const [i, a] of report.analyses.entries()) {
      const page = await lead.analysis.run({ reviewId, settings: saved[i]!.settings });
      expect(a.run.result).toEqual(page.result);
      expect(a.run.inputs).toEqual(page.inputs);
    }
    expect(report.table1.rows).toHaveLength(21);
    expect(report.team.leads.length).toBeGreaterThan(0);
    expect(report.team.reviewers).toHaveLength(2);
    expect(report.rob?.figure.studies).toHaveLength(21);
    expect(report.rob?.agreement.domains).toHaveLength(10);
    expect(report.provenance?.exampleValues).toBeGreaterThan(0);
    expect(report.dataHash).toMatch(/^[0-9a-f]{12}$/);
    expect(report.dataTimestamp).toBeTruthy();
    noBadNumbers({ ...report, analyses: report.analyses.map((a) => ({ ...a, run: { ...a.run, result: { ...a.run.result, leaveOneOut: [] } } })) });
  });

  it("draws PRISMA from the seed paper's counts: 276 → 217 → 45 → 21, all 21 in the meta-analysis", async () => {
    const { prisma } = await callerFor(t.db, "reviewer1").report.get({ reviewId, sections: ["prisma"] });
    expect(prisma.flow).toMatchObject({ source: "stored", identified: 276, duplicatesRemoved: 59, screened: 217, screenedExcluded: 172, assessed: 45, reportsExcluded: 24, studiesIncluded: 21, inMetaAnalysis: 21 });
    for (const n of [276, 59, 217, 172, 45, 24, 21]) expect(prisma.svg).toContain(`n = ${n}`);
    expect(prisma.svg).not.toMatch(/NaN|undefined|Infinity/);
  });

  it("counts PRISMA from screening once a search is imported here, and says that screening is unfinished", async () => {
    const records = Array.from({ length: 6 }, (_, i) => ref({ title: `Exosomes after spinal cord injury ${i}`, authors: [`Author${i}, A`], year: 2020 + i, doi: `10.5555/report.${i}` }));
    await importRecords(callerFor(t.db, "reviewer1"), reviewId, records, "Embase");
    const lead = callerFor(t.db, "lead");
    const counts = await lead.screening.prisma({ reviewId });
    const report = await lead.report.get({ reviewId, sections: ["prisma", "methods"] });
    expect(report.prisma.flow).toMatchObject({ source: "screening", identified: counts.identified.total, bySource: [{ source: "Embase", records: 6 }], screened: counts.screened, studiesIncluded: counts.studiesIncluded });
    expect(report.prisma.flow.notes.join(" ")).toMatch(/Screening is not finished: 6 records await a title\/abstract decision/);
    expect(report.prisma.svg).toContain("Embase (n = 6)");
    expect(report.screening?.searches).toEqual([expect.objectContaining({ source: "Embase", records: 6 })]);
    const csv = await lead.dataIo.download({ reviewId, file: "prisma.csv" });
    expect(csv.content).toContain("database_specific_results,NA,box2,Databases,Databases,Databases,NA,\"Embase, 6\"");
  });

  it("downloads the diagram alone as SVG and as the PRISMA2020 package's CSV", async () => {
    const viewer = callerFor(t.db, "reviewer2");
    const svg = await viewer.dataIo.download({ reviewId, file: "prisma.svg" });
    expect(svg.contentType).toContain("image/svg+xml");
    expect(svg.content).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const csv = await viewer.dataIo.download({ reviewId, file: "prisma.csv" });
    const lines = csv.content.trim().split("\n");
    expect(lines[0]).toBe("data,node,box,description,boxtext,tooltips,url,n");
    const n = (data: string) => lines.find((l) => l.startsWith(`${data},`))?.split(",").at(-1);
    expect([n("database_results"), n("duplicates"), n("records_screened"), n("records_excluded"), n("dbr_assessed"), n("new_studies")]).toEqual(["276", "59", "217", "172", "45", "21"]);
    expect(lines.find((l) => l.startsWith("dbr_excluded,"))).toContain('"Reasons not recorded, 24"');
  });

  it("draws the records per source, reports not retrieved and full-text exclusions by reason the lead enters, which must add up", async () => {
    const lead = callerFor(t.db, "lead");
    const { review } = await lead.reviews.get({ reviewId });
    // 276 identified in five databases; of 45 full texts sought, 2 not retrieved, so 43 assessed, 21 included, 22 excluded.
    const sources = [
      { source: "PubMed", records: 101 },
      { source: "Embase", records: 80 },
      { source: "Web of Science", records: 60 },
      { source: "Cochrane Library", records: 20 },
      { source: "CNKI", records: 15 },
    ];
    const reasons = [
      { reason: "Not a contusion model", reports: 9 },
      { reason: "No control group", reports: 7 },
      { reason: "BBB not reported", reports: 6 },
    ];
    const badSources = await rejection(lead.reviews.update({ reviewId, patch: { prismaSources: sources.slice(1) }, version: review.version }));
    expect([badSources.code, badSources.message]).toEqual(["BAD_REQUEST", "Records per source add up to 175, but Records identified is 276."]);
    const badReasons = await rejection(lead.reviews.update({ reviewId, patch: { prismaExclusionReasons: reasons }, version: review.version }));
    expect(badReasons.message).toBe("Full texts excluded, with reasons add up to 22, but 45 full texts assessed less 21 studies included is 24.");
    const backwards = await rejection(lead.reviews.update({ reviewId, patch: { prismaIncluded: 50 }, version: review.version }));
    expect(backwards.message).toBe("Studies included (50) cannot exceed Full texts assessed (45).");
    const negative = await rejection(lead.reviews.update({ reviewId, patch: { prismaExclusionReasons: [{ reason: "x", reports: -1 }] }, version: review.version }));
    expect(negative.message).toMatch(/Reports must be 0 or more/);
    expect((await lead.reviews.get({ reviewId })).review.version).toBe(review.version);

    await lead.reviews.update({ reviewId, patch: { prismaSources: sources, prismaNotRetrieved: 2, prismaFullText: 43, prismaExclusionReasons: reasons }, version: review.version });
    const { prisma } = await lead.report.get({ reviewId, sections: ["prisma"] });
    expect(prisma.flow).toMatchObject({ identified: 276, bySource: sources, screened: 217, screenedExcluded: 172, sought: 45, notRetrieved: 2, assessed: 43, reportsExcluded: 22, studiesIncluded: 21 });
    expect(prisma.flow.exclusionReasons).toEqual(reasons.map((r) => ({ reason: r.reason, count: r.reports })));
    expect(prisma.flow.notes.join(" ")).not.toMatch(/Not recorded/);
    for (const text of ["PubMed (n = 101)", "CNKI (n = 15)", "Reports not retrieved (n = 2)", "Not a contusion model (n = 9)", "BBB not reported (n = 6)"]) expect(prisma.svg).toContain(text);
    const csv = (await lead.dataIo.download({ reviewId, file: "prisma.csv" })).content;
    expect(csv).toContain('"Not a contusion model, 9; No control group, 7; BBB not reported, 6"');
    // The whole-review archive carries them to another install.
    const archive = JSON.parse((await lead.dataIo.download({ reviewId, file: "review.json" })).content) as { review: Record<string, unknown> };
    expect(archive.review).toMatchObject({ prismaSources: sources, prismaNotRetrieved: 2, prismaExclusionReasons: reasons });
  });

  it("keeps the hash while the data stay the same, and changes it with the data", async () => {
    const lead = callerFor(t.db, "lead");
    const before = await lead.report.get({ reviewId, sections: ["title"] });
    expect((await lead.report.get({ reviewId, sections: ["title"] })).dataHash).toBe(before.dataHash);
    const { review } = await lead.reviews.get({ reviewId });
    await lead.reviews.update({ reviewId, patch: { question: `${review.question} (revised)` }, version: review.version });
    const after = await lead.report.get({ reviewId, sections: ["title"] });
    expect(after.dataHash).not.toBe(before.dataHash);
    expect(after.dataTimestamp >= before.dataTimestamp).toBe(true);
  });

  it("prints only the sections and analyses asked for", async () => {
    const lead = callerFor(t.db, "lead");
    const saved = await lead.analyses.list({ reviewId });
    const report = await lead.report.get({ reviewId, sections: ["results", "prisma"], analyses: [saved[1]!.id] });
    expect(report.sections).toEqual(["prisma", "results"]);
    expect(report.analyses.map((a) => a.number)).toEqual(["1.2"]);
    expect(report.rob).toBeNull();
    expect(report.provenance).toBeNull();
    expect(report.allAnalyses).toHaveLength(3);
  });

  it("reports an empty review without NaN: no analysis, no PRISMA counts, nothing judged", async () => {
    const empty = createReview(t.db, admin(), { title: "Nothing yet" });
    const report = await callerFor(t.db, "admin").report.get({ reviewId: empty.id });
    expect(report.analyses).toEqual([]);
    expect(report.table1.rows).toEqual([]);
    expect(report.prisma.flow.source).toBe("none");
    expect(report.prisma.svg).toContain("n = not reported");
    expect(report.rob?.figure.studies).toEqual([]);
    noBadNumbers(report);
  });

  it("is for members only: a viewer reads it, a non-member gets FORBIDDEN, anonymous UNAUTHORIZED", async () => {
    const other = createReview(t.db, admin(), { title: "Someone else's review" });
    setMember(t.db, admin(), other.id, "reviewer1", "viewer");
    expect((await callerFor(t.db, "reviewer1").report.get({ reviewId: other.id, sections: ["title"] })).review.title).toBe("Someone else's review");
    expect((await rejection(callerFor(t.db, "lead").report.get({ reviewId: other.id }))).code).toBe("FORBIDDEN");
    expect((await rejection(callerFor(t.db, null).report.get({ reviewId }))).code).toBe("UNAUTHORIZED");
  });
});

describe("PRISMA 2020 from stored counts", () => {
  it("leaves a count it cannot derive as not reported, never negative or NaN", () => {
    const flow = prismaFromStored({ prismaIdentified: 10, prismaAfterDuplicates: 12, prismaFullText: null, prismaIncluded: 3 }, null);
    expect(flow.duplicatesRemoved).toBeNull();
    expect(flow.screenedExcluded).toBeNull();
    expect(prismaSvg(flow)).not.toMatch(/NaN|undefined|n = -/);
    expect(prismaCsv(flow)).toContain("dbr_excluded,node14,box9,Reports excluded,Reports excluded,Reports excluded,NA,\n");
  });
});

describe("server PDF", () => {
  it("explains, without starting anything, when the server has no Chromium", async () => {
    process.env.CHROMIUM_PATH = "/nonexistent/chromium";
    resetEnvForTests();
    try {
      const error = await renderReportPdf({ reviewId, query: "", sessionToken: "x", paper: "a4" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).kind).toBe("unavailable");
      expect((error as AppError).message).toContain("print the report from your browser");
    } finally {
      delete process.env.CHROMIUM_PATH;
      resetEnvForTests();
    }
  });
});
