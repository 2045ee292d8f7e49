import { describe, expect, it } from "vitest";
import { safeNextPath } from "@/app/_lib/safe-next";

const ORIGIN = "http://127.0.0.1:3000";

describe("where sign-in leads (next)", () => {
  it.each([
    ["/reviews/1/studies", "/reviews/1/studies"],
    ["/reviews/1/studies?sort=year#top", "/reviews/1/studies?sort=year#top"],
    ["/", "/"],
    // Same-site paths that only look odd stay on this site, as the browser normalises them.
    ["/reviews/../admin/users", "/admin/users"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
    ["/%5Cevil.example", "/%5Cevil.example"],
  ])("follows %j to %j", (next, path) => {
    expect(safeNextPath(next, ORIGIN)).toBe(path);
  });

  // Each of these, given to window.location.assign as is, leaves the site (or runs script).
  it.each([
    ["backslash as slash", "/\\evil.example/"],
    ["backslash after slash, decoded from %5C", decodeURIComponent("/%5Cevil.example/")],
    ["backslash first", "\\\\evil.example"],
    ["tab dropped by the parser", "/\t/evil.example/"],
    ["newline dropped by the parser", "/\n/evil.example/"],
    ["carriage return", "/\r/evil.example/"],
    ["NUL", "/\u0000/evil.example"],
    ["C1 control", "/\u0085/evil.example"],
    ["protocol-relative", "//evil.example/"],
    ["three slashes", "///evil.example/"],
    ["encoded slashes, not a path", "%2F%2Fevil.example"],
    ["absolute https", "https://evil.example/"],
    ["absolute http, same host name, other port", "http://127.0.0.1:4000/"],
    ["scheme without slashes", "https:evil.example"],
    ["javascript:", "javascript:alert(document.cookie)"],
    ["JavaScript: in capitals with a leading space", " JavaScript:alert(1)"],
    ["data:", "data:text/html,<script>alert(1)</script>"],
    ["relative, no leading slash", "evil.example"],
    ["user info", "//user@evil.example"],
    ["empty", ""],
    ["absent", null],
  ])("refuses %s", (_name, next) => {
    expect(safeNextPath(next, ORIGIN)).toBe("/");
  });
});
