#!/usr/bin/env node
// Builds the app, serves it on a free port with a fresh temporary database (demo seeded), waits for
// /api/health, runs the Playwright tests (vitest project "e2e"), then stops the server.
// Usage: node scripts/e2e.mjs [test files…]   (E2E_SKIP_BUILD=1 reuses the last build; NEXT_DIST_DIR picks its folder)
import { execSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

process.env.NEXT_TELEMETRY_DISABLED = "1";
const freePort = () =>
  new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

if (!process.env.E2E_SKIP_BUILD) execSync("npx next build", { stdio: "inherit" });
const port = await freePort();
const dir = mkdtempSync(join(tmpdir(), "workbench-e2e-"));
const env = { ...process.env, PORT: String(port), DATABASE_PATH: join(dir, "e2e.sqlite"), DEMO: "on", ADMIN_PASSWORD: "admin-e2e-password", NODE_ENV: "production" };
const server = spawn("npx", ["next", "start", "-p", String(port)], { env, stdio: ["ignore", "inherit", "inherit"], detached: true });
const stop = () => {
  try {
    process.kill(-server.pid, "SIGTERM");
  } catch {
    /* already gone */
  }
};
process.on("exit", stop);

const base = `http://127.0.0.1:${port}`;
let healthy = false;
for (let i = 0; i < 120 && !healthy; i++) {
  await new Promise((r) => setTimeout(r, 500));
  healthy = await fetch(`${base}/api/health`).then((r) => r.ok, () => false);
}
if (!healthy) {
  console.error(`The app did not answer ${base}/api/health within 60 s.`);
  stop();
  process.exit(1);
}
let code = 0;
try {
  const files = process.argv.slice(2).map((f) => JSON.stringify(f)).join(" ");
  execSync(`npx vitest run --project e2e --reporter=default --reporter=json --outputFile.json=test-results/vitest-e2e.json ${files}`, { stdio: "inherit", env: { ...env, E2E_BASE_URL: base, E2E_DB: env.DATABASE_PATH } });
} catch {
  code = 1;
}
stop();
rmSync(dir, { recursive: true, force: true });
process.exit(code);
