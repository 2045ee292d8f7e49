"use client";
import { useEffect, useRef } from "react";
import type { Pixel } from "@/server/digitiser/calibration";

const SIZE = 168;

/**
 * A loupe: the image around `focus` (the selected point, else the crosshair) enlarged `factor` times without
 * smoothing, so single pixels, bar caps and line centres can be told apart; a crosshair marks the exact spot.
 */
export function Magnifier({ image, focus, factor = 6, caption }: { image: HTMLImageElement | null; focus: Pixel | null; factor?: number; caption: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const context = canvas.current?.getContext("2d");
    if (!context) return;
    context.imageSmoothingEnabled = false;
    context.fillStyle = "#f1f5f9";
    context.fillRect(0, 0, SIZE, SIZE);
    if (!image || !focus || !image.complete || image.naturalWidth === 0) return;
    const span = SIZE / factor;
    context.drawImage(image, focus.x - span / 2, focus.y - span / 2, span, span, 0, 0, SIZE, SIZE);
    context.strokeStyle = "rgba(220, 38, 38, 0.9)";
    context.lineWidth = 1;
    context.beginPath();
    context.moveTo(SIZE / 2, 0);
    context.lineTo(SIZE / 2, SIZE);
    context.moveTo(0, SIZE / 2);
    context.lineTo(SIZE, SIZE / 2);
    context.stroke();
  }, [image, focus, factor]);
  return (
    <figure className="w-fit">
      <canvas ref={canvas} width={SIZE} height={SIZE} className="rounded border border-slate-300" role="img" aria-label={`Magnifier, ${factor} times: ${caption}`} />
      <figcaption className="mt-1 max-w-[168px] text-xs text-slate-700 tabular">{caption}</figcaption>
    </figure>
  );
}
