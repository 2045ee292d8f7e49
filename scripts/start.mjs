#!/usr/bin/env node
// `npm start`: on a fresh clone, installs dependencies, migrates and seeds the database, builds the app when
// its sources changed since the last build, and serves it on http://localhost:$PORT (default 3000).
import { execSync, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

process.env.NEXT_TELEMETRY_DISABLED = "1";
const run = (cmd) => execSync(cmd, { stdio: "inherit", env: process.env });

if (!existsSync("node_modules/.package-lock.json") || statSync("package-lock.json").mtimeMs > statSync("node_modules/.package-lock.json").mtimeMs) {
  console.log("[workbench] Installing dependencies (npm ci)…");
  run("npm ci --no-audit --no-fund");
}

run("npx tsx --conditions=react-server db/migrate-cli.ts");

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}
const sources = ["app", "server", "db", "next.config.js", "package-lock.json", "instrumentation.ts"].filter(existsSync);
const newest = Math.max(...sources.map((p) => (statSync(p).isDirectory() ? newestSource(p) : statSync(p).mtimeMs)));
if (!existsSync(".next/BUILD_ID") || statSync(".next/BUILD_ID").mtimeMs < newest) {
  console.log("[workbench] Building…");
  run("npx next build");
}

const port = process.env.PORT || "3000";
console.log(`[workbench] Serving on http://localhost:${port}`);
const server = spawn("npx", ["next", "start", "-p", port], { stdio: "inherit", env: process.env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
