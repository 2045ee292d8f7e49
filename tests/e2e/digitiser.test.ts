import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pixelToAxisValue, type Calibration } from "@/server/digitiser/calibration";
import { makePdf } from "../support/pdf";
import { svgWithScript } from "../support/images";
import { ARTIFACTS, demoReviewId, expectAccessible, launchBrowser, screenshot, signedInPage, takeCspViolations } from "./support";
import { chartGeometry, drawChart, percentOfRange, type ChartGeometry, type ChartSpec, type Pixel } from "./synthetic-figures";

/**
 * Issue 14 end to end: synthetic figures with known values (bar and line charts, a log axis, one rotated by 1°,
 * one inside a PDF that carries JavaScript) are digitised through the UI by clicks at computed positions.
 * Every value must come back within 0.5 % of the axis range, and the stored provenance (calibration + pixels)
 * must reproduce it.
 */

let browser: Browser;
let page: Page;
let reviewId: number;
let db: Database.Database;
const accuracy: { figure: string; quantity: "mean" | "error-bar end"; percent: number }[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  ({ page } = await signedInPage(browser, "reviewer1"));
  reviewId = await demoReviewId(page);
  const file = process.env.E2E_DB;
  if (!file) throw new Error("E2E_DB is not set: run the browser tests through scripts/e2e.mjs");
  db = new Database(file, { readonly: true, fileMustExist: true });
});
afterAll(async () => {
  if (accuracy.length) {
    const max = Math.max(...accuracy.map((a) => a.percent));
    const mean = accuracy.reduce((s, a) => s + a.percent, 0) / accuracy.length;
    const summary = { values: accuracy.length, maxPercentOfAxisRange: max, meanPercentOfAxisRange: mean, perFigure: groupBy(accuracy) };
    writeFileSync(join(ARTIFACTS, "digitiser-accuracy.json"), JSON.stringify(summary, null, 2));
    console.log(`[digitiser accuracy] ${accuracy.length} values: max ${max.toFixed(3)} %, mean ${mean.toFixed(3)} % of the axis range`);
  }
  db?.close();
  await browser?.close();
});

function groupBy(rows: typeof accuracy) {
  const out: Record<string, { values: number; max: number; mean: number }> = {};
  for (const name of new Set(rows.map((r) => r.figure))) {
    const of = rows.filter((r) => r.figure === name).map((r) => r.percent);
    out[name] = { values: of.length, max: Math.max(...of), mean: of.reduce((s, p) => s + p, 0) / of.length };
  }
  return out;
}

const studyAt = (position: number) => db.prepare("select id from studies where review_id = ? and position = ?").pluck().get(reviewId, position) as number;
const armsOf = (studyId: number) => {
  const rows = db.prepare("select id, kind from arms where study_id = ? order by id").all(studyId) as { id: number; kind: "treated" | "control" }[];
  return { treated: rows.find((r) => r.kind === "treated")!.id, control: rows.find((r) => r.kind === "control")!.id };
};

