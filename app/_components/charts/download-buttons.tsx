"use client";
import { useState, type RefObject } from "react";
import { downloadCsv, downloadPng, downloadSvg, type CsvCell } from "./download";

// Taller on a phone: a comfortable tap target (WCAG 2.5.8 asks 24 px at least).
const buttonClass = "rounded border border-slate-300 bg-white px-2 py-1 text-xs text-slate-800 hover:bg-slate-100 sm:py-0.5";

/** "SVG" and "PNG" buttons for the chart drawn inside `container` (its first SVG with the given aria-label). */
export function ChartDownloads({ container, chartLabel, basename }: { container: RefObject<HTMLElement | null>; chartLabel: string; basename: string }) {
  const [error, setError] = useState<string | null>(null);
  const svg = () => container.current?.querySelector<SVGSVGElement>(`svg[aria-label="${chartLabel}"]`) ?? null;
  const run = async (kind: "svg" | "png") => {
    const element = svg();
    if (!element) return setError("The chart is not drawn yet.");
    try {
      setError(null);
      if (kind === "svg") downloadSvg(element, basename);
      else await downloadPng(element, basename);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <span className="no-print inline-flex items-center gap-1">
      <button type="button" className={buttonClass} aria-label={`Download the ${chartLabel.toLowerCase()} as SVG`} onClick={() => void run("svg")}>
        SVG
      </button>
      <button type="button" className={buttonClass} aria-label={`Download the ${chartLabel.toLowerCase()} as PNG`} onClick={() => void run("png")}>
        PNG
      </button>
      {error && (
        <span role="alert" className="text-xs text-red-700">
          {error}
        </span>
      )}
    </span>
  );
}

/** A "CSV" button: the table's rows are built only when clicked (all rows, not only the page shown). */
export function CsvDownload({ tableLabel, basename, header, rows }: { tableLabel: string; basename: string; header: readonly string[]; rows: () => readonly (readonly CsvCell[])[] }) {
  return (
    <button type="button" className={`no-print ${buttonClass}`} aria-label={`Download the ${tableLabel.toLowerCase()} as CSV`} onClick={() => downloadCsv(basename, header, rows())}>
      CSV
    </button>
  );
}
