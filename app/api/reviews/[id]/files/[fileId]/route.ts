import { serveStoredFile } from "@/server/http/files";

export const dynamic = "force-dynamic";

/** A stored file of a review (figure images), to members only; see server/http/files.ts. */
export async function GET(req: Request, { params }: { params: Promise<{ id: string; fileId: string }> }): Promise<Response> {
  const { id, fileId } = await params;
  const reviewId = Number(id);
  const file = Number(fileId);
  if (!Number.isInteger(reviewId) || reviewId <= 0 || !Number.isInteger(file) || file <= 0) return Response.json({ error: { message: "Not found." } }, { status: 404 });
  return serveStoredFile(req, reviewId, file);
}
