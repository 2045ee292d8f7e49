#!/usr/bin/env node
// `npm test`: every check CI enforces, in order: typecheck, lint, unit + integration tests, the metafor
// reference check, then the browser tests against the built app (scripts/e2e.mjs). Stops at the first failure.
import { execSync } from "node:child_process";
import { existsSync } from "node:fs";

process.env.NEXT_TELEMETRY_DISABLED = "1";
const steps = [
  ["Typecheck", "npx tsc --noEmit -p ."],
  ["Lint", "npx eslint . --max-warnings 0"],
  ["Unit and integration tests", "npx vitest run --project unit --project integration"],
];
if (existsSync("../shared/reference/check.mjs")) steps.push(["metafor reference check", "node ../shared/reference/check.mjs"]);
else console.warn("! ../shared/reference is absent: the metafor reference check is skipped (tests/unit/analysis still reads it when present).");
steps.push(["Browser tests (Playwright, built app)", "node scripts/e2e.mjs"]);

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
console.log("\nAll checks passed.");
