import type { Metadata } from "next";
import Link from "next/link";
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
        <p className="no-print mb-2 text-right text-sm">
          <Link className="text-blue-800 underline" href={`/reviews/${reviewId}/report`}>
            Printable report
          </Link>{" "}
          (every saved analysis, sized for A4 or Letter)
        </p>
        <AnalysisWorkbench reviewId={reviewId} isLead={role === "lead"} />
      </main>
    </>
  );
}
