import { handleFigureUpload } from "@/server/http/files";

export const dynamic = "force-dynamic";

/** Upload of a digitised figure's image with its details (multipart); see server/http/files.ts. */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const reviewId = Number((await params).id);
  if (!Number.isInteger(reviewId) || reviewId <= 0) return Response.json({ error: { message: "Unknown review." } }, { status: 404 });
  return handleFigureUpload(req, reviewId);
}
