import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { createCaller } from "@/server/root";
import { exportFiles, type ExportFile } from "@/server/schemas/data-import";
import { createContext } from "@/server/trpc";

export const dynamic = "force-dynamic";

/**
 * The Data page's downloads as plain links (GET /api/reviews/:id/downloads/:file?analysis=:analysisId): the session
 * cookie signs the request and the `dataIo.download` procedure checks membership and builds the file, so a link
 * goes through the same role checks as every other call.
 */
export async function GET(req: Request, { params }: { params: Promise<{ id: string; file: string }> }): Promise<Response> {
  const { id, file } = await params;
  const reviewId = Number(id);
  const analysis = new URL(req.url).searchParams.get("analysis");
  if (!Number.isInteger(reviewId) || reviewId <= 0 || !(exportFiles as readonly string[]).includes(file))
    return new Response("No such file.", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  try {
    const caller = createCaller(createContext({ headers: req.headers }));
    const download = await caller.dataIo.download({ reviewId, file: file as ExportFile, ...(analysis ? { analysisId: Number(analysis) } : {}) });
    const body = download.encoding === "base64" ? Buffer.from(download.content, "base64") : download.content;
    return new Response(body, {
      headers: {
        "content-type": download.contentType,
        "content-disposition": `attachment; filename="${download.filename.replace(/[^\w.-]/g, "_")}"`,
        "cache-control": "no-store",
      },
    });
  } catch (error) {
    const status = error instanceof TRPCError ? getHTTPStatusCodeFromError(error) : 500;
    const message = error instanceof Error ? error.message : String(error);
    return new Response(message, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
}
