import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readE2eDb } from "./e2e-db";
import { BASE_URL, expectAccessible, launchBrowser, screenshot, signedInPageSized } from "./support";

/**
 * The study page's outcome grid behaves like the Table 1 grid: Enter saves, leaving a complete row saves, a bad
 * value marks its cell with the reason, leaving the page with unsaved input asks first, and a whole day can be
 * deleted and brought back. On a review of its own (made through the API), so the demo's numbers stay as they are.
 */

let browser: Browser;
let context: BrowserContext;
let page: Page;
let reviewId: number;
let studyId: number;

/** A tRPC mutation as the browser sends it (same origin, JSON), with the signed-in context's cookie. */
async function mutate<T>(path: string, input: unknown): Promise<T> {
  const response = await page.request.post(`/api/trpc/${path}`, { data: { json: input }, headers: { "content-type": "application/json", origin: BASE_URL } });
  expect(response.status(), `${path}: ${await response.text()}`).toBe(200);
  return ((await response.json()) as { result: { data: { json: T } } }).result.data.json;
}

const cell = (field: string, arm: string, day: number) => page.getByLabel(`${field}, ${arm}, day ${day}`, { exact: true });
const rowOf = (arm: string, day: number) => page.getByRole("row").filter({ has: cell("Mean", arm, day) });
const storedValues = () =>
  readE2eDb(
    (db) =>
      db
        .prepare(`select a.label as arm, m.day, m.mean, m.error_value as sd, m.n from measurements m join arms a on a.id = m.arm_id where a.study_id = ? order by m.day, a.kind desc`)
        .all(studyId) as { arm: string; day: number; mean: number; sd: number; n: number }[],
  );

async function openStudy() {
  await page.goto(`/reviews/${reviewId}/studies/${studyId}`);
  await page.getByRole("heading", { name: "Outcome data by time point" }).waitFor();
}

async function addDay(day: number) {
  await page.getByLabel("Day after injury (Infarct volume)").fill(String(day));
  await page.getByRole("button", { name: "Add time point" }).click();
  await cell("Mean", "Treated", day).waitFor();
}

