import type { Page } from "playwright-core";

/**
 * Synthetic figures with known values, drawn by the browser test itself (canvas 2D in Chromium), so that every
 * mean, error-bar end and axis tick has a known pixel position: the test clicks there through the UI and
 * checks the values that come back.
 */

export type Pixel = { x: number; y: number };
export type SeriesSpec = { armKind: "treated" | "control"; colour: string; values: { day: number; mean: number; sem: number }[] };
export type ChartSpec = {
  kind: "bar" | "line";
  width: number;
  height: number;
  /** Rotation of the whole drawing about the image centre, degrees (clockwise on screen). */
  rotationDeg: number;
  plot: { left: number; right: number; top: number; bottom: number };
  y: { scale: "linear" | "log"; min: number; max: number; ticks: number[] };
  /** Line charts: the day axis. */
  x: { min: number; max: number; ticks: number[] } | null;
  /** Bar charts: the day of each group of bars, left to right. */
  days: number[];
  series: SeriesSpec[];
};

type Op =
  | { op: "line"; x1: number; y1: number; x2: number; y2: number; colour: string; width: number }
  | { op: "rect"; x: number; y: number; w: number; h: number; colour: string }
  | { op: "circle"; x: number; y: number; r: number; colour: string }
  | { op: "text"; x: number; y: number; text: string; align: "left" | "center" | "right" };

export type ChartGeometry = {
  yRefs: [{ pixel: Pixel; value: number }, { pixel: Pixel; value: number }];
  xRefs: [{ pixel: Pixel; value: number }, { pixel: Pixel; value: number }] | null;
  points: { series: number; armKind: "treated" | "control"; day: number; mean: number; sem: number; meanPixel: Pixel; endPixel: Pixel }[];
  ops: Op[];
};

export function chartGeometry(spec: ChartSpec): ChartGeometry {
  const { plot, y } = spec;
  const cx = spec.width / 2;
  const cy = spec.height / 2;
  const theta = (spec.rotationDeg * Math.PI) / 180;
  const rotate = (p: Pixel): Pixel => ({
    x: cx + (p.x - cx) * Math.cos(theta) - (p.y - cy) * Math.sin(theta),
    y: cy + (p.x - cx) * Math.sin(theta) + (p.y - cy) * Math.cos(theta),
  });
  const yPx = (v: number) => {
    const t = y.scale === "log" ? (Math.log10(v) - Math.log10(y.min)) / (Math.log10(y.max) - Math.log10(y.min)) : (v - y.min) / (y.max - y.min);
    return plot.bottom - t * (plot.bottom - plot.top);
  };
  const groupWidth = (plot.right - plot.left) / Math.max(1, spec.days.length);
  const barWidth = (groupWidth * 0.7) / spec.series.length;
  const xPx = (day: number, series: number) =>
    spec.kind === "line" && spec.x
      ? plot.left + ((day - spec.x.min) / (spec.x.max - spec.x.min)) * (plot.right - plot.left)
      : plot.left + (spec.days.indexOf(day) + 0.15) * groupWidth + (series + 0.5) * barWidth;

  const ops: Op[] = [
    { op: "line", x1: plot.left, y1: plot.bottom, x2: plot.right, y2: plot.bottom, colour: "#000", width: 1.5 },
    { op: "line", x1: plot.left, y1: plot.bottom, x2: plot.left, y2: plot.top, colour: "#000", width: 1.5 },
  ];
  for (const tick of y.ticks) {
    ops.push({ op: "line", x1: plot.left - 6, y1: yPx(tick), x2: plot.left, y2: yPx(tick), colour: "#000", width: 1 });
    ops.push({ op: "text", x: plot.left - 9, y: yPx(tick) + 4, text: String(tick), align: "right" });
  }
  if (spec.kind === "line" && spec.x) {
    for (const tick of spec.x.ticks) {
      ops.push({ op: "line", x1: xPx(tick, 0), y1: plot.bottom, x2: xPx(tick, 0), y2: plot.bottom + 6, colour: "#000", width: 1 });
      ops.push({ op: "text", x: xPx(tick, 0), y: plot.bottom + 20, text: String(tick), align: "center" });
    }
  } else {
    spec.days.forEach((day, i) => ops.push({ op: "text", x: plot.left + (i + 0.5) * groupWidth, y: plot.bottom + 20, text: `Day ${day}`, align: "center" }));
  }
  const points: ChartGeometry["points"] = [];
  spec.series.forEach((s, si) => {
    const sorted = [...s.values].sort((a, b) => a.day - b.day);
    sorted.forEach((v, i) => {
      const x = xPx(v.day, si);
      const meanY = yPx(v.mean);
      const endY = yPx(v.mean + v.sem);
      if (spec.kind === "bar") ops.push({ op: "rect", x: x - barWidth * 0.45, y: meanY, w: barWidth * 0.9, h: plot.bottom - meanY, colour: s.colour });
      else {
        const next = sorted[i + 1];
        if (next) ops.push({ op: "line", x1: x, y1: meanY, x2: xPx(next.day, si), y2: yPx(next.mean), colour: s.colour, width: 2 });
        ops.push({ op: "circle", x, y: meanY, r: 4, colour: s.colour });
      }
      ops.push({ op: "line", x1: x, y1: meanY, x2: x, y2: endY, colour: "#000", width: 1.2 });
      ops.push({ op: "line", x1: x - 5, y1: endY, x2: x + 5, y2: endY, colour: "#000", width: 1.2 });
      points.push({ series: si, armKind: s.armKind, day: v.day, mean: v.mean, sem: v.sem, meanPixel: rotate({ x, y: meanY }), endPixel: rotate({ x, y: endY }) });
    });
    ops.push({ op: "rect", x: plot.right - 110, y: plot.top + 4 + 18 * si, w: 12, h: 12, colour: s.colour });
    ops.push({ op: "text", x: plot.right - 92, y: plot.top + 14 + 18 * si, text: s.armKind === "treated" ? "Exosomes" : "Control", align: "left" });
  });
  const yRefs: ChartGeometry["yRefs"] = [
    { pixel: rotate({ x: plot.left, y: yPx(y.min) }), value: y.min },
    { pixel: rotate({ x: plot.left, y: yPx(y.max) }), value: y.max },
  ];
  const xRefs: ChartGeometry["xRefs"] =
    spec.kind === "line" && spec.x
      ? [
          { pixel: rotate({ x: xPx(spec.x.min, 0), y: plot.bottom }), value: spec.x.min },
          { pixel: rotate({ x: xPx(spec.x.max, 0), y: plot.bottom }), value: spec.x.max },
        ]
      : null;
  return { yRefs, xRefs, points, ops };
}

