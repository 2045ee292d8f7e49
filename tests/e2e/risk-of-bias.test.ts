import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exampleRobJudgments } from "@/db/seed/example-rob";
import { ARTIFACTS, demoReviewId, expectAccessible, launchBrowser, screenshot, signedInPage } from "./support";

let browser: Browser;
let reviewId: number;
const pages: Record<string, Page> = {};
beforeAll(async () => {
  browser = await launchBrowser();
  for (const username of ["reviewer1", "reviewer2", "lead"]) pages[username] = (await signedInPage(browser, username)).page;
  reviewId = await demoReviewId(pages.reviewer1!);
});
afterAll(async () => browser?.close());

const grid = (page: Page) => page.getByRole("grid");
/** The grid cell of study `position` (1-based) and domain `domain` (1-based). */
const cell = (page: Page, position: number, domain: number) => grid(page).locator("tbody tr").nth(position - 1).getByRole("gridcell").nth(domain - 1);
const activeCell = (page: Page) => page.evaluate(() => document.activeElement?.id ?? "");

async function openEditor(page: Page) {
  await page.goto(`/reviews/${reviewId}/risk-of-bias`);
  await grid(page).locator("tbody tr").first().waitFor();
}

/** Keyboard only: Tab from the top of the page until focus is in the grid, then arrow down to study `position`. */
async function tabIntoGridAndGoTo(page: Page, position: number) {
  for (let i = 0; i < 60 && !(await activeCell(page)).startsWith("rob-grid-"); i++) await page.keyboard.press("Tab");
  expect(await activeCell(page)).toBe("rob-grid-r0-c0");
  for (let i = 1; i < position; i++) await page.keyboard.press("ArrowDown");
  expect(await activeCell(page)).toBe(`rob-grid-r${position - 1}-c0`);
}

/** How many saves the page has confirmed (the save indicator counts them). */
const savesDone = async (page: Page) => Number((await page.locator("[data-saves]").getAttribute("data-saves").catch(() => null)) ?? 0);

async function waitSaved(page: Page, before: number, saves = 1) {
  await expect.poll(() => savesDone(page), { timeout: 20_000 }).toBe(before + saves);
  expect(await page.getByRole("status").filter({ hasText: "All changes saved" }).count()).toBe(1);
}

