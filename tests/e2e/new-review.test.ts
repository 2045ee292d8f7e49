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
    // A new review is nobody's topic yet: no outcome, no characteristic, no exosome anything.
    expect(await page.locator("main").innerText()).toContain("No outcome is defined yet.");
    for (const section of ["studies", "risk-of-bias", "analysis", "setup"]) {
      await page.goto(`/reviews/${reviewId}/${section}`);
      await page.locator("main h1").first().waitFor();
      const text = await page.locator("body").innerText();
      expect(text).not.toMatch(/NaN|Infinity|undefined|Application error/);
      expect(text).not.toMatch(/exosome|BBB/i);
    }
    await page.goto(`/reviews/${reviewId}/analysis`);
    await expect.poll(() => page.locator("main").innerText()).toContain("This review has no outcome yet.");
    await page.goto(`/reviews/${reviewId}/setup`);
    await expect.poll(() => page.getByRole("region", { name: "Outcomes" }).innerText()).toContain("No outcome yet.");
    await screenshot(page, "empty-review-analysis");
    expect(consoleErrors).toEqual([]);
  });

  it("lets its lead edit the protocol and PRISMA counts, and define an outcome with its scale on Set-up", async () => {
    await page.goto("/");
    await page.getByRole("link", { name: "Empty review" }).click();
    await page.waitForURL(/\/reviews\/\d+$/);
    const reviewId = Number(new URL(page.url()).pathname.split("/").pop());
    await page.getByRole("button", { name: /Edit review details/ }).click();
    await page.getByLabel("Records identified").fill("120");
    await page.getByLabel("Review question").fill("Does X improve Y in rats?");
    // Records per source must add up to the records identified; the message names the field, nothing is saved.
    await page.getByLabel("Records per source").fill("PubMed: 70\nEmbase: 40");
    await page.getByRole("button", { name: "Save review details" }).click();
    await expect.poll(() => page.getByRole("form", { name: "Review details" }).getByRole("alert").innerText()).toContain("Records per source add up to 110, but Records identified is 120.");
    await page.getByLabel("Records per source").fill("PubMed: 70\nEmbase 50");
    await page.getByRole("button", { name: "Save review details" }).click();
    await expect.poll(() => page.getByRole("form", { name: "Review details" }).getByRole("alert").innerText()).toContain("Records per source, line 2:");
    await page.getByLabel("Records per source").fill("PubMed: 70\nEmbase: 50");
    await page.getByRole("button", { name: "Save review details" }).click();
    await expect.poll(() => page.getByRole("status").first().innerText()).toContain("Saved");
    await page.reload();
    expect(await page.getByRole("region", { name: "PRISMA flow" }).innerText()).toContain("120");
    const { prisma } = (await (await page.request.get(`/api/trpc/report.get?input=${encodeURIComponent(JSON.stringify({ json: { reviewId, sections: ["prisma"] } }))}`)).json()).result.data.json;
    expect(prisma.flow.bySource).toEqual([
      { source: "PubMed", records: 70 },
      { source: "Embase", records: 50 },
    ]);
    expect(await page.locator("main").innerText()).toContain("Does X improve Y in rats?");
    await page.goto(`/reviews/${reviewId}/setup`);
    await page.getByRole("button", { name: "Add outcome" }).click();
    const form = page.getByRole("form", { name: "New outcome" });
    await form.getByLabel("Start from").selectOption({ label: "Other outcome (no fixed scale)" });
    await form.getByLabel("Outcome name").fill("Forelimb score");
    await form.getByLabel("Unit").fill("points");
    await form.getByLabel(/Scale minimum/).fill("10");
    await form.getByLabel(/Scale maximum/).fill("5");
    await form.getByRole("button", { name: "Add this outcome" }).click();
    // The message names the field as the form does, not by its internal name.
    await expect.poll(() => form.getByRole("alert").innerText()).toBe("Scale maximum must be above the scale minimum");
    await form.getByLabel(/Scale minimum/).fill("0");
    await form.getByRole("button", { name: "Add this outcome" }).click();
    const outcomes = page.getByRole("region", { name: "Outcomes" });
    await expect.poll(() => outcomes.innerText()).toContain("Forelimb score");
    expect(await outcomes.innerText()).toContain("0 to 5 points, higher is better");
    await page.reload();
    await expect.poll(() => page.getByRole("region", { name: "Outcomes" }).innerText()).toContain("0 to 5 points, higher is better");
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
      await page.getByLabel("First author", { exact: true }).fill(author!);
      await page.getByLabel("Year", { exact: true }).fill(year!);
      await page.getByRole("button", { name: "Save study" }).click();
      await expect.poll(() => page.locator("tbody").innerText()).toContain(author!);
    }
    await page.locator("tbody tr").first().getByRole("link", { name: /values/ }).click();
    await page.getByLabel("Day after injury (Forelimb score)").fill("28");
    await page.getByRole("button", { name: "Add time point" }).click();
    for (const [arm, mean, sd, n] of [
      ["Treated", "4.5", "0.6", "10"],
      ["Control", "3.0", "0.5", "10"],
    ] as const) {
      await page.getByLabel(`Mean, ${arm}, day 28`, { exact: true }).fill(mean);
      await page.getByLabel(`SD, ${arm}, day 28`, { exact: true }).fill(sd);
      await page.getByLabel(`n, ${arm}, day 28`, { exact: true }).fill(n);
      await page.getByLabel(`n, ${arm}, day 28`, { exact: true }).press("Enter");
      await expect.poll(() => page.getByRole("row").filter({ has: page.getByLabel(`Mean, ${arm}, day 28`) }).innerText()).toContain("Saved");
      // Shown as stored ("3.0" reads "3"), and not taken for unsaved input.
      expect(await page.getByLabel(`Mean, ${arm}, day 28`, { exact: true }).inputValue()).toBe(String(Number(mean)));
    }
    await page.goto(`/reviews/${reviewId}/analysis`);
    await expect.poll(() => page.getByTestId("pooled-estimate").innerText()).toContain("1.50"); // 4.5 − 3.0: one study, its own difference
    const text = await page.locator("body").innerText();
    expect(text).toContain("Second 2021");
    expect(text).toContain("no outcome data entered");
    expect(text).not.toMatch(/NaN|Infinity/);
    await expectAccessible(page);
    await screenshot(page, "one-study-analysis");
    expect(consoleErrors).toEqual([]);
  });
});
