import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  axisProblem,
  axisSpan,
  calibrationProblem,
  dayFromX,
  differenceAsPercentOfSpan,
  errorFromBarEnd,
  gridLine,
  gridValues,
  pixelToAxisValue,
  pixelToValues,
  valueToPixel,
  type AxisCalibration,
  type Calibration,
} from "@/server/digitiser/calibration";

const ref = (x: number, y: number, value: number) => ({ pixel: { x, y }, value });

// A typical upright BBB chart: y axis from (80, 420) = 0 to (80, 20) = 21; x axis from (80, 420) = day 0 to (580, 420) = day 28.
const yAxis: AxisCalibration = { scale: "linear", p1: ref(80, 420, 0), p2: ref(80, 20, 21) };
const xAxis: AxisCalibration = { scale: "linear", p1: ref(80, 420, 0), p2: ref(580, 420, 28) };

describe("linear axes", () => {
  it("reads values worked by hand", () => {
    // y: 400 px for 21 points → pixel row 220 is halfway: 10.5. x: 500 px for 28 days → 250 px right of the origin is day 14.
    expect(pixelToAxisValue(yAxis, { x: 300, y: 220 })).toBeCloseTo(10.5, 12);
    expect(pixelToAxisValue(xAxis, { x: 330, y: 100 })).toBeCloseTo(14, 12);
    // Beyond the reference points the line extends: 20 px below the origin is −21/400·20 = −1.05.
    expect(pixelToAxisValue(yAxis, { x: 80, y: 440 })).toBeCloseTo(-1.05, 12);
  });

  it("reads inverted axes (values growing downward or leftward)", () => {
    const downward: AxisCalibration = { scale: "linear", p1: ref(50, 20, 0), p2: ref(50, 220, 100) };
    expect(pixelToAxisValue(downward, { x: 10, y: 70 })).toBeCloseTo(25, 12);
    const leftward: AxisCalibration = { scale: "linear", p1: ref(400, 300, 0), p2: ref(100, 300, 30) };
    expect(pixelToAxisValue(leftward, { x: 300, y: 0 })).toBeCloseTo(10, 12);
    // Reference values typed in the other order describe the same axis.
    const swapped: AxisCalibration = { scale: "linear", p1: ref(80, 20, 21), p2: ref(80, 420, 0) };
    expect(pixelToAxisValue(swapped, { x: 300, y: 220 })).toBeCloseTo(10.5, 12);
  });

  it("places values back on the image where the two grid lines cross", () => {
    const calibration = { x: xAxis, y: yAxis };
    const p = valueToPixel(calibration, 7, 5.25); // day 7: 80 + 7/28·500 = 205; 5.25 points: 420 − 5.25/21·400 = 320
    expect(p.x).toBeCloseTo(205, 9);
    expect(p.y).toBeCloseTo(320, 9);
  });
});

describe("log axes", () => {
  const logY: AxisCalibration = { scale: "log", p1: ref(60, 400, 1), p2: ref(60, 100, 1000) };

  it("reads decades evenly spaced", () => {
    // 300 px for three decades: 100 px per decade. 100 px above the origin is 10; 50 px is √10.
    expect(pixelToAxisValue(logY, { x: 200, y: 300 })).toBeCloseTo(10, 9);
    expect(pixelToAxisValue(logY, { x: 200, y: 350 })).toBeCloseTo(Math.sqrt(10), 9);
    expect(pixelToAxisValue(logY, { x: 200, y: 150 })).toBeCloseTo(Math.pow(10, 2.5), 6);
  });

  it("reads an inverted log axis", () => {
    const inverted: AxisCalibration = { scale: "log", p1: ref(60, 100, 1), p2: ref(60, 400, 1000) };
    expect(pixelToAxisValue(inverted, { x: 0, y: 200 })).toBeCloseTo(10, 9);
  });

  it("measures spans and differences in decades", () => {
    expect(axisSpan(logY)).toBeCloseTo(3, 12);
    // 10 vs 100 is one decade of three: 33.3 %.
    expect(differenceAsPercentOfSpan(logY, 10, 100)).toBeCloseTo(100 / 3, 9);
    expect(differenceAsPercentOfSpan(yAxis, 10, 12.1)).toBeCloseTo(10, 9);
  });

  it("gives decade grid lines", () => {
    expect(gridValues(logY, { width: 300, height: 420 })).toEqual(expect.arrayContaining([1, 10, 100, 1000]));
  });
});

