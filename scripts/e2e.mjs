#!/usr/bin/env node
// Builds the app once, then for each browser-test file serves it on a free port with its own fresh temporary
// database (demo seeded), waits for /api/health, runs that file (vitest project "e2e") and stops the server.
// A file per database because the files change the demo (they add studies, outcomes, values): run in one
// database their results would depend on the order vitest picks.
// Usage: node scripts/e2e.mjs [test files…]   (E2E_SKIP_BUILD=1 reuses the last build; NEXT_DIST_DIR picks its folder)
import { execSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { serveApp } from "./serve-app.mjs";

process.env.NEXT_TELEMETRY_DISABLED = "1";
if (!process.env.E2E_SKIP_BUILD) execSync("npx next build", { stdio: "inherit" });
const files = process.argv.slice(2).length
  ? process.argv.slice(2)
  : readdirSync("tests/e2e")
      .filter((f) => f.endsWith(".test.ts"))
      .sort()
      .map((f) => join("tests/e2e", f));

mkdirSync("test-results", { recursive: true });
const summary = { numPassedTests: 0, numFailedTests: 0, numTotalTests: 0, files: [] };
const failedFiles = [];
for (const file of files) {
  const dir = mkdtempSync(join(tmpdir(), "workbench-e2e-"));
  const env = { DATABASE_PATH: join(dir, "e2e.sqlite"), DEMO: "on", ADMIN_PASSWORD: "admin-e2e-password" };
  const report = join("test-results", `vitest-e2e-${basename(file, ".test.ts")}.json`);
  console.log(`\n--- ${file} (fresh demo database)`);
  let served;
  try {
    served = await serveApp(env, { quiet: true });
    execSync(`npx vitest run --project e2e --reporter=default --reporter=json --outputFile.json=${report} ${JSON.stringify(file)}`, {
      stdio: "inherit",
      env: { ...process.env, ...env, E2E_BASE_URL: served.base, E2E_DB: env.DATABASE_PATH },
    });
  } catch (error) {
    if (!served) console.error(error.message);
    failedFiles.push(file);
  }
  served?.stop();
  rmSync(dir, { recursive: true, force: true });
  if (existsSync(report)) {
    const result = JSON.parse(readFileSync(report, "utf8"));
    summary.numPassedTests += result.numPassedTests;
    summary.numFailedTests += result.numFailedTests;
    summary.numTotalTests += result.numTotalTests;
    summary.files.push({ file, passed: result.numPassedTests, failed: result.numFailedTests });
  } else if (!failedFiles.includes(file)) failedFiles.push(file);
}
// One report for scripts/test.mjs's closing line.
writeFileSync(join("test-results", "vitest-e2e.json"), JSON.stringify(summary, null, 2));
console.log(`\nBrowser tests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed in ${files.length} files.`);
if (failedFiles.length) {
  console.error(`Failed: ${failedFiles.join(", ")}`);
  process.exit(1);
}