beforeAll(async () => {
  browser = await launchBrowser();
  ({ context, page } = await signedInPageSized(browser, "admin", "desktop", "admin-e2e-password"));
  reviewId = (await mutate<{ id: number }>("reviews.create", { title: "Outcome grid checks (stroke)" })).id;
  await mutate("outcomes.create", { reviewId, outcome: { name: "Infarct volume", unit: "% of hemisphere", scaleMin: 0, scaleMax: 100, higherIsBetter: false, normalValue: 0 } });
  studyId = (await mutate<{ id: number }>("studies.create", { reviewId, author: "Grid et al.", year: 2023 })).id;
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe("the outcome grid", () => {
  it("saves a row with Enter, and the value is there after a reload", async () => {
    await openStudy();
    await addDay(7);
    // Typing starts in the new day's first cell.
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Mean, Treated, day 7");
    await cell("Mean", "Treated", 7).fill("31.5");
    await cell("SD", "Treated", 7).fill("4.2");
    await cell("n", "Treated", 7).fill("9");
    expect(await rowOf("Treated", 7).innerText()).toContain("Not saved yet (Enter saves)");
    await cell("SD", "Treated", 7).press("Enter");
    await expect.poll(() => rowOf("Treated", 7).getByRole("status").textContent()).toBe("Saved");
    expect(storedValues()).toEqual([{ arm: "Treated", day: 7, mean: 31.5, sd: 4.2, n: 9 }]);
    await page.reload();
    await cell("Mean", "Treated", 7).waitFor();
    expect(await cell("Mean", "Treated", 7).inputValue()).toBe("31.5");
    expect(await cell("SD", "Treated", 7).inputValue()).toBe("4.2");
    expect(await cell("n", "Treated", 7).inputValue()).toBe("9");
  });

  it("saves a complete row when focus leaves it, and waits while a row is incomplete", async () => {
    await openStudy();
    await cell("Mean", "Control", 7).fill("42");
    await cell("SD", "Control", 7).fill("5");
    // Moving on within an incomplete row neither saves nor complains.
    await cell("SD", "Control", 7).press("Tab");
    expect(await rowOf("Control", 7).getByRole("alert").count()).toBe(0);
    expect(storedValues()).toHaveLength(1);
    await cell("n", "Control", 7).fill("9");
    // Leaving the row (a click elsewhere on the page) saves it.
    await page.getByRole("heading", { name: "Outcome data by time point" }).click();
    await expect.poll(() => rowOf("Control", 7).getByRole("status").textContent()).toBe("Saved");
    expect(storedValues()).toEqual([
      { arm: "Treated", day: 7, mean: 31.5, sd: 4.2, n: 9 },
      { arm: "Control", day: 7, mean: 42, sd: 5, n: 9 },
    ]);
  });

  it("marks a bad cell with the reason in words, tied to the cell, and saves nothing", async () => {
    await openStudy();
    const n = cell("n", "Treated", 7);
    await n.fill("1 000 000");
    await n.press("Enter");
    await expect.poll(() => n.getAttribute("aria-invalid")).toBe("true");
    const described = await n.getAttribute("aria-describedby");
    expect(described).toBeTruthy();
    expect(await page.locator(`[id="${described}"]`).innerText()).toBe("n must be at most 100 000");
    expect(await rowOf("Treated", 7).getByRole("alert").innerText()).toContain("n must be at most 100 000");
    // Other cells of the row are not marked.
    expect(await cell("Mean", "Treated", 7).getAttribute("aria-invalid")).toBeNull();
    // A value off the outcome's scale is refused the same way (infarct volume is 0 to 100 % of the hemisphere).
    await n.fill("9");
    await cell("Mean", "Treated", 7).fill("140");
    await cell("Mean", "Treated", 7).press("Enter");
    await expect.poll(() => rowOf("Treated", 7).getByRole("alert").innerText()).toMatch(/Mean .*100/);
    await screenshot(page, "outcome-grid-invalid");
    await expectAccessible(page);
    expect(storedValues()[0]).toEqual({ arm: "Treated", day: 7, mean: 31.5, sd: 4.2, n: 9 });
    // Escape puts the row back as stored.
    await cell("Mean", "Treated", 7).press("Escape");
    expect(await cell("Mean", "Treated", 7).inputValue()).toBe("31.5");
    expect(await rowOf("Treated", 7).getByRole("alert").count()).toBe(0);
  });

  it("asks before leaving the page with unsaved input (the confirm dialog on “← All studies”)", async () => {
    await openStudy();
    // A new day with only a mean typed: incomplete, so nothing can be saved yet (the "vanished" mean).
    await addDay(14);
    await cell("Mean", "Treated", 14).fill("33");
    const messages: string[] = [];
    // First answer "Cancel": the page stays, with the typed value.
    page.once("dialog", (dialog) => {
      messages.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.getByRole("link", { name: "← All studies" }).click();
    await expect.poll(() => messages.length).toBe(1);
    expect(messages[0]).toBe("confirm: You have outcome values that are not saved yet. Leave this page and lose them?");
    expect(new URL(page.url()).pathname).toBe(`/reviews/${reviewId}/studies/${studyId}`);
    expect(await cell("Mean", "Treated", 14).inputValue()).toBe("33");
    // Leaving the incomplete row said what it still needs.
    expect(await rowOf("Treated", 14).getByRole("alert").innerText()).toMatch(/^(SD|n) (is required|must be a number)$/m);
    // Then "OK": the page goes, and nothing of day 14 was saved.
    page.once("dialog", (dialog) => {
      messages.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.accept();
    });
    await page.getByRole("link", { name: "← All studies" }).click();
    await page.waitForURL(`**/reviews/${reviewId}/studies`);
    expect(messages).toHaveLength(2);
    expect(storedValues().map((v) => v.day)).toEqual([7, 7]);
    // With nothing unsaved, leaving asks nothing.
    await openStudy();
    expect(await cell("Mean", "Treated", 14).count()).toBe(0);
    page.once("dialog", (dialog) => {
      messages.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByRole("link", { name: "← All studies" }).click();
    await page.waitForURL(`**/reviews/${reviewId}/studies`);
    expect(messages).toHaveLength(2);
  });

  it("deletes a whole day, and brings it back with Undo", async () => {
    await openStudy();
    await addDay(28);
    for (const [arm, mean] of [
      ["Treated", "20"],
      ["Control", "30"],
    ] as const) {
      await cell("Mean", arm, 28).fill(mean);
      await cell("SD", arm, 28).fill("3");
      await cell("n", arm, 28).fill("8");
      await cell("n", arm, 28).press("Enter");
      await expect.poll(() => rowOf(arm, 28).getByRole("status").textContent()).toBe("Saved");
    }
    expect(storedValues().map((v) => v.day)).toEqual([7, 7, 28, 28]);
    await page.getByRole("button", { name: "Delete day 28" }).click();
    const notice = page.getByRole("status").filter({ hasText: "Deleted every value of day 28." });
    await notice.waitFor();
    await expect.poll(() => cell("Mean", "Treated", 28).count()).toBe(0);
    expect(storedValues().map((v) => v.day)).toEqual([7, 7]);
    // The history lists the deletion too, with a Restore button per value.
    await page.getByRole("button", { name: /History of this study/ }).click();
    await expect.poll(() => page.getByRole("region", { name: "History", exact: true }).getByRole("button", { name: "Restore" }).count()).toBe(2);
    await screenshot(page, "outcome-grid-deleted-day");
    await notice.getByRole("button", { name: "Undo" }).click();
    // Both arms come back (restored one after the other; the page follows each).
    await expect.poll(() => cell("Mean", "Control", 28).inputValue().catch(() => "")).toBe("30");
    expect(await cell("Mean", "Treated", 28).inputValue()).toBe("20");
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Restored." }).count()).toBe(1);
    expect(storedValues().map((v) => v.day)).toEqual([7, 7, 28, 28]);
    await page.reload();
    await cell("Mean", "Control", 28).waitFor();
    expect(await cell("Mean", "Control", 28).inputValue()).toBe("30");
  });
});
