import type { Metadata } from "next";
import type { ReactNode } from "react";
import { headers } from "next/headers";
import Link from "next/link";
import { ExampleBadge } from "@/app/_components/example-badge";
import { SummaryPlot } from "@/app/_components/rob/summary-plot";
import { TrafficLightPlot } from "@/app/_components/rob/traffic-light-plot";
import { fmt, fmtPercent } from "@/app/_lib/format";
import { chromiumPath } from "@/lib/env";
import { warmUpPdfRenderer } from "@/server/services/report-pdf";
import { paperLabels, paperSizes, queryRecord, reportOptionsSchema, reportQuery, reportSectionLabels, reportSections, type ReportOptions } from "@/server/schemas/report";
import type { ReviewReport } from "@/server/services/report";
import { loadReviewPage } from "../review-context";
import { PrintButton, PrismaPngButton, ReadyMarker, ReportForest, ReportFunnel } from "./report-client";
import { leaveOneOutSummary, methodsParagraphs, methodsReferences, resultSentence } from "./wording";
import "./report.css";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Report" };

/* Big sections start on a new page; one that only says there is nothing yet follows on (no page left half empty). */

/** Studies per traffic-light figure: one figure fits a printed page. */
const TRAFFIC_LIGHT_ROWS = 32;
/**
 * Beyond this many studies the traffic-light plot (a page per 32 studies, ten cells each) is left out of the report:
 * the summary plot says the same per domain, and the Risk of bias page downloads the full plot and the robvis CSV.
 */
const TRAFFIC_LIGHT_MAX_STUDIES = 200;
/** Rows of the provenance tables printed in full; longer lists are summarised (the Data page has every row). */
const PROVENANCE_ROWS = 200;

const when = (iso: string) => {
  const d = new Date(iso.includes("T") ? iso : `${iso.replace(" ", "T")}Z`);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
};

/** This response's CSP nonce (proxy.ts hands it to the renderer in the request's policy header). */
async function cspNonce(): Promise<string | undefined> {
  return (await headers()).get("content-security-policy")?.match(/'nonce-([^']+)'/)?.[1];
}

/** A CSS string literal: quotes and backslashes escaped, "<" written as an escape so the text cannot end the <style>. */
const cssString = (text: string) => `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/</g, "\\3C ").replace(/[\r\n]+/g, " ")}"`;

/** The footer of every printed page: the data's timestamp and hash on the left, "page X of Y" on the right. */
const marginBoxes = (footer: string) =>
  ["report-a4", "report-letter"]
    .map(
      (name) =>
        `@page ${name} { @bottom-left { content: ${cssString(footer)}; font: 7.5pt Arial, Helvetica, sans-serif; color: #334155; } @bottom-right { content: "page " counter(page) " of " counter(pages); font: 7.5pt Arial, Helvetica, sans-serif; color: #334155; } }`,
    )
    .join("\n");

/**
 * The review's printable report (issue 11): its own layout without the app's navigation, sized for A4 or US Letter
 * (report.css), every number from the services (`report.get`), the charts in their fixed-size print mode.
 */
