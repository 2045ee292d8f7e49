#!/usr/bin/env node
// Builds the app, serves it on a free port with a fresh temporary database (demo seeded), waits for
// /api/health, runs the Playwright tests (vitest project "e2e"), then stops the server.
// Usage: node scripts/e2e.mjs [test files…]   (E2E_SKIP_BUILD=1 reuses the last build; NEXT_DIST_DIR picks its folder)
import { execSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveApp } from "./serve-app.mjs";

process.env.NEXT_TELEMETRY_DISABLED = "1";
if (!process.env.E2E_SKIP_BUILD) execSync("npx next build", { stdio: "inherit" });
const dir = mkdtempSync(join(tmpdir(), "workbench-e2e-"));
const env = { DATABASE_PATH: join(dir, "e2e.sqlite"), DEMO: "on", ADMIN_PASSWORD: "admin-e2e-password" };
let served;
try {
  served = await serveApp(env);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
const { base, stop } = served;
let code = 0;
try {
  const files = process.argv.slice(2).map((f) => JSON.stringify(f)).join(" ");
  execSync(`npx vitest run --project e2e --reporter=default --reporter=json --outputFile.json=test-results/vitest-e2e.json ${files}`, { stdio: "inherit", env: { ...process.env, ...env, E2E_BASE_URL: base, E2E_DB: env.DATABASE_PATH } });
} catch {
  code = 1;
}
stop();
rmSync(dir, { recursive: true, force: true });
process.exit(code);
