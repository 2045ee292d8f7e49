import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fmt } from "@/app/_lib/format";
import type { AnalysisSettings } from "@/server/schemas/analysis-settings";
import { readE2eDb } from "./e2e-db";
import { expectedAnalysis, savedAnalyses } from "./expected-analysis";
import { ARTIFACTS, demoReviewId, expectAccessible, launchBrowser, screenshot, signedInPage } from "./support";

/**
 * The analysis page against the built app (scripts/e2e.mjs). Expected numbers are computed here, independently
 * of the page and of its service: the saved analysis's settings and the demo's values are read from the server's
 * database (E2E_DB, read-only), paired per study, and given to the analysis module's `analyze()`
 * (./expected-analysis.ts).
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

/** The settings of the analysis the page opens with: the review's first saved analysis. */
const openingSettings = () => savedAnalyses(reviewId)[0]!.settings;
/** The analysis module's result on the demo data as stored now, with the opening settings (or `override`s). */
const expected = (override: Partial<AnalysisSettings> = {}) => expectedAnalysis(reviewId, { ...openingSettings(), ...override });

async function openAnalysis(page: Page, query = "") {
  await page.goto(`/reviews/${reviewId}/analysis${query}`);
  await forest(page).waitFor();
  await funnel(page).waitFor();
}

/** The demo's treated arm is labelled as the seed paper's intervention. */
const treatedArmLabel = (studyId: number) => readE2eDb((db) => db.prepare("select label from arms where study_id = ? and kind = 'treated' order by id limit 1").pluck().get(studyId) as string);

