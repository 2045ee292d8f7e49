/**
 * Axis calibration of a digitised figure: pixel ↔ value. PURE (no I/O, no server-only import): the digitiser
 * page computes values while the reviewer clicks, and the server recomputes every stored value from the
 * stored pixels with this same code, so the two can never disagree.
 *
 * An axis is calibrated by two reference points: where the reviewer clicked (pixel) and the value they typed.
 *
 * Choice: each axis is read ALONG THE LINE THROUGH ITS TWO REFERENCE POINTS. A point Q is projected onto that
 * line: t = (Q − P1)·(P2 − P1) / |P2 − P1|², so t = 0 at the first reference, 1 at the second; then
 *   linear axis: value = v1 + t·(v2 − v1)
 *   log axis:    log10 value = log10 v1 + t·(log10 v2 − log10 v1)   (i.e. value = v1·(v2/v1)^t)
 * Why: a scanned or photographed figure is slightly ROTATED (not sheared); a rotation keeps the axes
 * perpendicular, so the perpendicular projection reads each axis exactly, whatever the angle, without assuming
 * the axes are horizontal/vertical (reading the y value from the pixel row alone is off by x·sin θ).
 * Each axis stands on its own: a bar chart calibrates only its y axis (its days are categories, typed by the
 * reviewer), and a mis-click on one axis cannot move the other axis's values. A sheared image (axes no longer
 * perpendicular) is not modelled; it does not arise from PDFs, screenshots or rotated scans.
 *
 * Inverted axes (values growing downward or leftward) need nothing special: v2 < v1 or a reversed pixel order
 * is just a negative slope. The value→pixel direction (grid overlay, the tests' computed click positions)
 * inverts the same formulas.
 */
import { scaleLinear, scaleLog } from "d3-scale";

export type Pixel = { x: number; y: number };
export type AxisScale = "linear" | "log";
export type AxisReference = { pixel: Pixel; value: number };
export type AxisCalibration = { scale: AxisScale; p1: AxisReference; p2: AxisReference };
/** `x` is null for a bar chart: its time points are categories whose day the reviewer types. */
export type Calibration = { x: AxisCalibration | null; y: AxisCalibration };
export type AxisName = "x" | "y";

/** Two reference points closer than this cannot place values precisely (a one-pixel slip would be ≥ 5 % of the span). */
export const MIN_REFERENCE_DISTANCE_PX = 20;

const axisLabel: Record<AxisName, string> = { x: "x axis", y: "y axis" };

export type CalibrationProblem = { field: string; message: string };

/**
 * Why an axis calibration cannot be used, or null. `field` names the input at fault in the words the page
 * shows (e.g. "y axis, second reference value").
 */
export function axisProblem(axis: AxisCalibration, name: AxisName): CalibrationProblem | null {
  const label = axisLabel[name];
  for (const [key, ref] of [
    ["first", axis.p1],
    ["second", axis.p2],
  ] as const) {
    if (!Number.isFinite(ref.pixel.x) || !Number.isFinite(ref.pixel.y))
      return { field: `${label}, ${key} reference point`, message: "has not been placed" };
    if (!Number.isFinite(ref.value)) return { field: `${label}, ${key} reference value`, message: "must be a number" };
    if (axis.scale === "log" && ref.value <= 0)
      return { field: `${label}, ${key} reference value`, message: "must be above 0 on a log axis" };
  }
  const distance = Math.hypot(axis.p2.pixel.x - axis.p1.pixel.x, axis.p2.pixel.y - axis.p1.pixel.y);
  if (distance < MIN_REFERENCE_DISTANCE_PX)
    return {
      field: `${label}, second reference point`,
      message: `lies ${distance.toFixed(1)} px from the first: place the two points at least ${MIN_REFERENCE_DISTANCE_PX} px apart (e.g. on the first and last labelled ticks)`,
    };
  if (axis.p1.value === axis.p2.value)
    return { field: `${label}, second reference value`, message: "must differ from the first reference value" };
  return null;
}

