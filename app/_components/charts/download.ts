/**
 * Downloads of what the analysis page draws: a chart as SVG (serialised as drawn, self-contained) or PNG (the
 * same SVG rasterised on a canvas), and a table as CSV (RFC 4180, UTF-8 with BOM so that spreadsheets read it).
 */

const SVG_NS = "http://www.w3.org/2000/svg";

/** The chart as a standalone SVG document: namespaces, explicit size, a white background, no focus attributes. */
export function serializeSvg(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const { width, height } = svg.getBoundingClientRect();
  clone.setAttribute("xmlns", SVG_NS);
  clone.setAttribute("width", String(Math.round(Number(svg.getAttribute("width")) || width)));
  clone.setAttribute("height", String(Math.round(Number(svg.getAttribute("height")) || height)));
  clone.removeAttribute("tabindex");
  clone.removeAttribute("style");
  clone.removeAttribute("class");
  const background = document.createElementNS(SVG_NS, "rect");
  background.setAttribute("width", "100%");
  background.setAttribute("height", "100%");
  background.setAttribute("fill", "#ffffff");
  const firstDrawn = [...clone.children].find((c) => c.tagName !== "title" && c.tagName !== "desc") ?? null;
  clone.insertBefore(background, firstDrawn);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}`;
}

export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadSvg(svg: SVGSVGElement, basename: string): void {
  downloadBlob(new Blob([serializeSvg(svg)], { type: "image/svg+xml;charset=utf-8" }), `${basename}.svg`);
}

/** Rasterises the SVG at `scale` times its size (2: sharp on screens and in documents) on a white canvas. */
export async function svgToPng(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const text = serializeSvg(svg);
  const width = Number(svg.getAttribute("width")) || svg.getBoundingClientRect().width;
  const height = Number(svg.getAttribute("height")) || svg.getBoundingClientRect().height;
  const image = new Image();
  image.decoding = "sync";
  const loaded = new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = () => reject(new Error("The chart could not be rasterised."));
  });
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  await loaded;
  const canvas = document.createElement("canvas");
  canvas.width = Math.ceil(width * scale);
  canvas.height = Math.ceil(height * scale);
  const context = canvas.getContext("2d");
  if (!context) throw new Error("This browser cannot draw on a canvas.");
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.scale(scale, scale);
  context.drawImage(image, 0, 0, width, height);
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("The PNG could not be made."))), "image/png"));
}

export async function downloadPng(svg: SVGSVGElement, basename: string): Promise<void> {
  downloadBlob(await svgToPng(svg), `${basename}.png`);
}

export type CsvCell = string | number | boolean | null | undefined;

/**
 * One CSV cell: numbers at full precision (empty when not finite), text quoted when needed. Text that a
 * spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe.
 */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "yes" : "no";
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

export function downloadCsv(basename: string, header: readonly string[], rows: readonly (readonly CsvCell[])[]): void {
  downloadBlob(new Blob(["\ufeff", toCsv(header, rows)], { type: "text/csv;charset=utf-8" }), `${basename}.csv`);
}
