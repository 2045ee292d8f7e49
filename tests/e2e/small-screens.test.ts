import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readE2eDb } from "./e2e-db";
import { ARTIFACTS, PHONE, demoReviewId, expectAccessible, launchBrowser, newContext, newPhoneContext, pageScrollWidth, signIn, signedInPageSized } from "./support";

/**
 * Every main page at a phone's width (390 px) and at a desktop's (1440 px): the page itself never scrolls sideways
 * on the phone (wide tables and plots scroll inside their own box, with a cue), the header folds into a menu, and
 * axe finds no serious or critical issue at either width. Full-page screenshots of each are kept in test-results/e2e.
 */

let browser: Browser;
let reviewId: number;
let studyId: number;
const contexts: BrowserContext[] = [];
const sized: Record<"phone" | "desktop", { lead: Page; admin: Page; anonymous: Page }> = {} as never;

type MainPage = { name: string; path: () => string; who: "lead" | "admin" | "anonymous"; ready: (page: Page) => Promise<unknown> };

const mainHeading = (page: Page) => page.locator("main h1").first().waitFor();
const mainPages: MainPage[] = [
  { name: "login", path: () => "/login", who: "anonymous", ready: (p) => p.getByRole("button", { name: "Sign in" }).waitFor() },
  { name: "home", path: () => "/", who: "admin", ready: (p) => p.getByRole("link", { name: /Stem cell-derived exosomes/ }).waitFor() },
  { name: "overview", path: () => `/reviews/${reviewId}`, who: "lead", ready: (p) => p.getByRole("region", { name: "PRISMA flow" }).waitFor() },
  { name: "studies", path: () => `/reviews/${reviewId}/studies`, who: "lead", ready: (p) => p.locator("tbody tr").nth(20).waitFor() },
  { name: "study", path: () => `/reviews/${reviewId}/studies/${studyId}`, who: "lead", ready: (p) => p.getByRole("table", { name: /values by day and arm/ }).waitFor() },
  { name: "setup", path: () => `/reviews/${reviewId}/setup`, who: "lead", ready: (p) => p.getByRole("heading", { name: "Table 1 columns" }).waitFor() },
  {
    name: "analysis",
    path: () => `/reviews/${reviewId}/analysis`,
    who: "lead",
    ready: async (p) => {
      await p.locator('svg[aria-label="Forest plot"]').waitFor();
      await p.locator('svg[aria-label="Funnel plot"]').waitFor();
      await p.locator('svg[aria-label="Leave-one-out plot"]').waitFor();
      await p.getByTestId("pooled-first").waitFor();
    },
  },
  { name: "risk-of-bias", path: () => `/reviews/${reviewId}/risk-of-bias`, who: "lead", ready: (p) => p.locator('svg[aria-label="Traffic-light plot"]').waitFor() },
  { name: "members", path: () => `/reviews/${reviewId}/members`, who: "lead", ready: (p) => p.getByRole("table", { name: "Members" }).locator("tbody tr").first().waitFor() },
  { name: "admin-users", path: () => "/admin/users", who: "admin", ready: (p) => p.getByRole("form", { name: "Create account" }).waitFor() },
];

async function open(page: Page, target: MainPage) {
  await page.goto(target.path());
  await mainHeading(page).catch(() => undefined);
  await target.ready(page);
  // Let late layout (fonts, ResizeObserver cues, deferred charts) settle before measuring.
  await page.waitForLoadState("networkidle").catch(() => undefined);
}

