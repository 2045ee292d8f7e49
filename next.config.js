/** @type {import('next').NextConfig} */
const nextConfig = {
  // Several builds can share a checkout (parallel test runs): each may pick its own output folder.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // `npm test` type-checks the whole project once (tsc --noEmit) before building; the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
  // A native module: loaded by Node at run time, never bundled.
  serverExternalPackages: ["better-sqlite3"],
  turbopack: {
    // In the browser bundle only: @stdlib's feature probe calls eval, which the CSP blocks (see the stand-in).
    resolveAlias: { "@stdlib/assert-has-generator-support": { browser: "./app/_lib/csp/has-generator-support.cjs" } },
  },
  // forbidden() renders app/forbidden.tsx with a 403 status for signed-in users outside a review.
  experimental: { authInterrupts: true },
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
