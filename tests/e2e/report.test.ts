import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fmt } from "@/app/_lib/format";
import { readE2eDb } from "./e2e-db";
import { expectedAnalysis, savedAnalyses } from "./expected-analysis";
import { ARTIFACTS, BASE_URL, PHONE, demoReviewId, launchBrowser, newContext, pageScrollWidth, screenshot, signIn, signedInPage, signedInPageSized } from "./support";

/**
 * Issue 11, the printable report, against the built app (scripts/e2e.mjs): printed to PDF by the browser (page.pdf, as
 * the browser's Print does) and by the server's "Download PDF" route, in A4 and US Letter; read back with poppler's
 * pdftotext / pdfinfo, and every page kept as a PNG (pdftoppm) in test-results/e2e. The expected pooled estimates are
 * computed here with the analysis module from the stored values (./expected-analysis.ts), not read from the page.
 */

let browser: Browser;
let lead: Page;
let leadContext: BrowserContext;
let reviewId: number;

const HEADINGS = ["Question and eligibility", "PRISMA 2020 flow diagram", "Methods", "Table 1. Characteristics of included studies", "Results", "Risk of bias", "Data provenance"];
/** Page sizes in PostScript points. */
const PAPER = { a4: { width: 595.28, height: 841.89 }, letter: { width: 612, height: 792 } } as const;

