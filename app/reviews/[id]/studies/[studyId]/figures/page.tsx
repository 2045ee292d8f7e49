import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AppHeader } from "@/app/_components/app-header";
import { loadReviewPage } from "../../../review-context";
import { FigureList } from "./figure-list";
import { FigureUpload } from "./figure-upload";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Figures" };

export default async function FiguresPage({ params }: { params: Promise<{ id: string; studyId: string }> }) {
  const studyId = Number((await params).studyId);
  if (!Number.isInteger(studyId) || studyId <= 0) notFound();
  const { user, role, review, reviewId, caller } = await loadReviewPage(params, `/studies/${studyId}/figures`);
  const detail = await caller.studies.get({ reviewId, studyId }).catch(() => null);
  if (!detail) notFound();
  const outcomes = await caller.outcomes.list({ reviewId });
  return (
    <>
      <AppHeader user={user} nav={{ reviewId, title: review.title, role, current: "study" }} />
      <main className="mx-auto max-w-screen-xl space-y-6 p-4 sm:p-6">
        <div>
          <Link href={`/reviews/${reviewId}/studies/${studyId}`} className="text-sm text-blue-800 underline">
            ← {detail.label}
          </Link>
          <h1 className="mt-1 text-2xl font-semibold">Figures of {detail.label}</h1>
          <p className="text-sm text-slate-700">Outcome values read off the paper&apos;s figures, with where each one came from.</p>
        </div>
        <FigureList reviewId={reviewId} studyId={studyId} />
        {role !== "viewer" && <FigureUpload reviewId={reviewId} studyId={studyId} outcomes={outcomes.map((o) => ({ id: o.id, name: o.name }))} />}
      </main>
    </>
  );
}
