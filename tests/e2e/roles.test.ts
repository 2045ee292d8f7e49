import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readE2eDb } from "./e2e-db";
import { BASE_URL, demoReviewId, expectAccessible, launchBrowser, newContext, screenshot, signedInPage } from "./support";

let browser: Browser;
let lead: Page;
let reviewer1: Page;
let reviewer2: Page;
let reviewId: number;

beforeAll(async () => {
  browser = await launchBrowser();
  ({ page: lead } = await signedInPage(browser, "lead"));
  ({ page: reviewer1 } = await signedInPage(browser, "reviewer1"));
  ({ page: reviewer2 } = await signedInPage(browser, "reviewer2"));
  reviewId = await demoReviewId(lead);
});
afterAll(async () => browser?.close());

const cell = (page: Page, position: number, column: number) => page.locator(`tbody tr:has(td:first-child:text-is("${position}"))`).locator("td").nth(column);
/** The Table 1 cell index (0-based, after #, author and year) of the review's "Injured site" characteristic. */
const injuredSiteColumn = () =>
  readE2eDb((db) => {
    const keys = JSON.parse(db.prepare("select table1_columns from reviews where id = ?").pluck().get(reviewId) as string) as string[];
    const id = db.prepare("select id from characteristics where review_id = ? and label = 'Injured site'").pluck().get(reviewId) as number;
    return 3 + keys.indexOf(`c:${id}`);
  });

describe("three people, three roles", () => {
  it("shows the lead the members page and answers a reviewer there with 403", async () => {
    await lead.goto(`/reviews/${reviewId}/members`);
    await expect.poll(() => lead.getByRole("table", { name: "Members" }).innerText()).toContain("reviewer2");
    await expectAccessible(lead);
    await screenshot(lead, "members-lead");
    const response = await reviewer1.goto(`/reviews/${reviewId}/members`);
    expect(response?.status()).toBe(403);
    expect(await reviewer1.locator("h1").innerText()).toContain("403");
    expect(await reviewer1.getByRole("link", { name: "Members" }).count()).toBe(0);
  });

  it("answers a signed-in non-member with 403 and sends an anonymous visitor to /login", async () => {
    const other = await lead.request.post("/api/trpc/reviews.create", { data: { json: { title: "x" } }, headers: { "content-type": "application/json" } });
    expect(other.status()).toBe(403); // a lead is not an administrator
    const context = await newContext(browser);
    const anonymous = await context.newPage();
    await anonymous.goto(`/reviews/${reviewId}`);
    expect(new URL(anonymous.url()).pathname).toBe("/login");
    await context.close();
  });

  it("shows a conflict when two reviewers edit the same cell, and lets the second reapply", async () => {
    await reviewer1.goto(`/reviews/${reviewId}/studies`);
    await reviewer2.goto(`/reviews/${reviewId}/studies`);
    const column = injuredSiteColumn();
    expect(column).toBeGreaterThanOrEqual(3);
    await cell(reviewer1, 2, column).getByRole("button").click();
    await cell(reviewer2, 2, column).getByRole("button").click();
    const input1 = reviewer1.getByRole("textbox", { name: "Injured site of study 2", exact: true });
    await input1.fill("T9");
    await input1.press("Enter");
    await expect.poll(() => cell(reviewer1, 2, column).getByRole("button").innerText()).toBe("T9");
    const input2 = reviewer2.getByRole("textbox", { name: "Injured site of study 2", exact: true });
    await input2.fill("T11");
    await input2.press("Enter");
    const alert = cell(reviewer2, 2, column).getByRole("alert");
    await expect.poll(() => alert.innerText()).toContain("Changed by Reviewer 1 (demo) meanwhile");
    await screenshot(reviewer2, "conflict");
    await alert.getByRole("button", { name: "Reapply mine" }).click();
    await expect.poll(() => cell(reviewer2, 2, column).getByRole("button").innerText()).toBe("T11");
    // The first reviewer's page follows without reload (live update).
    await expect.poll(() => cell(reviewer1, 2, column).getByRole("button").innerText(), { timeout: 5000 }).toBe("T11");
  });

  it("refuses mutations from a foreign origin, as non-JSON, or too large", async () => {
    const cookies = await reviewer1.context().cookies();
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    const post = (headers: Record<string, string>, body: string) => fetch(`${BASE_URL}/api/trpc/studies.create`, { method: "POST", headers: { cookie, ...headers }, body });
    const body = JSON.stringify({ json: { reviewId, author: "CSRF et al.", year: 2020 } });
    expect((await post({ "content-type": "application/json", origin: "https://evil.example" }, body)).status).toBe(403);
    expect((await post({ "content-type": "text/plain" }, body)).status).toBe(403);
    expect((await post({ "content-type": "application/json" }, JSON.stringify({ json: { reviewId, author: "x".repeat(1_100_000), year: 2020 } }))).status).toBe(413);
    const viaGet = await fetch(`${BASE_URL}/api/trpc/studies.create?input=${encodeURIComponent(body)}`, { headers: { cookie } });
    expect(viaGet.status).toBeGreaterThanOrEqual(400);
    const same = await post({ "content-type": "application/json", origin: BASE_URL }, JSON.stringify({ json: { reviewId, author: "Legit et al.", year: 2020 } }));
    expect(same.status).toBe(200);
    // Leave the demo's Table 1 as it was for the other test files: the new study holds no data, so a reviewer may remove it.
    const created = ((await same.json()) as { result: { data: { json: { id: number; version: number } } } }).result.data.json;
    const removed = await fetch(`${BASE_URL}/api/trpc/studies.delete`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", origin: BASE_URL },
      body: JSON.stringify({ json: { reviewId, studyId: created.id, version: created.version } }),
    });
    expect(removed.status).toBe(200);
  });
});
