import type { Metadata } from "next";
import { AppHeader } from "@/app/_components/app-header";
import { loadReviewPage } from "../review-context";
import { CharacteristicsEditor } from "./characteristics-editor";
import { OutcomesEditor } from "./outcomes-editor";
import { Table1ColumnsEditor } from "./table1-columns-editor";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Set-up" };

/** What the review extracts: its outcomes, its own study characteristics, and Table 1's columns (the lead edits). */
export default async function SetupPage({ params }: { params: Promise<{ id: string }> }) {
  const { user, role, review, reviewId } = await loadReviewPage(params, "/setup");
  const canEdit = role === "lead";
  return (
    <>
      <AppHeader user={user} nav={{ reviewId, title: review.title, role, current: "setup" }} />
      <main className="mx-auto max-w-screen-lg space-y-6 p-4 sm:p-6">
        <div>
          <h1 className="text-2xl font-semibold">Set-up</h1>
          <p className="mt-1 text-sm text-slate-600">
            What this review extracts from each study. {canEdit ? "Changes apply at once for every member and are kept in the audit trail." : "Only the lead changes the set-up."}
          </p>
        </div>
        <OutcomesEditor reviewId={reviewId} canEdit={canEdit} />
        <CharacteristicsEditor reviewId={reviewId} canEdit={canEdit} />
        <Table1ColumnsEditor reviewId={reviewId} canEdit={canEdit} />
      </main>
    </>
  );
}
