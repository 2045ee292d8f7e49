#!/usr/bin/env node
// `npm run bench:report`: speed of the printable report (issue 11) against the built app (not part of `npm test`).
//   1. The demo's report page: navigation → ready to print (html[data-report-ready], set once every chart is drawn).
//      Target < 1.5 s.
//   2. The server PDF of the demo (GET /api/reviews/:id/report.pdf): a first request before any report page was opened
//      (the request starts Chromium), then requests after the page was opened (Chromium already running: the report
//      page starts it, and it is kept between renders). Target < 3 s.
//   3. A review of 1000 studies (the demo's studies repeated, imported as a whole-review archive as an administrator
//      would): report page ready, and its server PDF. Target < 10 s.
// Builds first unless BENCH_SKIP_BUILD=1 (NEXT_DIST_DIR picks the build folder). BENCH_RUNS (default 5) per measure.
import { execSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import { performance } from "node:perf_hooks";
import { chromium } from "playwright-core";
import { serveApp } from "./serve-app.mjs";

process.env.NEXT_TELEMETRY_DISABLED = "1";
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (x) => `${Math.round(x)} ms`;
const verdict = (value, target) => (value < target ? `OK (< ${ms(target)})` : `SLOW (target < ${ms(target)})`);

async function signIn(browser, base, username, password) {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
  return page;
}

/** Navigation start → the report marks itself ready to print. */
async function reportReady(page, reviewId) {
  const started = performance.now();
  await page.goto(`/reviews/${reviewId}/report`);
  await page.locator('html[data-report-ready="1"]').waitFor({ timeout: 120_000 });
  return performance.now() - started;
}

async function serverPdf(page, reviewId) {
  const started = performance.now();
  const response = await page.request.get(`/api/reviews/${reviewId}/report.pdf`, { timeout: 180_000 });
  const bytes = (await response.body()).length;
  if (response.status() !== 200) throw new Error(`report.pdf answered ${response.status()}`);
  return { ms: performance.now() - started, bytes, timing: response.headers()["server-timing"] ?? "" };
}

async function importThousand(admin, lead, demoId) {
  const archive = await (await lead.request.get(`/api/reviews/${demoId}/downloads/review.json`)).json();
  const studies = Array.from({ length: 1000 }, (_, i) => {
    const s = archive.studies[i % archive.studies.length];
    const rename = (ref) => `${ref}x${i}`;
    return { ...s, ref: rename(s.ref), position: i + 1, author: `${s.author.replace(/\s+et al\.?$/, "")}-${i + 1} et al.`, arms: s.arms.map((a) => ({ ...a, ref: rename(a.ref), controlArm: a.controlArm ? rename(a.controlArm) : null })) };
  });
  const consensus = studies.flatMap((s, i) => archive.riskOfBias.consensus.filter((c) => c.study === archive.studies[i % archive.studies.length].ref).map((c) => ({ ...c, study: s.ref })));
  const body = { ...archive, review: { ...archive.review, title: "A thousand studies" }, members: [{ username: "lead", role: "lead" }], studies, riskOfBias: { assignment: null, judgments: [], consensus }, audit: [] };
  const response = await admin.request.post("/api/trpc/dataIo.importReview", {
    data: { json: { file: { name: "thousand.json", base64: Buffer.from(JSON.stringify(body)).toString("base64") } } },
    headers: { "content-type": "application/json" },
  });
  const result = await response.json();
  if (!result.result) throw new Error(`import: ${JSON.stringify(result.error?.json?.message ?? response.status())}`);
  return result.result.data.json.reviewId;
}

if (!process.env.BENCH_SKIP_BUILD) execSync("npx next build", { stdio: "inherit" });
const dir = mkdtempSync(join(tmpdir(), "workbench-bench-report-"));
const { base, stop } = await serveApp({ DATABASE_PATH: join(dir, "bench.sqlite"), DEMO: "on", ADMIN_PASSWORD: "admin-bench-password" }, { quiet: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
try {
  const lead = await signIn(browser, base, "lead", "exosome-demo");
  const admin = await signIn(browser, base, "admin", "admin-bench-password");
  await lead.goto("/");
  const demoId = Number((await lead.getByRole("link", { name: /Stem cell-derived exosomes/ }).getAttribute("href")).split("/").pop());

  // Truly cold: no report page opened yet, so the request itself starts Chromium.
  const pdfCold = await serverPdf(lead, demoId);
  await new Promise((resolve) => setTimeout(resolve, 500));
  await reportReady(lead, demoId); // warm-up: the server's first render of the route
  const page = [];
  for (let i = 0; i < RUNS; i++) page.push(await reportReady(lead, demoId));
  const pdf = [];
  for (let i = 0; i < RUNS; i++) pdf.push((await serverPdf(lead, demoId)).ms);

  const thousandId = await importThousand(admin, lead, demoId);
  const thousand = [];
  for (let i = 0; i < Math.min(RUNS, 3); i++) thousand.push(await reportReady(lead, thousandId));
  const thousandPdf = await serverPdf(lead, thousandId);

  console.log("\nPrintable report (issue 11), medians over the runs after a warm-up:");
  console.log(`  demo report page ready to print:   ${ms(median(page))} (runs: ${page.map(ms).join(", ")}) ${verdict(median(page), 1500)}`);
  console.log(`  demo server PDF, Chromium cold:    ${ms(pdfCold.ms)} (${(pdfCold.bytes / 1024).toFixed(0)} KB; ${pdfCold.timing}) ${verdict(pdfCold.ms, 3000)}`);
  console.log(`  demo server PDF, after the page:   ${ms(median(pdf))} (runs: ${pdf.map(ms).join(", ")}) ${verdict(median(pdf), 3000)}`);
  console.log(`  1000 studies, report page ready:   ${ms(median(thousand))} (runs: ${thousand.map(ms).join(", ")}) ${verdict(median(thousand), 10000)}`);
  console.log(`  1000 studies, server PDF:          ${ms(thousandPdf.ms)} (${(thousandPdf.bytes / 1024 / 1024).toFixed(1)} MB; ${thousandPdf.timing}) ${verdict(thousandPdf.ms, 10000)}`);
} finally {
  await browser.close();
  stop();
  rmSync(dir, { recursive: true, force: true });
}
