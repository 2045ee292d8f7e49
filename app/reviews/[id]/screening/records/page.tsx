import { screeningPage } from "../shell";
import { RecordsBrowser } from "./records-browser";

export const dynamic = "force-dynamic";

export default async function RecordsPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ search?: string }> }) {
  const { Shell, reviewId, role } = await screeningPage(params, "records");
  const { search } = await searchParams;
  return (
    <Shell
      title="Records"
      intro={<p>Every imported record with where it stands. Included records become studies here (or are linked to a study entered by hand); a full text that cannot be had is marked not retrieved.</p>}
    >
      <RecordsBrowser reviewId={reviewId} canEdit={role !== "viewer"} initialSearch={typeof search === "string" ? search.slice(0, 200) : ""} />
    </Shell>
  );
}