describe("a rotated figure", () => {
  // The upright chart above rotated by 1° about (0, 0): every pixel p ↦ R·p.
  const angle = (1 * Math.PI) / 180;
  const rotate = (p: { x: number; y: number }) => ({ x: p.x * Math.cos(angle) - p.y * Math.sin(angle), y: p.x * Math.sin(angle) + p.y * Math.cos(angle) });
  const rotated: Calibration = {
    x: { scale: "linear", p1: { pixel: rotate({ x: 80, y: 420 }), value: 0 }, p2: { pixel: rotate({ x: 580, y: 420 }), value: 28 } },
    y: { scale: "linear", p1: { pixel: rotate({ x: 80, y: 420 }), value: 0 }, p2: { pixel: rotate({ x: 80, y: 20 }), value: 21 } },
  };

  it("reads exactly what the upright chart reads at the same drawn place", () => {
    const upright = { x: 470, y: 123 }; // day 21.84, 15.5925 points
    const values = pixelToValues(rotated, rotate(upright));
    expect(values.x).toBeCloseTo(((470 - 80) / 500) * 28, 9);
    expect(values.y).toBeCloseTo(((420 - 123) / 400) * 21, 9);
  });

  it("whereas reading the pixel row alone would be off by about x·sin 1°", () => {
    const p = rotate({ x: 580, y: 220 });
    const naive = ((420 - p.y) / 400) * 21; // treating the image as upright
    expect(Math.abs(naive - 10.5)).toBeGreaterThan(0.4);
    expect(pixelToValues(rotated, p).y).toBeCloseTo(10.5, 9);
  });
});

describe("bad calibrations are refused with the field named", () => {
  it("refuses reference points on top of each other", () => {
    const problem = axisProblem({ scale: "linear", p1: ref(80, 420, 0), p2: ref(81, 419, 21) }, "y");
    expect(problem?.field).toBe("y axis, second reference point");
    expect(problem?.message).toMatch(/1\.4 px from the first/);
  });
  it("refuses equal reference values and non-positive values on a log axis", () => {
    expect(axisProblem({ scale: "linear", p1: ref(80, 420, 5), p2: ref(80, 20, 5) }, "y")?.field).toBe("y axis, second reference value");
    expect(axisProblem({ scale: "log", p1: ref(80, 420, 0), p2: ref(80, 20, 100) }, "y")).toEqual({ field: "y axis, first reference value", message: "must be above 0 on a log axis" });
    expect(axisProblem({ scale: "linear", p1: ref(80, 420, Number.NaN), p2: ref(80, 20, 100) }, "x")?.field).toBe("x axis, first reference value");
  });
  it("refuses a line chart without an x axis, and x reference points along the y axis", () => {
    expect(calibrationProblem({ x: null, y: yAxis }, true)?.field).toBe("x axis");
    expect(calibrationProblem({ x: null, y: yAxis }, false)).toBeNull();
    expect(calibrationProblem({ x: { scale: "linear", p1: ref(80, 420, 0), p2: ref(82, 100, 28) }, y: yAxis }, true)?.message).toMatch(/parallel/);
    expect(calibrationProblem({ x: xAxis, y: yAxis }, true)).toBeNull();
  });
});

describe("error bars and days", () => {
  it("takes the error as the distance from the mean to either bar end", () => {
    expect(errorFromBarEnd(10, 12.5)).toBe(2.5);
    expect(errorFromBarEnd(10, 7.5)).toBe(2.5);
  });
  it("snaps a line chart's x reading to the nearest day", () => {
    expect(dayFromX(6.8)).toBe(7);
    expect(dayFromX(-0.2)).toBe(0);
    expect(dayFromX(6.8123, false)).toBe(6.81);
  });
});

describe("grid overlay", () => {
  it("draws a constant-value line perpendicular to its axis through the value's place on the axis", () => {
    const [a, b] = gridLine(yAxis, 10.5, { width: 600, height: 450 })!;
    expect(a.y).toBeCloseTo(220, 9);
    expect(b.y).toBeCloseTo(220, 9);
    expect(Math.min(a.x, b.x)).toBeLessThan(0);
    expect(Math.max(a.x, b.x)).toBeGreaterThan(600);
  });
  it("offers nice linear values across the image", () => {
    expect(gridValues(yAxis, { width: 600, height: 440 }, 5)).toEqual([0, 5, 10, 15, 20]);
  });
});

