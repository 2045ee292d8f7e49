import Link from "next/link";
import { AppHeader } from "@/app/_components/app-header";
import { PooledSummary } from "@/app/_components/pooled-summary";
import { fmtPercent } from "@/app/_lib/format";
import { loadReviewPage } from "./review-context";
import { ReviewSettings } from "./review-settings";

export const dynamic = "force-dynamic";

export default async function ReviewOverviewPage({ params }: { params: Promise<{ id: string }> }) {
  const { user, role, review, reviewId, caller } = await loadReviewPage(params, "");
  const overview = await caller.reviews.overview({ reviewId });
  const prisma = [
    ["Records identified", review.prismaIdentified],
    ["After duplicates removed", review.prismaAfterDuplicates],
    ["Full texts assessed", review.prismaFullText],
    ["Studies included", review.prismaIncluded],
    ["Reports not retrieved", review.prismaNotRetrieved],
  ] as const;
  const picos = [
    ["Population", review.population],
    ["Intervention", review.intervention],
    ["Comparison", review.comparison],
    ["Outcome", review.outcomeDescription],
    ["Study design", review.studyDesign],
  ] as const;
  return (
    <>
      <AppHeader user={user} nav={{ reviewId, title: review.title, role, current: "overview" }} />
      <main className="mx-auto max-w-6xl space-y-6 p-4 sm:p-6">
        <div>
          <h1 className="text-2xl font-semibold">{review.title}</h1>
          <p className="mt-2 text-slate-700">{review.question}</p>
        </div>
        <section aria-label="Counts" className="grid grid-cols-2 gap-4 sm:grid-cols-4">
          {[
            ["Studies", overview.counts.studies],
            ["With outcome data", overview.counts.studiesWithOutcomeData],
            ["Outcome values", overview.counts.measurements],
            ["Table 1 completeness", fmtPercent(overview.table1Completeness === null ? null : overview.table1Completeness * 100)],
          ].map(([label, value]) => (
            <div key={label} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
              <div className="text-sm text-slate-600">{label}</div>
              <div className="tabular text-2xl font-semibold">{value}</div>
            </div>
          ))}
        </section>
        {overview.counts.exampleValues > 0 && (
          <p className="rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
            {overview.counts.exampleValues} outcome values in this review are <strong>example data</strong> invented for the demo (the seed paper prints no
            per-study BBB values). They are marked wherever they appear.
          </p>
        )}
        <section aria-label="Pooled results">
          <h2 className="text-lg font-semibold">Pooled result</h2>
          {overview.pooled ? (
            <div className="mt-2 grid gap-4 md:grid-cols-2">
              <PooledSummary title="First time point" analysis={overview.pooled.first} />
              <PooledSummary title="Last time point" analysis={overview.pooled.last} />
            </div>
          ) : (
            <p className="mt-2 rounded border border-slate-200 bg-white p-3 text-sm text-slate-700">
              No outcome is defined yet.{" "}
              <Link className="text-blue-800 underline" href={`/reviews/${reviewId}/setup`}>
                {role === "lead" ? "Define the review's outcomes and study characteristics on Set-up" : "The lead defines them on Set-up"}
              </Link>
              .
            </p>
          )}
          <p className="mt-2 text-sm">
            <Link className="text-blue-800 underline" href={`/reviews/${reviewId}/analysis`}>
              Forest and funnel plots, subgroups and sensitivity analyses
            </Link>
          </p>
        </section>
        <div className="grid gap-6 md:grid-cols-2">
          <section aria-label="PICOS" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
            <h2 className="text-lg font-semibold">PICOS</h2>
            <dl className="mt-2 space-y-2 text-sm">
              {picos.map(([label, value]) => (
                <div key={label}>
                  <dt className="font-medium">{label}</dt>
                  <dd className="text-slate-700">{value || "—"}</dd>
                </div>
              ))}
            </dl>
          </section>
          <section aria-label="PRISMA flow" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
            <h2 className="text-lg font-semibold">PRISMA flow</h2>
            <ol className="tabular mt-2 space-y-1 text-sm">
              {prisma.map(([label, value]) => (
                <li key={label} className="flex justify-between border-b border-slate-100 py-1">
                  <span>{label}</span>
                  <strong>{value ?? "—"}</strong>
                </li>
              ))}
            </ol>
          </section>
        </div>
        <div className="grid gap-6 md:grid-cols-2">
          {(
            [
              ["Inclusion criteria", review.inclusionCriteria],
              ["Exclusion criteria", review.exclusionCriteria],
            ] as const
          ).map(([label, text]) => (
            <section key={label} aria-label={label} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
              <h2 className="text-lg font-semibold">{label}</h2>
              <p className="mt-2 text-sm whitespace-pre-line text-slate-700">{text || "—"}</p>
            </section>
          ))}
        </div>
        {role === "lead" && <ReviewSettings reviewId={reviewId} />}
      </main>
    </>
  );
}
