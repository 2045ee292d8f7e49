#!/usr/bin/env node
// Serves the built app (`npm run serve`, `npm start`, the browser tests): Next.js's request handler behind
// Node's own HTTP server, so that the app knows the TCP peer of each request (see server/client-address.ts).
// Listens on 127.0.0.1 unless HOST says otherwise. `--dev` serves `next dev` the same way.
import { createServer } from "node:http";
import next from "next";

// Keep in step with server/client-address.ts.
const PEER_ADDRESS_HEADER = "x-workbench-peer-address";
globalThis[Symbol.for("workbench.peerAddressHeader")] = PEER_ADDRESS_HEADER;

const dev = process.argv.includes("--dev");
if (!dev) process.env.NODE_ENV ??= "production";
process.env.NEXT_TELEMETRY_DISABLED ??= "1";
const port = Number(process.env.PORT || 3000);
const hostname = process.env.HOST || "127.0.0.1";

const app = next({ dev, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  // Assigning replaces any value a client sent under this name (Node joins repeated headers into one).
  req.headers[PEER_ADDRESS_HEADER] = req.socket.remoteAddress ?? "";
  void handle(req, res);
});
server.listen(port, hostname, () => {
  const shown = hostname.includes(":") ? `[${hostname}]` : hostname;
  console.log(`[workbench] Listening on http://${shown}:${port}${hostname === "127.0.0.1" ? " (this machine only; set HOST=0.0.0.0 to serve others)" : ""}`);
});
for (const signal of ["SIGINT", "SIGTERM"])
  process.on(signal, () => {
    server.close();
    void app.close().finally(() => process.exit(0));
  });
