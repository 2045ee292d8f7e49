import Link from "next/link";
import { AppHeader } from "@/app/_components/app-header";
import { loadReviewPage } from "../review-context";
import { RobWorkbench } from "./rob-workbench";

export const dynamic = "force-dynamic";

export default async function RiskOfBiasPage({ params }: { params: Promise<{ id: string }> }) {
  const { user, role, review, reviewId } = await loadReviewPage(params, "/risk-of-bias");
  return (
    <>
      <AppHeader user={user} nav={{ reviewId, title: review.title, role, current: "risk-of-bias" }} />
      <main className="mx-auto max-w-screen-2xl p-4 sm:p-6">
        <h1 className="text-2xl font-semibold">Risk of bias (SYRCLE)</h1>
        <p className="no-print mt-1 text-sm">
          <Link className="text-blue-800 underline" href={`/reviews/${reviewId}/report?sections=rob`}>
            Printable report
          </Link>{" "}
          of the risk of bias (figures and agreement, sized for A4 or Letter)
        </p>
        <p className="mt-1 max-w-4xl text-sm text-slate-600">
          Ten domains per study, each judged Low (Yes), High (No) or Unclear, by two reviewers independently: neither sees the other&apos;s judgments of a
          study until both have completed it. The lead then settles the disagreements. SYRCLE has no overall score, so none is shown.
        </p>
        <div className="mt-4">
          <RobWorkbench reviewId={reviewId} />
        </div>
      </main>
    </>
  );
}
