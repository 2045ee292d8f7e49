/**
 * Where to go after sign-in: the `next` the sign-in page was given, only when it is a path on this site.
 *
 * `new URL(next, origin)` is the browser's own reading of the value, so the origin comparison cannot be fooled
 * by a spelling the browser resolves elsewhere ("//evil.example", "https:…", "javascript:…"). Backslashes and
 * control characters are refused before parsing: the URL parser turns "\" into "/" and drops tabs and
 * newlines, so "/\evil.example" and "/<TAB>/evil.example" become "//evil.example", another host.
 */
export function safeNextPath(next: string | null | undefined, origin: string): string {
  if (!next || !next.startsWith("/")) return "/";
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\\\u0000-\u001f\u007f-\u009f]/.test(next)) return "/";
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return "/";
  }
  if (url.origin !== new URL(origin).origin) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}
