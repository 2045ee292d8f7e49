import { mkdirSync } from "node:fs";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { expect } from "vitest";

/** Set by scripts/e2e.mjs, which builds and serves the app with a fresh demo database. */
export const BASE_URL = process.env.E2E_BASE_URL ?? "http://127.0.0.1:3000";
export const ARTIFACTS = join(process.cwd(), "test-results", "e2e");
mkdirSync(ARTIFACTS, { recursive: true });

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export async function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ baseURL: BASE_URL, viewport: { width: 1440, height: 900 } });
}

/** Signs in through the real form (labels "Username"/"Password", button "Sign in"). */
export async function signIn(page: Page, username: string, password = "exosome-demo"): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

export async function signedInPage(browser: Browser, username: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, username);
  return { context, page };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** axe-core scan: no serious or critical violations. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`)).toEqual([]);
}

export async function demoReviewId(page: Page): Promise<number> {
  await page.goto("/");
  const href = await page.getByRole("link", { name: /Stem cell-derived exosomes/ }).getAttribute("href");
  return Number(href?.split("/").pop());
}

/** A phone-sized context (390 × 844 CSS px, touch, mobile viewport meta honoured), as the issue measured. */
export const PHONE = { width: 390, height: 844 } as const;
export async function newPhoneContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ baseURL: BASE_URL, viewport: PHONE, isMobile: true, hasTouch: true });
}

/** Signs in through the form on a fresh context of the given size. */
export async function signedInPageSized(browser: Browser, username: string, size: "desktop" | "phone", password?: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = size === "phone" ? await newPhoneContext(browser) : await newContext(browser);
  const page = await context.newPage();
  await signIn(page, username, password);
  return { context, page };
}

/** How wide the page is laid out (CSS px): wider than the viewport means it scrolls sideways. */
export function pageScrollWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/** The id of a review on the home page, by its title. */
export async function reviewIdByTitle(page: Page, title: string | RegExp): Promise<number> {
  await page.goto("/");
  const href = await page.getByRole("link", { name: title }).first().getAttribute("href");
  const id = Number(href?.split("/").pop());
  if (!Number.isInteger(id) || id <= 0) throw new Error(`No review titled ${String(title)} on the home page`);
  return id;
}

