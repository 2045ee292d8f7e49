import { mkdirSync } from "node:fs";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterEach, expect } from "vitest";

/** Set by scripts/e2e.mjs, which builds and serves the app with a fresh demo database. */
export const BASE_URL = process.env.E2E_BASE_URL ?? "http://127.0.0.1:3000";
export const ARTIFACTS = join(process.cwd(), "test-results", "e2e");
mkdirSync(ARTIFACTS, { recursive: true });

/**
 * Content-Security-Policy violations seen in any page of any browser context of this test file. Every test
 * ends by asserting that there were none: the app must work under its CSP (proxy.ts) on every page visited.
 */
const cspViolations: string[] = [];
const CSP_MESSAGE = /Content Security Policy|CSP violation/i;

afterEach(() => {
  const seen = cspViolations.splice(0);
  expect(seen, "Content-Security-Policy violations in the browser console").toEqual([]);
});

/** For a test that provokes a violation on purpose: takes (and so excuses) the violations seen so far. */
export function takeCspViolations(): string[] {
  return cspViolations.splice(0);
}

/** Reports every CSP violation (also those Chromium only logs) as a console error, and collects them. */
async function watchCsp(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline code"} in ${e.documentURI} (from ${e.sourceFile || "?"}:${e.lineNumber}:${e.columnNumber})`),
    );
  });
  context.on("console", (message) => {
    if (CSP_MESSAGE.test(message.text())) cspViolations.push(`${message.location().url}: ${message.text()}`);
  });
}

export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  // Every context (however a test makes it) is watched for CSP violations.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args: Parameters<Browser["newContext"]>) => {
    const context = await newContext(...args);
    await watchCsp(context);
    return context;
  };
  return browser;
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

