import { screeningPage } from "../shell";
import { ConflictsWorkbench } from "./conflicts-workbench";

export const dynamic = "force-dynamic";

export default async function ConflictsPage({ params }: { params: Promise<{ id: string }> }) {
  const { Shell, reviewId, role } = await screeningPage(params, "conflicts");
  return (
    <Shell
      title="Conflicts"
      intro={
        <p>
          Records both screeners have decided differently (at title and abstract, include or maybe against exclude; at full text, different decisions or reasons). The lead, or the third
          reviewer the lead names, settles each; the decisions as given stay beside the settled one, and κ describes them.
        </p>
      }
    >
      {role === "viewer" ? <p>Viewers see the screening counts, not individual decisions.</p> : <ConflictsWorkbench reviewId={reviewId} />}
    </Shell>
  );
}
