import { join } from "node:path";
import type { APIRequestContext, Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fmtP } from "@/app/_lib/format";
import { analyze, metaRegressionLine, stratifiedTests, type AnalysisRequest, type StudyInput } from "@/server/analysis";
import { ARTIFACTS, demoReviewId, expectAccessible, launchBrowser, screenshot, signIn } from "./support";

/**
 * Issue 13 in a real browser against the built app (scripts/e2e.mjs): a review made here with a multi-arm study (two
 * doses sharing one control, and a sham arm) and two single-arm studies; its arms are added on the study page, its
 * values through the API. The expected numbers are computed in this file with the analysis module from the values
 * entered here (never read from the page's own service): NMD forest plot, stratified table, bubble plot and time
 * course must show them, with no NaN. The seed paper's demo must still give FE MD 1.26 (first) and 1.56 (last).
 */

let browser: Browser;
let context: BrowserContext;
let page: Page;
let reviewId: number;
let outcomeId: number;
let sourceId: number;
const studyIds: Record<string, number> = {};

/** A tRPC call over HTTP with the page's session (superjson body, as the app's own client sends it). */
async function trpc<T>(request: APIRequestContext, path: string, input: unknown, kind: "mutation" | "query" = "mutation"): Promise<T> {
  const response =
    kind === "mutation"
      ? await request.post(`/api/trpc/${path}`, { data: { json: input }, headers: { "content-type": "application/json" } })
      : await request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);
  const body = (await response.json()) as { result?: { data: { json: T } }; error?: { json: { message: string } } };
  if (!body.result) throw new Error(`${path}: ${body.error?.json.message ?? response.status()}`);
  return body.result.data.json;
}

type Arm = { id: number; kind: string; label: string; version: number };
type Value = { mean: number; sd: number; n: number };

// The values entered, by study, arm and day. "Dosewise" has two doses sharing its control, and a sham arm.
const data = {
  Dosewise: { year: 2020, dose: null, source: "bm", arms: { "10 µg": { 7: { mean: 4, sd: 1.5, n: 8 }, 28: { mean: 10, sd: 2, n: 8 } }, "50 µg": { 7: { mean: 5, sd: 1.5, n: 9 }, 28: { mean: 13, sd: 2.5, n: 9 } }, Control: { 7: { mean: 3, sd: 1.5, n: 12 }, 28: { mean: 7, sd: 2, n: 12 } }, Sham: { 7: { mean: 19.5, sd: 0.5, n: 6 }, 28: { mean: 20.5, sd: 0.5, n: 6 } } } },
  Single: { year: 2019, dose: 20, source: "uc", arms: { Treated: { 7: { mean: 5, sd: 2, n: 10 }, 28: { mean: 11, sd: 2.5, n: 10 } }, Control: { 7: { mean: 3, sd: 2, n: 10 }, 28: { mean: 8, sd: 2.5, n: 10 } } } },
  Third: { year: 2021, dose: 100, source: "uc", arms: { Treated: { 28: { mean: 14, sd: 2, n: 9 } }, Control: { 28: { mean: 7, sd: 3, n: 9 } } } },
} as const satisfies Record<string, { year: number; dose: number | null; source: string; arms: Record<string, Record<number, Value>> }>;

const doses: Record<string, number> = { "Dosewise-10 µg": 10, "Dosewise-50 µg": 50, Single: 20, Third: 100 };

