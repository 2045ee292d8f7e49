import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { table1 } from "@/db/seed/table1";
import { studyFieldLabels, type StudyField } from "@/server/schemas/study";
import { readE2eDb } from "./e2e-db";
import { demoReviewId, expectAccessible, launchBrowser, newContext, screenshot, signedInPage } from "./support";

let browser: Browser;
let page: Page;
let lead: Page;
let reviewId: number;
beforeAll(async () => {
  browser = await launchBrowser();
  ({ page } = await signedInPage(browser, "reviewer1"));
  ({ page: lead } = await signedInPage(browser, "lead"));
  reviewId = await demoReviewId(page);
});

/** The review's own Table 1 columns as stored (after #, author, year), by their labels. */
function storedTable1Labels(): string[] {
  return readE2eDb((db) => {
    const keys = JSON.parse(db.prepare("select table1_columns from reviews where id = ?").pluck().get(reviewId) as string) as string[];
    const labels = new Map((db.prepare("select id, label from characteristics where review_id = ?").all(reviewId) as { id: number; label: string }[]).map((c) => [`c:${c.id}`, c.label]));
    return keys.map((key) => labels.get(key) ?? studyFieldLabels[key as StudyField]);
  });
}
const studiesInTable = () => readE2eDb((db) => db.prepare("select count(*) from studies where review_id = ? and deleted_at is null").pluck().get(reviewId) as number);
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

  it("shows the 21 studies of Table 1 with their printed values, under the review's own columns", async () => {
    await page.goto(`/reviews/${reviewId}/studies`);
    await page.locator("tbody tr[data-study-id]").first().waitFor();
    expect(await page.locator("tbody tr").count()).toBe(studiesInTable());
    expect(studiesInTable()).toBeGreaterThanOrEqual(21);
    // #, first author, year, then the columns the lead chose, in order (fixed fields and the review's characteristics).
    const headers = (await page.locator("thead th").allInnerTexts()).map((h) => h.replace(/[▲▼]/g, "").trim());
    const own = storedTable1Labels();
    expect(own).toContain("Exosome source");
    expect(own).toContain("Injured site");
    expect(headers.slice(0, 3 + own.length)).toEqual(["#", "First author", "Year", ...own]);
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

  it("filters by a list characteristic, searches and sorts", async () => {
    await page.goto(`/reviews/${reviewId}/studies`);
    await page.locator("tbody tr[data-study-id]").first().waitFor();
    const placenta = readE2eDb(
      (db) =>
        db
          .prepare(
            `select count(*) from characteristic_values v join characteristics c on c.id = v.characteristic_id join studies s on s.id = v.study_id
             where c.review_id = ? and c.label = 'Exosome source' and v.value = '"placenta"' and s.deleted_at is null`,
          )
          .pluck()
          .get(reviewId) as number,
    );
    expect(placenta).toBeGreaterThan(0);
    await page.getByLabel("Filter by", { exact: true }).selectOption({ label: "Exosome source" });
    await page.getByLabel("Exosome source", { exact: true }).selectOption({ label: "Placenta" });
    await expect.poll(() => page.locator("tbody tr").count()).toBe(placenta);
    const sourceColumn = 4 + storedTable1Labels().indexOf("Exosome source"); // after #, author and year (1-based)
    for (const text of await page.locator(`tbody tr td:nth-child(${sourceColumn})`).allInnerTexts()) expect(text).toBe("Placenta");
    await page.getByLabel("Filter by", { exact: true }).selectOption("");
    await expect.poll(() => page.locator("tbody tr").count()).toBe(studiesInTable());
    await page.getByLabel("Search").fill("pyroptosis");
    await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
    await page.getByLabel("Search").fill("");
    await page.getByRole("columnheader", { name: /Year/ }).getByRole("button").click();
    await expect.poll(() => page.locator("tbody tr").first().locator("td").nth(2).innerText()).toBe("2018");
  });

  it("saves an edited cell, which survives a reload", async () => {
    await page.goto(`/reviews/${reviewId}/studies`);
    const column = 3 + storedTable1Labels().indexOf("Injured site"); // after #, author and year
    expect(column).toBeGreaterThanOrEqual(3);
    await row(3).locator("td").nth(column).getByRole("button").click();
    const input = page.getByRole("textbox", { name: "Injured site of study 3", exact: true });
    await input.fill("T10–11");
    await input.press("Enter");
    await expect.poll(() => row(3).locator("td").nth(column).getByRole("button").innerText()).toBe("T10–11");
    await page.reload();
    await row(3).waitFor();
    expect(await row(3).locator("td").nth(column).getByRole("button").innerText()).toBe("T10–11");
  });

  it("shows an error naming the field for an invalid value, and does not save it", async () => {
    await page.goto(`/reviews/${reviewId}/studies`);
    await row(4).locator("td").nth(2).getByRole("button").click();
    const input = page.getByRole("textbox", { name: "Year of study 4", exact: true });
    await input.fill("1850");
    await input.press("Enter");
    await expect.poll(() => page.getByRole("alert").first().innerText()).toContain("Year must be 1900 or later");
    expect(await input.getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator(`[id="${await input.getAttribute("aria-describedby")}"]`).innerText()).toContain("Year must be 1900 or later");
    await screenshot(page, "study-table-invalid");
    await page.reload();
    await row(4).waitFor();
    expect(await row(4).locator("td").nth(2).innerText()).toBe("2023");
  });

  it("adds a study and removes it after confirmation (a study without data: a reviewer may)", async () => {
    await page.goto(`/reviews/${reviewId}/studies`);
    await page.locator("tbody tr[data-study-id]").first().waitFor();
    const before = studiesInTable();
    expect(await page.locator("tbody tr").count()).toBe(before);
    await page.getByRole("button", { name: "Add study" }).click();
    await page.getByLabel("First author", { exact: true }).fill("Tester et al.");
    await page.getByLabel("Year", { exact: true }).fill("2024");
    await page.getByRole("button", { name: "Save study" }).click();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(before + 1);
    await page.getByRole("button", { name: /^Remove study \d+ \(Tester et al\. 2024\)$/ }).click();
    const dialog = page.getByRole("dialog");
    expect(await dialog.innerText()).toContain("Remove Tester et al. 2024?");
    await screenshot(page, "study-remove-confirm");
    await dialog.getByRole("button", { name: "Remove study" }).click();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(before);
    expect(await page.getByRole("status").filter({ hasText: "Removed Tester et al. 2024." }).count()).toBe(1);
    await page.reload();
    await page.locator("tbody tr[data-study-id]").first().waitFor();
    expect(await page.locator("tbody tr").count()).toBe(before);
    // Kept among the removed studies; only the lead restores, so a reviewer sees no Restore button.
    await page.locator("summary", { hasText: /Removed studies/ }).click();
    expect(await page.locator("details", { hasText: "Removed studies" }).innerText()).toContain("Tester 2024");
    expect(await page.getByRole("button", { name: /^Restore / }).count()).toBe(0);
  });

  it("refuses a reviewer's removal of a study that holds data, with the reason; the lead removes it and restores it", async () => {
    await page.goto(`/reviews/${reviewId}/studies`);
    await page.locator("tbody tr[data-study-id]").first().waitFor();
    const printed = table1[1]!;
    const before = studiesInTable();
    const held = readE2eDb(
      (db) =>
        db
          .prepare(`select count(*) from measurements m join arms a on a.id = m.arm_id join studies s on s.id = a.study_id where s.review_id = ? and s.position = ?`)
          .pluck()
          .get(reviewId, printed.position) as number,
    );
    expect(held).toBeGreaterThan(0);
    const name = `Remove study ${printed.position} (${printed.author} ${printed.year})`;
    // How the app names a study in messages and lists ("Chang 2021", as a forest plot labels it).
    const label = `${printed.author.replace(/\s+et al\.?$/, "")} ${printed.year}`;
    await page.getByRole("button", { name }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Remove study" }).click();
    await expect.poll(() => dialog.getByRole("alert").innerText()).toContain(`Only the lead can remove ${label}: it holds ${held} outcome values`);
    await screenshot(page, "study-remove-refused");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(studiesInTable()).toBe(before);
    expect(await page.locator("tbody tr").count()).toBe(before);

    // The lead may: the study leaves the table (and the reviewer's open page, live), and comes back from "Removed studies".
    await lead.goto(`/reviews/${reviewId}/studies`);
    await lead.locator("tbody tr[data-study-id]").first().waitFor();
    await lead.getByRole("button", { name }).click();
    await lead.getByRole("dialog").getByRole("button", { name: "Remove study" }).click();
    await expect.poll(() => lead.locator("tbody tr").count()).toBe(before - 1);
    await expect.poll(() => page.locator("tbody tr").count()).toBe(before - 1);
    expect(studiesInTable()).toBe(before - 1);
    await lead.locator("summary", { hasText: /Removed studies/ }).click();
    const removed = lead.locator("details", { hasText: "Removed studies" });
    const entry = await removed.locator("li", { hasText: label }).innerText();
    expect(entry).toContain("removed by Team lead (demo)");
    expect(entry).toContain(`holds ${held} outcome values`);
    await screenshot(lead, "study-removed-list");
    await removed.getByRole("button", { name: `Restore ${label}` }).click();
    await expect.poll(() => lead.locator("tbody tr").count()).toBe(before);
    await expect.poll(() => page.locator("tbody tr").count()).toBe(before);
    expect(studiesInTable()).toBe(before);
    // Back with its values.
    expect(await lead.getByRole("row").filter({ hasText: printed.author }).getByRole("link", { name: /values/ }).innerText()).toBe(`${held} values`);
  });

  it("opens a study's outcome grid with SEM converted to SD on the fly", async () => {
    await page.goto(`/reviews/${reviewId}/studies`);
    await row(5).getByRole("link", { name: /values/ }).click();
    const table = page.getByRole("table", { name: "BBB locomotor score: values by day and arm" });
    await table.waitFor();
    const grid = await table.innerText();
    expect(grid).toContain("SD = SEM × √n");
    expect(grid).toContain("example data");
    await expectAccessible(page);
    await screenshot(page, "study-outcomes");
  });
});