/** Why a whole calibration cannot be used (x only for line charts), or null. */
export function calibrationProblem(calibration: Calibration, needsX: boolean): CalibrationProblem | null {
  const y = axisProblem(calibration.y, "y");
  if (y) return y;
  if (!calibration.x) return needsX ? { field: "x axis", message: "needs two reference points on a line chart" } : null;
  const x = axisProblem(calibration.x, "x");
  if (x) return x;
  // Parallel axes cannot be told apart: the grid lines of one would never cross those of the other.
  const dx = direction(calibration.x);
  const dy = direction(calibration.y);
  const sine = Math.abs(dx.x * dy.y - dx.y * dy.x) / (Math.hypot(dx.x, dx.y) * Math.hypot(dy.x, dy.y));
  if (sine < Math.sin((30 * Math.PI) / 180))
    return { field: "x axis", message: "runs (almost) parallel to the y axis: place the x reference points along the x axis" };
  return null;
}

function direction(axis: AxisCalibration): Pixel {
  return { x: axis.p2.pixel.x - axis.p1.pixel.x, y: axis.p2.pixel.y - axis.p1.pixel.y };
}

/** Position along the axis: 0 at the first reference point, 1 at the second (perpendicular projection). */
export function axisPosition(axis: AxisCalibration, pixel: Pixel): number {
  const d = direction(axis);
  return ((pixel.x - axis.p1.pixel.x) * d.x + (pixel.y - axis.p1.pixel.y) * d.y) / (d.x * d.x + d.y * d.y);
}

/** The value an axis assigns to a pixel. */
export function pixelToAxisValue(axis: AxisCalibration, pixel: Pixel): number {
  const t = axisPosition(axis, pixel);
  return axis.scale === "log" ? axis.p1.value * Math.pow(axis.p2.value / axis.p1.value, t) : axis.p1.value + t * (axis.p2.value - axis.p1.value);
}

/** The position along the axis (see axisPosition) that has `value`; NaN for a non-positive value on a log axis. */
export function axisValueToPosition(axis: AxisCalibration, value: number): number {
  if (axis.scale === "log") return value > 0 ? Math.log(value / axis.p1.value) / Math.log(axis.p2.value / axis.p1.value) : Number.NaN;
  return (value - axis.p1.value) / (axis.p2.value - axis.p1.value);
}

/** The pixel ON THE AXIS LINE (through the two reference points) that has `value`. */
export function axisValueToPixel(axis: AxisCalibration, value: number): Pixel {
  const t = axisValueToPosition(axis, value);
  const d = direction(axis);
  return { x: axis.p1.pixel.x + t * d.x, y: axis.p1.pixel.y + t * d.y };
}

/**
 * The pixel whose x and y values are (xValue, yValue): the crossing of the two grid lines, i.e. the solution of
 *   (Q − X1)·dx = tx·|dx|²  and  (Q − Y1)·dy = ty·|dy|²  (two linear equations in Q.x, Q.y; Cramer's rule).
 */
export function valueToPixel(calibration: Calibration & { x: AxisCalibration }, xValue: number, yValue: number): Pixel {
  const { x: ax, y: ay } = calibration;
  const dx = direction(ax);
  const dy = direction(ay);
  const cx = axisValueToPosition(ax, xValue) * (dx.x * dx.x + dx.y * dx.y) + ax.p1.pixel.x * dx.x + ax.p1.pixel.y * dx.y;
  const cy = axisValueToPosition(ay, yValue) * (dy.x * dy.x + dy.y * dy.y) + ay.p1.pixel.x * dy.x + ay.p1.pixel.y * dy.y;
  const det = dx.x * dy.y - dx.y * dy.x;
  return { x: (cx * dy.y - dx.y * cy) / det, y: (dx.x * cy - cx * dy.x) / det };
}

