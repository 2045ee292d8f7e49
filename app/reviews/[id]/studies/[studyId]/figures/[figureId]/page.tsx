import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AppHeader } from "@/app/_components/app-header";
import { loadReviewPage } from "../../../../review-context";
import { Digitiser } from "./digitiser";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Digitise a figure" };

export default async function FigurePage({ params }: { params: Promise<{ id: string; studyId: string; figureId: string }> }) {
  const { studyId: rawStudy, figureId: rawFigure } = await params;
  const studyId = Number(rawStudy);
  const figureId = Number(rawFigure);
  if (!Number.isInteger(studyId) || studyId <= 0 || !Number.isInteger(figureId) || figureId <= 0) notFound();
  const { user, role, review, reviewId, caller } = await loadReviewPage(params, `/studies/${studyId}/figures/${figureId}`);
  const figure = await caller.figures.get({ reviewId, figureId }).catch(() => null);
  if (!figure || figure.study.id !== studyId) notFound();
  return (
    <>
      <AppHeader user={user} nav={{ reviewId, title: review.title, role, current: "study" }} />
      <main className="mx-auto max-w-screen-2xl p-4 sm:p-6">
        <Digitiser reviewId={reviewId} studyId={studyId} figureId={figureId} role={role} />
      </main>
    </>
  );
}
