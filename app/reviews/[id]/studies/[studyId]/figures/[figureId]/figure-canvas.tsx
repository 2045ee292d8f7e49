"use client";
import { forwardRef, type KeyboardEvent, type MouseEvent as ReactMouseEvent } from "react";
import { gridLine, gridValues, type Calibration, type Pixel } from "@/server/digitiser/calibration";
import { fmt } from "@/app/_lib/format";

export type DrawnPoint = { id: number; armId: number; day: number; kind: "mean" | "error_end"; pixel: Pixel };
export type DrawnReading = { id: number; label: string; mine: boolean; points: DrawnPoint[] };

type Props = {
  src: string;
  alt: string;
  width: number;
  height: number;
  zoom: number;
  calibration: Calibration | null;
  references: { label: string; pixel: Pixel }[];
  readings: DrawnReading[];
  colourOf: (armId: number) => string;
  selectedPointId: number | null;
  cursor: Pixel | null;
  placing: boolean;
  instructionsId: string;
  onPick: (pixel: Pixel) => void;
  onCursor: (pixel: Pixel) => void;
  onArrow: (dx: number, dy: number) => void;
  onEscape: () => void;
  onDelete: () => void;
};

/**
 * The figure at the chosen zoom with an SVG overlay in the image's own pixels (viewBox = image size): the
 * calibration's grid, the reference points, every visible reading's points. The box scrolls on its own, so a
 * zoomed figure never widens the page. Keyboard: arrows move the crosshair (or the selected point), Enter places.
 */
