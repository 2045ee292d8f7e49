import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fmt } from "@/app/_lib/format";
import { analyze, type AnalysisResult } from "@/server/analysis";
import { exosomeSourceOptions } from "@/db/seed/table1";
const exosomeSourceLabels = Object.fromEntries(exosomeSourceOptions.map((o) => [o.value, o.label])) as Record<string, string>;
import { toStandardDeviation } from "@/server/services/outcome-data";
import { ARTIFACTS, demoReviewId, expectAccessible, launchBrowser, screenshot, signedInPage } from "./support";

/**
 * The analysis page against the built app (scripts/e2e.mjs). Expected numbers are computed here, independently
 * of the page and of its service: the demo's values are read from the server's database (E2E_DB, read-only),
 * paired per study (latest or earliest day with both arms), and given to the analysis module's `analyze()`.
 */

let browser: Browser;
let lead: Page;
let leadContext: BrowserContext;
let reviewer: Page;
let reviewerContext: BrowserContext;
let reviewId: number;

const forest = (page: Page) => page.locator('svg[aria-label="Forest plot"]');
const funnel = (page: Page) => page.locator('svg[aria-label="Funnel plot"]');
const shownEstimate = async (page: Page) => Number(await page.getByTestId("pooled-estimate").getAttribute("data-estimate"));
/** The estimate as printed, "MD 1.56 (95% CI …": the number after the measure, Unicode minus read as "-". */
const printedEstimate = async (page: Page) => Number((await page.getByTestId("pooled-estimate").innerText()).replace(/−/g, "-").match(/^\s*\w+\s+(-?\d+\.\d+)/)?.[1]);

function openDb() {
  const file = process.env.E2E_DB;
  if (!file) throw new Error("E2E_DB is not set: run the browser tests through scripts/e2e.mjs");
  return new Database(file, { readonly: true, fileMustExist: true });
}

type Settings = { outcome_id: number; timepoint: "first" | "last" | "day"; day: number | null; measure: "MD" | "SMD" | "ROM"; model: "fixed" | "random" | "auto"; tau2_method: string; ci_method: string; level: number; subgroup_field: string };
type ValueRow = { study_id: number; year: number; exosome_source: keyof typeof exosomeSourceLabels; kind: "treated" | "control"; day: number; mean: number; error_type: "SD" | "SEM" | "CI95"; error_value: number | null; ci_lower: number | null; ci_upper: number | null; n: number };

/** The analysis module's result on the demo data as stored now, with the stored settings (or `override`s). */
function expected(override: Partial<Pick<Settings, "model" | "timepoint">> = {}): AnalysisResult & { studyCount: number } {
  const db = openDb();
  try {
    const settings = { ...(db.prepare("select * from analysis_settings where review_id = ?").get(reviewId) as Settings), ...override };
    const rows = db
      .prepare(
        `select s.id as study_id, s.year, s.exosome_source, a.kind, m.day, m.mean, m.error_type, m.error_value, m.ci_lower, m.ci_upper, m.n
         from studies s join arms a on a.study_id = s.id join measurements m on m.arm_id = a.id
         where s.review_id = ? and m.outcome_id = ? order by s.position, s.id`,
      )
      .all(reviewId, settings.outcome_id) as ValueRow[];
    const studyIds = [...new Set(rows.map((r) => r.study_id))];
    const studies = studyIds.flatMap((id) => {
      const mine = rows.filter((r) => r.study_id === id);
      const days = [...new Set(mine.map((r) => r.day))].filter((d) => mine.some((r) => r.day === d && r.kind === "treated") && mine.some((r) => r.day === d && r.kind === "control")).sort((a, b) => a - b);
      const day = settings.timepoint === "first" ? days[0] : days[days.length - 1];
      if (day === undefined) return [];
      const arm = (kind: "treated" | "control") => {
        const r = mine.find((v) => v.day === day && v.kind === kind)!;
        return { mean: r.mean, sd: toStandardDeviation({ errorType: r.error_type, errorValue: r.error_value, ciLower: r.ci_lower, ciUpper: r.ci_upper, n: r.n }).sd, n: r.n };
      };
      const t = arm("treated");
      const c = arm("control");
      return [{ id: String(id), m1: t.mean, sd1: t.sd, n1: t.n, m2: c.mean, sd2: c.sd, n2: c.n, year: mine[0]!.year, group: exosomeSourceLabels[mine[0]!.exosome_source] }];
    });
    const result = analyze({ measure: settings.measure, model: settings.model, tau2Method: settings.tau2_method as "REML", ciMethod: settings.ci_method as "z", level: settings.level, studies });
    return { ...result, studyCount: studies.length };
  } finally {
    db.close();
  }
}

