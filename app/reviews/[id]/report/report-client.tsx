"use client";
import { useEffect, useSyncExternalStore } from "react";
import { downloadPng } from "@/app/_components/charts/download";
import { ForestPlot } from "@/app/_components/charts/analysis-forest-plot";
import { FunnelPlot } from "@/app/_components/charts/funnel-plot";
import type { ReviewAnalysis } from "@/server/services/analysis";

/** False during the server render and hydration, true after: the charts are drawn once, in the browser. */
const useMounted = () =>
  useSyncExternalStore(
    () => () => undefined,
    () => true,
    () => false,
  );

/** Study rows per printed forest chart: one chart, with its header and axis, fits an A4 or Letter page. */
const ROWS_PER_CHART = 50;

export function ReportForest({ analysis, basename }: { analysis: ReviewAnalysis; basename: string }) {
  const mounted = useMounted();
  if (!mounted) return <p className="text-sm text-slate-600">Drawing the forest plot…</p>;
  return <ForestPlot analysis={analysis} subgroupLabel={analysis.subgroupLabel} higherIsBetter={analysis.outcome?.higherIsBetter ?? true} basename={basename} printed={{ rowsPerChart: ROWS_PER_CHART }} />;
}

export function ReportFunnel({ analysis, basename }: { analysis: ReviewAnalysis; basename: string }) {
  const mounted = useMounted();
  if (!mounted) return <p className="text-sm text-slate-600">Drawing the funnel plot…</p>;
  return <FunnelPlot analysis={analysis} basename={basename} printed />;
}

/**
 * Marks the page ready to print (`data-report-ready` on <html>, which the PDF renderer and the tests wait for) once
 * the fonts are loaded and every chart slot (`data-report-slot`) holds its drawing; after 15 s it is marked anyway
 * (a chart that never draws must not hold a PDF back forever).
 */
export function ReadyMarker() {
  useEffect(() => {
    let cancelled = false;
    const started = Date.now();
    const check = async () => {
      await document.fonts.ready;
      if (cancelled) return;
      const drawn = [...document.querySelectorAll("[data-report-slot]")].every((slot) => slot.querySelector("[data-report-chart] svg"));
      if (drawn || Date.now() - started > 15_000) requestAnimationFrame(() => requestAnimationFrame(() => (document.documentElement.dataset.reportReady = "1")));
      else setTimeout(check, 50);
    };
    void check();
    return () => {
      cancelled = true;
    };
  }, []);
  return null;
}

export function PrintButton() {
  return (
    <button type="button" className="rounded border border-slate-400 bg-white px-3 py-1" onClick={() => window.print()}>
      Print…
    </button>
  );
}

/** The PRISMA diagram as a PNG, drawn from the SVG on the page (the charts' own PNG export). */
export function PrismaPngButton({ basename }: { basename: string }) {
  return (
    <button
      type="button"
      className="text-blue-800 underline"
      onClick={() => {
        const svg = document.querySelector<SVGSVGElement>('[data-testid="prisma-diagram"] svg');
        if (svg) void downloadPng(svg, basename);
      }}
    >
      PNG
    </button>
  );
}
