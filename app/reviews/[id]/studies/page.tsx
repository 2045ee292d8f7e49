import { AppHeader } from "@/app/_components/app-header";
import { loadReviewPage } from "../review-context";
import { StudyTable } from "./study-table";

export const dynamic = "force-dynamic";

export default async function StudiesPage({ params }: { params: Promise<{ id: string }> }) {
  const { user, role, review, reviewId } = await loadReviewPage(params, "/studies");
  return (
    <>
      <AppHeader user={user} nav={{ reviewId, title: review.title, role, current: "studies" }} />
      <main className="mx-auto max-w-screen-2xl p-4 sm:p-6">
        <h1 className="text-2xl font-semibold">Included studies</h1>
        <p className="mt-1 text-sm text-slate-600">
          Characteristics of the included studies (Table 1). {role === "viewer" ? "You can read this table." : "Click a cell or press Enter to edit; changes save as you leave the cell."}
        </p>
        <div className="mt-4">
          <StudyTable reviewId={reviewId} canEdit={role !== "viewer"} isLead={role === "lead"} />
        </div>
      </main>
    </>
  );
}
