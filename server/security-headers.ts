/**
 * The Content-Security-Policy, built per request (proxy.ts) around a fresh nonce, which Next.js reads from the
 * request's Content-Security-Policy header and puts on its own scripts. (The fixed headers, nosniff,
 * Referrer-Policy and X-Frame-Options, are in next.config.js.)
 *
 * What the policy allows, and why:
 * - script-src: only scripts carrying this response's nonce, and what they load ('strict-dynamic': Next's
 *   chunk loader adds <script src> for later chunks). No 'unsafe-inline', so inline event handlers never run
 *   (script-src-attr 'none' says it twice); no 'unsafe-eval' in production (React needs it only in `next dev`).
 * - style-src: same-origin stylesheets (Tailwind's CSS file) and nonced <style> elements.
 *   style-src-attr 'unsafe-inline': style attributes only, which Recharts and React write into server-rendered
 *   HTML (sizes, positions of chart parts). A style attribute cannot run script; what it could do (restyle the
 *   page) needs an HTML injection that React's escaping does not allow.
 * - img-src blob: data:: chart downloads draw the SVG into a canvas through a blob URL, and PNGs come back as data.
 * - connect-src 'self': tRPC and its live updates (SSE) go to this origin only.
 * - frame-ancestors 'none' (and X-Frame-Options DENY for older browsers): no page may frame this app.
 * - base-uri, form-action, object-src: no <base> hijack, forms post only here, no plugins.
 */
export type SecurityHeaderOptions = { nonce: string; development: boolean; https: boolean };

export function contentSecurityPolicy({ nonce, development, https }: SecurityHeaderOptions): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    "script-src-attr 'none'",
    `style-src 'self' 'nonce-${nonce}'${development ? " 'unsafe-inline'" : ""}`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** HSTS, only when the app is served over HTTPS (COOKIE_SECURE): over plain HTTP browsers ignore it anyway. */
export const STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains";

/** 128 random bits, base64: unguessable and fresh for every response (CSP 3, "nonce-source"). */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}
