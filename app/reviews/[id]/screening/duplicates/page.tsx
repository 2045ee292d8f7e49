import { screeningPage } from "../shell";
import { DuplicatesWorkbench } from "./duplicates-workbench";

export const dynamic = "force-dynamic";

export default async function DuplicatesPage({ params }: { params: Promise<{ id: string }> }) {
  const { Shell, reviewId, role } = await screeningPage(params, "duplicates");
  return (
    <Shell
      title="Duplicates"
      intro={
        <p>
          Records with the same DOI or PMID are merged automatically. Likely duplicates — similar title, same first author, year and journal — wait here for a person: merge them, or
          keep them apart. Every merge can be undone; the merged records are PRISMA&apos;s &ldquo;duplicates removed&rdquo;.
        </p>
      }
    >
      <DuplicatesWorkbench reviewId={reviewId} canEdit={role !== "viewer"} />
    </Shell>
  );
}