const oneLine = (text: string) => text.replace(/\s+/g, " ");
const pdfText = (file: string) => oneLine(execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" }));

/** Every page's size (pdfinfo prints "Page    3 size: 595.276 x 841.89 pts (A4)"). */
function pageSizes(file: string): { width: number; height: number }[] {
  const info = execFileSync("pdfinfo", ["-f", "1", "-l", "9999", file], { encoding: "utf8" });
  return [...info.matchAll(/Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/g)].map((m) => ({ width: Number(m[1]), height: Number(m[2]) }));
}

/** One PNG per page, kept as test artifacts (looked at by a person: clipping, empty pages, overlaps). */
const savePngs = (file: string, name: string) => execFileSync("pdftoppm", ["-r", "60", "-png", file, join(ARTIFACTS, name)]);

function expectPaper(file: string, paper: keyof typeof PAPER, minPages = 4) {
  const sizes = pageSizes(file);
  expect(sizes.length).toBeGreaterThanOrEqual(minPages);
  for (const size of sizes) {
    expect(size.width).toBeLessThanOrEqual(PAPER[paper].width + 1);
    expect(Math.abs(size.height - PAPER[paper].height)).toBeLessThan(1.5);
  }
  return sizes.length;
}

const expectNoBadNumbers = (text: string) => expect(text).not.toMatch(/NaN|Infinity|undefined/);

async function openReport(page: Page, id: number, query = "") {
  const response = await page.goto(`/reviews/${id}/report${query}`);
  await page.locator('html[data-report-ready="1"]').waitFor({ timeout: 60_000 });
  return response;
}

/** What the demo's PDF must say: headings, all first authors, PRISMA counts, each analysis's pooled estimate. */
function expectDemoContent(text: string) {
  for (const heading of HEADINGS) expect(text).toContain(heading);
  const authors = readE2eDb((db) => db.prepare("select author from studies where review_id = ? and deleted_at is null order by position").pluck().all(reviewId) as string[]);
  expect(authors).toHaveLength(21);
  for (const author of authors) expect(text).toContain(author.replace(/\s+et al\.?$/, ""));
  for (const n of [276, 217, 45, 21]) expect(text).toContain(`n = ${n}`);
  for (const [i, saved] of savedAnalyses(reviewId).entries()) {
    const expected = expectedAnalysis(reviewId, saved.settings);
    const pooled = expected.pooled!;
    expect(text).toContain(`Analysis 1.${i + 1}`);
    expect(text).toContain(`${saved.settings.measure} ${fmt(pooled.estimate)}, 95% CI ${fmt(pooled.ciLower)} to ${fmt(pooled.ciUpper)}`);
  }
  expectNoBadNumbers(text);
}

/** A tRPC call over HTTP with a page's session. */
async function trpc<T>(page: Page, path: string, input: unknown): Promise<T> {
  const response = await page.request.post(`/api/trpc/${path}`, { data: { json: input }, headers: { "content-type": "application/json" } });
  const body = (await response.json()) as { result?: { data: { json: T } }; error?: { json: { message: string } } };
  if (!body.result) throw new Error(`${path}: ${body.error?.json.message ?? response.status()}`);
  return body.result.data.json;
}

beforeAll(async () => {
  browser = await launchBrowser();
  ({ page: lead, context: leadContext } = await signedInPage(browser, "lead"));
  reviewId = await demoReviewId(lead);
});
afterAll(async () => browser?.close());

describe("the demo report on paper", () => {
  for (const paper of ["a4", "letter"] as const) {
    it(`prints from the browser on ${paper === "a4" ? "A4" : "US Letter"}: every section, author, PRISMA count and pooled estimate, nothing wider than the paper`, async () => {
      await openReport(lead, reviewId, paper === "a4" ? "" : "?paper=letter");
      expect(await lead.locator("header").count()).toBe(0); // the app's navigation is not part of the report
      const file = join(ARTIFACTS, `report-demo-${paper}.pdf`);
      await lead.pdf({ path: file, preferCSSPageSize: true, printBackground: true });
      expectDemoContent(pdfText(file));
      const pages = expectPaper(file, paper);
      savePngs(file, `report-demo-${paper}`);
      expect(pages).toBeLessThan(40);
    });
  }

  it("serves the same report as a PDF from the Download PDF link, with page X of Y and the data timestamp in every footer", async () => {
    await openReport(lead, reviewId, "?paper=letter");
    const href = await lead.getByRole("link", { name: "Download PDF" }).getAttribute("href");
    expect(href).toBe(`/api/reviews/${reviewId}/report.pdf?paper=letter`);
    for (const [paper, query] of [
      ["letter", "?paper=letter"],
      ["a4", ""],
    ] as const) {
      const started = Date.now();
      const response = await lead.request.get(`/api/reviews/${reviewId}/report.pdf${query}`, { timeout: 90_000 });
      expect(response.status()).toBe(200);
      expect(response.headers()["content-type"]).toBe("application/pdf");
      const file = join(ARTIFACTS, `report-demo-server-${paper}.pdf`);
      writeFileSync(file, await response.body());
      console.log(`server PDF (${paper}): ${Date.now() - started} ms`);
      const text = pdfText(file);
      expectDemoContent(text);
      const pages = expectPaper(file, paper);
      expect(text).toContain(`page 1 of ${pages}`);
      expect(text).toContain(`page ${pages} of ${pages}`);
      expect(text.match(/data as of \d{4}-\d\d-\d\d \d\d:\d\d UTC/g)?.length).toBeGreaterThanOrEqual(pages);
      savePngs(file, `report-demo-server-${paper}`);
    }
  });

  it("downloads the PRISMA 2020 diagram alone as SVG, PNG and the PRISMA2020 package's CSV", async () => {
    await openReport(lead, reviewId);
    const svg = await lead.request.get(`/api/reviews/${reviewId}/downloads/prisma.svg`);
    expect(svg.headers()["content-type"]).toContain("image/svg+xml");
    expect(await svg.text()).toContain("n = 276");
    const csv = await lead.request.get(`/api/reviews/${reviewId}/downloads/prisma.csv`);
    expect((await csv.text()).split("\n")[0]).toBe("data,node,box,description,boxtext,tooltips,url,n");
    const [download] = await Promise.all([lead.waitForEvent("download"), lead.getByRole("button", { name: "PNG" }).click()]);
    expect(download.suggestedFilename()).toMatch(/prisma-2020\.png$/);
    const file = join(ARTIFACTS, "report-prisma.png");
    await download.saveAs(file);
    expect(execFileSync("file", [file], { encoding: "utf8" })).toContain("PNG image");
  });

  it("renders one PDF at a time: extra requests wait their turn, and beyond the queue get 503 in words", async () => {
    const statuses = await Promise.all(Array.from({ length: 4 }, () => lead.request.get(`/api/reviews/${reviewId}/report.pdf?sections=title,prisma`, { timeout: 90_000 }).then(async (r) => [r.status(), await r.text()] as const)));
    expect(statuses.filter(([s]) => s === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every(([s]) => s === 200 || s === 503)).toBe(true);
    for (const [status, body] of statuses) if (status === 503) expect(body).toMatch(/try again in a few seconds/);
    expect(statuses.filter(([s]) => s === 503).length).toBeGreaterThanOrEqual(1);
    // A link on another site starts no Chromium, even with the member's session cookie (SameSite=Lax sends it).
    const crossSite = await lead.request.get(`/api/reviews/${reviewId}/report.pdf`, { headers: { "sec-fetch-site": "cross-site" } });
    expect([crossSite.status(), await crossSite.text()]).toEqual([403, "Open the report and use its Download PDF button."]);
  });

  it("prints only the chosen sections and analyses from the options form, which itself never prints", async () => {
    await openReport(lead, reviewId);
    const form = lead.getByRole("complementary", { name: "Report options" });
    for (const label of ["Title page", "Methods", "Table 1", "Risk of bias", "Data provenance", "Question, PICOS and eligibility"]) await form.getByLabel(label, { exact: true }).uncheck();
    await form.getByLabel(/^1\.1 /).uncheck();
    await form.getByRole("button", { name: "Update report" }).click();
    await lead.locator('html[data-report-ready="1"]').waitFor();
    expect(new URL(lead.url()).searchParams.getAll("sections")).toEqual(["prisma", "results"]);
    const file = join(ARTIFACTS, "report-demo-chosen.pdf");
    await lead.pdf({ path: file, preferCSSPageSize: true });
    const text = pdfText(file);
    expect(text).toContain("PRISMA 2020 flow diagram");
    expect(text).toContain("Analysis 1.2");
    expect(text).not.toContain("Analysis 1.1");
    expect(text).not.toContain("Data provenance");
    expect(text).not.toContain("Update report");
  });
});

describe("the working pages on paper", () => {
  it("prints the analysis and risk-of-bias pages without clipping or controls, and links them to the report", async () => {
    await lead.goto(`/reviews/${reviewId}/analysis`);
    await lead.locator('svg[aria-label="Forest plot"]').waitFor();
    await lead.locator('svg[aria-label="Funnel plot"]').waitFor();
    expect(await lead.getByRole("link", { name: "Printable report" }).getAttribute("href")).toBe(`/reviews/${reviewId}/report`);
    const analysis = join(ARTIFACTS, "print-analysis-a4.pdf");
    await lead.pdf({ path: analysis, format: "A4", printBackground: true });
    const text = pdfText(analysis);
    // The forest plot's right-hand columns were cut off before (issue 11).
    expect(text).toContain("MD [95% CI]");
    expect(text).toContain("Weight");
    expect(text).not.toContain("Rows per page");
    expectPaper(analysis, "a4", 1);
    savePngs(analysis, "print-analysis-a4");

    await lead.goto(`/reviews/${reviewId}/risk-of-bias`);
    await lead.getByRole("grid").first().waitFor();
    expect(await lead.getByRole("link", { name: "Printable report" }).getAttribute("href")).toBe(`/reviews/${reviewId}/report?sections=rob`);
    const rob = join(ARTIFACTS, "print-risk-of-bias-a4.pdf");
    await lead.pdf({ path: rob, format: "A4", printBackground: true });
    const robText = pdfText(rob);
    expect(robText).toContain("D10");
    expect(robText).not.toContain("Delete: clear"); // the keyboard legend stays on screen
    expectPaper(rob, "a4", 1);
    savePngs(rob, "print-risk-of-bias-a4");
  });
});

describe("reports that cannot draw everything", () => {
  let admin: Page;
  const made: Record<"empty" | "one" | "many", number> = { empty: 0, one: 0, many: 0 };

  beforeAll(async () => {
    const context = await newContext(browser);
    admin = await context.newPage();
    await signIn(admin, "admin", "admin-e2e-password");
    // The demo as a whole-review archive, cut down to one study and grown to 1000 (imported as new reviews).
    const archive = (await (await lead.request.get(`/api/reviews/${reviewId}/downloads/review.json`)).json()) as {
      review: { title: string };
      members: { username: string; role: string }[];
      studies: { ref: string; position: number; author: string; arms: { ref: string; controlArm: string | null }[] }[];
      riskOfBias: { judgments: unknown[]; consensus: { study: string }[]; assignment: unknown };
      audit: unknown[];
    };
    const members = [
      { username: "lead", role: "lead" },
      { username: "reviewer1", role: "viewer" },
    ];
    const importArchive = async (title: string, studies: typeof archive.studies, consensus: typeof archive.riskOfBias.consensus) => {
      const body = { ...archive, review: { ...archive.review, title }, members, studies, riskOfBias: { assignment: null, judgments: [], consensus }, audit: [] };
      const result = await trpc<{ reviewId: number }>(admin, "dataIo.importReview", { file: { name: `${title}.json`, base64: Buffer.from(JSON.stringify(body)).toString("base64") } });
      return result.reviewId;
    };
    const first = archive.studies[0]!;
    made.one = await importArchive("One study", [first], archive.riskOfBias.consensus.filter((c) => c.study === first.ref));
    const many = Array.from({ length: 1000 }, (_, i) => {
      const s = archive.studies[i % archive.studies.length]!;
      const rename = (ref: string) => `${ref}x${i}`;
      return { ...s, ref: rename(s.ref), position: i + 1, author: `${s.author.replace(/\s+et al\.?$/, "")}-${i + 1} et al.`, arms: s.arms.map((a) => ({ ...a, ref: rename(a.ref), controlArm: a.controlArm ? rename(a.controlArm) : null })) };
    });
    const manyConsensus = many.flatMap((s, i) => archive.riskOfBias.consensus.filter((c) => c.study === archive.studies[i % archive.studies.length]!.ref).map((c) => ({ ...c, study: s.ref })));
    made.many = await importArchive("A thousand studies", many, manyConsensus);
    made.empty = (await trpc<{ id: number }>(admin, "reviews.create", { title: "Nothing yet" })).id;
    await trpc(admin, "reviews.setMember", { reviewId: made.empty, username: "reviewer1", role: "viewer" });
  }, 300_000);

  it("says in words what cannot be drawn in an empty review, with no NaN anywhere", async () => {
    const { page, context } = await signedInPage(browser, "reviewer1");
    await openReport(page, made.empty);
    const text = oneLine(await page.locator("main").innerText());
    expect(text).toContain("No saved analysis to report");
    expect(text).toContain("No study is included yet.");
    expect(text).toContain("No study has been judged yet");
    expect(text).toContain("n = not reported");
    expectNoBadNumbers(text);
    const file = join(ARTIFACTS, "report-empty.pdf");
    await page.pdf({ path: file, preferCSSPageSize: true });
    expectNoBadNumbers(pdfText(file));
    savePngs(file, "report-empty");
    await context.close();
  });

  it("reports a one-study review: the estimate, and why the funnel plot and leave-one-out are missing", async () => {
    const { page, context } = await signedInPage(browser, "reviewer1"); // a viewer of this review
    const response = await openReport(page, made.one);
    expect(response?.status()).toBe(200);
    const text = oneLine(await page.locator("main").innerText());
    expect(text).toContain("need at least 3 studies; this analysis has 1");
    expect(text).toContain("A leave-one-out analysis needs at least 2 studies");
    expect(text).toContain("1 study, ");
    expectNoBadNumbers(text);
    const file = join(ARTIFACTS, "report-one-study.pdf");
    await page.pdf({ path: file, preferCSSPageSize: true });
    expectNoBadNumbers(pdfText(file));
    savePngs(file, "report-one-study");
    // The viewer's Download PDF goes through with the viewer's own session.
    const pdf = await page.request.get(`/api/reviews/${made.one}/report.pdf?sections=title,results`, { timeout: 90_000 });
    expect(pdf.status()).toBe(200);
    await context.close();
  });

  it("reports 1000 studies: forest plots split into parts that each fit a page, no NaN", async () => {
    const started = Date.now();
    await openReport(lead, made.many);
    console.log(`1000-study report ready in ${Date.now() - started} ms`);
    const parts = await lead.locator('[data-report-chart="forest"]').count();
    expect(parts).toBeGreaterThanOrEqual(3 * 20); // at most 50 study rows per chart
    const text = oneLine(await lead.locator("main").innerText());
    expect(text).toContain("1000 studies");
    expectNoBadNumbers(text);
    const file = join(ARTIFACTS, "report-1000.pdf");
    await lead.pdf({ path: file, preferCSSPageSize: true });
    expectPaper(file, "a4");
    execFileSync("pdftoppm", ["-r", "40", "-png", "-f", "1", "-l", "12", file, join(ARTIFACTS, "report-1000")]);
  });

  it("is for members only: a non-member gets 403 (page and PDF), an anonymous visitor goes to sign in", async () => {
    const { page, context } = await signedInPage(browser, "reviewer2");
    expect((await page.goto(`/reviews/${made.empty}/report`))?.status()).toBe(403);
    expect((await page.request.get(`/api/reviews/${made.empty}/report.pdf`)).status()).toBe(403);
    await context.close();
    const anonymous = await (await newContext(browser)).newPage();
    await anonymous.goto(`/reviews/${reviewId}/report`);
    expect(new URL(anonymous.url()).pathname).toBe("/login");
    expect((await anonymous.request.get(`${BASE_URL}/api/reviews/${reviewId}/report.pdf`)).status()).toBe(401);
    await anonymous.context().close();
  });
});

describe("the report on a phone", () => {
  it("reads on a 390 px screen: every section, no sideways scrolling of the page, no NaN", async () => {
    const { page, context } = await signedInPageSized(browser, "reviewer2", "phone");
    await openReport(page, reviewId);
    const text = oneLine(await page.locator("body").innerText());
    for (const heading of HEADINGS) expect(text).toContain(heading);
    expectNoBadNumbers(text);
    expect(await pageScrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, "report-phone");
    await context.close();
  });
});

afterAll(async () => leadContext?.close().catch(() => undefined));
