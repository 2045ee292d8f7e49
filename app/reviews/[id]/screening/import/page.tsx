import { screeningPage } from "../shell";
import { ImportForm } from "./import-form";

export const dynamic = "force-dynamic";

export default async function ImportPage({ params }: { params: Promise<{ id: string }> }) {
  const { Shell, reviewId, role } = await screeningPage(params, "import");
  return (
    <Shell
      title="Import search results"
      intro={
        <p>
          One file per search, as exported from the database or register: RIS, PubMed (.nbib or XML), BibTeX, or the CSV exports of SyRF and Rayyan. The file is read in your browser;
          the records are sent in small batches. Records with the same DOI or PMID as one already imported are merged as duplicates at once; likely duplicates are queued for a
          person.
        </p>
      }
    >
      {role === "viewer" ? <p>Viewers cannot import; ask the lead or a reviewer.</p> : <ImportForm reviewId={reviewId} />}
    </Shell>
  );
}