/** The request the analysis module should get at `day` (NMD: the sham arm's mean that day, else BBB's 21). */
function expectedRequest(day: number, measure: "NMD" | "MD", extra: Partial<AnalysisRequest> = {}): AnalysisRequest {
  const studies: StudyInput[] = [];
  const arm = (study: keyof typeof data, name: string) => (data[study].arms as Record<string, Record<number, Value | undefined>>)[name]?.[day];
  const push = (id: string, t: Value | undefined, c: Value | undefined, more: Partial<StudyInput> = {}) => {
    if (t && c) studies.push({ id, m1: t.mean, sd1: t.sd, n1: t.n, m2: c.mean, sd2: c.sd, n2: c.n, ...more });
  };
  const sham = arm("Dosewise", "Sham")?.mean ?? 21;
  const both = arm("Dosewise", "10 µg") && arm("Dosewise", "50 µg");
  for (const dose of ["10 µg", "50 µg"]) push(`Dosewise-${dose}`, arm("Dosewise", dose), arm("Dosewise", "Control"), { ...(both ? { controlGroup: "dosewise" } : {}), ...(measure === "NMD" ? { mSham: sham } : {}) });
  push("Single", arm("Single", "Treated"), arm("Single", "Control"), measure === "NMD" ? { mSham: 21 } : {});
  push("Third", arm("Third", "Treated"), arm("Third", "Control"), measure === "NMD" ? { mSham: 21 } : {});
  return { measure, model: "fixed", tau2Method: "REML", ciMethod: "z", level: 0.95, studies, ...extra };
}

beforeAll(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: process.env.E2E_BASE_URL });
  page = await context.newPage();
  await signIn(page, "admin", "admin-e2e-password");
  const api = page.request;
  reviewId = (await trpc<{ id: number }>(api, "reviews.create", { title: "Preclinical browser test" })).id;
  outcomeId = (await trpc<{ id: number }>(api, "outcomes.create", { reviewId, outcome: { name: "BBB", unit: "points", scaleMin: 0, scaleMax: 21, higherIsBetter: true, normalValue: 21 } })).id;
  sourceId = (await trpc<{ id: number }>(api, "characteristics.create", { reviewId, definition: { label: "Cell source", type: "single", options: [{ value: "bm", label: "Bone marrow" }, { value: "uc", label: "Umbilical cord" }] } })).id;
  for (const [author, study] of Object.entries(data)) {
    const created = await trpc<{ id: number; version: number }>(api, "studies.create", { reviewId, author: `${author} et al.`, year: study.year });
    studyIds[author] = created.id;
    const after = await trpc<{ version: number }>(api, "studies.update", { reviewId, studyId: created.id, field: `c:${sourceId}`, value: study.source, version: created.version });
    if (study.dose !== null) await trpc(api, "studies.update", { reviewId, studyId: created.id, field: "dose", value: study.dose, version: after.version });
  }
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

async function armsOf(studyId: number): Promise<Arm[]> {
  return (await trpc<{ arms: Arm[] }>(page.request, "studies.get", { reviewId, studyId }, "query")).arms;
}

async function saveValues(studyId: number, arms: Record<string, Record<number, Value>>) {
  for (const arm of await armsOf(studyId))
    for (const [day, v] of Object.entries(arms[arm.label] ?? {}))
      await trpc(page.request, "measurements.save", { reviewId, studyId, outcomeId, armId: arm.id, day: Number(day), mean: v.mean, errorType: "SD", errorValue: v.sd, n: v.n });
}

/** A page 390 px wide (a phone), signed in. */
async function phonePage(username: string, password: string): Promise<Page> {
  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, baseURL: process.env.E2E_BASE_URL })).newPage();
  await signIn(phone, username, password);
  return phone;
}

const noBadNumbers = async (p: Page) => expect(await p.locator("main").innerText()).not.toMatch(/NaN|Infinity|undefined/);
const noSideScroll = async (p: Page) => expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(await p.evaluate(() => window.innerWidth));