/** Both values of a pixel (x is null on a bar chart). */
export function pixelToValues(calibration: Calibration, pixel: Pixel): { x: number | null; y: number } {
  return { x: calibration.x ? pixelToAxisValue(calibration.x, pixel) : null, y: pixelToAxisValue(calibration.y, pixel) };
}

/**
 * A grid line of the overlay: all pixels with the same value on `axis` lie on the line through
 * axisValueToPixel(value) perpendicular to the axis. Returned as a segment long enough to cross an image of
 * `size` from any point inside it (the drawing clips it to the image).
 */
export function gridLine(axis: AxisCalibration, value: number, size: { width: number; height: number }): [Pixel, Pixel] | null {
  const at = axisValueToPixel(axis, value);
  if (!Number.isFinite(at.x) || !Number.isFinite(at.y)) return null;
  const d = direction(axis);
  const length = Math.hypot(d.x, d.y);
  const reach = 2 * Math.hypot(size.width, size.height) + Math.hypot(at.x, at.y);
  const nx = (-d.y / length) * reach;
  const ny = (d.x / length) * reach;
  return [
    { x: at.x - nx, y: at.y - ny },
    { x: at.x + nx, y: at.y + ny },
  ];
}

/** The range of values the axis spans across the image (its four corners projected onto the axis). */
export function axisExtent(axis: AxisCalibration, size: { width: number; height: number }): [number, number] {
  const corners = [
    { x: 0, y: 0 },
    { x: size.width, y: 0 },
    { x: 0, y: size.height },
    { x: size.width, y: size.height },
  ].map((c) => pixelToAxisValue(axis, c));
  return [Math.min(...corners), Math.max(...corners)];
}

/** "Nice" values for the overlay's grid lines across the image (d3's tick algorithm: 1, 2, 5 × 10^k; decades on log axes). */
export function gridValues(axis: AxisCalibration, size: { width: number; height: number }, count = 8): number[] {
  const [lo, hi] = axisExtent(axis, size);
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo === hi) return [];
  if (axis.scale === "log") {
    const ticks = scaleLog().domain([lo, hi]).ticks(count);
    // More than a handful of decades: keep the powers of ten only, so the overlay stays readable.
    const decades = ticks.filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
    return ticks.length > 3 * count ? decades : ticks;
  }
  return scaleLinear().domain([lo, hi]).ticks(count);
}

/**
 * The calibrated span of an axis, the denominator of "difference as % of the axis range": from the first to the
 * second reference value (in decades on a log axis, where a reading error is a ratio, not a difference).
 */
export function axisSpan(axis: AxisCalibration): number {
  return axis.scale === "log" ? Math.abs(Math.log10(axis.p2.value) - Math.log10(axis.p1.value)) : Math.abs(axis.p2.value - axis.p1.value);
}

/** |a − b| on the axis's own scale (decades on a log axis), as a percentage of axisSpan; null if not computable. */
export function differenceAsPercentOfSpan(axis: AxisCalibration, a: number, b: number): number | null {
  const span = axisSpan(axis);
  const difference = axis.scale === "log" ? (a > 0 && b > 0 ? Math.abs(Math.log10(a) - Math.log10(b)) : Number.NaN) : Math.abs(a - b);
  const percent = (100 * difference) / span;
  return Number.isFinite(percent) ? percent : null;
}

/**
 * The error an error bar shows, from its mean and the end the reviewer marked (either end: bar charts often
 * draw only the upper one): the distance between the two values. For a 95 % CI the bar is taken as symmetric
 * around the mean on the value scale: lower = mean − d, upper = mean + d.
 */
export function errorFromBarEnd(mean: number, barEnd: number): number {
  return Math.abs(barEnd - mean);
}

/** Days are whole numbers in these papers; a line chart's x reading is snapped to the nearest day unless asked not to. */
export function dayFromX(xValue: number, snap = true): number {
  const day = snap ? Math.round(xValue) : Math.round(xValue * 100) / 100;
  return Object.is(day, -0) ? 0 : day;
}