beforeAll(async () => {
  browser = await launchBrowser();
  for (const size of ["phone", "desktop"] as const) {
    const lead = await signedInPageSized(browser, "lead", size);
    const admin = await signedInPageSized(browser, "admin", size, "admin-e2e-password");
    const anonymousContext = size === "phone" ? await newPhoneContext(browser) : await newContext(browser);
    contexts.push(lead.context, admin.context, anonymousContext);
    sized[size] = { lead: lead.page, admin: admin.page, anonymous: await anonymousContext.newPage() };
  }
  reviewId = await demoReviewId(sized.desktop.lead);
  // A study with outcome values at several days: the widest outcome grid of the demo.
  studyId = readE2eDb(
    (db) =>
      db
        .prepare(
          `select s.id from studies s join arms a on a.study_id = s.id join measurements m on m.arm_id = a.id
           where s.review_id = ? and s.deleted_at is null group by s.id order by count(*) desc, s.position limit 1`,
        )
        .pluck()
        .get(reviewId) as number,
  );
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
});

describe("at 390 px (a phone)", () => {
  for (const target of mainPages)
    it(`${target.name}: the page is no wider than the screen, and axe finds no serious issue`, async () => {
      const page = sized.phone[target.who];
      await open(page, target);
      expect(await page.evaluate(() => window.innerWidth)).toBe(PHONE.width);
      expect(await pageScrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
      await expectAccessible(page);
      await page.screenshot({ path: `${ARTIFACTS}/phone-${target.name}.png`, fullPage: true });
    });

  it("folds the review's sections into a menu that opens without widening the page", async () => {
    const page = sized.phone.lead;
    await page.goto(`/reviews/${reviewId}/analysis`);
    expect(await page.getByRole("navigation", { name: "Review sections", exact: true }).isVisible()).toBe(false);
    const menu = page.locator("summary", { hasText: "Menu" });
    expect(await menu.isVisible()).toBe(true);
    await menu.click();
    const sections = page.getByRole("navigation", { name: "Review sections (menu)" });
    await sections.waitFor();
    // The menu holds every section the (hidden) desktop tabs hold, in the same order.
    const tabs = await page.locator('nav[aria-label="Review sections"] a').evaluateAll((links) => links.map((a) => a.textContent?.trim() ?? ""));
    expect(tabs).toEqual(expect.arrayContaining(["Overview", "Studies", "Risk of bias", "Analysis", "Set-up", "Members"]));
    expect(await sections.getByRole("link").allInnerTexts()).toEqual(tabs);
    expect(await sections.getByRole("link", { name: "Analysis" }).getAttribute("aria-current")).toBe("page");
    expect(await pageScrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    // Each entry is a comfortable tap target (WCAG 2.5.8 asks 24 px at least).
    for (const box of await sections.getByRole("link").evaluateAll((links) => links.map((l) => l.getBoundingClientRect().height))) expect(box).toBeGreaterThanOrEqual(24);
    await page.screenshot({ path: `${ARTIFACTS}/phone-menu-open.png` });
    await sections.getByRole("link", { name: "Studies" }).click();
    await page.waitForURL(/\/studies$/);
  });

  it("scrolls wide tables and plots inside their own box, with a visible cue, on every page that has them", async () => {
    const page = sized.phone.lead;
    const expectScrollBox = async (label: string) => {
      const name = `${label} (scrolls sideways)`;
      const box = page.getByRole("region", { name, exact: true });
      await box.waitFor();
      const { scrollWidth, clientWidth, right } = await box.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth, right: el.getBoundingClientRect().right }));
      expect(scrollWidth, name).toBeGreaterThan(clientWidth);
      expect(right, name).toBeLessThanOrEqual(PHONE.width);
      // The cue sits on the box's parent, beside the scrolling element, while more lies to the right.
      await expect.poll(() => box.locator("xpath=..").getByText("scroll →").isVisible()).toBe(true);
      // Scrolled to its end, the cue goes away.
      await box.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
      await expect.poll(() => box.locator("xpath=..").getByText("scroll →").count()).toBe(0);
    };
    await open(page, mainPages.find((p) => p.name === "studies")!);
    await expectScrollBox("Included studies (Table 1)");
    await open(page, mainPages.find((p) => p.name === "study")!);
    await expectScrollBox("BBB locomotor score values by day");
    await open(page, mainPages.find((p) => p.name === "analysis")!);
    await expectScrollBox("Forest plot");
    await expectScrollBox("Funnel plot");
    await expectScrollBox("Leave-one-out plot");
    await expectScrollBox("Cumulative meta-analysis plot");
    await expectScrollBox("Forest plot, last time point");
    await open(page, mainPages.find((p) => p.name === "risk-of-bias")!);
    await expectScrollBox("Consensus judgments: studies by domain");
    await expectScrollBox("Traffic-light plot");
    await open(page, mainPages.find((p) => p.name === "members")!);
    await expectScrollBox("Members");
  });

  it("gives the set-up page's and the study page's buttons a tappable size (WCAG 2.5.8: 24 px at least)", async () => {
    const page = sized.phone.lead;
    for (const name of ["setup", "study"]) {
      await open(page, mainPages.find((p) => p.name === name)!);
      const small = await page.locator("main button:visible").evaluateAll((buttons) =>
        buttons.flatMap((b) => {
          const r = b.getBoundingClientRect();
          return r.height < 24 || r.width < 24 ? [`${b.getAttribute("aria-label") ?? b.textContent?.trim()}: ${Math.round(r.width)}×${Math.round(r.height)}`] : [];
        }),
      );
      expect(small, name).toEqual([]);
    }
  });

  it("shows the whole risk-of-bias grid, scrolling sideways with the study column kept in view", async () => {
    const page = sized.phone.lead;
    await open(page, mainPages.find((p) => p.name === "risk-of-bias")!);
    const grid = page.getByRole("grid");
    // All ten SYRCLE domains are columns of one grid (not one domain at a time).
    expect(await grid.getByRole("columnheader").count()).toBe(11);
    expect(await grid.locator("tbody tr").count()).toBe(21);
    const box = page.getByRole("region", { name: /judgments.*scrolls sideways/ });
    const firstStudy = grid.getByRole("rowheader").first();
    const before = (await firstStudy.boundingBox())!;
    const lastDomain = grid.locator("tbody tr").first().getByRole("gridcell").last();
    expect((await lastDomain.boundingBox())!.x).toBeGreaterThan(PHONE.width);
    await box.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
    await expect.poll(async () => (await lastDomain.boundingBox())!.x + (await lastDomain.boundingBox())!.width).toBeLessThanOrEqual(PHONE.width);
    // The study's name stays where it was: the column is sticky.
    const after = (await firstStudy.boundingBox())!;
    expect(after.x).toBeCloseTo(before.x, 0);
    expect(await firstStudy.innerText()).toMatch(/^1\./);
    // A cell is a usable tap target, and tapping it makes it the active cell.
    const cellBox = (await lastDomain.boundingBox())!;
    expect(Math.min(cellBox.width, cellBox.height)).toBeGreaterThanOrEqual(24);
    await lastDomain.tap();
    expect(await lastDomain.getAttribute("aria-selected")).toBe("true");
    await page.screenshot({ path: `${ARTIFACTS}/phone-risk-of-bias-scrolled.png` });
  });
});

describe("at 1440 px (a desktop)", () => {
  for (const target of mainPages)
    it(`${target.name}: no sideways scroll, axe finds no serious issue, and the sections are tabs`, async () => {
      const page = sized.desktop[target.who];
      await open(page, target);
      expect(await pageScrollWidth(page)).toBeLessThanOrEqual(1440);
      if (target.who === "lead") {
        expect(await page.getByRole("navigation", { name: "Review sections", exact: true }).isVisible()).toBe(true);
        expect(await page.locator("summary", { hasText: "Menu" }).isVisible()).toBe(false);
      }
      await expectAccessible(page);
      await page.screenshot({ path: `${ARTIFACTS}/desktop-${target.name}.png`, fullPage: true });
    });
});

describe("signing in on a phone", () => {
  it("works with the form at 390 px", async () => {
    const context = await newPhoneContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, "reviewer1");
    expect(new URL(page.url()).pathname).toBe("/");
    expect(await pageScrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
  });
});
