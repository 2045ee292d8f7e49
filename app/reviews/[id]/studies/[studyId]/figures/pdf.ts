"use client";
import type { PDFDocumentProxy } from "pdfjs-dist";

/**
 * pdf.js, loaded only when a PDF is chosen. Settings that keep an untrusted paper inert:
 *  - no scripting: the document's JavaScript (OpenAction, form scripts) needs pdf.js's separate scripting
 *    sandbox, which we never load (`enableScripting` is a viewer option we do not use);
 *  - isEvalSupported: false: fonts are never compiled with `new Function` (CVE-2024-4367 class), and the
 *    page works under a CSP without 'unsafe-eval';
 *  - the worker comes from our own origin (app/pdfjs/[file]/route.ts): offline, and allowed by script-src 'self';
 *  - XFA forms off; annotations are not rendered as HTML (we draw the canvas only).
 */
export const PDF_WORKER_URL = "/pdfjs/pdf.worker.min.mjs";

export async function openPdf(data: Uint8Array): Promise<PDFDocumentProxy> {
  const pdfjs = await import("pdfjs-dist");
  pdfjs.GlobalWorkerOptions.workerSrc = PDF_WORKER_URL;
  return pdfjs.getDocument({ data, isEvalSupported: false, enableXfa: false, stopAtErrors: false }).promise;
}

/** Renders a page (1-based) at `scale` canvas pixels per PDF point. */
export async function renderPdfPage(pdf: PDFDocumentProxy, pageNumber: number, scale: number): Promise<HTMLCanvasElement> {
  const page = await pdf.getPage(pageNumber);
  const viewport = page.getViewport({ scale });
  const canvas = document.createElement("canvas");
  canvas.width = Math.ceil(viewport.width);
  canvas.height = Math.ceil(viewport.height);
  const context = canvas.getContext("2d");
  if (!context) throw new Error("This browser cannot draw on a canvas.");
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  await page.render({ canvas, canvasContext: context, viewport, annotationMode: 0 }).promise;
  return canvas;
}

export async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new Uint8Array(data));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
