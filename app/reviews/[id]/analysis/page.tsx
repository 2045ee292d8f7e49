import type { Metadata } from "next";
import { AppHeader } from "@/app/_components/app-header";
import { loadReviewPage } from "../review-context";
import { AnalysisWorkbench } from "./analysis-workbench";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Analysis" };

export default async function AnalysisPage({ params }: { params: Promise<{ id: string }> }) {
  const { user, role, review, reviewId } = await loadReviewPage(params, "/analysis");
  return (
    <>
      <AppHeader user={user} nav={{ reviewId, title: review.title, role, current: "analysis" }} />
      <main className="mx-auto max-w-screen-2xl p-4 sm:p-6">
        <AnalysisWorkbench reviewId={reviewId} isLead={role === "lead"} />
      </main>
    </>
  );
}