/** Types a new treated mean for one day in the study page's outcome grid and saves it with Enter, as a reviewer would. */
async function saveTreatedMean(page: Page, studyId: number, day: number, mean: number) {
  await page.goto(`/reviews/${reviewId}/studies/${studyId}`);
  const input = page.getByLabel(`Mean, ${treatedArmLabel(studyId)}, day ${day}`, { exact: true });
  await input.fill(String(mean));
  await input.press("Enter");
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
  it("opens the first saved analysis and draws its forest plot: 21 studies and the analysis module's pooled estimate", async () => {
    await openAnalysis(lead);
    const [first] = savedAnalyses(reviewId);
    expect(await lead.getByLabel("Saved analysis").locator("option:checked").innerText()).toBe(`Analysis 1.1 ${first!.title}`);
    expect(await lead.getByTestId("view-status").innerText()).toContain("You see Analysis 1.1 as saved");
    const engine = expected();
    expect(engine.studyCount).toBe(21);
    expect(await forest(lead).locator('g[data-row="study"]').count()).toBe(21);
    expect(await forest(lead).locator('[data-mark="study"]').count()).toBe(21);
    expect(await shownEstimate(lead)).toBeCloseTo(engine.pooled!.estimate, 10);
    expect(await printedEstimate(lead)).toBeCloseTo(engine.pooled!.estimate, 2);
    const text = await forest(lead).textContent();
    expect(text).toContain("Total (95% CI)");
    expect(text).toContain(`I² = ${engine.heterogeneity!.I2!.toFixed(0)}%`);
    // The seed paper's fixed-effect model: RevMan's Chi², df and I², and no τ² (a fixed effect assumes none).
    expect(openingSettings().model).toBe("fixed");
    expect(text).toContain(`Chi² = ${fmt(engine.heterogeneity!.Q, 2)}, df = ${engine.heterogeneity!.df}`);
    expect(text).not.toContain("τ²");
    expect(text).toContain("Test for overall effect: z =");
    // BBB: higher is better, so an effect right of zero favours the treated arm ("Favours treated" on the right).
    const xOf = async (label: string) => (await forest(lead).locator("text", { hasText: label }).boundingBox())!.x;
    expect(await xOf("Favours control")).toBeLessThan(await xOf("Favours treated"));
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
    const studyId = readE2eDb((db) => db.prepare("select id from studies where review_id = ? and deleted_at is null order by position limit 1").pluck().get(reviewId) as number);
    // The day the opening analysis uses for this study (its first or last with both arms).
    const day = expected().days.get(studyId)!;
    expect(day).toBeTypeOf("number");
    const editor = await leadContext.newPage();
    const original = Number(await (async () => {
      await editor.goto(`/reviews/${reviewId}/studies/${studyId}`);
      return editor.getByLabel(`Mean, ${treatedArmLabel(studyId)}, day ${day}`, { exact: true }).inputValue();
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
    const atDay28 = readE2eDb((db) => db
      .prepare(
        `select count(distinct a.study_id) from measurements m join arms a on a.id = m.arm_id join studies s on s.id = a.study_id
         where s.review_id = ? and m.day = 28 and a.kind = 'treated'
         and exists (select 1 from measurements m2 join arms a2 on a2.id = m2.arm_id where a2.study_id = a.study_id and a2.kind = 'control' and m2.day = 28)`,
      )
      .pluck()
      .get(reviewId) as number);
    expect(new URL(lead.url()).searchParams.get("day")).toBe("28");
    await expect.poll(() => forest(lead).locator('g[data-row="study"]').count()).toBe(atDay28);
    const excluded = await lead.getByTestId("excluded-studies").locator("li").allInnerTexts();
    expect(excluded).toHaveLength(21 - atDay28);
    for (const line of excluded) expect(line).toMatch(/^\S.* \d{4}: no values of this arm and its control \(.+\) on day 28$/);
    expect(await lead.getByTestId("pooled-estimate").innerText()).toContain("(95% CI");
    // Back to the saved settings.
    await lead.getByRole("button", { name: "Back to the saved settings" }).click();
    await expect.poll(() => lead.getByTestId("excluded-studies").count()).toBe(0);
    expect(await forest(lead).locator('g[data-row="study"]').count()).toBe(21);
  });

  it("lets a reviewer explore random effects and subgroups in the address, without changing the lead's view", async () => {
    await openAnalysis(lead);
    await openAnalysis(reviewer);
    const saved = expected();
    expect(await shownEstimate(reviewer)).toBeCloseTo(saved.pooled!.estimate, 10);
    // Every setting is the reviewer's to change (for themselves); saving is the lead's.
    expect(await reviewer.getByLabel("Model", { exact: true }).isDisabled()).toBe(false);
    expect(await reviewer.getByRole("button", { name: /Save as new analysis/ }).count()).toBe(0);
    expect(await forest(reviewer).locator('g[data-row="prediction"]').count()).toBe(0);

    await reviewer.getByLabel("Model", { exact: true }).selectOption("random");
    const random = expected({ model: "random" });
    await expect.poll(() => shownEstimate(reviewer)).toBeCloseTo(random.pooled!.estimate, 10);
    expect(new URL(reviewer.url()).searchParams.get("model")).toBe("random");
    expect(await forest(reviewer).textContent()).toContain("IV, Random (REML), 95% CI");
    expect(await forest(reviewer).textContent()).toContain(`τ² = ${fmt(random.heterogeneity!.tau2, 2)}`);
    expect(await forest(reviewer).locator('g[data-row="prediction"]').count()).toBe(1);
    expect(await reviewer.getByTestId("view-status").innerText()).toContain("Your view differs from Analysis 1.1 in model: only you see it");

    // Choosing a subgroup variable shows the subgroups at once.
    const source = readE2eDb((db) => db.prepare("select id from characteristics where review_id = ? and label = 'Exosome source'").pluck().get(reviewId) as number);
    await reviewer.getByLabel("Subgroups by", { exact: true }).selectOption({ label: "Exosome source" });
    const grouped = expected({ model: "random", subgroupField: `c:${source}` });
    const groups = grouped.subgroups!.groups;
    expect(groups.length).toBeGreaterThan(1);
    await expect.poll(() => forest(reviewer).locator('g[data-row="subgroup-diamond"]').count()).toBe(groups.length);
    expect(await forest(reviewer).locator('g[data-row="heading"]').allTextContents()).toEqual(groups.map((g) => g.name));
    expect(await forest(reviewer).locator('g[data-row="study"]').count()).toBe(grouped.studyCount);
    expect(await forest(reviewer).textContent()).toContain(`Test for subgroup differences: Q = ${fmt(grouped.subgroups!.Qbetween)}, df = ${grouped.subgroups!.df}`);
    expect(new URL(reviewer.url()).searchParams.get("subgroup")).toBe(`c:${source}`);
    await forest(reviewer).screenshot({ path: join(ARTIFACTS, "analysis-forest-subgroups-random.png") });
    await expectAccessible(reviewer);

    // The lead's open page has not moved, and its address has no setting in it.
    expect(await shownEstimate(lead)).toBeCloseTo(saved.pooled!.estimate, 10);
    expect(new URL(lead.url()).search).toBe("");
    expect(await forest(lead).textContent()).toContain("IV, Fixed, 95% CI");
    // The explored view is a link: opened elsewhere it shows the same numbers.
    const shared = await leadContext.newPage();
    await shared.goto(reviewer.url());
    await expect.poll(() => shownEstimate(shared)).toBeCloseTo(grouped.pooled!.estimate, 10);
    await shared.close();
    // And it survives a reload.
    await reviewer.reload();
    await expect.poll(() => shownEstimate(reviewer)).toBeCloseTo(grouped.pooled!.estimate, 10);
  });

  it("lets the lead save a view as a new analysis, which a reviewer's open page lists at once", async () => {
    await openAnalysis(reviewer);
    await openAnalysis(lead);
    const before = savedAnalyses(reviewId);
    await reviewer.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    expect(await reviewer.getByLabel("Saved analysis").locator("option").count()).toBe(before.length);

    await lead.getByLabel("Model", { exact: true }).selectOption("random");
    await lead.getByLabel("τ² estimator", { exact: true }).selectOption("DL");
    await expect.poll(() => shownEstimate(lead)).toBeCloseTo(expected({ model: "random", tau2Method: "DL" }).pooled!.estimate, 10);
    await lead.getByRole("button", { name: "Save as new analysis…" }).click();
    const form = lead.getByRole("form", { name: "Save as a new analysis" });
    const title = form.getByLabel("Title");
    expect(await title.inputValue()).toContain("random effects (DL)");
    await title.fill("BBB, first time point, random effects (DL) — e2e");
    await form.getByRole("button", { name: "Save for everyone" }).click();
    await expect.poll(() => lead.getByRole("status").filter({ hasText: "Saved as a new analysis for everyone." }).count()).toBe(1);

    const after = savedAnalyses(reviewId);
    expect(after).toHaveLength(before.length + 1);
    const added = after[after.length - 1]!;
    expect(added.settings).toMatchObject({ model: "random", tau2Method: "DL", timepoint: openingSettings().timepoint });
    const number = `1.${after.length}`;
    // The lead now looks at the new analysis; the address names it and nothing else.
    await expect.poll(() => lead.getByLabel("Saved analysis").locator("option:checked").innerText()).toBe(`Analysis ${number} ${added.title}`);
    await expect.poll(() => new URL(lead.url()).search).toBe(`?analysis=${added.id}`);
    // The reviewer's open page lists it without a reload, and still shows Analysis 1.1.
    await expect.poll(() => reviewer.getByLabel("Saved analysis").locator("option").allInnerTexts(), { timeout: 5000 }).toContain(`Analysis ${number} ${added.title}`);
    expect(await reviewer.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await reviewer.getByLabel("Saved analysis").locator("option:checked").innerText()).toBe(`Analysis 1.1 ${before[0]!.title}`);
    await reviewer.getByLabel("Saved analysis").selectOption({ label: `Analysis ${number} ${added.title}` });
    await expect.poll(() => shownEstimate(reviewer)).toBeCloseTo(expectedAnalysis(reviewId, added.settings).pooled!.estimate, 10);
    await screenshot(lead, "analysis-saved-new");

    // Removed again (the lead confirms), so that the demo keeps the seed paper's three analyses.
    lead.once("dialog", (dialog) => void dialog.accept());
    await lead.getByRole("button", { name: "Remove", exact: true }).click();
    await expect.poll(() => savedAnalyses(reviewId).length).toBe(before.length);
    await expect.poll(() => reviewer.getByLabel("Saved analysis").locator("option").count(), { timeout: 5000 }).toBe(before.length);
  });
});