async function uploadFigure(
  p: Page,
  studyId: number,
  file: { name: string; mimeType: string; buffer: Buffer },
  details: { label: string; chartKind: "bar" | "line"; outcome?: string; pdfPage?: number; crop?: { x: number; y: number; width: number; height: number }; screenshot?: string },
): Promise<number> {
  await p.goto(`/reviews/${reviewId}/studies/${studyId}/figures`);
  await p.getByLabel("PDF or image (PNG, JPEG, WebP)").setInputFiles(file);
  if (details.pdfPage) {
    await p.getByLabel(/^Page \(of/).waitFor();
    await p.getByLabel(/^Page \(of/).fill(String(details.pdfPage));
    await p.getByLabel(/^Page \(of/).press("Enter");
    await expect.poll(() => p.getByRole("img", { name: new RegExp(`^Page ${details.pdfPage} of`) }).count()).toBe(1);
  }
  await p.getByLabel("Crop left").waitFor();
  if (details.crop) {
    await p.getByLabel("Crop left").fill(String(details.crop.x));
    await p.getByLabel("Crop top").fill(String(details.crop.y));
    await p.getByLabel("Crop width").fill(String(details.crop.width));
    await p.getByLabel("Crop height").fill(String(details.crop.height));
  }
  await p.getByLabel(/^Figure label/).fill(details.label);
  await p.getByLabel("Chart type").selectOption(details.chartKind);
  if (details.outcome) await p.getByLabel("Outcome", { exact: true }).selectOption({ label: details.outcome });
  if (details.screenshot) {
    await expectAccessible(p);
    await screenshot(p, details.screenshot);
  }
  await p.getByRole("button", { name: "Save figure and start digitising" }).click();
  await p.waitForURL(/\/figures\/\d+$/);
  await p.getByRole("application").waitFor();
  await p.getByRole("img", { name: new RegExp(`^${details.label.replace(".", "\\.")}`) }).waitFor();
  return Number(p.url().split("/").pop());
}

/** Clicks the image pixel `pixel` of the figure (width W in image pixels), scrolling the figure box to it first. */
async function clickImagePixel(p: Page, pixel: Pixel, W: number): Promise<void> {
  const canvas = p.getByRole("application");
  await p.getByTestId("figure-scroll").evaluate(
    (box, { x, y, W: width }) => {
      box.scrollIntoView({ block: "center" });
      const figure = box.querySelector('[role="application"]')!;
      const k = figure.getBoundingClientRect().width / width;
      box.scrollLeft = x * k - box.clientWidth / 2;
      box.scrollTop = y * k - box.clientHeight / 2;
    },
    { x: pixel.x, y: pixel.y, W },
  );
  const box = (await canvas.boundingBox())!;
  const k = box.width / W;
  await p.mouse.click(box.x + pixel.x * k, box.y + pixel.y * k);
}

const message = (p: Page) => p.getByTestId("digitiser-message").innerText();

async function calibrate(p: Page, W: number, geometry: ChartGeometry, logY: boolean) {
  const refs = [
    ["Y1", geometry.yRefs[0]],
    ["Y2", geometry.yRefs[1]],
    ...(geometry.xRefs
      ? ([
          ["X1", geometry.xRefs[0]],
          ["X2", geometry.xRefs[1]],
        ] as const)
      : []),
  ] as const;
  for (const [name, ref] of refs) {
    await p.getByRole("button", { name: new RegExp(`^Place ${name}`) }).click();
    await clickImagePixel(p, ref.pixel, W);
    await p.getByLabel(`${name} value`, { exact: true }).fill(String(ref.value));
  }
  if (logY) await p.getByLabel("Y scale").selectOption("log");
  await p.getByRole("button", { name: "Save calibration" }).click();
  await expect.poll(() => message(p)).toMatch(/^Calibration saved/);
}

async function placeAll(p: Page, W: number, spec: ChartSpec, geometry: ChartGeometry, arms: { treated: number; control: number }, n: { treated: number; control: number }, jitter: Pixel = { x: 0, y: 0 }) {
  await p.getByLabel("Error bars show").selectOption("SEM");
  for (const kind of ["treated", "control"] as const) {
    await p.locator(`#arm-${arms[kind]}`).check();
    await p.locator(`#n-${arms[kind]}`).fill(String(n[kind]));
    for (const point of geometry.points.filter((pt) => pt.armKind === kind)) {
      if (spec.kind === "bar") await p.getByLabel(/^Day \(of this group/).fill(String(point.day));
      await p.getByRole("button", { name: "Place mean", exact: true }).click();
      await clickImagePixel(p, { x: point.meanPixel.x + jitter.x, y: point.meanPixel.y + jitter.y }, W);
      await expect.poll(() => message(p)).toMatch(new RegExp(`, day ${point.day}: mean `));
      await p.getByRole("button", { name: "Place error-bar end", exact: true }).click();
      await clickImagePixel(p, { x: point.endPixel.x + jitter.x, y: point.endPixel.y - jitter.y }, W);
      await expect.poll(() => message(p)).toMatch(new RegExp(`, day ${point.day}: bar end `));
    }
  }
}

/**
 * The stored provenance reproduces every value: each point's value is what its reading's calibration gives its
 * pixel, and the grid's mean and error are what the points give. Returns the grid rows by arm kind and day.
 */
function checkProvenance(figureId: number) {
  const reading = db.prepare("select r.id, r.calibration from figures f join figure_readings r on r.id = f.standing_reading_id where f.id = ?").get(figureId) as { id: number; calibration: string };
  const calibration = JSON.parse(reading.calibration) as Calibration;
  const points = db.prepare("select * from figure_points where reading_id = ?").all(reading.id) as { arm_id: number; day: number; kind: string; pixel_x: number; pixel_y: number; value: number; error_type: string }[];
  for (const point of points) expect(pixelToAxisValue(calibration.y, { x: point.pixel_x, y: point.pixel_y })).toBeCloseTo(point.value, 9);
  const rows = db
    .prepare(
      `select m.*, a.kind as arm_kind, fv.reading_id from figure_values fv join measurements m on m.id = fv.measurement_id join arms a on a.id = m.arm_id where fv.figure_id = ?`,
    )
    .all(figureId) as { arm_id: number; arm_kind: string; day: number; mean: number; error_value: number; error_type: string; n: number; data_source: string; source_detail: string; reading_id: number }[];
  for (const row of rows) {
    const mean = points.find((pt) => pt.arm_id === row.arm_id && pt.day === row.day && pt.kind === "mean")!;
    const end = points.find((pt) => pt.arm_id === row.arm_id && pt.day === row.day && pt.kind === "error_end")!;
    expect(row.reading_id).toBe(reading.id);
    expect(row.data_source).toBe("figure");
    // The grid keeps six significant digits of what the pixels read.
    expect(Math.abs(row.mean - mean.value)).toBeLessThanOrEqual(1e-5 * Math.abs(mean.value));
    expect(Math.abs(row.error_value - Math.abs(end.value - mean.value))).toBeLessThanOrEqual(1e-5 * Math.abs(end.value - mean.value));
    expect(row.error_type).toBe(end.error_type);
  }
  return rows;
}

function recordAccuracy(name: string, spec: ChartSpec, geometry: ChartGeometry, rows: ReturnType<typeof checkProvenance>) {
  expect(rows).toHaveLength(geometry.points.length);
  for (const truth of geometry.points) {
    const row = rows.find((r) => r.arm_kind === truth.armKind && r.day === truth.day);
    expect(row, `${name} ${truth.armKind} day ${truth.day}`).toBeDefined();
    const meanPercent = percentOfRange(spec, row!.mean, truth.mean);
    const endPercent = percentOfRange(spec, row!.mean + row!.error_value, truth.mean + truth.sem);
    accuracy.push({ figure: name, quantity: "mean", percent: meanPercent }, { figure: name, quantity: "error-bar end", percent: endPercent });
    expect(meanPercent, `${name} ${truth.armKind} day ${truth.day} mean`).toBeLessThanOrEqual(0.5);
    expect(endPercent, `${name} ${truth.armKind} day ${truth.day} error-bar end`).toBeLessThanOrEqual(0.5);
  }
}

const bbb = { scale: "linear" as const, min: 0, max: 21, ticks: [0, 3, 6, 9, 12, 15, 18, 21] };
const barSpec: ChartSpec = {
  kind: "bar",
  width: 640,
  height: 480,
  rotationDeg: 0,
  plot: { left: 70, right: 610, top: 40, bottom: 420 },
  y: bbb,
  x: null,
  days: [3, 14, 21],
  series: [
    { armKind: "treated", colour: "#1f77b4", values: [ { day: 3, mean: 4.2, sem: 0.9 }, { day: 14, mean: 9.6, sem: 1.3 }, { day: 21, mean: 13.1, sem: 1.0 } ] },
    { armKind: "control", colour: "#ff7f0e", values: [ { day: 3, mean: 2.1, sem: 0.6 }, { day: 14, mean: 6.4, sem: 1.1 }, { day: 21, mean: 8.7, sem: 1.4 } ] },
  ],
};

describe("digitising figures in the browser", () => {
  it("refuses an SVG in the file picker, naming the field", async () => {
    await page.goto(`/reviews/${reviewId}/studies/${studyAt(2)}/figures`);
    await page.getByLabel("PDF or image (PNG, JPEG, WebP)").setInputFiles({ name: "figure.png", mimeType: "image/png", buffer: svgWithScript });
    await expect.poll(() => page.getByRole("alert").filter({ hasText: "PDF or image" }).innerText()).toMatch(/^PDF or image: SVG images are refused/);
  });

  it("reads a bar chart end to end from the study page: values in the grid, marked as from the figure", async () => {
    const studyId = studyAt(2);
    await page.goto(`/reviews/${reviewId}/studies/${studyId}`);
    await page.getByRole("link", { name: "Extract from a figure" }).click();
    await page.waitForURL(/\/figures$/);
    const geometry = chartGeometry(barSpec);
    const png = await drawChart(page, barSpec, geometry);
    writeFileSync(join(ARTIFACTS, "synthetic-bar-chart.png"), png);
    const figureId = await uploadFigure(page, studyId, { name: "fig2a.png", mimeType: "image/png", buffer: png }, { label: "Fig. 2A", chartKind: "bar" });
    await page.getByLabel("Zoom level").selectOption("2");
    await calibrate(page, barSpec.width, geometry, false);
    const arms = armsOf(studyId);
    await placeAll(page, barSpec.width, barSpec, geometry, arms, { treated: 10, control: 10 });
    await expect.poll(() => page.getByRole("table", { name: "Values read, reading 1" }).getByText("in the outcome grid").count()).toBe(6);
    recordAccuracy("bar chart, linear", barSpec, geometry, checkProvenance(figureId));
    await expectAccessible(page);
    await screenshot(page, "digitiser-bar-chart");

    // Arrow keys nudge the selected point by one image pixel, and the grid follows.
    const before = db.prepare("select m.mean from measurements m where m.arm_id = ? and m.day = 14").pluck().get(arms.treated) as number;
    await page.getByText("Where each value came from", { exact: false }).first().click();
    await page.getByRole("button", { name: /^Select Exosomes day 14 mean/ }).click();
    for (let i = 0; i < 3; i++) await page.getByRole("application").press("ArrowUp");
    await expect.poll(() => message(page)).toMatch(/day 14: mean moved to/);
    const after = db.prepare("select m.mean from measurements m where m.arm_id = ? and m.day = 14").pluck().get(arms.treated) as number;
    expect(after - before).toBeCloseTo((3 / 380) * 21, 3); // 3 px of a 380 px axis spanning 21 points
    for (let i = 0; i < 3; i++) await page.getByRole("application").press("ArrowDown");
    await expect.poll(() => message(page)).toBe(`Exosomes, day 14: mean moved to ${before.toFixed(3)}.`);
    expect(db.prepare("select m.mean from measurements m where m.arm_id = ? and m.day = 14").pluck().get(arms.treated)).toBeCloseTo(before, 6);

    await page.getByRole("button", { name: "Mark my reading completed" }).click();
    await expect.poll(() => message(page)).toBe("Reading marked completed.");

    // The study page lists where its values came from, with a link back to the figure.
    await page.goto(`/reviews/${reviewId}/studies/${studyId}`);
    await expect.poll(() => page.getByRole("link", { name: "Fig. 2A" }).count()).toBeGreaterThan(0);
    const text = await page.locator("main").innerText();
    expect(text).toMatch(/BBB locomotor score, day 14, Exosomes: from Fig\. 2A \(reading 1 by Reviewer 1 \(demo\)\)/);
    await screenshot(page, "study-page-figure-values");
  });

  it("reads a line chart rotated by 1°, calibrating along the tilted axes", async () => {
    const studyId = studyAt(3);
    const spec: ChartSpec = {
      kind: "line",
      width: 700,
      height: 500,
      rotationDeg: 1,
      plot: { left: 80, right: 640, top: 50, bottom: 430 },
      y: bbb,
      x: { min: 0, max: 28, ticks: [0, 7, 14, 21, 28] },
      days: [],
      series: [
        { armKind: "treated", colour: "#2ca02c", values: [ { day: 3, mean: 3.3, sem: 0.7 }, { day: 14, mean: 10.2, sem: 1.2 }, { day: 21, mean: 12.9, sem: 0.9 }, { day: 28, mean: 15.4, sem: 1.1 } ] },
        { armKind: "control", colour: "#d62728", values: [ { day: 3, mean: 1.8, sem: 0.5 }, { day: 14, mean: 6.1, sem: 0.8 }, { day: 21, mean: 8.4, sem: 1.0 }, { day: 28, mean: 9.8, sem: 1.2 } ] },
      ],
    };
    const geometry = chartGeometry(spec);
    const png = await drawChart(page, spec, geometry);
    writeFileSync(join(ARTIFACTS, "synthetic-line-rotated.png"), png);
    const figureId = await uploadFigure(page, studyId, { name: "fig3.png", mimeType: "image/png", buffer: png }, { label: "Fig. 3", chartKind: "line" });
    await page.getByLabel("Zoom level").selectOption("2");
    await calibrate(page, spec.width, geometry, false);
    await placeAll(page, spec.width, spec, geometry, armsOf(studyId), { treated: 8, control: 8 });
    recordAccuracy("line chart rotated 1°", spec, geometry, checkProvenance(figureId));
    await screenshot(page, "digitiser-line-rotated");

    // Keyboard only: select a mean in the table, delete it (its value leaves the grid), place it again with Enter.
    const arms = armsOf(studyId);
    const gridValue = () => db.prepare("select mean from measurements where arm_id = ? and day = 21").pluck().get(arms.control) as number | undefined;
    const before = gridValue();
    expect(before).toBeDefined();
    await page.getByText("Where each value came from", { exact: false }).first().click();
    await page.getByRole("button", { name: /^Select Control day 21 mean/ }).click();
    await page.getByRole("application").press("Delete");
    await expect.poll(gridValue).toBeUndefined();
    await page.getByRole("button", { name: "Place mean", exact: true }).press("Enter");
    await page.getByRole("application").focus();
    await page.getByRole("application").press("Enter");
    await expect.poll(gridValue).toBe(before);
  });

  it("reads a line chart on a log axis", async () => {
    // A second outcome on a log scale (lesion volume), defined by the lead.
    const { page: leadPage, context } = await signedInPage(browser, "lead");
    const created = await leadPage.evaluate(async (id) => {
      const response = await fetch("/api/trpc/outcomes.create", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ json: { reviewId: id, outcome: { name: "Lesion volume", unit: "mm³", scaleMin: 0, scaleMax: null, higherIsBetter: false } } }),
      });
      return response.status;
    }, reviewId);
    expect(created).toBe(200);
    await context.close();
    const studyId = studyAt(4);
    const spec: ChartSpec = {
      kind: "line",
      width: 640,
      height: 480,
      rotationDeg: 0,
      plot: { left: 80, right: 600, top: 40, bottom: 420 },
      y: { scale: "log", min: 1, max: 1000, ticks: [1, 10, 100, 1000] },
      x: { min: 0, max: 28, ticks: [0, 7, 14, 21, 28] },
      days: [],
      series: [
        { armKind: "treated", colour: "#9467bd", values: [ { day: 7, mean: 150, sem: 20 }, { day: 14, mean: 80, sem: 12 }, { day: 28, mean: 30, sem: 6 } ] },
        { armKind: "control", colour: "#8c564b", values: [ { day: 7, mean: 400, sem: 50 }, { day: 14, mean: 300, sem: 40 }, { day: 28, mean: 200, sem: 30 } ] },
      ],
    };
    const geometry = chartGeometry(spec);
    const png = await drawChart(page, spec, geometry);
    const figureId = await uploadFigure(page, studyId, { name: "fig4.png", mimeType: "image/png", buffer: png }, { label: "Fig. 4C", chartKind: "line", outcome: "Lesion volume" });
    await page.getByLabel("Zoom level").selectOption("2");
    await calibrate(page, spec.width, geometry, true);
    await placeAll(page, spec.width, spec, geometry, armsOf(studyId), { treated: 6, control: 6 });
    recordAccuracy("line chart, log axis", spec, geometry, checkProvenance(figureId));
    await screenshot(page, "digitiser-log-axis");
  });

  it("renders a PDF page with JavaScript inert, crops the figure and reads it", async () => {
    // Page 2 holds a bar chart drawn in PDF points (origin bottom left): y axis x = 100, from y = 400 (0) to 700 (21).
    const yPt = (v: number) => 400 + (v / 21) * 300;
    const bars = [
      { day: 7, kind: "treated" as const, x: 180, mean: 5.5, sem: 0.8 },
      { day: 7, kind: "control" as const, x: 220, mean: 3.2, sem: 0.6 },
      { day: 28, kind: "treated" as const, x: 330, mean: 14.1, sem: 1.1 },
      { day: 28, kind: "control" as const, x: 370, mean: 10.4, sem: 0.9 },
    ];
    const content = [
      "0 0 0 RG 1.5 w 100 400 m 450 400 l S 100 400 m 100 700 l S",
      ...[0, 7, 14, 21].map((v) => `94 ${yPt(v)} m 100 ${yPt(v)} l S BT /F1 10 Tf 78 ${yPt(v) - 3} Td (${v}) Tj ET`),
      ...bars.map((b) => `${b.kind === "treated" ? "0 0.45 0.7" : "0.85 0.37 0"} rg ${b.x - 15} 400 30 ${yPt(b.mean) - 400} re f 0 0 0 RG 1 w ${b.x} ${yPt(b.mean)} m ${b.x} ${yPt(b.mean + b.sem)} l S ${b.x - 5} ${yPt(b.mean + b.sem)} m ${b.x + 5} ${yPt(b.mean + b.sem)} l S`),
      "BT /F1 12 Tf 100 720 Td (Figure 5. BBB scores, mean and SEM) Tj ET",
    ].join("\n");
    const pdf = makePdf(
      [
        { width: 612, height: 792, content: "BT /F1 14 Tf 72 700 Td (Page 1: methods, no figure) Tj ET" },
        { width: 612, height: 792, content },
      ],
      { javascript: "app.alert('pdf javascript ran'); this.submitForm('http://127.0.0.1:9/steal');" },
    );
    // This test runs under a strict Content-Security-Policy (no eval, scripts and workers from our origin only),
    // added to every page here as the security work will add it to the app: pdf.js must work within it.
    const { page: strict, context: strictContext } = await signedInPage(browser, "reviewer1");
    await strict.route("**/*", async (route) => {
      if (route.request().resourceType() !== "document") return route.continue();
      const response = await route.fetch();
      await route.fulfill({
        response,
        headers: { ...response.headers(), "content-security-policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; worker-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'" },
      });
    });
    const violations: string[] = [];
    strict.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text()) && !m.text().includes("probe.png")) violations.push(m.text());
    });
    const page = strict;
    const dialogs: string[] = [];
    const stolen: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("request", (r) => {
      if (r.url().includes("127.0.0.1:9")) stolen.push(r.url());
    });
    // Rendered at 2 px per point; crop 140..1040 × 150..950 px of page 2.
    const crop = { x: 140, y: 150, width: 900, height: 800 };
    const toImage = (x: number, y: number): Pixel => ({ x: 2 * x - crop.x, y: 2 * (792 - y) - crop.y });
    const studyId = studyAt(5);
    const figureId = await uploadFigure(page, studyId, { name: "paper.pdf", mimeType: "application/pdf", buffer: pdf }, { label: "Fig. 5", chartKind: "bar", pdfPage: 2, crop, screenshot: "figure-upload-pdf" });
    expect(dialogs).toEqual([]);
    expect(stolen).toEqual([]);
    // The policy is really in force on this page: loading an image from elsewhere is reported as a violation.
    const violated = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          document.addEventListener("securitypolicyviolation", (e) => resolve(e.effectiveDirective), { once: true });
          new Image().src = "http://127.0.0.1:7/probe.png";
          setTimeout(() => resolve("none"), 3000);
        }),
    );
    expect(violated).toBe("img-src");
    // The probe's violation was provoked on purpose: excuse it (and only it) from the file-wide CSP check.
    const provoked: string[] = [];
    await expect.poll(() => provoked.push(...takeCspViolations())).toBeGreaterThan(0);
    expect(provoked.filter((v) => !v.includes("probe.png"))).toEqual([]);
    const stored = db.prepare("select source_kind, source_page, source_crop, source_scale, source_sha256 from figures where id = ?").get(figureId) as Record<string, unknown>;
    expect(stored).toMatchObject({ source_kind: "pdf", source_page: 2, source_scale: 2 });
    expect(JSON.parse(stored.source_crop as string)).toEqual({ x: 70, y: 75, width: 450, height: 400 });
    const { createHash } = await import("node:crypto");
    expect(stored.source_sha256).toBe(createHash("sha256").update(pdf).digest("hex"));

    const spec: ChartSpec = { ...barSpec, width: crop.width, y: bbb, days: [7, 28], series: [] };
    const geometry: ChartGeometry = {
      yRefs: [
        { pixel: toImage(100, yPt(0)), value: 0 },
        { pixel: toImage(100, yPt(21)), value: 21 },
      ],
      xRefs: null,
      points: bars.map((b, i) => ({ series: i % 2, armKind: b.kind, day: b.day, mean: b.mean, sem: b.sem, meanPixel: toImage(b.x, yPt(b.mean)), endPixel: toImage(b.x, yPt(b.mean + b.sem)) })),
      ops: [],
    };
    await calibrate(page, crop.width, geometry, false);
    await placeAll(page, crop.width, spec, geometry, armsOf(studyId), { treated: 9, control: 9 });
    recordAccuracy("PDF bar chart", spec, geometry, checkProvenance(figureId));
    expect(dialogs).toEqual([]);
    expect(stolen).toEqual([]);
    expect(violations).toEqual([]);
    await screenshot(page, "digitiser-pdf");
    await strictContext.close();
  });

  it("takes a blind second reading, compares the two and lets the lead decide", async () => {
    const studyId = studyAt(2);
    const figureId = db.prepare("select id from figures where study_id = ? and label = 'Fig. 2A'").pluck().get(studyId) as number;
    const { page: second, context } = await signedInPage(browser, "reviewer2");
    await second.goto(`/reviews/${reviewId}/studies/${studyId}/figures/${figureId}`);
    await second.getByRole("button", { name: "Start a blind second reading" }).click();
    await expect.poll(() => message(second)).toMatch(/blind reading has started/);
    // Blind: reading 1 is listed without its points.
    expect(await second.getByText(/Reading 1 by Reviewer 1 \(demo\): completed · in the grid · hidden/).count()).toBe(1);
    expect(await second.getByRole("table", { name: "Values read, reading 1" }).count()).toBe(0);
    await second.getByLabel("Zoom level").selectOption("2");
    const geometry = chartGeometry(barSpec);
    await calibrate(second, barSpec.width, geometry, false);
    // Another reader places each point a little differently: 0.6 px lower means, 0.6 px higher bar ends.
    await placeAll(second, barSpec.width, barSpec, geometry, armsOf(studyId), { treated: 10, control: 10 }, { x: 0.4, y: 0.6 });
    const gridBefore = db.prepare("select mean from measurements where arm_id = ? and day = 14").pluck().get(armsOf(studyId).treated) as number;
    await second.getByRole("button", { name: "Mark my reading completed" }).click();
    await expect.poll(() => second.getByText("Comparison of the two readings").count()).toBe(1);
    await expect.poll(() => second.getByText(/Lin's concordance, means/).count()).toBe(1);
    await context.close();

    const { page: lead, context: leadContext } = await signedInPage(browser, "lead");
    await lead.goto(`/reviews/${reviewId}/studies/${studyId}/figures/${figureId}`);
    await lead.getByText("Comparison of the two readings").waitFor();
    const summary = await lead.locator("dl").filter({ hasText: "Lin's concordance" }).innerText();
    // Lin's ρc of the two readings' means, computed here from the stored points (moments with divisor n).
    const means = db
      .prepare("select r.ordinal, p.arm_id, p.day, p.value from figure_points p join figure_readings r on r.id = p.reading_id where r.figure_id = ? and p.kind = 'mean' order by p.arm_id, p.day")
      .all(figureId) as { ordinal: number; arm_id: number; day: number; value: number }[];
    const pairs = means.filter((m) => m.ordinal === 1).map((a) => [a.value, means.find((b) => b.ordinal === 2 && b.arm_id === a.arm_id && b.day === a.day)!.value] as const);
    const avg = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const [mx, my] = [avg(pairs.map((p) => p[0])), avg(pairs.map((p) => p[1]))];
    const sxy = avg(pairs.map(([x, y]) => (x - mx) * (y - my)));
    const expected = (2 * sxy) / (avg(pairs.map(([x]) => (x - mx) ** 2)) + avg(pairs.map(([, y]) => (y - my) ** 2)) + (mx - my) ** 2);
    expect(pairs).toHaveLength(6);
    expect(expected).toBeLessThan(1);
    expect(summary).toMatch(new RegExp(`means\\s+${expected.toFixed(5).replace(".", "\\.")} \\(6 values\\)`));
    expect(summary).toMatch(/Largest difference\s+0\.\d\d% of the y axis/);
    await expectAccessible(lead);
    await lead.getByRole("radio", { name: /Reading 2 by Reviewer 2/ }).check();
    await lead.getByLabel("Reason (kept in the audit trail)").fill("Reading 2 sits on the bar tops");
    await lead.getByRole("button", { name: "Record the decision" }).click();
    await expect.poll(() => message(lead)).toMatch(/^Decision recorded: 6 values written to the grid/);
    await screenshot(lead, "digitiser-comparison");
    const gridAfter = db.prepare("select mean from measurements where arm_id = ? and day = 14").pluck().get(armsOf(studyId).treated) as number;
    // The grid now holds reading 2's value (placed about 0.6 px lower: the mouse lands on half image pixels at 200 %).
    const second14 = db
      .prepare("select p.value from figure_points p join figure_readings r on r.id = p.reading_id where r.figure_id = ? and r.ordinal = 2 and p.arm_id = ? and p.day = 14 and p.kind = 'mean'")
      .pluck()
      .get(figureId, armsOf(studyId).treated) as number;
    expect(Math.abs(gridAfter - second14)).toBeLessThanOrEqual(1e-5 * second14);
    expect(gridBefore - gridAfter).toBeGreaterThan((0.4 / 380) * 21);
    expect(gridBefore - gridAfter).toBeLessThan((1.2 / 380) * 21);
    expect(db.prepare("select reason from audit_log where entity = 'figure' and entity_id = ? and field = 'standingReading'").pluck().get(figureId)).toBe("Reading 2 sits on the bar tops");
    await leadContext.close();
  });

  it("deletes a wrongly uploaded figure after confirmation", async () => {
    const studyId = studyAt(6);
    const png = await drawChart(page, barSpec, chartGeometry(barSpec));
    const figureId = await uploadFigure(page, studyId, { name: "wrong.png", mimeType: "image/png", buffer: png }, { label: "Fig. 9X", chartKind: "bar" });
    await page.getByRole("button", { name: "Delete this figure…" }).click();
    await page.getByRole("group", { name: "Confirm deletion" }).getByRole("button", { name: "Delete", exact: true }).click();
    await page.waitForURL(/\/figures$/);
    expect(db.prepare("select count(*) from figures where id = ?").pluck().get(figureId)).toBe(0);
    await page.getByText("No figure has been digitised for this study yet.").waitFor();
  });

  it("is usable on a phone: the figure scrolls in its own box, the page does not", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, baseURL: process.env.E2E_BASE_URL });
    const phone = await context.newPage();
    await phone.goto("/login");
    await phone.getByLabel("Username").fill("reviewer1");
    await phone.getByLabel("Password").fill("exosome-demo");
    await phone.getByRole("button", { name: "Sign in" }).click();
    await phone.waitForURL((url) => !url.pathname.startsWith("/login"));
    const studyId = studyAt(3);
    const figureId = db.prepare("select id from figures where study_id = ? and label = 'Fig. 3'").pluck().get(studyId) as number;
    await phone.goto(`/reviews/${reviewId}/studies/${studyId}/figures/${figureId}`);
    await phone.getByRole("application").waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectAccessible(phone);
    await screenshot(phone, "digitiser-phone");
    await phone.goto(`/reviews/${reviewId}/studies/${studyId}/figures`);
    await phone.getByRole("heading", { name: "Digitised figures" }).waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(phone, "figures-phone");
    await context.close();
  });
});
