import { screeningPage } from "./shell";
import { ScreeningOverview } from "./screening-overview";

export const dynamic = "force-dynamic";

export default async function ScreeningPage({ params }: { params: Promise<{ id: string }> }) {
  const { Shell, reviewId } = await screeningPage(params, "overview");
  return (
    <Shell
      title="Screening"
      intro={
        <p>
          From search results to included studies: import each search, remove duplicates, then two reviewers screen titles and abstracts and full texts independently. The PRISMA 2020
          numbers below are counted from the records and decisions, never typed.
        </p>
      }
    >
      <ScreeningOverview reviewId={reviewId} />
    </Shell>
  );
}