function lastDayOf(studyId: number): number {
  const db = openDb();
  try {
    return db
      .prepare(
        `select max(m.day) from measurements m join arms a on a.id = m.arm_id
         where a.study_id = ? and exists (select 1 from measurements m2 join arms a2 on a2.id = m2.arm_id where a2.study_id = a.study_id and a2.kind <> a.kind and m2.day = m.day)`,
      )
      .pluck()
      .get(studyId) as number;
  } finally {
    db.close();
  }
}

async function openAnalysis(page: Page) {
  await page.goto(`/reviews/${reviewId}/analysis`);
  await forest(page).waitFor();
  await funnel(page).waitFor();
}

/** Saves a new treated mean for a study's last day through the study page's outcome grid, as a reviewer would. */
async function saveTreatedMean(page: Page, studyId: number, day: number, mean: number) {
  await page.goto(`/reviews/${reviewId}/studies/${studyId}`);
  const input = page.getByLabel(`Mean, treated, day ${day}`, { exact: true });
  await input.fill(String(mean));
  await page.locator("tr", { has: input }).getByRole("button", { name: "Save" }).click();
  await expect.poll(() => page.locator("tr", { has: input }).getByRole("status").textContent()).toBe("Saved");
}

beforeAll(async () => {
  browser = await launchBrowser();
  ({ page: lead, context: leadContext } = await signedInPage(browser, "lead"));
  ({ page: reviewer, context: reviewerContext } = await signedInPage(browser, "reviewer1"));
  reviewId = await demoReviewId(lead);
});
afterAll(async () => {
  await leadContext?.close();
  await reviewerContext?.close();
  await browser?.close();
});