export default async function ReportPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { reviewId, caller } = await loadReviewPage(params, "/report");
  const parsed = reportOptionsSchema.safeParse(queryRecord(await searchParams));
  const options: ReportOptions = parsed.success ? parsed.data : reportOptionsSchema.parse({});
  const report = await caller.report.get({ reviewId, ...(options.sections ? { sections: options.sections } : {}), ...(options.analyses ? { analyses: options.analyses } : {}) });
  const shown = new Set(report.sections);
  const forPdf = options.render === "pdf";
  if (!forPdf) warmUpPdfRenderer();
  const footer = `${report.review.title} · data as of ${when(report.dataTimestamp)} · data hash ${report.dataHash}`;
  return (
    <div className="report" data-paper={options.paper}>
      {!forPdf && <ReportOptionsForm reviewId={reviewId} report={report} options={options} invalid={!parsed.success} />}
      <main className="report-body">
        {shown.has("title") && <TitlePage report={report} />}
        {shown.has("question") && <QuestionSection report={report} />}
        {shown.has("prisma") && <PrismaSection report={report} reviewId={reviewId} />}
        {shown.has("methods") && <MethodsSection report={report} />}
        {shown.has("table1") && <Table1Section report={report} />}
        {shown.has("results") && <ResultsSection report={report} />}
        {shown.has("rob") && report.rob && <RiskOfBiasSection rob={report.rob} />}
        {shown.has("provenance") && report.provenance && <ProvenanceSection report={report} provenance={report.provenance} />}
        {report.sections.length === 0 && <p>No section is chosen: tick at least one in the options above.</p>}
      </main>
      {/* Every printed page's footer: in the browser's print, @page margin boxes (Chromium 131+) with the text below and
          "page X of Y"; the server PDF draws the same in Chromium's footer template, which reads this element. */}
      <p className="sr-only" data-report-footer>
        {footer}
      </p>
      {!forPdf && <style nonce={await cspNonce()}>{marginBoxes(footer)}</style>}
      <ReadyMarker />
    </div>
  );
}

