/** @type {import('next').NextConfig} */
const nextConfig = {
  // Several builds can share a checkout (parallel test runs): each may pick its own output folder.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // `npm test` type-checks the whole project once (tsc --noEmit) before building; the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
  // A native module: loaded by Node at run time, never bundled.
  serverExternalPackages: ["better-sqlite3"],
  turbopack: {
    resolveAlias: {
      // In the browser bundle only: @stdlib's feature probe calls eval, which the CSP blocks (see the stand-in).
      "@stdlib/assert-has-generator-support": { browser: "./app/_lib/csp/has-generator-support.cjs" },
      // citation-js (reference parsing, run in the browser on the import page) imports node-fetch for URL inputs,
      // which the parser never uses; in browser bundles it is the browser's own fetch.
      "node-fetch": { browser: "./server/screening/browser-fetch.ts" },
    },
  },
  // forbidden() renders app/forbidden.tsx with a 403 status for signed-in users outside a review.
  // proxyClientMaxBodySize: a proxy (middleware) buffers request bodies up to this size and silently cuts the rest: it must exceed the
  // figure upload's cap (10 MB image + form overhead, server/http/files.ts) once a proxy.ts exists.
  experimental: { authInterrupts: true, proxyClientMaxBodySize: "11mb" },
  poweredByHeader: false,
  typedRoutes: false,
  // Fixed headers for every response, static assets included. The Content-Security-Policy (a fresh nonce per
  // request) and HSTS (only when COOKIE_SECURE=true at run time) are set in proxy.ts.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;
