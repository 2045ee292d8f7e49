"use client";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from "react";
import type { PDFDocumentProxy } from "pdfjs-dist";
import { chartKinds, type ChartKind } from "@/db/schema/figures";
import { looksLikeSvg, sniffMediaType } from "@/server/digitiser/media-type";
import { figureDetailsSchema, labelledIssue } from "@/server/schemas/figure";
import { openPdf, renderPdfPage, sha256Hex } from "./pdf";

type Crop = { x: number; y: number; width: number; height: number };
type Source =
  | { kind: "pdf"; name: string; sha256: string; pdf: PDFDocumentProxy; pages: number; page: number; scale: number; canvas: HTMLCanvasElement }
  | { kind: "image"; name: string; sha256: string; canvas: HTMLCanvasElement };

/** The file picked is read here, never uploaded whole: only the cropped figure goes to the server (as PNG). */
const MAX_SOURCE_BYTES = 60 * 1024 * 1024;
const MAX_FIGURE_PIXELS = 25_000_000;
const chartLabels: Record<ChartKind, string> = { bar: "Bar chart (days typed per group)", line: "Line chart (days read from the x axis)" };

export function FigureUpload({ reviewId, studyId, outcomes }: { reviewId: number; studyId: number; outcomes: { id: number; name: string }[] }) {
  const router = useRouter();
  const [source, setSource] = useState<Source | null>(null);
  const [crop, setCrop] = useState<Crop | null>(null);
  const [label, setLabel] = useState("");
  const [caption, setCaption] = useState("");
  const [outcomeId, setOutcomeId] = useState(outcomes[0]?.id ?? 0);
  const [chartKind, setChartKind] = useState<ChartKind>("bar");
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const preview = useRef<HTMLCanvasElement>(null);
  const drag = useRef<{ x: number; y: number } | null>(null);

  useEffect(() => {
    const target = preview.current;
    if (!target || !source) return;
    target.width = source.canvas.width;
    target.height = source.canvas.height;
    target.getContext("2d")?.drawImage(source.canvas, 0, 0);
  }, [source]);

  const whole = (canvas: HTMLCanvasElement): Crop => ({ x: 0, y: 0, width: canvas.width, height: canvas.height });

  async function choose(file: File | undefined) {
    setMessage(null);
    setSource(null);
    if (!file) return;
    if (file.size > MAX_SOURCE_BYTES) return setMessage(`PDF or image: the file is ${(file.size / 1048576).toFixed(1)} MB; at most 60 MB can be opened here.`);
    const bytes = new Uint8Array(await file.arrayBuffer());
    const type = sniffMediaType(bytes);
    if (!type) {
      return setMessage(
        looksLikeSvg(bytes)
          ? "PDF or image: SVG images are refused (they can carry scripts). Export the figure as PNG."
          : "PDF or image: this is not a PDF, PNG, JPEG or WebP file (judged by its content, not its name).",
      );
    }
    setBusy("Reading the file…");
    try {
      const sha256 = await sha256Hex(bytes);
      if (type === "application/pdf") {
        const pdf = await openPdf(bytes.slice());
        const canvas = await renderPdfPage(pdf, 1, 2);
        setSource({ kind: "pdf", name: file.name, sha256, pdf, pages: pdf.numPages, page: 1, scale: 2, canvas });
        setCrop(whole(canvas));
      } else {
        const bitmap = await createImageBitmap(new Blob([bytes], { type })).catch(() => null);
        if (!bitmap) return setMessage("PDF or image: the image does not decode; it may be damaged.");
        if (bitmap.width * bitmap.height > MAX_FIGURE_PIXELS) return setMessage(`PDF or image: the image is ${bitmap.width} × ${bitmap.height} pixels; crop it below 25 megapixels first.`);
        const canvas = document.createElement("canvas");
        canvas.width = bitmap.width;
        canvas.height = bitmap.height;
        canvas.getContext("2d")?.drawImage(bitmap, 0, 0);
        setSource({ kind: "image", name: file.name, sha256, canvas });
        setCrop(whole(canvas));
      }
    } catch (error) {
      setMessage(`PDF or image: the file could not be opened (${error instanceof Error ? error.message : String(error)}).`);
    } finally {
      setBusy(null);
    }
  }

  async function showPage(page: number, scale: number) {
    if (!source || source.kind !== "pdf") return;
    if (!Number.isInteger(page) || page < 1 || page > source.pages) return setMessage(`Page: choose a page from 1 to ${source.pages}.`);
    setMessage(null);
    setBusy(`Rendering page ${page}…`);
    try {
      const canvas = await renderPdfPage(source.pdf, page, scale);
      setSource({ ...source, page, scale, canvas });
      setCrop(whole(canvas));
    } finally {
      setBusy(null);
    }
  }

  /** Pointer position in the rendered page's pixels. */
  const toPixels = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const k = e.currentTarget.width / rect.width;
    return { x: Math.max(0, Math.min(e.currentTarget.width, (e.clientX - rect.left) * k)), y: Math.max(0, Math.min(e.currentTarget.height, (e.clientY - rect.top) * k)) };
  };

  function setCropField(field: keyof Crop, text: string) {
    if (!crop || !source) return;
    const value = Math.round(Number(text));
    if (!Number.isFinite(value)) return;
    setCrop({ ...crop, [field]: value });
  }

  const cropProblem = (() => {
    if (!crop || !source) return null;
    const { width: W, height: H } = source.canvas;
    if (crop.width < 20 || crop.height < 20) return "Crop: the figure must be at least 20 × 20 pixels.";
    if (crop.x < 0 || crop.y < 0 || crop.x + crop.width > W || crop.y + crop.height > H) return `Crop: the rectangle must lie inside the page (${W} × ${H} pixels).`;
    if (crop.width * crop.height > MAX_FIGURE_PIXELS) return "Crop: at most 25 megapixels.";
    return null;
  })();

  async function save() {
    if (!source || !crop) return;
    if (cropProblem) return setMessage(cropProblem);
    const k = source.kind === "pdf" ? source.scale : 1;
    const details = {
      studyId,
      outcomeId,
      label,
      caption,
      chartKind,
      source:
        source.kind === "pdf"
          ? { kind: "pdf", name: source.name, sha256: source.sha256, page: source.page, scale: source.scale, crop: { x: crop.x / k, y: crop.y / k, width: crop.width / k, height: crop.height / k } }
          : { kind: "image", name: source.name, sha256: source.sha256, crop },
    };
    const parsed = figureDetailsSchema.safeParse(details);
    if (!parsed.success) return setMessage(labelledIssue(parsed.error.issues[0]));
    setBusy("Saving the figure…");
    setMessage(null);
    try {
      const figure = document.createElement("canvas");
      figure.width = crop.width;
      figure.height = crop.height;
      figure.getContext("2d")?.drawImage(source.canvas, crop.x, crop.y, crop.width, crop.height, 0, 0, crop.width, crop.height);
      const png = await new Promise<Blob | null>((resolve) => figure.toBlob(resolve, "image/png"));
      if (!png) throw new Error("the browser could not make the image");
      const form = new FormData();
      form.set("details", JSON.stringify(parsed.data));
      form.set("image", png, `${label.replace(/[^\w.-]+/g, "_") || "figure"}.png`);
      const response = await fetch(`/api/reviews/${reviewId}/figures`, { method: "POST", body: form, headers: { "x-workbench-upload": "1" } });
      const body = (await response.json()) as { figureId?: number; error?: { message: string } };
      if (!response.ok || !body.figureId) throw new Error(body.error?.message ?? `the server answered ${response.status}`);
      router.push(`/reviews/${reviewId}/studies/${studyId}/figures/${body.figureId}`);
    } catch (error) {
      setMessage(error instanceof Error ? error.message : String(error));
      setBusy(null);
    }
  }

  const field = "rounded border border-slate-300 px-2 py-1";
  return (
    <section aria-labelledby="add-figure" className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="add-figure" className="text-lg font-semibold">
        Add a figure
      </h2>
      <div>
        <label htmlFor="figure-file" className="block text-sm font-medium">
          PDF or image (PNG, JPEG, WebP)
        </label>
        <input id="figure-file" type="file" accept="application/pdf,image/png,image/jpeg,image/webp" className="mt-1 block max-w-full text-sm" onChange={(e) => void choose(e.target.files?.[0])} />
        <p className="mt-1 text-xs text-slate-600">The file stays in your browser; only the cropped figure is stored, with the PDF&apos;s SHA-256, page and crop.</p>
      </div>
      {busy && (
        <p role="status" className="text-sm text-slate-700">
          {busy}
        </p>
      )}
      {message && (
        <p role="alert" className="rounded bg-red-50 px-2 py-1 text-sm text-red-800">
          {message}
        </p>
      )}
      {source && crop && (
        <>
          {source.kind === "pdf" && (
            <div className="flex flex-wrap items-end gap-3 text-sm">
              <div>
                <label htmlFor="pdf-page" className="block font-medium">
                  Page (of {source.pages})
                </label>
                <input id="pdf-page" type="number" min={1} max={source.pages} defaultValue={source.page} key={source.page} className={`${field} w-24`} onKeyDown={(e) => e.key === "Enter" && void showPage(Number(e.currentTarget.value), source.scale)} onBlur={(e) => Number(e.currentTarget.value) !== source.page && void showPage(Number(e.currentTarget.value), source.scale)} />
              </div>
              <button type="button" className="rounded border border-slate-400 px-2 py-1" disabled={source.page <= 1} onClick={() => void showPage(source.page - 1, source.scale)}>
                Previous page
              </button>
              <button type="button" className="rounded border border-slate-400 px-2 py-1" disabled={source.page >= source.pages} onClick={() => void showPage(source.page + 1, source.scale)}>
                Next page
              </button>
              <div>
                <label htmlFor="pdf-scale" className="block font-medium">
                  Resolution
                </label>
                <select id="pdf-scale" className={field} value={source.scale} onChange={(e) => void showPage(source.page, Number(e.target.value))}>
                  {[2, 3, 4].map((s) => (
                    <option key={s} value={s}>
                      {s * 72} dpi ({s} px per point)
                    </option>
                  ))}
                </select>
              </div>
            </div>
          )}
          <p className="text-sm text-slate-700">Drag over the figure to crop it, or type the rectangle (in pixels of the page as shown at this resolution).</p>
          <div className="max-h-[70vh] overflow-auto rounded border border-slate-300 bg-slate-100" tabIndex={0} role="region" aria-label="The page or image (scrolls)">
            <div className="relative inline-block max-w-full">
              <canvas
                ref={preview}
                aria-label={source.kind === "pdf" ? `Page ${source.page} of ${source.name}: drag to crop the figure` : `${source.name}: drag to crop the figure`}
                role="img"
                className="block h-auto max-w-full cursor-crosshair touch-none"
                onPointerDown={(e) => {
                  drag.current = toPixels(e);
                  e.currentTarget.setPointerCapture(e.pointerId);
                }}
                onPointerMove={(e) => {
                  if (!drag.current) return;
                  const p = toPixels(e);
                  const start = drag.current;
                  setCrop({ x: Math.round(Math.min(start.x, p.x)), y: Math.round(Math.min(start.y, p.y)), width: Math.round(Math.abs(p.x - start.x)), height: Math.round(Math.abs(p.y - start.y)) });
                }}
                onPointerUp={() => {
                  drag.current = null;
                }}
              />
              <div
                aria-hidden="true"
                className="pointer-events-none absolute border-2 border-dashed border-blue-700 bg-blue-500/10"
                style={{
                  left: `${(100 * crop.x) / source.canvas.width}%`,
                  top: `${(100 * crop.y) / source.canvas.height}%`,
                  width: `${(100 * crop.width) / source.canvas.width}%`,
                  height: `${(100 * crop.height) / source.canvas.height}%`,
                }}
              />
            </div>
          </div>
          <fieldset className="flex flex-wrap gap-3 text-sm">
            <legend className="mb-1 font-medium">Crop rectangle (pixels)</legend>
            {(
              [
                ["x", "Crop left"],
                ["y", "Crop top"],
                ["width", "Crop width"],
                ["height", "Crop height"],
              ] as const
            ).map(([key, text]) => (
              <div key={key}>
                <label htmlFor={`crop-${key}`} className="block text-xs">
                  {text}
                </label>
                <input id={`crop-${key}`} inputMode="numeric" className={`${field} w-24 tabular`} value={crop[key]} onChange={(e) => setCropField(key, e.target.value)} />
              </div>
            ))}
            <button type="button" className="self-end rounded border border-slate-400 px-2 py-1" onClick={() => setCrop(whole(source.canvas))}>
              Whole {source.kind === "pdf" ? "page" : "image"}
            </button>
          </fieldset>
          {cropProblem && <p className="text-sm text-red-800">{cropProblem}</p>}
          <div className="grid gap-3 text-sm sm:grid-cols-2">
            <div>
              <label htmlFor="figure-label" className="block font-medium">
                Figure label (as printed, e.g. Fig. 2B)
              </label>
              <input id="figure-label" className={`${field} w-full`} value={label} maxLength={60} onChange={(e) => setLabel(e.target.value)} />
            </div>
            <div>
              <label htmlFor="figure-outcome" className="block font-medium">
                Outcome
              </label>
              <select id="figure-outcome" className={`${field} w-full`} value={outcomeId} onChange={(e) => setOutcomeId(Number(e.target.value))}>
                {outcomes.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label htmlFor="figure-chart" className="block font-medium">
                Chart type
              </label>
              <select id="figure-chart" className={`${field} w-full`} value={chartKind} onChange={(e) => setChartKind(e.target.value as ChartKind)}>
                {chartKinds.map((k) => (
                  <option key={k} value={k}>
                    {chartLabels[k]}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label htmlFor="figure-caption" className="block font-medium">
                Caption or legend (optional)
              </label>
              <input id="figure-caption" className={`${field} w-full`} value={caption} maxLength={2000} onChange={(e) => setCaption(e.target.value)} />
            </div>
          </div>
          <button type="button" className="rounded bg-blue-700 px-3 py-1.5 text-white disabled:opacity-50" disabled={!!busy || outcomes.length === 0} onClick={() => void save()}>
            Save figure and start digitising
          </button>
          {outcomes.length === 0 && <p className="text-sm text-slate-700">The review has no outcome yet: the lead defines one first.</p>}
        </>
      )}
    </section>
  );
}
