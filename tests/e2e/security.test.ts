import { request as httpRequest } from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, BASE_URL, demoReviewId, launchBrowser, screenshot, signedInPage, takeCspViolations } from "./support";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

/**
 * A plain HTTP request from a chosen loopback address (127.0.0.x), so that a flood has its own client
 * address: the sign-in throttle counts per address, and the other browser tests sign in from 127.0.0.1.
 */
function send(path: string, { method = "GET", body, headers = {}, from }: { method?: string; body?: string; headers?: Record<string, string>; from?: string } = {}) {
  const url = new URL(path, BASE_URL);
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, localAddress: from, headers: { ...headers, ...(body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {}) } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

describe("security headers and the CSP", () => {
  it("sends a CSP with a fresh nonce on every page, script-src without 'unsafe-inline', and the fixed headers", async () => {
    const [a, b] = await Promise.all([send("/login"), send("/login")]);
    const csp = String(a.headers["content-security-policy"]);
    const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src "))!;
    expect(scriptSrc).toMatch(/^ ?script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'$/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src-attr 'none'");
    expect(csp).not.toContain("unsafe-eval");
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    expect(String(b.headers["content-security-policy"])).not.toContain(nonce);
    // Every script of the page carries this response's nonce.
    const scripts = [...a.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((tag) => !tag.includes(`nonce="${nonce}"`))).toEqual([]);
    expect(a.headers["x-content-type-options"]).toBe("nosniff");
    expect(a.headers["referrer-policy"]).toBe("same-origin");
    expect(a.headers["x-frame-options"]).toBe("DENY");
    // Served over plain HTTP (COOKIE_SECURE unset): no HSTS.
    expect(a.headers["strict-transport-security"]).toBeUndefined();
    // The API's JSON answers carry the fixed headers.
    expect((await send("/api/health")).headers["x-content-type-options"]).toBe("nosniff");
  });

  it("blocks an injected inline event handler in the browser", async () => {
    const { context, page } = await signedInPage(browser, "reviewer1");
    await page.goto(`/reviews/${await demoReviewId(page)}`);
    await page.evaluate(() => {
      document.body.insertAdjacentHTML("beforeend", `<img src="/no-such-image" onerror="window.__injected = true">`);
    });
    const seen: string[] = [];
    await expect.poll(() => seen.push(...takeCspViolations()) && seen.join("\n"), { timeout: 5000 }).toMatch(/script-src-attr/);
    expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
    // Chromium reports the same violation twice (its own console line, and the event): excuse both.
    await new Promise((resolve) => setTimeout(resolve, 300));
    seen.push(...takeCspViolations());
    expect(seen.every((line) => /script-src-attr|inline event handler/i.test(line))).toBe(true);
    await context.close();
  });
});

describe("where sign-in leads", () => {
  it("follows next to a path on this site, and nowhere else, however it is spelled", async () => {
    const cases: [next: string, path: (reviewId: number) => string][] = [
      ["/\\evil.example/", () => "/"],
      ["/\t/evil.example/", () => "/"],
      ["//evil.example/", () => "/"],
      ["https://evil.example/", () => "/"],
      ["javascript:alert(1)", () => "/"],
      ["/reviews/{id}/risk-of-bias", (id) => `/reviews/${id}/risk-of-bias`],
    ];
    let reviewId = 0;
    for (const [next, expected] of cases) {
      const context = await browser.newContext({ baseURL: BASE_URL });
      const page = await context.newPage();
      await page.goto(`/login?next=${encodeURIComponent(next.replace("{id}", String(reviewId)))}`);
      await page.getByLabel("Username").fill("lead");
      await page.getByLabel("Password").fill("exosome-demo");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((url) => !url.pathname.startsWith("/login"));
      const landed = new URL(page.url());
      expect(landed.origin, next).toBe(new URL(BASE_URL).origin);
      expect(landed.pathname, next).toBe(expected(reviewId));
      reviewId ||= await demoReviewId(page);
      await context.close();
    }
  });
});

describe("a flood of anonymous sign-ins", () => {
  const guess = (i: number) => ({ json: { username: `flood-${i}`, password: `guess-${i}` } });
  const clients = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];
  /** As the issue found it: each of three clients posts one batch of 40 sign-ins. */
  const batches = (wave: number) =>
    clients.map((from, c) =>
      send(`/api/trpc/${Array(40).fill("auth.signIn").join(",")}?batch=1`, {
        method: "POST",
        body: JSON.stringify(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [i, guess(wave * 1000 + c * 100 + i)]))),
        from,
      }),
    );
  /** The same 120 guesses, each its own request, all at once. */
  const singles = (wave: number) =>
    clients.flatMap((from, c) => Array.from({ length: 40 }, (_, i) => send("/api/trpc/auth.signIn", { method: "POST", body: JSON.stringify(guess(wave * 1000 + c * 100 + i)), from })));

  /** Signed-in `studies.list` latencies (ms) measured while `flood` waves run, and the flood's answers. */
  async function measure(flood: (wave: number) => Promise<{ status: number }>[]) {
    const lead = await send("/api/trpc/auth.signIn", { method: "POST", body: JSON.stringify({ json: { username: "lead", password: "exosome-demo" } }) });
    expect(lead.status).toBe(200);
    const cookie = (lead.headers["set-cookie"] as string[]).map((c) => c.split(";")[0]).join("; ");
    const reviewId = JSON.parse((await send("/api/trpc/reviews.list", { headers: { cookie } })).body).result.data.json[0].id as number;
    const signedIn = `/api/trpc/studies.list?input=${encodeURIComponent(JSON.stringify({ json: { reviewId } }))}`;
    expect((await send(signedIn, { headers: { cookie } })).status).toBe(200);
    // One wave first, unmeasured: the server compiles the code paths of a refusal on first use, once.
    await Promise.all(flood(9));
    const latencies: number[] = [];
    const answers: Promise<{ status: number }[]>[] = [];
    for (let wave = 0; wave < 4; wave++) {
      answers.push(Promise.all(flood(wave)));
      for (let probe = 0; probe < 3; probe++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const started = performance.now();
        expect((await send(signedIn, { headers: { cookie } })).status).toBe(200);
        latencies.push(performance.now() - started);
      }
    }
    const statuses = (await Promise.all(answers)).flat().map((a) => a.status);
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      maxMs: Math.round(sorted.at(-1)!),
      medianMs: Math.round(sorted[Math.floor(sorted.length / 2)]!),
      inOrderMs: latencies.map(Math.round),
      floodAnswers: statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {}),
    };
  }
  const reports: Record<string, unknown> = {};
  afterAll(() => writeFileSync(join(ARTIFACTS, "sign-in-flood.json"), JSON.stringify(reports, null, 2)));

  it("answers a signed-in request in under a second while three anonymous batches of 40 sign-ins run", async () => {
    const report = await measure(batches);
    reports.batches = report;
    console.log("signed-in latency during 3 × 40 batched sign-ins:", JSON.stringify(report));
    expect(report.maxMs).toBeLessThan(1000);
    // Every batch was refused whole: no password was tried.
    expect(report.floodAnswers).toEqual({ 400: 4 * clients.length });
    expect(report.inOrderMs).toHaveLength(12);
  });

  it("keeps a signed-in request answering while the same 120 sign-ins arrive one by one, at once; none signs in", async () => {
    const report = await measure(singles);
    reports.singles = report;
    console.log("signed-in latency during 120 concurrent single sign-ins:", JSON.stringify(report));
    // The hashing cap turns most away at once (503), the throttle the rest (429); the few checked fail (401).
    expect(report.floodAnswers[200]).toBeUndefined();
    expect(report.floodAnswers[503]).toBeGreaterThan(0);
    // No password hash stands between the signed-in user and the answer any more (the issue measured 48.9 s).
    // What remains is the event loop's turn behind 120 cheap refusals (about 20 ms each, measured on a 2-core
    // machine shared with other builds): the request that arrives just behind a wave waits for the wave.
    expect(report.medianMs).toBeLessThan(1000);
    expect(report.maxMs).toBeLessThan(5000);
  });
});