export const FigureCanvas = forwardRef<HTMLDivElement, Props>(function FigureCanvas(props, ref) {
  const { width: W, height: H, zoom, calibration } = props;
  const unit = 1 / zoom; // one screen pixel, in image pixels: markers keep their size on screen
  const toImage = (e: ReactMouseEvent<HTMLDivElement>): Pixel => {
    const rect = e.currentTarget.getBoundingClientRect();
    return { x: ((e.clientX - rect.left) / rect.width) * W, y: ((e.clientY - rect.top) / rect.height) * H };
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.shiftKey ? 10 : 1;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    const move = moves[e.key];
    if (move) {
      e.preventDefault();
      props.onArrow(move[0], move[1]);
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      if (props.cursor) props.onPick(props.cursor);
    } else if (e.key === "Escape") props.onEscape();
    else if (e.key === "Delete" || e.key === "Backspace") {
      e.preventDefault();
      props.onDelete();
    }
  };
  const grid = (axis: "x" | "y") => {
    const a = calibration?.[axis];
    if (!a) return null;
    return gridValues(a, { width: W, height: H }).map((value) => {
      const line = gridLine(a, value, { width: W, height: H });
      if (!line) return null;
      const [p, q] = line;
      return <line key={`${axis}${value}`} x1={p.x} y1={p.y} x2={q.x} y2={q.y} stroke={axis === "y" ? "#2563eb" : "#16a34a"} strokeOpacity={0.55} strokeWidth={unit} strokeDasharray={`${4 * unit} ${3 * unit}`} />;
    });
  };
  const gridLabels = (axis: "x" | "y") => {
    const a = calibration?.[axis];
    if (!a) return null;
    return gridValues(a, { width: W, height: H }).map((value) => {
      const line = gridLine(a, value, { width: W, height: H });
      if (!line) return null;
      // Label where the grid line crosses the axis line itself.
      const at = { x: (line[0].x + line[1].x) / 2, y: (line[0].y + line[1].y) / 2 };
      if (at.x < 0 || at.y < 0 || at.x > W || at.y > H) return null;
      return (
        <text key={`t${axis}${value}`} x={at.x + 3 * unit} y={at.y - 3 * unit} fontSize={11 * unit} fill={axis === "y" ? "#1d4ed8" : "#15803d"} stroke="#fff" strokeWidth={3 * unit} paintOrder="stroke">
          {fmt(value, Math.abs(value) < 10 && value % 1 !== 0 ? 2 : 0)}
        </text>
      );
    });
  };

  return (
    <div
      ref={ref}
      tabIndex={0}
      role="application"
      aria-label="Figure: click, or move the crosshair with the arrow keys and press Enter, to place the current point"
      aria-describedby={props.instructionsId}
      className="relative select-none outline-none focus-visible:ring-4 focus-visible:ring-blue-600"
      style={{ width: W * zoom, height: H * zoom, cursor: props.placing ? "crosshair" : "default" }}
      onPointerMove={(e) => props.onCursor(toImage(e))}
      onClick={(e) => props.onPick(toImage(e))}
      onKeyDown={onKeyDown}
    >
      {/* A member-only API image shown at exact pixel size (not an asset for next/image). */}
      <img src={props.src} alt={props.alt} width={W * zoom} height={H * zoom} draggable={false} className="block max-w-none [image-rendering:pixelated]" />
      <svg className="absolute inset-0" width={W * zoom} height={H * zoom} viewBox={`0 0 ${W} ${H}`} aria-hidden="true">
        {grid("y")}
        {grid("x")}
        {gridLabels("y")}
        {gridLabels("x")}
        {props.references.map((r) => (
          <g key={r.label}>
            <circle cx={r.pixel.x} cy={r.pixel.y} r={6 * unit} fill="none" stroke="#b91c1c" strokeWidth={1.5 * unit} />
            <line x1={r.pixel.x - 9 * unit} y1={r.pixel.y} x2={r.pixel.x + 9 * unit} y2={r.pixel.y} stroke="#b91c1c" strokeWidth={unit} />
            <line x1={r.pixel.x} y1={r.pixel.y - 9 * unit} x2={r.pixel.x} y2={r.pixel.y + 9 * unit} stroke="#b91c1c" strokeWidth={unit} />
            <text x={r.pixel.x + 8 * unit} y={r.pixel.y + 14 * unit} fontSize={11 * unit} fill="#b91c1c" stroke="#fff" strokeWidth={3 * unit} paintOrder="stroke">
              {r.label}
            </text>
          </g>
        ))}
        {props.readings.map((reading) => {
          const means = new Map(reading.points.filter((p) => p.kind === "mean").map((p) => [`${p.armId}:${p.day}`, p]));
          return (
            <g key={reading.id} opacity={reading.mine ? 1 : 0.75}>
              {reading.points.map((p) => {
                const colour = props.colourOf(p.armId);
                const selected = p.id === props.selectedPointId;
                if (p.kind === "mean")
                  return reading.mine ? (
                    <circle key={p.id} cx={p.pixel.x} cy={p.pixel.y} r={(selected ? 6 : 4) * unit} fill={colour} stroke={selected ? "#facc15" : "#fff"} strokeWidth={(selected ? 2.5 : 1) * unit} />
                  ) : (
                    <rect key={p.id} x={p.pixel.x - 4 * unit} y={p.pixel.y - 4 * unit} width={8 * unit} height={8 * unit} fill="none" stroke={colour} strokeWidth={1.5 * unit} />
                  );
                const mean = means.get(`${p.armId}:${p.day}`);
                return (
                  <g key={p.id}>
                    {mean && <line x1={mean.pixel.x} y1={mean.pixel.y} x2={p.pixel.x} y2={p.pixel.y} stroke={colour} strokeWidth={1.5 * unit} strokeDasharray={reading.mine ? undefined : `${3 * unit} ${2 * unit}`} />}
                    <line x1={p.pixel.x - 7 * unit} y1={p.pixel.y} x2={p.pixel.x + 7 * unit} y2={p.pixel.y} stroke={selected ? "#facc15" : colour} strokeWidth={(selected ? 4 : 2.5) * unit} />
                  </g>
                );
              })}
            </g>
          );
        })}
        {props.placing && props.cursor && (
          <g pointerEvents="none">
            <line x1={0} y1={props.cursor.y} x2={W} y2={props.cursor.y} stroke="#0f172a" strokeOpacity={0.35} strokeWidth={unit} />
            <line x1={props.cursor.x} y1={0} x2={props.cursor.x} y2={H} stroke="#0f172a" strokeOpacity={0.35} strokeWidth={unit} />
          </g>
        )}
      </svg>
    </div>
  );
});
