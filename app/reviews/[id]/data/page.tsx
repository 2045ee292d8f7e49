import type { Metadata } from "next";
import { AppHeader } from "@/app/_components/app-header";
import { loadReviewPage } from "../review-context";
import { ArchiveImport } from "./archive-import";
import { ReferencesImport } from "./references-import";
import { StudyDataImport } from "./study-data-import";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Data" };

const linkClass = "text-blue-800 underline decoration-blue-300 underline-offset-2 hover:decoration-blue-800";

/** Everything in and out of the review: downloads for every member (plain links), imports for the lead. */
export default async function DataPage({ params }: { params: Promise<{ id: string }> }) {
  const { user, role, review, reviewId, caller } = await loadReviewPage(params, "/data");
  const analyses = await caller.analyses.list({ reviewId });
  const file = (name: string, analysisId?: number) => `/api/reviews/${reviewId}/downloads/${name}${analysisId ? `?analysis=${analysisId}` : ""}`;
  const group = (title: string, description: string, links: [string, string][]) => (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <h3 className="font-medium">{title}</h3>
      <p className="mt-1 text-sm text-slate-600">{description}</p>
      <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-sm">
        {links.map(([label, href]) => (
          <li key={href}>
            <a className={linkClass} href={href} download>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
  return (
    <>
      <AppHeader user={user} nav={{ reviewId, title: review.title, role, current: "data" }} />
      <main className="mx-auto max-w-screen-lg space-y-8 p-4 sm:p-6">
        <div>
          <h1 className="text-2xl font-semibold">Data in and out</h1>
          <p className="mt-1 text-sm text-slate-600">
            Download the review&apos;s data, results and references{role === "lead" ? ", or import study data and references from spreadsheets, SyRF, RevMan and reference managers" : ""}. Spreadsheet cells
            that could run as formulas are written as text.
          </p>
        </div>

        <section aria-labelledby="export-heading" className="space-y-3">
          <h2 id="export-heading" className="text-xl font-semibold">
            Export
          </h2>
          <div className="grid gap-3 md:grid-cols-2">
            {group("Study data", "Every study, its characteristics and its outcome values, one row per arm and time point. Imports back into any review.", [
              ["Study data (CSV)", file("study-data.csv")],
              ["Study data (XLSX)", file("study-data.xlsx")],
            ])}
            {group("Import templates", "This review's columns, characteristics and outcomes, with no rows: fill them in and import.", [
              ["Template (CSV)", file("template.csv")],
              ["Template (XLSX)", file("template.xlsx")],
            ])}
            {group("Table 1", "The study characteristics table with this review's columns.", [
              ["Table 1 (CSV)", file("table1.csv")],
              ["Table 1 (XLSX)", file("table1.xlsx")],
            ])}
            {group("Outcome data", "Values as entered, and as analysed: the SD each arm contributes and how it was obtained.", [
              ["Outcome data as analysed (CSV)", file("outcome-data.csv")],
              ["Outcome data (XLSX)", file("outcome-data.xlsx")],
            ])}
            {group("RevMan Web", "Study information, arms, results and risk of bias in RevMan Web's data-package columns.", [
              ["Study information (CSV)", file("revman-study-information.csv")],
              ["Arms (CSV)", file("revman-arms.csv")],
              ["RevMan results (CSV)", file("revman-results.csv")],
              ["Risk of bias (CSV)", file("revman-risk-of-bias.csv")],
            ])}
            {group("Risk of bias and references", "Consensus judgments for robvis; the included studies for reference managers.", [
              ["robvis (CSV)", file("robvis.csv")],
              ["References (RIS)", file("references.ris")],
              ["References (BibTeX)", file("references.bib")],
            ])}
            {group("PRISMA 2020 flow", "The report's flow diagram alone, and its numbers as the PRISMA2020 R package reads them.", [
              ["PRISMA 2020 diagram (SVG)", file("prisma.svg")],
              ["PRISMA2020 package (CSV)", file("prisma.csv")],
            ])}
            {group("Whole review", "Everything, with members by username and the audit trail, to move the review to another install.", [["Whole review (JSON)", file("review.json")]])}
          </div>

          <h3 className="pt-2 font-medium">Saved analyses</h3>
          {analyses.length === 0 ? (
            <p className="text-sm text-slate-600">No saved analyses yet.</p>
          ) : (
            <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
              <table className="w-full text-sm">
                <caption className="sr-only">Files for each saved analysis</caption>
                <thead className="bg-slate-100 text-left">
                  <tr>
                    <th scope="col" className="px-3 py-2">
                      Analysis
                    </th>
                    <th scope="col" className="px-3 py-2">
                      Files
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {analyses.map((a) => (
                    <tr key={a.id} className="border-t border-slate-100 align-top">
                      <th scope="row" className="px-3 py-2 text-left font-normal">
                        <span className="font-medium">{a.number}</span> {a.title}
                      </th>
                      <td className="px-3 py-2">
                        <ul className="flex flex-wrap gap-x-4 gap-y-1">
                          <li>
                            <a className={linkClass} href={file("analysis.R", a.id)} download>
                              R script
                            </a>
                          </li>
                          <li>
                            <a className={linkClass} href={file("metafor.csv", a.id)} download>
                              metafor data (CSV)
                            </a>
                          </li>
                          <li>
                            <a className={linkClass} href={file("analysis.csv", a.id)} download>
                              Results (CSV)
                            </a>
                          </li>
                        </ul>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="border-t border-slate-100 px-3 py-2 text-sm">
                <a className={linkClass} href={file("analyses.xlsx")} download>
                  All analyses (XLSX)
                </a>
              </p>
            </div>
          )}
        </section>

        {role === "lead" ? (
          <>
            <StudyDataImport reviewId={reviewId} />
            <ReferencesImport reviewId={reviewId} />
          </>
        ) : (
          <p className="text-sm text-slate-600">Only the lead imports data into this review.</p>
        )}
        {user.isAdmin && <ArchiveImport />}
      </main>
    </>
  );
}