describe("the analysis page", () => {
  it("draws the demo's forest plot: 21 studies and the analysis module's pooled estimate", async () => {
    await openAnalysis(lead);
    const engine = expected();
    expect(engine.studyCount).toBe(21);
    expect(await forest(lead).locator('g[data-row="study"]').count()).toBe(21);
    expect(await forest(lead).locator('[data-mark="study"]').count()).toBe(21);
    expect(await shownEstimate(lead)).toBeCloseTo(engine.pooled!.estimate, 10);
    expect(await printedEstimate(lead)).toBeCloseTo(engine.pooled!.estimate, 2);
    const text = await forest(lead).textContent();
    expect(text).toContain("Total (95% CI)");
    expect(text).toContain(`I² = ${engine.heterogeneity!.I2!.toFixed(0)}%`);
    expect(text).toContain(`Q = ${fmt(engine.heterogeneity!.Q)}, df = ${engine.heterogeneity!.df}`);
    expect(text).toContain("Test for overall effect: z =");
    expect(text).toContain("example"); // the demo's invented values are marked
    expect(await forest(lead).locator('g[data-row="diamond"]').count()).toBe(1);
    expect(await lead.getByRole("heading", { name: "Analysis settings" }).count()).toBe(1);
    // SYRCLE dots beside the rows, on request: ten domains per study (an empty circle where not decided yet).
    expect(await forest(lead).locator('g[data-row="study"] circle').count()).toBe(0);
    await lead.getByLabel("Risk of bias (SYRCLE consensus)").check();
    await expect.poll(() => forest(lead).locator('g[data-row="study"] circle').count()).toBe(21 * 10);
    expect(await lead.getByTestId("rob-legend").innerText()).toContain("D1 sequence generation");
    await expectAccessible(lead);
    await forest(lead).screenshot({ path: join(ARTIFACTS, "analysis-forest.png") });
    await screenshot(lead, "analysis-page");
  });

  it("draws the funnel plot with pseudo-95% limits, contours on request, and Egger's and Begg's tests", async () => {
    await openAnalysis(lead);
    const engine = expected();
    expect(await funnel(lead).locator('[data-mark="study"]').count()).toBe(engine.k);
    expect(await funnel(lead).locator('[data-mark="imputed"]').count()).toBe(engine.trimFill!.imputed.length);
    expect(await funnel(lead).locator('[data-layer="contours"]').count()).toBe(0);
    await lead.getByLabel(/Contour-enhanced/).check();
    await expect.poll(() => funnel(lead).locator('[data-layer="contours"] polygon').count()).toBe(6);
    const tests = await lead.getByTestId("publication-bias").innerText();
    expect(tests).toContain(`t(${engine.egger!.df}) = ${fmt(engine.egger!.statistic)}`);
    expect(tests).toContain(`Kendall's τ = ${fmt(engine.begg!.tau, 3)}`);
    expect(await lead.getByText(/fewer than 10/).count()).toBe(engine.k < 10 ? 1 : 0);
    await funnel(lead).screenshot({ path: join(ARTIFACTS, "analysis-funnel.png") });
    await expectAccessible(lead);
  });

  it("shows leave-one-out and cumulative analyses, and the first and last time points side by side", async () => {
    await openAnalysis(lead);
    const engine = expected();
    const loo = lead.locator('svg[aria-label="Leave-one-out plot"]');
    expect(await loo.locator('g[data-row="study"]').count()).toBe(engine.leaveOneOut.length);
    expect(await lead.getByRole("table", { name: "Leave-one-out table" }).locator("tbody tr").count()).toBe(engine.leaveOneOut.length);
    expect(await lead.locator('svg[aria-label="Cumulative meta-analysis plot"] g[data-row="study"]').count()).toBe(engine.k);
    await lead.getByTestId("pooled-first").waitFor();
    const first = expected({ timepoint: "first" });
    const last = expected({ timepoint: "last" });
    expect(await lead.getByTestId("pooled-first").innerText()).toContain(`MD ${fmt(first.pooled!.estimate)} [${fmt(first.pooled!.ciLower)}, ${fmt(first.pooled!.ciUpper)}]`);
    expect(await lead.getByTestId("pooled-last").innerText()).toContain(`MD ${fmt(last.pooled!.estimate)} [${fmt(last.pooled!.ciLower)}, ${fmt(last.pooled!.ciUpper)}]`);
    expect(first.pooled!.estimate).not.toBeCloseTo(last.pooled!.estimate, 2);
  });

  it("downloads the forest plot as SVG and PNG, and its data as CSV", async () => {
    await openAnalysis(lead);
    const download = async (name: string) => {
      const [file] = await Promise.all([lead.waitForEvent("download"), lead.getByRole("button", { name }).click()]);
      return { name: file.suggestedFilename(), bytes: readFileSync((await file.path())!) };
    };
    const svg = await download("Download the forest plot as SVG");
    expect(svg.name).toBe(`review-${reviewId}-forest-plot.svg`);
    expect(svg.bytes.toString("utf8")).toMatch(/^<\?xml[^>]*>\n<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.bytes.toString("utf8")).toContain("Total (95% CI)");
    const png = await download("Download the forest plot as PNG");
    expect(png.bytes.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    expect(png.bytes.length).toBeGreaterThan(10_000);
    const csv = await download("Download the forest plot data as CSV");
    const lines = csv.bytes.toString("utf8").replace(/^\ufeff/, "").trim().split("\r\n");
    expect(lines[0]).toBe("study,study_id,year,day,subgroup,example_data,m1,sd1,n1,m2,sd2,n2,yi,se,ci_lower,ci_upper,weight_percent,comparison_id,n2_used,control_shared_by,m_sham");
    expect(lines).toHaveLength(22);
  });

  it("moves the estimate when a study's mean changes, live in a second browser context, without reload", async () => {
    await openAnalysis(lead);
    await openAnalysis(reviewer);
    await reviewer.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const before = await shownEstimate(reviewer);
    const db = openDb();
    const studyId = db.prepare("select id from studies where review_id = ? order by position limit 1").pluck().get(reviewId) as number;
    db.close();
    const day = lastDayOf(studyId);
    const editor = await leadContext.newPage();
    const original = Number(await (async () => {
      await editor.goto(`/reviews/${reviewId}/studies/${studyId}`);
      return editor.getByLabel(`Mean, treated, day ${day}`, { exact: true }).inputValue();
    })());
    await saveTreatedMean(editor, studyId, day, Math.min(original + 6, 21));
    const moved = expected().pooled!.estimate;
    expect(moved).not.toBeCloseTo(before, 3);
    // The other user's page follows within 2 s (SSE push, then a refetch), the editor's own analysis tab too.
    await expect.poll(() => shownEstimate(reviewer), { timeout: 2000, interval: 50 }).toBeCloseTo(moved, 10);
    await expect.poll(() => shownEstimate(lead), { timeout: 2000, interval: 50 }).toBeCloseTo(moved, 10);
    expect(await reviewer.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await printedEstimate(reviewer)).toBeCloseTo(moved, 2);
    await expect.poll(() => reviewer.getByTestId("live-status").innerText()).toContain("Team lead");
    // Put the demo back as it was for the next test files.
    await saveTreatedMean(editor, studyId, day, original);
    await expect.poll(() => shownEstimate(reviewer), { timeout: 2000, interval: 50 }).toBeCloseTo(before, 10);
    await editor.close();
  });

  it("lists the studies left out at a given day, each with its reason", async () => {
    await openAnalysis(lead);
    expect(await lead.getByTestId("excluded-studies").count()).toBe(0);
    await lead.getByLabel("Time point", { exact: true }).selectOption("day");
    const day = lead.getByLabel("Day after injury", { exact: true });
    await day.fill("28");
    await day.press("Enter");
    await expect.poll(() => lead.getByTestId("excluded-studies").count()).toBe(1);
    const db = openDb();
    const atDay28 = db
      .prepare(
        `select count(distinct a.study_id) from measurements m join arms a on a.id = m.arm_id join studies s on s.id = a.study_id
         where s.review_id = ? and m.day = 28 and a.kind = 'treated'
         and exists (select 1 from measurements m2 join arms a2 on a2.id = m2.arm_id where a2.study_id = a.study_id and a2.kind = 'control' and m2.day = 28)`,
      )
      .pluck()
      .get(reviewId) as number;
    db.close();
    await expect.poll(() => forest(lead).locator('g[data-row="study"]').count()).toBe(atDay28);
    const excluded = await lead.getByTestId("excluded-studies").locator("li").allInnerTexts();
    expect(excluded).toHaveLength(21 - atDay28);
    for (const line of excluded) expect(line).toMatch(/^\S.* \d{4}: no treated and control values on day 28$/);
    expect(await lead.getByTestId("pooled-estimate").innerText()).toContain("(95% CI");
    // Back to the last time point.
    await lead.getByLabel("Time point", { exact: true }).selectOption("last");
    await expect.poll(() => lead.getByTestId("excluded-studies").count()).toBe(0);
    expect(await forest(lead).locator('g[data-row="study"]').count()).toBe(21);
  });

  it("redraws for random effects and for subgroups; others see the settings read-only", async () => {
    await openAnalysis(lead);
    await openAnalysis(reviewer);
    expect(await reviewer.getByLabel("Model", { exact: true }).isDisabled()).toBe(true);
    expect(await reviewer.getByText("Only the review lead can change these settings.").count()).toBe(1);
    expect(await forest(lead).locator('g[data-row="prediction"]').count()).toBe(0);

    await lead.getByLabel("Model", { exact: true }).selectOption("random");
    const random = expected({ model: "random" });
    await expect.poll(() => shownEstimate(lead)).toBeCloseTo(random.pooled!.estimate, 10);
    expect(await forest(lead).textContent()).toContain("IV, Random (REML), 95% CI");
    expect(await forest(lead).locator('g[data-row="prediction"]').count()).toBe(1);
    // The reviewer's page follows the lead's settings live.
    await expect.poll(() => shownEstimate(reviewer), { timeout: 2000, interval: 50 }).toBeCloseTo(random.pooled!.estimate, 10);

    await lead.getByRole("button", { name: /By subgroup/ }).click();
    const groups = random.subgroups!.groups;
    await expect.poll(() => forest(lead).locator('g[data-row="subgroup-diamond"]').count()).toBe(groups.length);
    expect(await forest(lead).locator('g[data-row="heading"]').allTextContents()).toEqual(groups.map((g) => g.name));
    expect(await forest(lead).locator('g[data-row="study"]').count()).toBe(21);
    expect(await forest(lead).textContent()).toContain(`Test for subgroup differences: Q = ${fmt(random.subgroups!.Qbetween)}, df = ${random.subgroups!.df}`);
    await forest(lead).screenshot({ path: join(ARTIFACTS, "analysis-forest-subgroups-random.png") });
    await expectAccessible(lead);

    // Back to the seeded fixed-effect model for the next test files.
    await lead.getByLabel("Model", { exact: true }).selectOption("fixed");
    await expect.poll(() => forest(lead).locator('g[data-row="prediction"]').count()).toBe(0);
    expect(await forest(lead).textContent()).toContain("IV, Fixed, 95% CI");
    expect(await shownEstimate(lead)).toBeCloseTo(expected().pooled!.estimate, 10);
  });
});