describe("several arms per study, in the browser", () => {
  it("lets a reviewer name the arms of a study and add a second dose and a sham arm on the study page", async () => {
    const studyId = studyIds.Dosewise!;
    await page.goto(`/reviews/${reviewId}/studies/${studyId}`);
    const arms = page.getByRole("table", { name: "Arms of this study" });
    await arms.waitFor();
    // Rename the treated arm "10 µg".
    await page.getByRole("button", { name: /^Arm label, Treated: Treated/ }).click();
    await page.getByRole("textbox", { name: "Arm label, Treated" }).fill("10 µg");
    await page.keyboard.press("Enter");
    await expect.poll(() => arms.innerText()).toContain("10 µg");
    // A label already used is refused with a message naming the field.
    const form = page.getByRole("form", { name: "Add an arm" });
    await form.getByLabel("Arm label").fill("10 µg");
    await form.getByRole("button", { name: "Add arm" }).click();
    await expect.poll(() => form.getByRole("alert").innerText()).toBe('Arm label "10 µg" is already an arm of this study.');
    await form.getByLabel("Arm label").fill("");
    await form.getByRole("button", { name: "Add arm" }).click();
    await expect.poll(() => form.getByRole("alert").innerText()).toBe("Arm label is required");
    await form.getByLabel("Arm label").fill("50 µg");
    await form.getByLabel("Dose", { exact: true }).fill("50");
    await form.getByLabel("Dose unit").fill("µg");
    await form.getByRole("button", { name: "Add arm" }).click();
    await expect.poll(() => form.getByRole("status").innerText()).toBe("Added 50 µg.");
    await form.getByLabel("Kind").selectOption("sham");
    await form.getByLabel("Arm label").fill("Sham");
    await form.getByRole("button", { name: "Add arm" }).click();
    await expect.poll(() => arms.locator("tbody tr").count()).toBe(4);
    expect((await arms.locator("tbody tr").allInnerTexts()).map((t) => t.split(/[\t\n]/)[0]!.trim())).toEqual(["10 µg", "50 µg", "Control", "Sham"]);
    // The first dose's own dose, and the new arm compared with the study's control by default.
    const first = (await armsOf(studyId)).find((a) => a.label === "10 µg")!;
    await trpc(page.request, "arms.update", { reviewId, studyId, armId: first.id, field: "dose", value: 10, version: first.version });
    await saveValues(studyId, data.Dosewise.arms);
    await saveValues(studyIds.Single!, data.Single.arms);
    await saveValues(studyIds.Third!, data.Third.arms);
    await page.reload();
    await arms.waitFor();
    expect(await page.locator('[data-arm="50 µg"]').innerText()).toContain("Control");
    // The outcome grid has a row per arm and day.
    expect(await page.getByLabel("Mean, 50 µg, day 28", { exact: true }).inputValue()).toBe("13");
    expect(await page.getByLabel("Mean, Sham, day 7", { exact: true }).inputValue()).toBe("19.5");
    await noBadNumbers(page);
    await expectAccessible(page);
    await screenshot(page, "preclinical-study-arms");
    const phone = await phonePage("admin", "admin-e2e-password");
    await phone.goto(`/reviews/${reviewId}/studies/${studyId}`);
    await phone.getByRole("table", { name: "Arms of this study" }).waitFor();
    await noSideScroll(phone);
    await expectAccessible(phone);
    await screenshot(phone, "preclinical-study-arms-phone");
    await phone.context().close();
  });

  it("draws one NMD row per dose, the control split in the Total column, with the analysis module's numbers", async () => {
    await page.goto(`/reviews/${reviewId}/analysis?outcome=${outcomeId}&measure=NMD&model=fixed`);
    const forest = page.locator('svg[aria-label="Forest plot"]');
    await forest.waitFor();
    await expect.poll(() => forest.locator('g[data-row="study"]').count()).toBe(4);
    const text = await forest.textContent();
    expect(text).toContain("Dosewise 2020 (10 µg)");
    expect(text).toContain("Dosewise 2020 (50 µg)");
    expect(text).toContain("6 (12/2)"); // 12 control animals shared by 2 comparisons
    expect(text).toContain("Normalised mean difference");
    const expected = analyze(expectedRequest(28, "NMD"));
    expect(Number(await page.getByTestId("pooled-estimate").getAttribute("data-estimate"))).toBeCloseTo(expected.pooled!.estimate, 10);
    // NMD is positive for an improvement: treated on the right whichever direction is better.
    const favours = await forest.locator("text", { hasText: /^Favours/ }).allTextContents();
    expect(favours).toEqual(["Favours control", "Favours treated"]);
    await noBadNumbers(page);
    // Combining the doses gives one row for the study.
    await page.getByLabel("Treated arms sharing a control").selectOption("combine");
    await expect.poll(() => forest.locator('g[data-row="study"]').count()).toBe(3);
    expect(await forest.textContent()).toContain("Dosewise 2020 (10 µg + 50 µg)");
  });

  it("shows the stratified tests, the meta-regression's bubble plot and the time course, equal to the module's", async () => {
    await page.goto(`/reviews/${reviewId}/analysis?outcome=${outcomeId}&measure=MD&model=fixed&strata=c:${sourceId},arm:dose&moderators=dose`);
    const table = page.getByRole("table", { name: "Tests for subgroup differences" });
    await table.waitFor();
    const request = expectedRequest(28, "MD", { moderators: ["dose"], studies: expectedRequest(28, "MD").studies.map((s) => ({ ...s, covariates: { dose: doses[s.id]! } })) });
    const strata = stratifiedTests(request, [
      { name: "source", groups: ["Bone marrow", "Bone marrow", "Umbilical cord", "Umbilical cord"] },
      { name: "dose", groups: ["10", "50 µg", "20", "100"] },
    ]);
    const rows = await table.locator("tbody tr").allInnerTexts();
    expect(rows).toHaveLength(2);
    strata.stratifications.forEach((s, i) => {
      expect(rows[i]).toContain(fmtP(s.pValue));
      expect(rows[i]).toContain(fmtP(s.pBonferroni));
      expect(rows[i]).toContain(fmtP(s.pHolm));
    });
    // Bubble plot: one circle per comparison at (dose, effect), the fitted line of the module's model.
    const expected = analyze(request);
    const bubbles = page.locator('svg[aria-label="Bubble plot"] [data-mark="bubble"]');
    await expect.poll(() => bubbles.count()).toBe(expected.metaRegression!.k);
    const shown = await bubbles.evaluateAll((els) => els.map((e) => ({ x: Number(e.getAttribute("data-x")), yi: Number(e.getAttribute("data-yi")) })));
    const want = expected.studies.map((s) => ({ x: doses[s.id]!, yi: s.yi }));
    expect(shown.sort((a, b) => a.x - b.x).map((p) => [p.x, p.yi.toFixed(8)])).toEqual(want.sort((a, b) => a.x - b.x).map((p) => [p.x, p.yi.toFixed(8)]));
    expect(await page.locator('svg[aria-label="Bubble plot"] [data-mark="line"]').count()).toBe(1);
    const line = metaRegressionLine(expected.metaRegression!, "dose", [10]);
    expect(await page.getByTestId("meta-regression-summary").innerText()).toContain(`k = ${expected.metaRegression!.k} comparisons`);
    expect(line![0]!.fit).toBeCloseTo(expected.metaRegression!.coefficients[0]!.estimate + 10 * expected.metaRegression!.coefficients[1]!.estimate, 10);
    // Time course: the pooled effect of each day, k above it.
    const pooled = page.locator('svg[aria-label="Time course plot"] [data-mark="pooled"]');
    await expect.poll(() => pooled.count()).toBe(2);
    const days = await pooled.evaluateAll((els) => els.map((e) => ({ day: Number(e.getAttribute("data-day")), k: Number(e.getAttribute("data-k")), estimate: Number(e.getAttribute("data-estimate")) })));
    for (const d of days) {
      const module = analyze(expectedRequest(d.day, "MD"));
      expect(d.k).toBe(module.k);
      expect(d.estimate).toBeCloseTo(module.pooled!.estimate, 10);
    }
    expect(days.map((d) => [d.day, d.k])).toEqual([
      [7, 3],
      [28, 4],
    ]);
    await noBadNumbers(page);
    await expectAccessible(page);
    await screenshot(page, "preclinical-analysis-test-review");
  });
});

