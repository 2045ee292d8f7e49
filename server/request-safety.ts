import "server-only";
import { requestHost } from "@/server/client-address";
import { env } from "@/lib/env";

/** Request bodies above this are refused before parsing (a tRPC batch of cell edits is far smaller). */
export const MAX_BODY_BYTES = 1_000_000;
/** Uploads (a file of at most 10 MB, base64 in JSON) may be this large, on the upload procedures only. */
export const MAX_UPLOAD_BODY_BYTES = 14_500_000;
const UPLOAD_PROCEDURES = new Set(["dataIo.previewImport", "dataIo.commitImport", "dataIo.previewReferences", "dataIo.commitReferences", "dataIo.importReview"]);

/** The body cap of a tRPC request: the upload cap only when every procedure of the (batched) call is an upload. */
export function bodyCapFor(url: string): number {
  const path = decodeURIComponent(new URL(url, "http://local").pathname.replace(/^.*\/api\/trpc\//, ""));
  const procedures = path.split(",");
  return procedures.length > 0 && procedures.every((p) => UPLOAD_PROCEDURES.has(p)) ? MAX_UPLOAD_BODY_BYTES : MAX_BODY_BYTES;
}

/**
 * Deepest nesting of arrays and objects accepted in a request's JSON. The app's inputs, wrapped by the batch
 * format and superjson, are a handful of levels deep; the limit stops input that would exhaust the call stack
 * of the recursive walkers after JSON.parse (superjson, zod) long before it is reached.
 */
export const MAX_JSON_DEPTH = 32;

const codeByStatus: Record<number, string> = { 400: "BAD_REQUEST", 403: "FORBIDDEN", 413: "PAYLOAD_TOO_LARGE" };
const refuse = (status: number, message: string) => ({
  response: Response.json({ error: { message, code: codeByStatus[status] ?? "BAD_REQUEST" } }, { status }),
});

/**
 * How deeply `json` nests arrays and objects, counted on the text without parsing it (so without recursion):
 * brackets inside strings are skipped. Stops counting past `limit`.
 */
export function jsonDepthExceeds(json: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return false;
}

const tooDeep = () => refuse(400, `The request's input is nested more than ${MAX_JSON_DEPTH} levels deep; no form of this application sends that.`);

/**
 * Mutations only as same-origin JSON POSTs: a foreign Origin is refused (CSRF defence on top of SameSite=Lax),
 * a non-JSON body is refused (HTML forms cannot send one cross-site without a preflight), and the body is capped
 * in size and in nesting depth. Queries and subscriptions (GET) change nothing: only their input's depth is checked.
 */
/**
 * Why a request that changes something is refused as cross-origin, or null: its Origin must be the host the browser
 * addressed (X-Forwarded-Host believed only from a configured proxy: anyone can send it) or one of ALLOWED_ORIGINS.
 * Every mutation passes it: tRPC calls here, multipart uploads in server/http/files.ts.
 */
export function crossOriginRefusal(headers: Headers): string | null {
  const origin = headers.get("origin");
  if (!origin) return null;
  const allowed = env()
    .ALLOWED_ORIGINS.split(",")
    .map((o) => o.trim())
    .filter(Boolean);
  return safeHost(origin) === requestHost(headers) || allowed.includes(origin) ? null : `Cross-origin request refused (Origin ${origin}).`;
}

export async function checkMutationRequest(req: Request): Promise<{ response: Response } | { request: Request }> {
  if (req.method !== "POST") {
    const input = new URL(req.url).searchParams.get("input");
    return input && jsonDepthExceeds(input, MAX_JSON_DEPTH) ? tooDeep() : { request: req };
  }
  const crossOrigin = crossOriginRefusal(req.headers);
  if (crossOrigin) return refuse(403, crossOrigin);
  const type = req.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/json")) return refuse(403, "Mutations must be sent as application/json.");
  const cap = bodyCapFor(req.url);
  const bytes = await readBodyCapped(req, cap);
  if (bytes === null) return refuse(413, `Request body over ${cap} bytes.`);
  const body = Buffer.from(bytes).toString("utf8");
  if (jsonDepthExceeds(body, MAX_JSON_DEPTH)) return tooDeep();
  return { request: new Request(req.url, { method: req.method, headers: req.headers, body }) };
}

/**
 * A request's body, or null when it is larger than `cap` bytes: Content-Length may be absent (chunked) or lie, so the
 * bytes are counted as they arrive and reading stops at the cap.
 */
export async function readBodyCapped(req: Request, cap: number): Promise<Uint8Array | null> {
  if (Number(req.headers.get("content-length") ?? "0") > cap) return null;
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function safeHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}
