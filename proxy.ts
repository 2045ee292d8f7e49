import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { contentSecurityPolicy, newNonce, STRICT_TRANSPORT_SECURITY } from "@/server/security-headers";

/**
 * Runs before every page (Next.js 16 "proxy", formerly middleware): a fresh CSP nonce per request, handed to
 * Next's renderer through the request's Content-Security-Policy header (that is where Next reads it to put on
 * its own scripts), the same policy on the response, and HSTS behind HTTPS.
 */
export function proxy(request: NextRequest): NextResponse {
  const config = env();
  const https = config.COOKIE_SECURE === "true";
  const csp = contentSecurityPolicy({ nonce: newNonce(), development: config.NODE_ENV === "development", https });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", csp);
  if (https) response.headers.set("strict-transport-security", STRICT_TRANSPORT_SECURITY);
  return response;
}

export const config = {
  // Pages only. The API answers JSON (and SSE), which a browser never renders as a document, so a CSP there
  // protects nothing, and running the proxy costs every tRPC call time; hashed build assets likewise.
  // Their fixed headers (nosniff, frame and referrer policy) come from next.config.js.
  matcher: ["/((?!api/|_next/static|_next/image).*)"],
};
