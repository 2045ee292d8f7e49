import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyze } from "@/server/analysis";
import { ARTIFACTS, expectAccessible, launchBrowser, pageScrollWidth, PHONE, signedInPageSized } from "./support";

/**
 * A review that has nothing to do with the demo, built from scratch in the browser by its lead: a lesion-volume
 * outcome (lower is better), two characteristics of its own (a list and a number), four studies with values, and
 * the forest plot by subgroups of the list characteristic. The expected numbers are `analyze()` on the values typed
 * here, with the SEM converted by its textbook formula (SD = SEM × √n, Cochrane Handbook 6.5.2.2).
 */

let browser: Browser;
let context: BrowserContext;
let page: Page;
let reviewId: number;

const TITLE = "Curcumin versus statins after spinal cord injury";
type Arm = { mean: number; sd?: number; sem?: number; n: number };
const studies: { author: string; year: number; drugClass: "Statin" | "Curcuminoid"; dose: number; treated: Arm; control: Arm }[] = [
  { author: "Alvarez et al.", year: 2019, drugClass: "Statin", dose: 5, treated: { mean: 12.0, sd: 3.0, n: 8 }, control: { mean: 18.0, sd: 4.0, n: 8 } },
  { author: "Berg et al.", year: 2020, drugClass: "Statin", dose: 10, treated: { mean: 10.5, sem: 1.2, n: 10 }, control: { mean: 15.0, sem: 1.5, n: 10 } },
  { author: "Chen et al.", year: 2021, drugClass: "Curcuminoid", dose: 100, treated: { mean: 14.0, sd: 5.0, n: 6 }, control: { mean: 16.0, sd: 4.5, n: 6 } },
  { author: "Dube et al.", year: 2022, drugClass: "Curcuminoid", dose: 200, treated: { mean: 20.0, sd: 6.0, n: 9 }, control: { mean: 21.5, sd: 5.5, n: 9 } },
];
const DAY = 28;
const sdOf = (arm: Arm) => arm.sd ?? arm.sem! * Math.sqrt(arm.n);
const forest = () => page.locator('svg[aria-label="Forest plot"]');

