import { handleFullTextUpload } from "@/server/http/files";

export const dynamic = "force-dynamic";

/** Upload of a screening record's full-text PDF (multipart); see server/http/files.ts. */
export async function POST(req: Request, { params }: { params: Promise<{ id: string; recordId: string }> }): Promise<Response> {
  const { id, recordId } = await params;
  const reviewId = Number(id);
  const record = Number(recordId);
  if (!Number.isInteger(reviewId) || reviewId <= 0 || !Number.isInteger(record) || record <= 0) return Response.json({ error: { message: "Not found." } }, { status: 404 });
  return handleFullTextUpload(req, reviewId, record);
}
