import { notFound } from "next/navigation";
import { AppHeader } from "@/app/_components/app-header";
import { loadReviewPage } from "../../review-context";
import { StudyDetail } from "./study-detail";

export const dynamic = "force-dynamic";

export default async function StudyPage({ params }: { params: Promise<{ id: string; studyId: string }> }) {
  const { studyId: rawStudyId } = await params;
  const studyId = Number(rawStudyId);
  if (!Number.isInteger(studyId) || studyId <= 0) notFound();
  const { user, role, review, reviewId, caller } = await loadReviewPage(params, `/studies/${studyId}`);
  const detail = await caller.studies.get({ reviewId, studyId }).catch(() => null);
  if (!detail) notFound();
  return (
    <>
      <AppHeader user={user} nav={{ reviewId, title: review.title, role, current: "study" }} />
      <main className="mx-auto max-w-screen-xl p-4 sm:p-6">
        <StudyDetail reviewId={reviewId} studyId={studyId} canEdit={role !== "viewer"} />
      </main>
    </>
  );
}
