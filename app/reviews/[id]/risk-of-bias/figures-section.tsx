"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ScrollBox } from "@/app/_components/scroll-box";
import { useRef, useState, type RefObject } from "react";
import { ExampleBadge } from "@/app/_components/example-badge";
import { downloadBlob, downloadPng, downloadSvg } from "@/app/_components/charts/download";
import { robPalettes, type RobPaletteName } from "@/app/_components/rob/palette";
import { SummaryPlot } from "@/app/_components/rob/summary-plot";
import { TrafficLightPlot } from "@/app/_components/rob/traffic-light-plot";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import type { RobSource } from "@/server/schemas/risk-of-bias";
import type { GridData } from "./rob-model";

/** The traffic-light and summary plots of the consensus (or of one reviewer's own judgments), with downloads. */
export function FiguresSection({ reviewId, data }: { reviewId: number; data: GridData }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [source, setSource] = useState<RobSource>("consensus");
  const [palette, setPalette] = useState<RobPaletteName>("robvis");
  const [weighted, setWeighted] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const figure = useQuery(trpc.riskOfBias.figureData.queryOptions({ reviewId, source }));
  const trafficRef = useRef<SVGSVGElement>(null);
  const summaryRef = useRef<SVGSVGElement>(null);
  const sources: { value: RobSource; label: string }[] = [
    { value: "consensus", label: "Consensus" },
    ...(data.me.seesIndividual
      ? ([
          { value: "reviewer1", label: `${data.assignment.reviewer1?.name ?? "Reviewer 1"} (own judgments)` },
          { value: "reviewer2", label: `${data.assignment.reviewer2?.name ?? "Reviewer 2"} (own judgments)` },
        ] as const)
      : []),
  ];
  const f = figure.data;
  const shares = f ? (weighted ? f.summary.weighted : f.summary.unweighted) : null;
  const caption = f ? (source === "consensus" ? "consensus judgments" : f.label) : "";
  const summaryCaption = `${caption}${weighted ? ", weighted by meta-analysis weight" : ""}`;
  const run = async (work: () => Promise<void> | void) => {
    try {
      setError(null);
      await work();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const exportCsv = () =>
    run(async () => {
      const { csv, filename } = await queryClient.fetchQuery({ ...trpc.riskOfBias.exportCsv.queryOptions({ reviewId, source }), staleTime: 0 });
      downloadBlob(new Blob([csv], { type: "text/csv;charset=utf-8" }), filename);
    });
  const base = `risk-of-bias-${source}`;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-end gap-6 text-sm">
        <fieldset>
          <legend className="font-medium">Judgments shown</legend>
          <div className="flex flex-wrap gap-3">
            {sources.map((s) => (
              <label key={s.value} className="flex items-center gap-1">
                <input type="radio" name="rob-figure-source" checked={source === s.value} onChange={() => setSource(s.value)} />
                {s.label}
              </label>
            ))}
          </div>
        </fieldset>
        <div>
          <label htmlFor="rob-palette" className="block font-medium">
            Colours
          </label>
          <select id="rob-palette" className="rounded border border-slate-400 px-1 py-0.5" value={palette} onChange={(e) => setPalette(e.target.value as RobPaletteName)}>
            {(Object.keys(robPalettes) as RobPaletteName[]).map((p) => (
              <option key={p} value={p}>
                {robPalettes[p].label}
              </option>
            ))}
          </select>
        </div>
        <label className="flex items-center gap-1">
          <input type="checkbox" checked={weighted} disabled={!f?.summary.weighted} onChange={(e) => setWeighted(e.target.checked)} />
          Weight the summary by meta-analysis weight
        </label>
        <button type="button" className="rounded border border-slate-400 px-3 py-1" onClick={exportCsv}>
          Download CSV (robvis &ldquo;Generic&rdquo;)
        </button>
      </div>
      {figure.error && <p role="alert">{errorMessage(figure.error)}</p>}
      {error && (
        <p role="alert" className="text-red-800">
          {error}
        </p>
      )}
      {f && (
        <>
          <p className="text-sm" role="status">
            <span className="font-semibold">Showing: {source === "consensus" ? "the consensus judgments" : f.label}.</span>
            {f.containsExample && (
              <>
                {" "}
                Based on example judgments <ExampleBadge title="Judgments invented for the demo" />.
              </>
            )}
            {f.hiddenCount > 0 && ` ${f.hiddenCount} studies are left out: their judgments stay blinded until both reviewers have completed them.`}
            {source === "consensus" && " Cells without a consensus yet show as “Not judged”."}
            {f.weightNote && ` ${f.weightNote}`}
          </p>
          <figure className="space-y-1">
            <ScrollBox label="Traffic-light plot">
              <TrafficLightPlot ref={trafficRef} rows={f.studies} palette={palette} caption={caption} />
            </ScrollBox>
            <figcaption className="flex gap-2 text-sm">
              Traffic-light plot
              <DownloadButtons target={trafficRef} base={`${base}-traffic-light`} label="traffic-light plot" run={run} />
            </figcaption>
          </figure>
          <figure className="space-y-1">
            {shares ? (
              <ScrollBox label="Summary plot">
                <SummaryPlot ref={summaryRef} shares={shares} palette={palette} caption={summaryCaption} />
              </ScrollBox>
            ) : (
              <p>No study to summarise yet.</p>
            )}
            <figcaption className="flex gap-2 text-sm">
              Summary plot ({weighted ? "share of meta-analysis weight" : "share of studies"})
              {shares && <DownloadButtons target={summaryRef} base={`${base}-summary${weighted ? "-weighted" : ""}`} label="summary plot" run={run} />}
            </figcaption>
          </figure>
        </>
      )}
    </div>
  );
}

function DownloadButtons({ target, base, label, run }: { target: RefObject<SVGSVGElement | null>; base: string; label: string; run: (work: () => Promise<void> | void) => Promise<void> }) {
  return (
    <>
      <button type="button" className="text-blue-800 underline" aria-label={`Download the ${label} as SVG`} onClick={() =>
          run(() => {
            if (target.current) downloadSvg(target.current, base);
          })
        }>
        SVG
      </button>
      <button type="button" className="text-blue-800 underline" aria-label={`Download the ${label} as PNG`} onClick={() => run(() => (target.current ? downloadPng(target.current, base) : undefined))}>
        PNG
      </button>
    </>
  );
}
