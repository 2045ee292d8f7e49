import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { table1 } from "@/db/seed/table1";
import { demoReviewId, expectAccessible, launchBrowser, newContext, screenshot, signedInPage } from "./support";

let browser: Browser;
let page: Page;
let reviewId: number;
beforeAll(async () => {
  browser = await launchBrowser();
  ({ page } = await signedInPage(browser, "reviewer1"));
  reviewId = await demoReviewId(page);
});
afterAll(async () => browser?.close());

const row = (position: number) => page.locator(`tbody tr:has(td:first-child:text-is("${position}"))`);

describe("the demo review in a browser", () => {
  it("sends anonymous visitors to the sign-in page, which passes axe", async () => {
    const context = await newContext(browser);
    const anonymous = await context.newPage();
    await anonymous.goto(`/reviews/${reviewId}/studies`);
    expect(new URL(anonymous.url()).pathname).toBe("/login");
    await expectAccessible(anonymous);
    await screenshot(anonymous, "login");
    await context.close();
  });

  it("lists the demo review and opens its overview with the pooled results", async () => {
    await page.goto("/");
    await expect.poll(() => page.getByRole("link", { name: /Stem cell-derived exosomes/ }).count()).toBe(1);
    await expectAccessible(page);
    await page.goto(`/reviews/${reviewId}`);
    await expect.poll(() => page.getByText("Records identified").count()).toBe(1);
    const overview = await page.locator("main").innerText();
    expect(overview).toContain("276");
    expect(overview).toMatch(/MD \(fixed\)\s+1\.\d\d/);
    expect(overview).toContain("example data");
    await expectAccessible(page);
    await screenshot(page, "overview");
  });

  it("shows the 21 studies of Table 1 with their printed values", async () => {
    await page.goto(`/reviews/${reviewId}/studies`);
    await page.locator("tbody tr").first().waitFor();
    expect(await page.locator("tbody tr").count()).toBe(21);
    for (const printed of [table1[0]!, table1[6]!, table1[20]!]) {
      const text = await row(printed.position).innerText();
      expect(text).toContain(printed.author);
      expect(text).toContain(String(printed.year));
      expect(text).toContain(printed.exosomeSourceDetail);
      expect(text).toContain(printed.injuredSite);
      expect(text).toContain(printed.possibleMechanism);
      expect(text).toContain(printed.reference);
    }
    await expectAccessible(page);
    await screenshot(page, "study-table");
  });

  it("filters, searches and sorts", async () => {
    await page.goto(`/reviews/${reviewId}/studies`);
    await page.locator("tbody tr").first().waitFor();
    await page.getByLabel("Source", { exact: true }).selectOption("placenta");
    await expect.poll(() => page.locator("tbody tr").count()).toBe(2);
    await page.getByLabel("Source", { exact: true }).selectOption("");
    await page.getByLabel("Search").fill("pyroptosis");
    await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
    await page.getByLabel("Search").fill("");
    await page.getByRole("columnheader", { name: /Year/ }).getByRole("button").click();
    await expect.poll(() => page.locator("tbody tr").first().locator("td").nth(2).innerText()).toBe("2018");
  });

  it("saves an edited cell, which survives a reload", async () => {
    await page.goto(`/reviews/${reviewId}/studies`);
    await row(3).locator("td").nth(6).getByRole("button").click();
    const input = page.getByRole("textbox", { name: "Injured site of study 3", exact: true });
    await input.fill("T10–11");
    await input.press("Enter");
    await expect.poll(() => row(3).locator("td").nth(6).getByRole("button").innerText()).toBe("T10–11");
    await page.reload();
    await row(3).waitFor();
    expect(await row(3).locator("td").nth(6).getByRole("button").innerText()).toBe("T10–11");
  });

  it("shows an error naming the field for an invalid value, and does not save it", async () => {
    await page.goto(`/reviews/${reviewId}/studies`);
    await row(4).locator("td").nth(2).getByRole("button").click();
    const input = page.getByRole("textbox", { name: "Year of study 4", exact: true });
    await input.fill("1850");
    await input.press("Enter");
    await expect.poll(() => page.getByRole("alert").first().innerText()).toContain("Year: must be 1900 or later");
    await screenshot(page, "study-table-invalid");
    await page.reload();
    await row(4).waitFor();
    expect(await row(4).locator("td").nth(2).innerText()).toBe("2023");
  });

  it("adds a study and deletes it after confirmation", async () => {
    await page.goto(`/reviews/${reviewId}/studies`);
    await page.getByRole("button", { name: "Add study" }).click();
    await page.getByLabel("Author", { exact: true }).fill("Tester et al.");
    await page.getByLabel("Year", { exact: true }).fill("2024");
    await page.getByRole("button", { name: "Save study" }).click();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(22);
    await page.getByRole("button", { name: /Delete study 22/ }).click();
    const dialog = page.getByRole("dialog");
    expect(await dialog.innerText()).toContain("Delete Tester et al. 2024?");
    await screenshot(page, "study-delete-confirm");
    await dialog.getByRole("button", { name: "Delete study" }).click();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(21);
    await page.reload();
    await page.locator("tbody tr").first().waitFor();
    expect(await page.locator("tbody tr").count()).toBe(21);
  });

  it("opens a study's outcome grid with SEM converted to SD on the fly", async () => {
    await page.goto(`/reviews/${reviewId}/studies`);
    await row(5).getByRole("link", { name: /values/ }).click();
    await page.getByRole("table", { name: "Outcome values by time point" }).waitFor();
    const grid = await page.getByRole("table", { name: "Outcome values by time point" }).innerText();
    expect(grid).toContain("SD = SEM × √n");
    expect(grid).toContain("example data");
    await expectAccessible(page);
    await screenshot(page, "study-outcomes");
  });
});
