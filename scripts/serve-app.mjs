// Serves the built app for the browser tests and the UI benchmark: the app's server (scripts/server.mjs, as
// `npm start` runs it) on a free loopback port with the given environment (a temporary database), resolved once
// /api/health answers. stop() ends the server.
import { spawn } from "node:child_process";
import { createServer } from "node:net";

export const freePort = () =>
  new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

export async function serveApp(env, { quiet = false } = {}) {
  const port = await freePort();
  const server = spawn(process.execPath, ["scripts/server.mjs"], {
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1", NODE_ENV: "production" },
    stdio: ["ignore", quiet ? "ignore" : "inherit", "inherit"],
    detached: true,
  });
  const stop = () => {
    try {
      process.kill(-server.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  };
  process.on("exit", stop);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i++) {
    await new Promise((r) => setTimeout(r, 500));
    if (await fetch(`${base}/api/health`).then((r) => r.ok, () => false)) return { base, port, stop };
  }
  stop();
  throw new Error(`The app did not answer ${base}/api/health within 60 s.`);
}