function ReportOptionsForm({ reviewId, report, options, invalid }: { reviewId: number; report: ReviewReport; options: ReportOptions; invalid: boolean }) {
  const pdf = chromiumPath() !== null;
  const sections = new Set(options.sections ?? reportSections);
  const analyses = new Set(options.analyses ?? report.allAnalyses.map((a) => a.id));
  return (
    <aside className="report-options no-print" aria-label="Report options">
      <div className="flex flex-wrap items-center gap-3">
        <Link className="text-blue-800 underline" href={`/reviews/${reviewId}`}>
          ← Back to the review
        </Link>
        <PrintButton />
        {pdf ? (
          <a className="rounded bg-slate-800 px-3 py-1 text-white" href={`/api/reviews/${reviewId}/report.pdf${reportQuery({ ...options, render: undefined })}`}>
            Download PDF
          </a>
        ) : (
          <span className="text-sm text-slate-700" role="note">
            Download PDF is not available here (no Chromium on the server); your browser&apos;s Print (to PDF) gives the same pages.
          </span>
        )}
      </div>
      {invalid && (
        <p role="alert" className="mt-2 text-sm text-red-800">
          Some options in the address were not understood; the report shows everything on A4.
        </p>
      )}
      <form method="get" className="mt-3 flex flex-wrap gap-6 text-sm">
        <fieldset>
          <legend className="font-medium">Sections</legend>
          {reportSections.map((s) => (
            <label key={s} className="mr-3 inline-flex items-center gap-1">
              <input type="checkbox" name="sections" value={s} defaultChecked={sections.has(s)} />
              {reportSectionLabels[s]}
            </label>
          ))}
        </fieldset>
        {report.allAnalyses.length > 0 && (
          <fieldset>
            <legend className="font-medium">Analyses</legend>
            {report.allAnalyses.map((a) => (
              <label key={a.id} className="mr-3 inline-flex items-center gap-1">
                <input type="checkbox" name="analyses" value={a.id} defaultChecked={analyses.has(a.id)} />
                {a.number} {a.title}
              </label>
            ))}
          </fieldset>
        )}
        <label className="flex items-center gap-1">
          Paper
          <select name="paper" defaultValue={options.paper} className="rounded border border-slate-400 bg-white px-1 py-0.5">
            {paperSizes.map((p) => (
              <option key={p} value={p}>
                {paperLabels[p]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="rounded border border-slate-400 bg-white px-3 py-1">
          Update report
        </button>
      </form>
    </aside>
  );
}

function TitlePage({ report }: { report: ReviewReport }) {
  const { review, team } = report;
  return (
    <section className="report-title-page" aria-label="Title page">
      <p className="text-sm tracking-wide text-slate-600 uppercase">Systematic review and meta-analysis · report</p>
      <h1 className="mt-4 text-3xl font-semibold">{review.title}</h1>
      <dl className="mt-8 grid grid-cols-[auto_1fr] gap-x-6 gap-y-2">
        <dt className="font-medium">Team lead</dt>
        <dd>{team.leads.join(", ") || "—"}</dd>
        <dt className="font-medium">Reviewers</dt>
        <dd>{team.reviewers.join(", ") || "—"}</dd>
        <dt className="font-medium">Date</dt>
        <dd>{when(report.generatedAt)}</dd>
        <dt className="font-medium">Data as of</dt>
        <dd>{when(report.dataTimestamp)}</dd>
        <dt className="font-medium">Data hash</dt>
        <dd>
          <code>{report.dataHash}</code> <span className="text-sm text-slate-600">(first 12 hex digits of a SHA-256 of the review&apos;s data; same hash, same data)</span>
        </dd>
        <dt className="font-medium">Studies</dt>
        <dd>{report.studyCount}</dd>
      </dl>
    </section>
  );
}

function QuestionSection({ report }: { report: ReviewReport }) {
  const r = report.review;
  const picos = [
    ["Population", r.population],
    ["Intervention", r.intervention],
    ["Comparison", r.comparison],
    ["Outcome", r.outcomeDescription],
    ["Study design", r.studyDesign],
  ] as const;
  return (
    <section className="report-section" aria-labelledby="report-question">
      <h2 id="report-question">Question and eligibility</h2>
      <p>{r.question || "No review question is recorded."}</p>
      <table className="report-table mt-2">
        <caption className="sr-only">PICOS</caption>
        <tbody>
          {picos.map(([label, value]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{value || "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Inclusion criteria</h3>
      <p className="whitespace-pre-line">{r.inclusionCriteria || "—"}</p>
      <h3>Exclusion criteria</h3>
      <p className="whitespace-pre-line">{r.exclusionCriteria || "—"}</p>
    </section>
  );
}

function PrismaSection({ report, reviewId }: { report: ReviewReport; reviewId: number }) {
  const { flow, svg } = report.prisma;
  return (
    <section className="report-section report-break-before" aria-labelledby="report-prisma">
      <h2 id="report-prisma">PRISMA 2020 flow diagram</h2>
      <figure className="report-figure" data-testid="prisma-diagram">
        {/* Our own SVG text (server/report/prisma.ts escapes every label), the same the download serves. */}
        <div dangerouslySetInnerHTML={{ __html: svg }} />
        <figcaption className="text-sm text-slate-700">
          Figure 1. PRISMA 2020 flow diagram (Page et al. 2021). {flow.notes.join(" ")}
        </figcaption>
      </figure>
      <p className="no-print text-sm">
        Download:{" "}
        <a className="text-blue-800 underline" href={`/api/reviews/${reviewId}/downloads/prisma.svg`}>
          SVG
        </a>{" "}
        · <PrismaPngButton basename={`review-${reviewId}-prisma-2020`} /> ·{" "}
        <a className="text-blue-800 underline" href={`/api/reviews/${reviewId}/downloads/prisma.csv`}>
          CSV for the PRISMA2020 R package
        </a>
      </p>
    </section>
  );
}

function MethodsSection({ report }: { report: ReviewReport }) {
  return (
    <section className="report-section" aria-labelledby="report-methods">
      <h2 id="report-methods">Methods</h2>
      {methodsParagraphs(report).map((p, i) => (
        <p key={i}>{p}</p>
      ))}
      <h3>References</h3>
      <ol className="report-references">
        {methodsReferences.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ol>
    </section>
  );
}

function Table1Section({ report }: { report: ReviewReport }) {
  const { header, rows } = report.table1;
  return (
    <section className={`report-section ${rows.length ? "report-break-before" : ""}`} aria-labelledby="report-table1">
      <h2 id="report-table1">Table 1. Characteristics of included studies</h2>
      {rows.length === 0 ? (
        <p>No study is included yet.</p>
      ) : (
        <ReportTable className={`report-table report-table1 ${header.length > 8 ? "report-compact" : ""}`} columns={header}>
            {rows.map((row, r) => (
              <tr key={r}>
                {row.map((cell, c) => (
                  <td key={c}>{cell === null || cell === undefined || cell === "" ? "—" : typeof cell === "number" ? (Number.isFinite(cell) ? String(cell) : "—") : String(cell)}</td>
                ))}
              </tr>
            ))}
          </ReportTable>
      )}
    </section>
  );
}

/**
 * What the two charts read of an analysis, sent once to the browser for both: the leave-one-out refits, the
 * cumulative steps and the meta-regression are summarised on the server and stay there (with 1000 studies they are
 * most of the payload the browser would otherwise parse).
 */
function chartPart(run: ReviewReport["analyses"][number]["run"]): ReviewReport["analyses"][number]["run"] {
  const { leaveOneOut: _loo, cumulative: _cumulative, metaRegression: _regression, ...result } = run.result;
  void [_loo, _cumulative, _regression];
  return { ...run, result: { ...result, leaveOneOut: [] }, regression: null, stratified: null };
}

function ResultsSection({ report }: { report: ReviewReport }) {
  return (
    <section className={`report-section ${report.analyses.length ? "report-break-before" : ""}`} aria-labelledby="report-results">
      <h2 id="report-results">Results</h2>
      {report.analyses.length === 0 && <p>No saved analysis to report: the lead saves analyses on the Analysis page (&ldquo;Save as analysis&rdquo;).</p>}
      {report.analyses.map((a) => {
        const run = a.run;
        const charts = chartPart(run);
        const sentence = resultSentence(run);
        const loo = leaveOneOutSummary(run);
        const example = run.inputs.filter((i) => i.isExampleData).length;
        const k = run.result.k;
        return (
          <article key={a.id} className="report-analysis" aria-labelledby={`analysis-${a.id}`} data-analysis-number={a.number}>
            <h3 id={`analysis-${a.id}`}>
              Analysis {a.number} {a.title}
            </h3>
            <p className="report-sentence" data-testid="result-sentence">
              {sentence ?? `No study can be analysed for this analysis${run.outcome ? "" : " (the review has no outcome yet)"}: nothing is pooled.`}
            </p>
            {run.result.modelSelection && <p className="text-sm">{run.result.modelSelection.reason}</p>}
            {example > 0 && (
              <p className="text-sm">
                <ExampleBadge /> {example} of the {run.inputs.length} comparisons use example values invented for the demo; they are marked in the plot.
              </p>
            )}
            {k > 0 ? (
              <div data-report-slot>
                <ReportForest analysis={charts} basename={`analysis-${a.number}-forest`} />
              </div>
            ) : (
              <p className="report-message">The forest plot cannot be drawn: no study has the data this analysis needs.</p>
            )}
            <h4>Small-study effects</h4>
            {k >= 3 ? (
              <div data-report-slot className="report-funnel">
                <ReportFunnel analysis={charts} basename={`analysis-${a.number}-funnel`} />
              </div>
            ) : (
              <p className="report-message">
                The funnel plot and the tests for small-study effects need at least 3 studies; this analysis has {k}.
              </p>
            )}
            <h4>Leave-one-out</h4>
            {loo ? (
              <>
                <p>{loo.range}</p>
                <p>{loo.changes.length === 0 ? "No single study changes the significance of the pooled effect." : loo.changes.map((c) => `${c.label}: ${c.change}.`).join(" ")}</p>
              </>
            ) : (
              <p className="report-message">A leave-one-out analysis needs at least 2 studies; this analysis has {k}.</p>
            )}
            {run.excluded.length > 0 && (
              <p className="text-sm">
                Not analysed ({run.excluded.length}): listed with their reasons under Data provenance.
              </p>
            )}
          </article>
        );
      })}
    </section>
  );
}

function RiskOfBiasSection({ rob }: { rob: NonNullable<ReviewReport["rob"]> }) {
  const { figure, agreement } = rob;
  const parts: (typeof figure.studies)[] = [];
  for (let i = 0; i < figure.studies.length; i += TRAFFIC_LIGHT_ROWS) parts.push(figure.studies.slice(i, i + TRAFFIC_LIGHT_ROWS));
  const reviewers = agreement.reviewers.map((r) => r?.name ?? "not assigned").join(" and ");
  return (
    <section className={`report-section ${figure.studies.length ? "report-break-before" : ""}`} aria-labelledby="report-rob">
      <h2 id="report-rob">Risk of bias</h2>
      <p>
        Risk of bias was judged with SYRCLE&apos;s tool (Hooijmans et al. 2014), ten domains, each low, high or unclear; SYRCLE has no overall score. Each study was judged by{" "}
        {agreement.reviewersPerStudy} reviewers ({reviewers}) independently, neither seeing the other&apos;s judgments of a study until both had completed it. Disagreements were
        settled by the team lead (or a named arbiter) in a consensus{rob.acceptedInBulk > 0 ? `; ${rob.acceptedInBulk} of the ${rob.consensusCells} consensus cells took the judgment both reviewers had given` : ""}.
        {figure.containsExample && (
          <>
            {" "}
            The judgments are example data invented for the demo <ExampleBadge title="Judgments invented for the demo" />.
          </>
        )}
        {figure.hiddenCount > 0 && ` ${figure.hiddenCount} studies are left out: their judgments stay blinded until both reviewers have completed them.`}
      </p>
      {figure.studies.length === 0 ? (
        <p className="report-message">No study has been judged yet: the traffic-light and summary plots cannot be drawn.</p>
      ) : (
        <>
          {figure.studies.length > TRAFFIC_LIGHT_MAX_STUDIES && (
            <p className="report-message">
              The traffic-light plot of {figure.studies.length} studies would take {parts.length} pages and is left out; the summary plot below gives the same judgments per
              domain, and the Risk of bias page downloads the full plot (SVG, PNG) and the robvis CSV.
            </p>
          )}
          {figure.studies.length <= TRAFFIC_LIGHT_MAX_STUDIES && parts.map((rows, i) => (
            <figure key={i} className="report-figure">
              <TrafficLightPlot rows={rows} palette="robvis" caption={parts.length > 1 ? `consensus judgments (part ${i + 1} of ${parts.length})` : "consensus judgments"} />
            </figure>
          ))}
          <figure className="report-figure">
            {figure.summary.unweighted ? <SummaryPlot shares={figure.summary.unweighted} palette="robvis" caption="consensus judgments" /> : <p className="report-message">No judgment to summarise yet.</p>}
          </figure>
        </>
      )}
      <h3>Agreement between the two reviewers</h3>
      <p className="text-sm">
        Before consensus, over the {agreement.studiesAssessed} of {agreement.studiesTotal} studies both reviewers completed. Cohen&apos;s κ (Cohen 1960) over low / unclear / high.
      </p>
      <ReportTable className="report-table" columns={["Domain", "Studies compared", "Agreement", "Cohen's κ"]}>
          {[...agreement.domains.map((d) => ({ key: d.code, label: `${d.code} ${d.name}`, ...d })), { key: "overall", label: "Overall (all cells)", ...agreement.overall }].map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.label}</th>
              <td className="num">{r.n}</td>
              <td className="num">{r.observed === null ? "—" : fmtPercent(r.observed * 100, 1)}</td>
              <td className="num">{r.kappa === null ? (r.undefinedBecause === "one category only" ? "not defined (one category)" : "no study compared") : fmt(r.kappa, 2)}</td>
            </tr>
          ))}
        </ReportTable>
    </section>
  );
}

function ProvenanceSection({ report, provenance }: { report: ReviewReport; provenance: NonNullable<ReviewReport["provenance"]> }) {
  const { figures, conversions, exampleValues, exampleStudies, values } = provenance;
  return (
    <section className={`report-section ${values > 0 ? "report-break-before" : ""}`} aria-labelledby="report-provenance">
      <h2 id="report-provenance">Data provenance</h2>
      <h3>Example data</h3>
      <p>
        {exampleValues === 0 ? (
          "No outcome value is example data."
        ) : (
          <>
            <ExampleBadge /> {exampleValues} of the {values} outcome values are example data invented for the demo (the source paper prints no per-study values), in{" "}
            {exampleStudies.length} studies: {exampleStudies.slice(0, 60).join(", ")}
            {exampleStudies.length > 60 ? ` and ${exampleStudies.length - 60} more` : ""}. They are marked in every plot where they appear.
          </>
        )}
      </p>
      <h3>Values read from figures</h3>
      {figures.length === 0 ? (
        <p>No value was read from a figure.</p>
      ) : (
        <ReportTable className="report-table report-compact" columns={["Study", "Arm", "Outcome", "Day", "Figure (page)", "Read by"]}>
            {figures.slice(0, PROVENANCE_ROWS).map((f) => (
              <tr key={f.measurementId}>
                <td>{f.studyLabel}</td>
                <td>{f.armLabel}</td>
                <td>{f.outcome}</td>
                <td className="num">{f.day}</td>
                <td>
                  {f.figureLabel}
                  {f.page ? ` (p. ${f.page})` : ""}
                  {f.editedSince ? "; edited in the grid since" : ""}
                </td>
                <td>
                  {f.readerName} (reading {f.readingOrdinal})
                </td>
              </tr>
            ))}
          </ReportTable>
      )}
      {figures.length > PROVENANCE_ROWS && <p className="text-sm">… and {figures.length - PROVENANCE_ROWS} more (the Data page&apos;s outcome data lists every value with its source).</p>}
      <h3>Standard deviations converted from SEM or CI</h3>
      {conversions.length === 0 ? (
        <p>Every value was entered with its SD: nothing was converted.</p>
      ) : (
        <>
          <p>
            {conversions.filter((c) => c.from === "SEM").length} values were entered with an SEM and {conversions.filter((c) => c.from === "CI95").length} with a 95% CI; the analysis
            uses the SD converted as below (Cochrane Handbook 6.5.2.2).
          </p>
          <ReportTable className="report-table report-compact" columns={["Study", "Arm", "Outcome", "Day", "Conversion"]}>
              {conversions.slice(0, PROVENANCE_ROWS).map((c, i) => (
                <tr key={i}>
                  <td>{c.study}</td>
                  <td>{c.arm}</td>
                  <td>{c.outcome}</td>
                  <td className="num">{c.day}</td>
                  <td>{c.note}</td>
                </tr>
              ))}
            </ReportTable>
          {conversions.length > PROVENANCE_ROWS && <p className="text-sm">… and {conversions.length - PROVENANCE_ROWS} more (the Data page&apos;s &ldquo;outcome data as analysed&rdquo; lists every conversion).</p>}
        </>
      )}
      <h3>Studies not analysed</h3>
      {report.analyses.every((a) => a.run.excluded.length === 0) ? (
        <p>Every study with data was analysed in every analysis reported.</p>
      ) : (
        report.analyses
          .filter((a) => a.run.excluded.length > 0)
          .map((a) => (
            <div key={a.id}>
              <h4>
                Analysis {a.number} {a.title}
              </h4>
              <ul className="report-list">
                {a.run.excluded.slice(0, PROVENANCE_ROWS).map((e) => (
                  <li key={e.id}>
                    {a.run.labels[e.id] ?? `Study ${e.id}`}: {e.reason}
                  </li>
                ))}
              </ul>
              {a.run.excluded.length > PROVENANCE_ROWS && <p className="text-sm">… and {a.run.excluded.length - PROVENANCE_ROWS} more.</p>}
            </div>
          ))
      )}
    </section>
  );
}

/** A table of the report: rows never split and the header repeated on every printed page (report.css). */
function ReportTable({ className, columns, children }: { className: string; columns: readonly string[]; children: ReactNode }) {
  return (
    <table className={className}>
      <thead>
        <tr>
          {columns.map((column, i) => (
            <th key={i} scope="col">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
