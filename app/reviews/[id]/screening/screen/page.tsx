import { screeningPage } from "../shell";
import { ScreenWorkbench } from "./screen-workbench";

export const dynamic = "force-dynamic";

export default async function ScreenPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ stage?: string }> }) {
  const { Shell, reviewId, role } = await screeningPage(params, "screen");
  const stage = (await searchParams).stage === "full_text" ? "full_text" : "title_abstract";
  return (
    <Shell title={stage === "full_text" ? "Screen full texts" : "Screen titles and abstracts"}>
      {role === "viewer" ? <p>Viewers see the screening counts on the overview, not the records being screened.</p> : <ScreenWorkbench key={stage} reviewId={reviewId} stage={stage} />}
    </Shell>
  );
}
