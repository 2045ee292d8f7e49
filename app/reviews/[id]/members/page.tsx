import { forbidden } from "next/navigation";
import { AppHeader } from "@/app/_components/app-header";
import { loadReviewPage } from "../review-context";
import { MembersEditor } from "./members-editor";

export const dynamic = "force-dynamic";

/** Only the review's lead manages who is in it; other members get the 403 page. */
export default async function MembersPage({ params }: { params: Promise<{ id: string }> }) {
  const { user, role, review, reviewId } = await loadReviewPage(params, "/members");
  if (role !== "lead") forbidden();
  return (
    <>
      <AppHeader user={user} nav={{ reviewId, title: review.title, role, current: "members" }} />
      <main className="mx-auto max-w-3xl p-4 sm:p-6">
        <h1 className="text-2xl font-semibold">Members</h1>
        <p className="mt-1 text-sm text-slate-600">Leads manage members and settle conflicts; reviewers edit study data and their own bias judgments; viewers read results and the report.</p>
        <MembersEditor reviewId={reviewId} />
      </main>
    </>
  );
}
