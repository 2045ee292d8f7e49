import { NextRequest } from "next/server";
import { afterEach, describe, expect, it } from "vitest";
import { proxy } from "@/proxy";
import { resetEnvForTests } from "@/lib/env";

const page = () => proxy(new NextRequest("http://127.0.0.1:3000/reviews/1", { headers: { cookie: "wb_session=x" } }));
const withSecureCookies = (value: "true" | "false") => {
  process.env.COOKIE_SECURE = value;
  resetEnvForTests();
};
afterEach(() => {
  delete process.env.COOKIE_SECURE;
  resetEnvForTests();
});

describe("proxy.ts: the security headers of a page", () => {
  it("hands Next the same fresh CSP it sends, so that Next can put the nonce on its scripts", () => {
    const first = page();
    const csp = first.headers.get("content-security-policy")!;
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/]{22}==' 'strict-dynamic';/);
    // NextResponse.next({ request: { headers } }) forwards overridden request headers this way.
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
    expect(first.headers.get("x-middleware-request-cookie")).toBe("wb_session=x");
    expect(page().headers.get("content-security-policy")).not.toBe(csp);
  });

  it("adds HSTS only when the app is served over HTTPS (COOKIE_SECURE=true), and then upgrades insecure requests", () => {
    withSecureCookies("false");
    expect(page().headers.get("strict-transport-security")).toBeNull();
    expect(page().headers.get("content-security-policy")).not.toContain("upgrade-insecure-requests");
    withSecureCookies("true");
    expect(page().headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    expect(page().headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
  });
});
