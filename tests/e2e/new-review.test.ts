import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectAccessible, launchBrowser, newContext, screenshot, signIn } from "./support";

/** A real install's first steps: the administrator creates an empty review and fills it from nothing. */
let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launchBrowser();
  const context = await newContext(browser);
  page = await context.newPage();
  await signIn(page, "admin", "admin-e2e-password");
});
afterAll(async () => browser?.close());

const consoleErrors: string[] = [];

describe("a new, empty review", () => {
  it("is created by the administrator and shows every page without errors while it has no data", async () => {
    page.on("pageerror", (e) => consoleErrors.push(e.message));
    await page.goto("/");
    await page.getByLabel("New review title").fill("Empty review");
    await page.getByRole("button", { name: "Create review" }).click();
    await page.waitForURL(/\/reviews\/\d+$/);
    const reviewId = Number(new URL(page.url()).pathname.split("/").pop());
    expect(await page.locator("main").innerText()).toContain("No study can be analysed at this time point yet.");
    for (const section of ["studies", "risk-of-bias", "analysis"]) {
      await page.goto(`/reviews/${reviewId}/${section}`);
      await page.locator("main h1").first().waitFor();
      const text = await page.locator("body").innerText();
      expect(text).not.toMatch(/NaN|Infinity|Application error/);
    }
    await screenshot(page, "empty-review-analysis");
    expect(consoleErrors).toEqual([]);
  });

  it("lets its lead edit the protocol and PRISMA counts, and define an outcome with its scale", async () => {
    await page.goto("/");
    await page.getByRole("link", { name: "Empty review" }).click();
    await page.waitForURL(/\/reviews\/\d+$/);
    await page.getByRole("button", { name: /Edit review details and outcomes/ }).click();
    await page.getByLabel("Records identified").fill("120");
    await page.getByLabel("Review question").fill("Does X improve Y in rats?");
    await page.getByRole("button", { name: "Save review details" }).click();
    await expect.poll(() => page.getByRole("status").first().innerText()).toContain("Saved");
    await page.reload();
    expect(await page.getByRole("region", { name: "PRISMA flow" }).innerText()).toContain("120");
    expect(await page.locator("main").innerText()).toContain("Does X improve Y in rats?");
    await page.getByRole("button", { name: /Edit review details and outcomes/ }).click();
    await page.getByLabel("Outcome name").fill("Forelimb score");
    await page.getByLabel("Scale minimum").fill("10");
    await page.getByLabel("Scale maximum").fill("5");
    await page.getByRole("button", { name: "Add outcome" }).click();
    await expect.poll(() => page.getByRole("form", { name: "Add outcome" }).innerText()).toContain("scaleMax: must be above the scale minimum");
    await page.getByLabel("Scale minimum").fill("0");
    await page.getByRole("button", { name: "Add outcome" }).click();
    await expect.poll(() => page.getByRole("region", { name: "Review settings" }).innerText()).toContain("Forelimb score (points; scale 0 to 5, higher is better)");
    await expectAccessible(page);
  });

  it("analyses a first study once it has treated and control values, and lists a study without data with its reason", async () => {
    await page.goto("/");
    await page.getByRole("link", { name: "Empty review" }).click();
    await page.waitForURL(/\/reviews\/\d+$/);
    const reviewId = Number(new URL(page.url()).pathname.split("/").pop());
    await page.goto(`/reviews/${reviewId}/studies`);
    for (const [author, year] of [
      ["First et al.", "2020"],
      ["Second et al.", "2021"],
    ]) {
      await page.getByRole("button", { name: "Add study" }).click();
      await page.getByLabel("Author", { exact: true }).fill(author!);
      await page.getByLabel("Year", { exact: true }).fill(year!);
      await page.getByRole("button", { name: "Save study" }).click();
      await expect.poll(() => page.locator("tbody").innerText()).toContain(author!);
    }
    await page.locator("tbody tr").first().getByRole("link", { name: /values/ }).click();
    await page.getByLabel("Day after injury").fill("28");
    await page.getByRole("button", { name: "Add time point" }).click();
    for (const [arm, mean, sd, n] of [
      ["treated", "9.5", "2.1", "10"],
      ["control", "7.0", "1.9", "10"],
    ] as const) {
      await page.getByLabel(`Mean, ${arm}, day 28`, { exact: true }).fill(mean);
      await page.getByLabel(`SD, ${arm}, day 28`, { exact: true }).fill(sd);
      await page.getByLabel(`n, ${arm}, day 28`, { exact: true }).fill(n);
      await page.getByRole("row").filter({ has: page.getByLabel(`Mean, ${arm}, day 28`) }).getByRole("button", { name: "Save" }).click();
      await expect.poll(() => page.getByRole("row").filter({ has: page.getByLabel(`Mean, ${arm}, day 28`) }).innerText()).toContain("Saved");
    }
    await page.goto(`/reviews/${reviewId}/analysis`);
    await expect.poll(() => page.getByTestId("pooled-estimate").innerText()).toContain("2.50");
    const text = await page.locator("body").innerText();
    expect(text).toContain("Second 2021");
    expect(text).toContain("no outcome data entered");
    expect(text).not.toMatch(/NaN|Infinity/);
    await expectAccessible(page);
    await screenshot(page, "one-study-analysis");
    expect(consoleErrors).toEqual([]);
  });
});
