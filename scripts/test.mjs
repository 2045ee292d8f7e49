#!/usr/bin/env node
// `npm test`: every check CI enforces, in order: typecheck, lint, unit + integration tests, the metafor
// reference check, then the browser tests against the built app (scripts/e2e.mjs). Stops at the first failure.
import { execSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";

process.env.NEXT_TELEMETRY_DISABLED = "1";
const steps = [
  ["Typecheck", "npx tsc --noEmit -p ."],
  ["Lint", "npx eslint . --max-warnings 0"],
  ["Unit and integration tests", "npx vitest run --project unit --project integration --reporter=default --reporter=json --outputFile.json=test-results/vitest-unit-integration.json"],
];
// Each reference check writes its output to a file whose closing "N passed, M failed" line joins the total below.
const referenceChecks = [
  ["metafor reference check", "node ../shared/reference/check.mjs", "test-results/reference-check.txt"],
  ["metafor reference check, preclinical conventions", "node ../shared/reference/check.mjs --dir ../shared/reference/preclinical", "test-results/reference-check-preclinical.txt"],
];
if (existsSync("../shared/reference/check.mjs")) {
  for (const [name, cmd, out] of referenceChecks) steps.push([name, `bash -o pipefail -c '${cmd} | tee ${out}'`]);
} else console.warn("! ../shared/reference is absent: the metafor reference checks are skipped (tests/unit/analysis still reads it when present).");
steps.push(["Browser tests (Playwright, built app)", "node scripts/e2e.mjs"]);

rmSync("test-results", { recursive: true, force: true });
mkdirSync("test-results", { recursive: true });
for (const [name, cmd] of steps) {
  console.log(`\n=== ${name}: ${cmd}`);
  const started = Date.now();
  try {
    execSync(cmd, { stdio: "inherit", env: process.env });
  } catch {
    console.error(`\n✗ ${name} failed.`);
    process.exit(1);
  }
  console.log(`✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
// One closing line for the whole run: vitest's JSON reports plus the reference check's cases.
let passed = 0;
let failed = 0;
for (const file of ["test-results/vitest-unit-integration.json", "test-results/vitest-e2e.json"].filter(existsSync)) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
}
for (const [, , out] of referenceChecks) {
  const reference = existsSync(out) ? /(\d+) passed, (\d+) failed/.exec(readFileSync(out, "utf8")) : null;
  if (reference) {
    passed += Number(reference[1]);
    failed += Number(reference[2]);
  }
}
console.log("\nAll checks passed (tests and metafor reference cases):");
console.log(`${passed} passed, ${failed} failed`);