beforeAll(async () => {
  browser = await launchBrowser();
  ({ context, page } = await signedInPageSized(browser, "admin", "desktop", "admin-e2e-password"));
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe("any review, not only the demo's", () => {
  it("is created empty and set up by its lead: a lesion-volume outcome and two characteristics of its own", async () => {
    await page.goto("/");
    await page.getByLabel("New review title").fill(TITLE);
    await page.getByRole("button", { name: "Create review" }).click();
    await page.waitForURL(/\/reviews\/\d+$/);
    reviewId = Number(new URL(page.url()).pathname.split("/").pop());

    await page.goto(`/reviews/${reviewId}/setup`);
    const outcomeForm = page.getByRole("form", { name: "New outcome" });
    // A click before the page has hydrated does nothing (seen on a loaded machine): click until the form opens.
    await expect
      .poll(async () => {
        if (!(await outcomeForm.isVisible())) await page.getByRole("button", { name: "Add outcome" }).click();
        return outcomeForm.isVisible();
      })
      .toBe(true);
    await outcomeForm.getByLabel("Start from").selectOption({ label: "Lesion volume (mm³, lower is better)" });
    expect(await outcomeForm.getByLabel("Outcome name").inputValue()).toBe("Lesion volume");
    expect(await outcomeForm.getByLabel("lower", { exact: true }).isChecked()).toBe(true);
    await outcomeForm.getByRole("button", { name: "Add this outcome" }).click();
    await expect.poll(() => page.getByRole("region", { name: "Outcomes" }).innerText()).toContain("0 mm³ or more, lower is better");

    const characteristics = page.getByRole("region", { name: "Study characteristics of this review" });
    await characteristics.getByRole("button", { name: "Add characteristic" }).click();
    let form = page.getByRole("form", { name: "New characteristic" });
    await form.getByLabel("Label").fill("Drug class");
    await form.getByLabel("Type").selectOption({ label: "One of a list" });
    // A list needs two entries: the message says so in words.
    await form.getByLabel("Choices (one per line)").fill("Statin");
    await form.getByRole("button", { name: "Add this characteristic" }).click();
    await expect.poll(() => form.getByRole("alert").innerText()).toBe("Choices need at least two entries for a list");
    await form.getByLabel("Choices (one per line)").fill("Statin\nCurcuminoid\nOther");
    await form.getByLabel("Help text for extractors").fill("The class of the drug given to the treated arm");
    await form.getByRole("button", { name: "Add this characteristic" }).click();
    await expect.poll(() => characteristics.innerText()).toContain("One of a list: Statin, Curcuminoid, Other");

    await characteristics.getByRole("button", { name: "Add characteristic" }).click();
    form = page.getByRole("form", { name: "New characteristic" });
    await form.getByLabel("Label").fill("Dose per day");
    await form.getByLabel("Type").selectOption({ label: "Number (with unit)" });
    await form.getByLabel("Unit").fill("mg/kg");
    await form.getByRole("button", { name: "Add this characteristic" }).click();
    await expect.poll(() => characteristics.innerText()).toContain("Number (with unit) (mg/kg)");
    // Both are Table 1 columns (the default), after the fixed ones the review starts with.
    const columns = await page.getByRole("region", { name: "Table 1 columns" }).locator("ol li > span:nth-child(2)").allInnerTexts();
    expect(columns.slice(-2)).toEqual(["Drug class", "Dose per day"]);
    expect(await page.locator("main").innerText()).not.toMatch(/exosome|BBB/i);
    await expectAccessible(page);
    await page.screenshot({ path: `${ARTIFACTS}/any-review-setup.png`, fullPage: true });
  });

  it("adds four studies and fills the review's own columns in Table 1, refusing a bad number with the column's name", async () => {
    await page.goto(`/reviews/${reviewId}/studies`);
    const headerTexts = async () => (await page.locator("thead th").allInnerTexts()).map((h) => h.replace(/[▲▼]/g, "").trim());
    await expect.poll(headerTexts).toContain("Drug class");
    const headers = await headerTexts();
    expect(headers).toContain("Dose per day");
    expect(headers.join(" ")).not.toMatch(/exosome/i);
    for (const study of studies) {
      await page.getByRole("button", { name: "Add study" }).click();
      await page.getByLabel("First author", { exact: true }).fill(study.author);
      await page.getByLabel("Year", { exact: true }).fill(String(study.year));
      await page.getByRole("button", { name: "Save study" }).click();
      await expect.poll(() => page.locator("tbody").innerText()).toContain(study.author);
    }
    for (const [i, study] of studies.entries()) {
      const position = i + 1;
      await page.getByRole("button", { name: new RegExp(`^Drug class of study ${position}: `) }).click();
      const select = page.getByRole("combobox", { name: `Drug class of study ${position}`, exact: true });
      await select.selectOption({ label: study.drugClass });
      await select.press("Enter");
      await expect.poll(() => page.getByRole("button", { name: new RegExp(`^Drug class of study ${position}: `) }).innerText()).toBe(study.drugClass);

      await page.getByRole("button", { name: new RegExp(`^Dose per day of study ${position}: `) }).click();
      const dose = page.getByRole("textbox", { name: `Dose per day of study ${position}`, exact: true });
      if (position === 1) {
        await dose.fill("five");
        await dose.press("Enter");
        await expect.poll(() => dose.getAttribute("aria-invalid")).toBe("true");
        const message = page.locator(`[id="${await dose.getAttribute("aria-describedby")}"]`);
        expect(await message.innerText()).toMatch(/^Dose per day must be a (finite )?number$/);
        await page.screenshot({ path: `${ARTIFACTS}/any-review-bad-number.png` });
      }
      await dose.fill(String(study.dose));
      await dose.press("Enter");
      await expect.poll(() => page.getByRole("button", { name: new RegExp(`^Dose per day of study ${position}: `) }).innerText()).toBe(`${study.dose} mg/kg`);
    }
    // Saved: a reload shows the same values, and the list characteristic filters the table.
    await page.reload();
    await page.locator("tbody tr").nth(3).waitFor();
    expect(await page.getByRole("button", { name: /^Drug class of study 3: / }).innerText()).toBe("Curcuminoid");
    await page.getByLabel("Filter by", { exact: true }).selectOption({ label: "Drug class" });
    await page.getByLabel("Drug class", { exact: true }).selectOption({ label: "Statin" });
    await expect.poll(() => page.locator("tbody tr").count()).toBe(studies.filter((s) => s.drugClass === "Statin").length);
    await page.getByLabel("Filter by", { exact: true }).selectOption("");
    await expectAccessible(page);
    await page.screenshot({ path: `${ARTIFACTS}/any-review-studies.png`, fullPage: true });
  });

  it("takes each study's values in its outcome grid, the SEM converted to an SD on the fly", async () => {
    for (const [i, study] of studies.entries()) {
      await page.goto(`/reviews/${reviewId}/studies`);
      await page.locator("tbody tr").nth(i).getByRole("link", { name: /values/ }).click();
      await page.getByRole("heading", { name: new RegExp(study.author.replace(" et al.", "")) }).waitFor();
      await page.getByLabel("Day after injury (Lesion volume)").fill(String(DAY));
      await page.getByRole("button", { name: "Add time point" }).click();
      for (const [arm, values] of [
        ["Treated", study.treated],
        ["Control", study.control],
      ] as const) {
        const label = (field: string) => `${field}, ${arm}, day ${DAY}`;
        await page.getByLabel(label("Mean"), { exact: true }).fill(String(values.mean));
        if (values.sem !== undefined) {
          await page.getByLabel(label("Error type"), { exact: true }).selectOption("SEM");
          await page.getByLabel(label("SEM"), { exact: true }).fill(String(values.sem));
        } else {
          await page.getByLabel(label("SD"), { exact: true }).fill(String(values.sd));
        }
        const n = page.getByLabel(label("n"), { exact: true });
        await n.fill(String(values.n));
        await n.press("Enter");
        const row = page.getByRole("row").filter({ has: n });
        await expect.poll(() => row.getByRole("status").textContent()).toBe("Saved");
        expect(await row.innerText()).toContain(sdOf(values).toFixed(3));
      }
      if (i === 1) {
        expect(await page.locator("main").innerText()).toContain("SD = SEM × √n");
        await page.screenshot({ path: `${ARTIFACTS}/any-review-outcome-grid.png`, fullPage: true });
      }
    }
  });

  it("reaches a forest plot by drug class whose pooled estimate is the analysis module's, favouring the treated arm on the left", async () => {
    await page.goto(`/reviews/${reviewId}/analysis`);
    await forest().waitFor();
    // No saved analysis yet: the defaults, and no subgroups until a variable is chosen.
    expect(await page.getByTestId("view-status").innerText()).toContain("No analysis is saved yet");
    expect(await page.getByLabel("Subgroups by", { exact: true }).inputValue()).toBe("");
    expect(await forest().locator('g[data-row="heading"]').count()).toBe(0);
    await page.getByLabel("Subgroups by", { exact: true }).selectOption({ label: "Drug class" });

    const expected = analyze({
      measure: "MD",
      model: "random",
      tau2Method: "REML",
      ciMethod: "z",
      level: 0.95,
      studies: studies.map((s, i) => ({ id: `s${i}`, m1: s.treated.mean, sd1: sdOf(s.treated), n1: s.treated.n, m2: s.control.mean, sd2: sdOf(s.control), n2: s.control.n, year: s.year, group: s.drugClass })),
    });
    await expect.poll(() => forest().locator('g[data-row="subgroup-diamond"]').count()).toBe(2);
    expect(await forest().locator('g[data-row="heading"]').allTextContents()).toEqual(expected.subgroups!.groups.map((g) => g.name));
    expect(expected.subgroups!.groups.map((g) => g.name).sort()).toEqual(["Curcuminoid", "Statin"]);
    expect(await forest().locator('g[data-row="study"]').count()).toBe(studies.length);
    await expect.poll(async () => Number(await page.getByTestId("pooled-estimate").getAttribute("data-estimate"))).toBeCloseTo(expected.pooled!.estimate, 10);
    expect(Number(await page.getByTestId("pooled-estimate").getAttribute("data-ci-lower"))).toBeCloseTo(expected.pooled!.ciLower, 10);
    expect(Number(await page.getByTestId("pooled-estimate").getAttribute("data-ci-upper"))).toBeCloseTo(expected.pooled!.ciUpper, 10);
    expect(expected.pooled!.estimate).toBeLessThan(0); // smaller lesions with the drug
    const text = (await forest().textContent())!;
    expect(text).toContain("Mean difference");
    expect(text).toContain("IV, Random (REML), 95% CI");
    expect(text).toContain("Test for subgroup differences");
    expect(text).not.toMatch(/NaN|Infinity|undefined/);

    // Lower is better: an effect left of zero favours the treated arm, so "Favours treated" is on the left.
    const xOf = async (label: string) => (await forest().locator("text", { hasText: label }).boundingBox())!.x;
    expect(await xOf("Favours treated")).toBeLessThan(await xOf("Favours control"));
    await expectAccessible(page);
    await page.screenshot({ path: `${ARTIFACTS}/any-review-analysis.png`, fullPage: true });
    await forest().screenshot({ path: `${ARTIFACTS}/any-review-forest.png` });

    // The lead keeps it as the review's first saved analysis, titled as RevMan would.
    await page.getByRole("button", { name: "Save as new analysis…" }).click();
    const title = page.getByRole("form", { name: "Save as a new analysis" }).getByLabel("Title");
    expect(await title.inputValue()).toBe("Lesion volume, last time point, random effects (REML), by drug class");
    await page.getByRole("button", { name: "Save for everyone" }).click();
    await expect.poll(() => page.getByLabel("Saved analysis").locator("option:checked").innerText()).toBe("Analysis 1.1 Lesion volume, last time point, random effects (REML), by drug class");
    await page.goto(`/reviews/${reviewId}/analysis`);
    await expect.poll(() => forest().locator('g[data-row="subgroup-diamond"]').count()).toBe(2);
    expect(await page.getByTestId("view-status").innerText()).toContain("You see Analysis 1.1 as saved");
  });

  it("shows the same review on a phone without sideways scrolling", async () => {
    const phone = await signedInPageSized(browser, "admin", "phone", "admin-e2e-password");
    try {
      for (const [name, path] of [
        ["studies", `/reviews/${reviewId}/studies`],
        ["setup", `/reviews/${reviewId}/setup`],
        ["analysis", `/reviews/${reviewId}/analysis`],
      ] as const) {
        await phone.page.goto(path);
        await phone.page.locator("main h1").first().waitFor();
        if (name === "analysis") await phone.page.locator('svg[aria-label="Forest plot"]').waitFor();
        if (name === "studies") await phone.page.locator("tbody tr").nth(3).waitFor();
        await phone.page.waitForLoadState("networkidle");
        expect(await pageScrollWidth(phone.page), name).toBeLessThanOrEqual(PHONE.width);
        await expectAccessible(phone.page);
        await phone.page.screenshot({ path: `${ARTIFACTS}/any-review-phone-${name}.png`, fullPage: true });
      }
    } finally {
      await phone.context.close();
    }
  });
});
