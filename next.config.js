/** @type {import('next').NextConfig} */
const nextConfig = {
  // Several builds can share a checkout (parallel test runs): each may pick its own output folder.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // `npm test` type-checks the whole project once (tsc --noEmit) before building; the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
  // A native module: loaded by Node at run time, never bundled.
  serverExternalPackages: ["better-sqlite3"],
  // forbidden() renders app/forbidden.tsx with a 403 status for signed-in users outside a review.
  // A proxy (middleware) buffers request bodies up to this size and silently cuts the rest: it must exceed the
  // figure upload's cap (10 MB image + form overhead, server/http/files.ts) once a proxy.ts exists.
  experimental: { authInterrupts: true, proxyClientMaxBodySize: "11mb" },
  // citation-js (reference parsing, run in the browser on the import page) imports node-fetch for URL inputs,
  // which the parser never uses; in browser bundles it is the browser's own fetch.
  turbopack: { resolveAlias: { "node-fetch": { browser: "./server/screening/browser-fetch.ts" } } },
  poweredByHeader: false,
  typedRoutes: false,
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