describe("properties", () => {
  const coordinate = fc.double({ min: -2000, max: 2000, noNaN: true });
  const pixel = fc.record({ x: coordinate, y: coordinate });
  const linearValue = fc.double({ min: -1e4, max: 1e4, noNaN: true });
  const positive = fc.double({ min: 1e-4, max: 1e6, noNaN: true });

  /** An axis whose reference points are at least 20 px apart and whose values differ clearly. */
  const axis = fc.oneof(
    fc.record({ scale: fc.constant("linear" as const), a: pixel, b: pixel, v1: linearValue, v2: linearValue }),
    fc.record({ scale: fc.constant("log" as const), a: pixel, b: pixel, v1: positive, v2: positive }),
  )
    .filter(({ a, b, v1, v2, scale }) => Math.hypot(a.x - b.x, a.y - b.y) >= 20 && (scale === "log" ? Math.abs(Math.log10(v2 / v1)) > 0.1 : Math.abs(v2 - v1) > 1e-3 * Math.max(1, Math.abs(v1))))
    .map(({ scale, a, b, v1, v2 }): AxisCalibration => ({ scale, p1: { pixel: a, value: v1 }, p2: { pixel: b, value: v2 } }));

  it("the reference points read back their own values", () => {
    fc.assert(
      fc.property(axis, (ax) => {
        const scale = Math.max(Math.abs(ax.p1.value), Math.abs(ax.p2.value));
        expect(Math.abs(pixelToAxisValue(ax, ax.p1.pixel) - ax.p1.value)).toBeLessThanOrEqual(1e-9 * scale);
        expect(Math.abs(pixelToAxisValue(ax, ax.p2.pixel) - ax.p2.value)).toBeLessThanOrEqual(1e-9 * scale);
      }),
    );
  });

  it("value → pixel → value returns the value, on any two perpendicular axes of any orientation", () => {
    fc.assert(
      fc.property(
        axis,
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        fc.double({ min: 20, max: 1500, noNaN: true }),
        fc.double({ min: -0.5, max: 1.5, noNaN: true }),
        fc.double({ min: -0.5, max: 1.5, noNaN: true }),
        (y, _angle, xLength, tx, ty) => {
          // An x axis perpendicular to y, through y's first reference point (a rotated, uniformly scaled chart).
          const d = { x: y.p2.pixel.x - y.p1.pixel.x, y: y.p2.pixel.y - y.p1.pixel.y };
          const len = Math.hypot(d.x, d.y);
          const x: AxisCalibration = {
            scale: "linear",
            p1: { pixel: y.p1.pixel, value: 0 },
            p2: { pixel: { x: y.p1.pixel.x + (d.y / len) * xLength, y: y.p1.pixel.y - (d.x / len) * xLength }, value: 28 },
          };
          const xValue = 28 * tx;
          const yValue = y.scale === "log" ? y.p1.value * Math.pow(y.p2.value / y.p1.value, ty) : y.p1.value + ty * (y.p2.value - y.p1.value);
          const back = pixelToValues({ x, y }, valueToPixel({ x, y }, xValue, yValue));
          expect(Math.abs(back.x! - xValue)).toBeLessThanOrEqual(1e-7 * 28);
          const yScale = y.scale === "log" ? Math.abs(yValue) : Math.max(Math.abs(y.p1.value), Math.abs(y.p2.value), 1);
          expect(Math.abs(back.y - yValue)).toBeLessThanOrEqual(1e-7 * yScale);
        },
      ),
    );
  });

  it("moving a point along the other axis's direction does not change its value (perpendicular projection)", () => {
    fc.assert(
      fc.property(axis, pixel, fc.double({ min: -500, max: 500, noNaN: true }), (ax, p, shift) => {
        const d = { x: ax.p2.pixel.x - ax.p1.pixel.x, y: ax.p2.pixel.y - ax.p1.pixel.y };
        const len = Math.hypot(d.x, d.y);
        const moved = { x: p.x - (d.y / len) * shift, y: p.y + (d.x / len) * shift };
        const before = pixelToAxisValue(ax, p);
        const after = pixelToAxisValue(ax, moved);
        if (!Number.isFinite(before)) return;
        expect(Math.abs(after - before)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(before)));
      }),
    );
  });

  it("a value's difference as % of the span is symmetric, never negative, and zero for equal values", () => {
    fc.assert(
      fc.property(axis, positive, positive, (ax, a, b) => {
        const ab = differenceAsPercentOfSpan(ax, a, b);
        expect(ab).toEqual(differenceAsPercentOfSpan(ax, b, a));
        if (a === b) expect(ab).toBe(0);
        else expect(ab!).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