describe("SYRCLE risk-of-bias grid, blinded dual review and consensus", () => {
  it("opens the demo with the cells both reviewers agreed on in the figures: Low, High or Unclear, the disagreements still open", async () => {
    const page = pages.lead!;
    await openEditor(page);
    expect(await page.locator("main").innerText()).toContain("Reviewer 2 (demo): 190 / 210 cells");
    const plot = page.locator('svg[aria-label="Traffic-light plot"]');
    await plot.waitFor();
    const ids = await grid(page).locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-study-id")));
    const plotted = await plot.locator("g[data-study-id] g[data-domain]").evaluateAll((cells) =>
      cells.map((c) => `${c.closest("g[data-study-id]")!.getAttribute("data-study-id")}:${c.getAttribute("data-domain")}=${c.getAttribute("data-judgment")}`),
    );
    // Expected from the two reviewers' example judgments: their shared judgment where they agree, else nothing yet.
    const judged = new Map(exampleRobJudgments().map((j) => [`${j.position}:${j.domain}:${j.reviewer}`, j.judgment]));
    const expected = ids.flatMap((id, row) =>
      Array.from({ length: 10 }, (_, d) => {
        const [first, second] = [judged.get(`${row + 1}:${d + 1}:1`), judged.get(`${row + 1}:${d + 1}:2`)];
        return `${id}:${d + 1}=${first && first === second ? first : "missing"}`;
      }),
    );
    expect(plotted.sort()).toEqual(expected.sort());
    const shown = plotted.map((p) => p.split("=")[1]);
    for (const judgment of ["low", "high", "unclear"]) expect(shown).toContain(judgment);
    expect(shown.filter((j) => j === "missing")).toHaveLength(5 + 2 * 10); // five disagreements; studies 20 and 21 not yet judged by both
    await page.locator("#rob-figures-title").scrollIntoViewIfNeeded();
    await screenshot(page, "rob-demo-seeded-consensus");
  });

  it("shows reviewer 1 an accessible ARIA grid of 21 studies × D1…D10, with the legend and example data marked", async () => {
    const page = pages.reviewer1!;
    await openEditor(page);
    expect(await grid(page).locator("tbody tr").count()).toBe(21);
    const headers = await grid(page).getByRole("columnheader").allInnerTexts();
    expect(headers.map((h) => h.replace(/\s+/g, " ").trim())).toEqual([
      "Study",
      "D1 Sequence generation",
      "D2 Baseline characteristics",
      "D3 Allocation concealment",
      "D4 Random housing",
      "D5 Blinding of caregivers/investigators",
      "D6 Random outcome assessment",
      "D7 Blinding of outcome assessor",
      "D8 Incomplete outcome data",
      "D9 Selective outcome reporting",
      "D10 Other sources of bias",
    ]);
    const main = await page.locator("main").innerText();
    expect(main).toContain("Reviewer 1 (demo): 210 / 210 cells");
    // During blinded review a reviewer sees only their own progress.
    expect(main).not.toContain("Reviewer 2 (demo): 190 / 210 cells");
    expect(main).toMatch(/L\s+or\s+1: Low \(Yes\)/);
    expect(main).toContain("example data");
    await expectAccessible(page);
    await screenshot(page, "rob-reviewer1-grid");
  });

  it("lets reviewer 1 change a judgment of study 20 with the keyboard only, autosaved", async () => {
    const page = pages.reviewer1!;
    await openEditor(page);
    await tabIntoGridAndGoTo(page, 20);
    expect(await cell(page, 20, 1).innerText()).toContain("Unclear"); // the example judgment
    await page.keyboard.press("h");
    await waitSaved(page, 0);
    // The key set the judgment and moved on to D2.
    expect(await activeCell(page)).toBe("rob-grid-r19-c1");
    expect(await cell(page, 20, 1).innerText()).toContain("High");
    // Enter opens the cell's panel on the quote; Escape comes back to the grid.
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("rob-cell-panel-quote");
    await page.keyboard.type("Rats were allocated by the surgeon.");
    await page.keyboard.press("Tab"); // leaving the quote saves it
    await waitSaved(page, 1);
    await page.keyboard.press("Escape");
    expect(await activeCell(page)).toBe("rob-grid-r19-c0");
    const panel = await page.locator("#rob-cell-panel").innerText();
    expect(panel).toContain("Was the allocation sequence generated");
    expect(panel).toContain("Reviewer 2 (demo)'s judgment stays hidden until you have both completed this study");
    await page.reload();
    await grid(page).locator("tbody tr").first().waitFor();
    expect(await cell(page, 20, 1).innerText()).toContain("High");
    await screenshot(page, "rob-reviewer1-study20");
  });

  it("keeps reviewer 1's judgments of study 20 from reviewer 2, who judges it differently with the keyboard only", async () => {
    const page = pages.reviewer2!;
    await openEditor(page);
    for (let d = 1; d <= 10; d++) expect(await cell(page, 20, d).innerText()).not.toMatch(/Low|High|Unclear/);
    expect(await page.locator("main").innerText()).not.toContain("allocated by the surgeon");
    await tabIntoGridAndGoTo(page, 20);
    // Reviewer 1 now has D1 high; reviewer 2 judges it low, and the other nine as reviewer 1 did (letters and digits).
    for (const key of ["l", "1", "u", "l", "3", "u", "2", "l", "1", "l"]) await page.keyboard.press(key);
    await waitSaved(page, 0, 10);
    await expect.poll(() => page.locator("main").innerText()).toContain("Reviewer 2 (demo): 200 / 210 cells");
    // Both have completed study 20: the judgments are unblinded, the disagreement is marked, the cells are locked.
    await expect.poll(() => cell(page, 20, 1).innerText()).toContain("≠");
    expect(await cell(page, 20, 1).getAttribute("aria-readonly")).toBe("true");
    for (let d = 2; d <= 10; d++) expect(await cell(page, 20, d).innerText()).not.toContain("≠");
    await cell(page, 20, 1).click();
    expect(await page.locator("#rob-cell-panel").innerText()).toContain("Rats were allocated by the surgeon.");
    // A key on a locked cell changes nothing and says why.
    await page.keyboard.press("h");
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Study 20 is locked" }).count()).toBe(1);
    expect(await cell(page, 20, 1).innerText()).toContain("Low");
    await expectAccessible(page);
    await screenshot(page, "rob-reviewer2-unblinded");
  });

  it("shows the lead the conflict, which the lead settles with a reason; the traffic-light plot shows the consensus", async () => {
    const page = pages.lead!;
    await openEditor(page);
    const study20 = await grid(page).locator("tbody tr").nth(19).getAttribute("data-study-id");
    const row = page.locator('[data-disagreement="20:D1"]');
    await row.waitFor();
    expect(await row.innerText()).toMatch(/High[\s\S]*Low[\s\S]*to settle/);
    expect(await cell(page, 20, 1).innerText()).toMatch(/−≠\+|Disagreement/);
    await screenshot(page, "rob-lead-conflict");

    await row.getByRole("button", { name: /Settle|Open/ }).click();
    const form = page.getByRole("form", { name: "Record the consensus" });
    await form.getByLabel("− High (No)").check();
    await form.getByRole("button", { name: "Record consensus" }).click();
    expect(await form.getByRole("alert").innerText()).toContain("Reason: is required");
    await form.getByLabel(/Reason/).fill("The methods say animals were allocated by the surgeon: not random.");
    await form.getByRole("button", { name: "Record consensus" }).click();
    await expect.poll(() => row.innerText()).toContain("by Team lead (demo): The methods say animals were allocated by the surgeon");

    await page.getByRole("button", { name: /Accept \d+ agreed cells/ }).click();
    await expect.poll(() => page.getByText(/Accepted \d+ agreed cells as the consensus/).count()).toBe(1);

    const plot = page.locator('svg[aria-label="Traffic-light plot"]');
    const plotted = (domain: number) => plot.locator(`g[data-study-id="${study20}"] g[data-domain="${domain}"]`).getAttribute("data-judgment");
    await expect.poll(() => plotted(1)).toBe("high");
    expect(await plotted(2)).toBe("low");
    expect(await plotted(7)).toBe("high");
    // Study 21 has no second reviewer yet: no consensus, shown as not judged.
    const study21 = await grid(page).locator("tbody tr").nth(20).getAttribute("data-study-id");
    expect(await plot.locator(`g[data-study-id="${study21}"] g[data-domain="1"]`).getAttribute("data-judgment")).toBe("missing");
    expect(await page.locator('svg[aria-label="Risk of bias summary"]').count()).toBe(1);
    expect(await page.locator("main").innerText()).toContain("Showing: the consensus judgments.");

    // The history keeps both originals, who decided and why.
    await page.getByRole("button", { name: /History of this cell/ }).click();
    const history = page.locator("#rob-cell-panel");
    await expect.poll(() => history.innerText()).toContain("originals");
    expect(await history.innerText()).toContain("(reason: The methods say animals were allocated by the surgeon: not random.)");
    await expectAccessible(page);
    await screenshot(page, "rob-lead-consensus");
  });

  it("downloads the figures as SVG and PNG and the judgments as robvis CSV, and offers the colour-blind palette", async () => {
    const page = pages.lead!;
    await page.getByLabel("Colours").selectOption("colourblind");
    await expect.poll(() => page.locator('svg[aria-label="Traffic-light plot"] circle[fill="#d95f0e"]').count()).toBeGreaterThan(0);
    await page.getByLabel("Weight the summary by meta-analysis weight").check();
    expect(await page.locator('svg[aria-label="Risk of bias summary"]').textContent()).toContain("weighted by meta-analysis weight");
    const save = async (name: RegExp) => {
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name }).click()]);
      return { name: download.suggestedFilename(), body: readFileSync((await download.path())!) };
    };
    const svg = await save(/Download the traffic-light plot as SVG/);
    expect(svg.name).toBe("risk-of-bias-consensus-traffic-light.svg");
    expect(svg.body.toString()).toMatch(/^<\?xml[\s\S]*<svg[^>]*aria-label="Traffic-light plot"/);
    const png = await save(/Download the summary plot as PNG/);
    expect(png.name).toBe("risk-of-bias-consensus-summary-weighted.png");
    expect(png.body.subarray(1, 4).toString()).toBe("PNG");
    const csv = await save(/Download CSV/);
    const lines = csv.body.toString().trim().split("\r\n");
    expect(lines[0]).toBe("Study,D1,D2,D3,D4,D5,D6,D7,D8,D9,D10,Weight");
    expect(lines[20]!.split(",").slice(1, 11)).toEqual(["High", "Low", "Unclear", "Low", "Unclear", "Unclear", "High", "Low", "Low", "Low"]);
    await screenshot(page, "rob-figures-colourblind");
    await page.locator('svg[aria-label="Traffic-light plot"]').screenshot({ path: join(ARTIFACTS, "rob-traffic-light-colourblind.png") });
    await page.locator('svg[aria-label="Risk of bias summary"]').screenshot({ path: join(ARTIFACTS, "rob-summary-weighted-colourblind.png") });
    await page.getByLabel("Colours").selectOption("robvis");
    await page.locator('svg[aria-label="Traffic-light plot"]').screenshot({ path: join(ARTIFACTS, "rob-traffic-light.png") });
  });
});