describe("the demo reviews", () => {
  it("still reproduce the seed paper: fixed-effect MD 1.26 at the first and 1.56 at the last time point", async () => {
    const lead = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: process.env.E2E_BASE_URL });
    const p = await lead.newPage();
    await signIn(p, "lead");
    const demo = await demoReviewId(p);
    const saved = await trpc<{ id: number; number: string }[]>(p.request, "analyses.list", { reviewId: demo }, "query");
    for (const [number, paper] of [
      ["1.1", 1.26],
      ["1.2", 1.56],
    ] as const) {
      await p.goto(`/reviews/${demo}/analysis?analysis=${saved.find((a) => a.number === number)!.id}`);
      await p.getByTestId("pooled-estimate").waitFor();
      await expect.poll(async () => Number(await p.getByTestId("pooled-estimate").getAttribute("data-estimate")).toFixed(2)).toBe(paper.toFixed(2));
      expect(await p.getByTestId("pooled-estimate").innerText()).toContain(`MD ${paper.toFixed(2)}`);
    }
    await lead.close();
  });

  it("show every preclinical section on the example review, on a desktop and on a phone", async () => {
    const lead = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: process.env.E2E_BASE_URL });
    const p = await lead.newPage();
    await signIn(p, "lead");
    await p.goto("/");
    const href = await p.getByRole("link", { name: /Preclinical example/ }).getAttribute("href");
    await p.goto(`${href}/analysis`);
    for (const name of ["Forest plot", "Bubble plot", "Time course plot"]) await p.locator(`svg[aria-label="${name}"]`).waitFor();
    await p.getByRole("table", { name: "Pooled result by risk of bias" }).waitFor();
    expect(await p.getByRole("table", { name: "Tests for subgroup differences" }).locator("tbody tr").count()).toBe(3);
    expect(await p.getByTestId("excluded-studies").innerText()).toContain("Example H 2023 (500 µg): no day with values of both this arm and its control (Vehicle)");
    await noBadNumbers(p);
    await expectAccessible(p);
    await screenshot(p, "preclinical-demo-analysis");
    await p.locator('svg[aria-label="Bubble plot"]').screenshot({ path: join(ARTIFACTS, "preclinical-bubble-plot.png") });
    await p.locator('svg[aria-label="Time course plot"]').screenshot({ path: join(ARTIFACTS, "preclinical-time-course.png") });
    const phone = await phonePage("lead", "exosome-demo");
    await phone.goto(`${href}/analysis`);
    for (const name of ["Funnel plot", "Bubble plot", "Time course plot"]) await phone.locator(`svg[aria-label="${name}"]`).waitFor();
    await phone.getByRole("table", { name: "Pooled result by risk of bias" }).waitFor();
    await noSideScroll(phone);
    await expectAccessible(phone);
    await screenshot(phone, "preclinical-demo-analysis-phone");
    await phone.context().close();
    // Lesion volume: lower is better, so an MD below 0 favours the treated arm (on the left).
    const saved = await trpc<{ id: number; title: string }[]>(p.request, "analyses.list", { reviewId: Number(href!.split("/").pop()) }, "query");
    await p.goto(`${href}/analysis?analysis=${saved.find((a) => a.title.startsWith("Lesion volume"))!.id}`);
    const forest = p.locator('svg[aria-label="Forest plot"]');
    await forest.waitFor();
    expect(await forest.locator("text", { hasText: /^Favours/ }).allTextContents()).toEqual(["Favours treated", "Favours control"]);
    const loo = p.locator('svg[aria-label="Leave-one-out plot"]');
    await loo.waitFor();
    expect(await loo.locator("text", { hasText: /^Favours/ }).allTextContents()).toEqual(["Favours treated", "Favours control"]);
    await lead.close();
  });
});