/** Draws the chart in the browser and returns it as PNG bytes. */
export async function drawChart(page: Page, spec: ChartSpec, geometry: ChartGeometry): Promise<Buffer> {
  const dataUrl = await page.evaluate(
    ({ width, height, rotationDeg, ops }) => {
      const canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      const c = canvas.getContext("2d")!;
      c.fillStyle = "#fff";
      c.fillRect(0, 0, width, height);
      c.translate(width / 2, height / 2);
      c.rotate((rotationDeg * Math.PI) / 180);
      c.translate(-width / 2, -height / 2);
      c.font = "13px sans-serif";
      for (const o of ops) {
        if (o.op === "line") {
          c.strokeStyle = o.colour;
          c.lineWidth = o.width;
          c.beginPath();
          c.moveTo(o.x1, o.y1);
          c.lineTo(o.x2, o.y2);
          c.stroke();
        } else if (o.op === "rect") {
          c.fillStyle = o.colour;
          c.fillRect(o.x, o.y, o.w, o.h);
        } else if (o.op === "circle") {
          c.fillStyle = o.colour;
          c.beginPath();
          c.arc(o.x, o.y, o.r, 0, 2 * Math.PI);
          c.fill();
        } else {
          c.fillStyle = "#000";
          c.textAlign = o.align;
          c.fillText(o.text, o.x, o.y);
        }
      }
      return canvas.toDataURL("image/png");
    },
    { width: spec.width, height: spec.height, rotationDeg: spec.rotationDeg, ops: geometry.ops },
  );
  return Buffer.from(dataUrl.split(",")[1]!, "base64");
}

/** |read − true| as % of the axis range (in decades on a log axis): the accuracy measure of the issue. */
export function percentOfRange(spec: ChartSpec, read: number, truth: number): number {
  const { y } = spec;
  if (y.scale === "log") return (100 * Math.abs(Math.log10(read) - Math.log10(truth))) / (Math.log10(y.max) - Math.log10(y.min));
  return (100 * Math.abs(read - truth)) / (y.max - y.min);
}
