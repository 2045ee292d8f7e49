import { readFile } from "node:fs/promises";
import path from "node:path";

/**
 * pdf.js's worker served from our own origin, so that PDFs render offline and under a strict CSP
 * (script-src 'self': a worker from a CDN or a blob: URL would be blocked). Only the listed file is served.
 */
const served: Record<string, string> = { "pdf.worker.min.mjs": "pdf.worker.min.mjs" };

let cache: Map<string, Buffer> | undefined;

export async function GET(_req: Request, { params }: { params: Promise<{ file: string }> }): Promise<Response> {
  const name = served[(await params).file];
  if (!name) return new Response("Not found", { status: 404 });
  cache ??= new Map();
  let body = cache.get(name);
  if (!body) {
    body = await readFile(path.join(process.cwd(), "node_modules", "pdfjs-dist", "build", name));
    cache.set(name, body);
  }
  return new Response(new Uint8Array(body), {
    headers: { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff" },
  });
}
