import "server-only";
import { notFound } from "next/navigation";
import { requireReviewMember, serverCaller } from "@/app/_lib/server-session";

/** Every review page: parse the id, require membership (403 otherwise), load the review header. */
export async function loadReviewPage(params: Promise<{ id: string }>, section: string) {
  const { id } = await params;
  const reviewId = Number(id);
  if (!Number.isInteger(reviewId) || reviewId <= 0) notFound();
  const { user, role } = await requireReviewMember(reviewId, `/reviews/${reviewId}${section}`);
  const caller = await serverCaller();
  const { review } = await caller.reviews.get({ reviewId });
  return { user, role, review, reviewId, caller };
}