describe("a busy database in the browser", () => {
  let page: Page;
  it("shows 'The database is busy, try again' (not SQLite's words) while another process holds the lock, and saves once it is gone", async () => {
    ({ page } = await signedInPage(browser, "reviewer1"));
    const reviewId = await demoReviewId(page);
    await page.goto(`/reviews/${reviewId}/risk-of-bias`);
    const grid = page.getByRole("grid");
    await grid.locator("tbody tr").first().waitFor();
    // Study 21, D5: reviewer 1's own, still blinded (reviewer 2 has not judged study 21), so editable.
    const target = grid.locator("tbody tr").nth(20).getByRole("gridcell").nth(4);
    const before = await target.innerText();
    const key = before.includes("High") ? "l" : "h";

    const other = new Database(process.env.E2E_DB!);
    other.exec("BEGIN IMMEDIATE");
    try {
      await target.click();
      await page.keyboard.press(key);
      const failed = page.getByRole("status").filter({ hasText: "Save failed" });
      await expect.poll(() => failed.innerText(), { timeout: 15_000 }).toContain("The database is busy, try again.");
      expect(await page.locator("main").innerText()).not.toMatch(/database is locked|SQLITE/i);
      await screenshot(page, "db-busy-message");
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    // Nothing was written meanwhile; now the same key saves.
    await target.click();
    await page.keyboard.press(key);
    await expect.poll(() => page.getByRole("status").filter({ hasText: "All changes saved" }).count(), { timeout: 15_000 }).toBe(1);
    await page.reload();
    await grid.locator("tbody tr").first().waitFor();
    expect(await grid.locator("tbody tr").nth(20).getByRole("gridcell").nth(4).innerText()).toContain(key === "h" ? "High" : "Low");
    await page.context().close();
  });
});
