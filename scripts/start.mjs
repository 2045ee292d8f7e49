#!/usr/bin/env node
// `npm start`: on a fresh clone, installs dependencies, migrates and seeds the database, builds the app when
// its sources changed since the last build, and serves it (scripts/server.mjs) on http://127.0.0.1:$PORT
// (default 3000; HOST=0.0.0.0 serves other machines). Every step says what it does and how long it took; a
// generated administrator password is shown last, in a frame, once the server answers.
import { execSync, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

process.env.NEXT_TELEMETRY_DISABLED = "1";
// Keep in step with db/migrate-cli.ts.
const ADMIN_PASSWORD_LINE_PREFIX = "WORKBENCH_GENERATED_ADMIN_PASSWORD=";
const STEPS = 4;

const say = (line) => console.log(`[workbench] ${line}`);
const elapsed = (since) => {
  const s = Math.round((Date.now() - since) / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
};
function step(n, title, work) {
  say(`Step ${n}/${STEPS}: ${title}`);
  const started = Date.now();
  const result = work();
  say(`Step ${n}/${STEPS} done (${elapsed(started)}).`);
  return result;
}
const run = (cmd) => execSync(cmd, { stdio: "inherit", env: process.env });

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

step(1, "dependencies", () => {
  const installed = existsSync("node_modules/.package-lock.json") && statSync("package-lock.json").mtimeMs <= statSync("node_modules/.package-lock.json").mtimeMs;
  if (installed) return say("Dependencies are up to date.");
  say("Installing dependencies (npm ci). The first run compiles SQLite (better-sqlite3) from source: a few minutes; the compiler's output follows.");
  // --foreground-scripts shows the native build as it happens, instead of minutes of silence.
  run("npm ci --no-audit --no-fund --foreground-scripts");
});

const adminPassword = step(2, "database (migrations, first administrator, demo review)", () => {
  const output = execSync("npx tsx --conditions=react-server db/migrate-cli.ts --hand-over-admin-password", { stdio: ["ignore", "pipe", "inherit"], env: process.env, encoding: "utf8" });
  let password = null;
  for (const line of output.split("\n")) {
    if (line.startsWith(ADMIN_PASSWORD_LINE_PREFIX)) password = line.slice(ADMIN_PASSWORD_LINE_PREFIX.length);
    else if (line) console.log(line);
  }
  return password;
});

step(3, "build", () => {
  const sources = ["app", "server", "db", "next.config.js", "package-lock.json", "instrumentation.ts", "instrumentation-client.ts", "proxy.ts"].filter(existsSync);
  const newest = Math.max(...sources.map((p) => (statSync(p).isDirectory() ? newestSource(p) : statSync(p).mtimeMs)));
  if (existsSync(".next/BUILD_ID") && statSync(".next/BUILD_ID").mtimeMs >= newest) return say("The build is up to date.");
  say("Building the app (next build): about two minutes on a 2-core machine…");
  run("npx next build");
});

const port = process.env.PORT || "3000";
const host = process.env.HOST || "127.0.0.1";
const shownHost = host === "127.0.0.1" || host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host;
const url = `http://${shownHost}:${port}`;
// Where this script itself asks: a wildcard address answers on loopback.
const probeHost = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "[::1]" : host.includes(":") ? `[${host}]` : host;
say(`Step 4/${STEPS}: starting the server on ${host}:${port}…`);
const started = Date.now();
const server = spawn(process.execPath, ["scripts/server.mjs"], { stdio: "inherit", env: { ...process.env, PORT: port, HOST: host } });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));

// The last thing printed: where to go, and (first start only) the administrator's password.
for (let i = 0; i < 240; i++) {
  await new Promise((resolve) => setTimeout(resolve, 500));
  const health = await fetch(`http://${probeHost}:${port}/api/health`).then((r) => r.json(), () => null);
  if (!health) continue;
  say(`Step 4/${STEPS} done (${elapsed(started)}).`);
  const lines = [`The review workbench is ready: ${url}`];
  if (host === "127.0.0.1") lines.push("(reachable from this machine only; set HOST=0.0.0.0 to serve others)");
  if (!health.ok) lines.push(`But the database cannot be written: ${health.reason}`);
  if (adminPassword)
    lines.push("", 'The administrator account "admin" was created with the password:', "", `    ${adminPassword}`, "", "It is shown only this once: note it now (or set ADMIN_PASSWORD before the first start).");
  const width = Math.max(...lines.map((l) => l.length));
  const rule = "─".repeat(width + 2);
  console.log(["", `┌${rule}┐`, ...lines.map((l) => `│ ${l.padEnd(width)} │`), `└${rule}┘`].join("\n"));
  break;
}
