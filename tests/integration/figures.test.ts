import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arms, auditLog, figurePoints, figures, figureValues, measurements, storedFiles, studies } from "@/db/schema";
import { createSession } from "@/server/auth/session";
import { handleFigureUpload, serveStoredFile, UPLOAD_HEADER } from "@/server/http/files";
import { createUser } from "@/server/services/auth";
import { createReview, setMember } from "@/server/services/reviews";
import { jpegSkeleton, pngClaiming, svgWithScript, webpSkeleton, whitePng } from "../support/images";
import { rejection } from "../support/rejection";
import { callerFor, demoReviewId, freshDb, userId, type TestDb } from "../support/test-db";

let t: TestDb;
let reviewId: number;
let studyId: number;
let outcomeId: number;
let treatedId: number;
let controlId: number;

const W = 600;
const H = 450;
// y axis: pixel row 420 is 0 points, row 20 is 21 points (BBB): 400 px for 21 points.
const yAxis = { scale: "linear" as const, p1: { pixel: { x: 80, y: 420 }, value: 0 }, p2: { pixel: { x: 80, y: 20 }, value: 21 } };
const rowOf = (value: number) => 420 - (value / 21) * 400;

beforeAll(async () => {
  t = await freshDb();
  reviewId = demoReviewId(t.db);
  const study = t.db.select().from(studies).where(and(eq(studies.reviewId, reviewId), eq(studies.position, 1))).get()!;
  studyId = study.id;
  const studyArms = t.db.select().from(arms).where(eq(arms.studyId, studyId)).all();
  treatedId = studyArms.find((a) => a.kind === "treated")!.id;
  controlId = studyArms.find((a) => a.kind === "control")!.id;
  outcomeId = t.db.$client.prepare("select id from outcomes where review_id = ?").pluck().get(reviewId) as number;
  const admin = { id: userId(t.db, "admin"), displayName: "Administrator" };
  await createUser(t.db, { username: "viewer1", displayName: "Viewer One", password: "viewer-password" });
  await createUser(t.db, { username: "outsider", displayName: "Outsider", password: "outsider-password" });
  await createUser(t.db, { username: "reviewer3", displayName: "Reviewer Three", password: "reviewer3-password" });
  setMember(t.db, admin, reviewId, "viewer1", "viewer");
  setMember(t.db, admin, reviewId, "reviewer3", "reviewer");
}, 60_000); // three scrypt hashes and the demo seed: slow on a loaded machine
afterAll(() => t.close());

const cookieFor = (username: string) => `wb_session=${createSession(t.db, userId(t.db, username)).token}`;

function details(overrides: Record<string, unknown> = {}) {
  return {
    studyId,
    outcomeId,
    label: "Fig. 2B",
    caption: "BBB scores after injury",
    chartKind: "bar",
    source: { kind: "pdf", name: "paper.pdf", sha256: "a".repeat(64), page: 5, crop: { x: 72, y: 100, width: 300, height: 225 }, scale: 2 },
    ...overrides,
  };
}

async function upload(username: string | null, image: Buffer, options: { details?: unknown; headers?: Record<string, string>; name?: string } = {}) {
  const form = new FormData();
  form.set("details", JSON.stringify(options.details ?? details()));
  form.set("image", new Blob([new Uint8Array(image)]), options.name ?? "figure.png");
  const headers = new Headers({ host: "localhost", origin: "http://localhost", [UPLOAD_HEADER]: "1", ...options.headers });
  if (username) headers.set("cookie", cookieFor(username));
  const response = await handleFigureUpload(new Request(`http://localhost/api/reviews/${reviewId}/figures`, { method: "POST", headers, body: form }), reviewId, t.db);
  return { status: response.status, body: (await response.json()) as { figureId: number; readingId: number; imageFileId: number; strippedBytes: number; error?: { message: string; field?: string } } };
}

function download(username: string | null, fileId: number, forReview = reviewId) {
  const headers = new Headers();
  if (username) headers.set("cookie", cookieFor(username));
  return serveStoredFile(new Request(`http://localhost/api/reviews/${forReview}/files/${fileId}`, { headers }), forReview, fileId, t.db);
}

const count = (table: typeof storedFiles | typeof figures | typeof figurePoints | typeof measurements) => t.db.$client.prepare(`select count(*) from ${tableName(table)}`).pluck().get() as number;
const tableName = (table: unknown) => (table === storedFiles ? "stored_files" : table === figures ? "figures" : table === figurePoints ? "figure_points" : "measurements");

/** A figure uploaded by `username`, calibrated on its y axis. */
async function calibratedFigure(username = "reviewer1", extra: Record<string, unknown> = {}) {
  const created = await upload(username, whitePng(W, H), { details: details(extra) });
  expect(created.status).toBe(201);
  const caller = callerFor(t.db, username);
  const calibrated = await caller.figures.saveCalibration({ reviewId, figureId: created.body.figureId, readingId: created.body.readingId, version: 1, calibration: { x: null, y: yAxis } });
  return { ...created.body, caller, readingVersion: calibrated.reading.version };
}

describe("uploading a figure image", () => {
  it("stores the image, the figure and its first reading, and serves the image back to members only", async () => {
    const image = whitePng(W, H);
    const { status, body } = await upload("reviewer1", image);
    expect(status).toBe(201);
    const file = t.db.select().from(storedFiles).where(eq(storedFiles.id, body.imageFileId)).get()!;
    expect(file).toMatchObject({ mediaType: "image/png", width: W, height: H, byteSize: image.length, sha256: createHash("sha256").update(image).digest("hex") });
    const figure = t.db.select().from(figures).where(eq(figures.id, body.figureId)).get()!;
    expect(figure).toMatchObject({ label: "Fig. 2B", sourcePage: 5, sourceSha256: "a".repeat(64), sourceCrop: { x: 72, y: 100, width: 300, height: 225 }, standingReadingId: body.readingId });

    const served = download("viewer1", body.imageFileId);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(served.headers.get("content-security-policy")).toContain("sandbox");
    expect(Buffer.from(await served.arrayBuffer()).equals(image)).toBe(true);
    expect(download(null, body.imageFileId).status).toBe(401);
    expect(download("outsider", body.imageFileId).status).toBe(403);
    expect(download("reviewer1", 987_654).status).toBe(404);
  });

  it("does not serve a file through another review the caller belongs to", async () => {
    const { body } = await upload("reviewer1", whitePng(50, 40));
    const outsider = { id: userId(t.db, "outsider"), displayName: "Outsider" };
    const other = createReview(t.db, outsider, { title: "Another review" });
    setMember(t.db, outsider, other.id, "reviewer1", "reviewer");
    expect(download("reviewer1", body.imageFileId, other.id).status).toBe(404);
  });

  it("stores the same image once per review", async () => {
    const image = whitePng(33, 44);
    const first = await upload("reviewer1", image);
    const second = await upload("reviewer2", image);
    expect(second.body.imageFileId).toBe(first.body.imageFileId);
    expect(second.body.figureId).not.toBe(first.body.figureId);
  });

  it("refuses a viewer, a stranger and a forged cross-site request, saving nothing", async () => {
    const before = [count(storedFiles), count(figures)];
    expect((await upload("viewer1", whitePng(10, 10))).status).toBe(403);
    expect((await upload("outsider", whitePng(10, 10))).status).toBe(403);
    expect((await upload(null, whitePng(10, 10))).status).toBe(401);
    expect((await upload("reviewer1", whitePng(10, 10), { headers: { origin: "https://evil.example" } })).status).toBe(403);
    const noHeader = await upload("reviewer1", whitePng(10, 10), { headers: { [UPLOAD_HEADER]: "" } });
    expect(noHeader.status).toBe(403);
    expect([count(storedFiles), count(figures)]).toEqual(before);
  });

  it("names the field of bad details by its label", async () => {
    const { status, body } = await upload("reviewer1", whitePng(10, 10), { details: details({ label: "  " }) });
    expect(status).toBe(400);
    expect(body.error?.message).toBe("Figure label: is required");
    const otherStudy = await upload("reviewer1", whitePng(10, 10), { details: details({ studyId: 987_654 }) });
    expect(otherStudy.status).toBe(404);
  });
});

describe("security of uploaded files", () => {
  const refused = async (image: Buffer, pattern: RegExp, status = 400) => {
    const before = [count(storedFiles), count(figures)];
    const result = await upload("reviewer1", image);
    expect(result.status).toBe(status);
    expect(result.body.error?.message).toMatch(pattern);
    expect([count(storedFiles), count(figures)]).toEqual(before);
  };

  it("refuses an SVG carrying a script, whatever its name", async () => {
    await refused(svgWithScript, /^Figure image: SVG images are refused/);
  });

  it("refuses a decompression bomb by its header, before inflating it", async () => {
    // 60 000 × 60 000 RGB = 10.8 GB of pixels in a file of a few hundred bytes.
    await refused(pngClaiming(60_000, 60_000, 1000), /60000 × 60000 pixels; at most 8000 pixels a side/);
    // Within the size cap but its stream inflates to more than its header allows.
    const liar = pngClaiming(100, 100, 5_000_000);
    await refused(liar, /does not decode \(its image data is larger than its header says\)/);
  });

  it("refuses files that do not decode, and files over the size cap", async () => {
    const truncated = whitePng(40, 30).subarray(0, 60);
    await refused(truncated, /does not decode/);
    const damaged = Buffer.from(whitePng(40, 30));
    damaged[40] = damaged[40]! ^ 0xff; // inside the IDAT chunk: its CRC no longer matches
    await refused(damaged, /damaged \(CRC\)/);
    await refused(jpegSkeleton(300, 200, { end: false }), /JPEG file does not decode/);
    await refused(Buffer.from("just some text"), /this is not a PNG, JPEG, WebP file/);
    await refused(Buffer.alloc(11 * 1024 * 1024, 1), /larger than the limit of 10 MB/, 413);
  });

  it("stores a PNG without the data hidden after its end", async () => {
    const image = whitePng(40, 30);
    const payload = Buffer.from("<html><script>alert(document.cookie)</script></html>");
    const { status, body } = await upload("reviewer1", Buffer.concat([image, payload]));
    expect(status).toBe(201);
    expect(body.strippedBytes).toBe(payload.length);
    const served = Buffer.from(await download("reviewer1", body.imageFileId).arrayBuffer());
    expect(served.equals(image)).toBe(true);
    expect(served.includes(Buffer.from("<script>"))).toBe(false);
  });

  it("accepts JPEG and WebP by their content, with their size, and strips a JPEG's trailing bytes", async () => {
    const jpeg = await upload("reviewer1", Buffer.concat([jpegSkeleton(320, 240), Buffer.from("PK\u0003\u0004zip")]), { name: "figure.png" });
    expect(jpeg.status).toBe(201);
    const jpegFile = t.db.select().from(storedFiles).where(eq(storedFiles.id, jpeg.body.imageFileId)).get()!;
    expect(jpegFile).toMatchObject({ mediaType: "image/jpeg", width: 320, height: 240, byteSize: jpegSkeleton(320, 240).length });
    const webp = await upload("reviewer1", webpSkeleton(123, 45));
    expect(webp.status).toBe(201);
    expect(t.db.select().from(storedFiles).where(eq(storedFiles.id, webp.body.imageFileId)).get()).toMatchObject({ mediaType: "image/webp", width: 123, height: 45 });
  });
});

describe("calibrating and placing points", () => {
  it("refuses reference points on top of each other, naming the field; nothing saved", async () => {
    const created = await upload("reviewer1", whitePng(W, H));
    const caller = callerFor(t.db, "reviewer1");
    const error = await rejection(
      caller.figures.saveCalibration({
        reviewId,
        figureId: created.body.figureId,
        readingId: created.body.readingId,
        version: 1,
        calibration: { x: null, y: { ...yAxis, p2: { pixel: { x: 81, y: 418 }, value: 21 } } },
      }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toMatch(/^Y axis, second reference point: lies 2\.2 px from the first/);
    const view = await caller.figures.get({ reviewId, figureId: created.body.figureId });
    expect(view.readings[0]!.calibration).toBeNull();
    expect(view.readings[0]!.version).toBe(1);
  });

  it("a line chart needs its x axis too", async () => {
    const created = await upload("reviewer1", whitePng(W, H), { details: details({ chartKind: "line" }) });
    const error = await rejection(
      callerFor(t.db, "reviewer1").figures.saveCalibration({ reviewId, figureId: created.body.figureId, readingId: created.body.readingId, version: 1, calibration: { x: null, y: yAxis } }),
    );
    expect(error.message).toMatch(/^X axis: needs two reference points on a line chart/);
  });

  it("refuses a point outside the image or a mean off the outcome's scale; nothing saved", async () => {
    const { figureId, readingId, caller } = await calibratedFigure();
    const before = [count(figurePoints), count(measurements)];
    const outside = await rejection(caller.figures.placePoint({ reviewId, figureId, readingId, armId: treatedId, day: 7, kind: "mean", pixel: { x: W + 5, y: 200 }, n: 8 }));
    expect(outside.message).toMatch(/^Mean \(.+, day 7\): \(605, 200\) lies outside the image \(600 × 450 pixels\)/);
    // Row 440 is below the 0 line: −1.05 points, off the BBB scale (0 to 21).
    const offScale = await rejection(caller.figures.placePoint({ reviewId, figureId, readingId, armId: treatedId, day: 7, kind: "mean", pixel: { x: 200, y: 440 }, n: 8 }));
    expect(offScale.message).toMatch(/reads −?-?1\.05, outside the scale of BBB/);
    const noType = await rejection(caller.figures.placePoint({ reviewId, figureId, readingId, armId: treatedId, day: 7, kind: "error_end", pixel: { x: 200, y: 100 }, n: 8 }));
    expect(noType.message).toMatch(/^Error type is required/);
    expect([count(figurePoints), count(measurements)]).toEqual(before);
  });

  it("writes the arm's value to the grid once mean and error end are placed, linked to the figure and audited", async () => {
    const { figureId, readingId, caller } = await calibratedFigure("reviewer1", { label: "Fig. 3A" });
    // Day 14 of study 1 has no value yet. Mean at row rowOf(10.5) = 220; SEM bar end at rowOf(12.6) = 180 → SEM 2.1.
    const mean = await caller.figures.placePoint({ reviewId, figureId, readingId, armId: treatedId, day: 14, kind: "mean", pixel: { x: 200, y: 220 }, n: 8 });
    expect(mean.point.value).toBeCloseTo(10.5, 9);
    expect(mean.grid.status).toBe("incomplete");
    const end = await caller.figures.placePoint({ reviewId, figureId, readingId, armId: treatedId, day: 14, kind: "error_end", errorType: "SEM", pixel: { x: 200, y: 180 }, n: 8 });
    expect(end.grid.status).toBe("written");
    const row = t.db.select().from(measurements).where(and(eq(measurements.armId, treatedId), eq(measurements.day, 14))).get()!;
    expect(row).toMatchObject({ mean: 10.5, errorType: "SEM", errorValue: 2.1, n: 8, dataSource: "figure", sourceDetail: "Fig. 3A, page 5 of paper.pdf (digitised, reading 1)" });
    const link = t.db.select().from(figureValues).where(eq(figureValues.measurementId, row.id)).get()!;
    expect(link).toMatchObject({ figureId, readingId, armId: treatedId, day: 14, measurementVersion: row.version });
    const audited = t.db.select().from(auditLog).where(and(eq(auditLog.entity, "measurement"), eq(auditLog.entityId, row.id))).all();
    expect(audited.map((a) => a.field)).toEqual(expect.arrayContaining(["mean", "errorValue", "dataSource", "sourceDetail"]));
    const pointAudit = t.db.select().from(auditLog).where(and(eq(auditLog.entity, "figure_point"), eq(auditLog.entityId, end.point.id))).all();
    expect(pointAudit.find((a) => a.field === "pixelY")?.newValue).toBe("180");

    // Moving the mean one pixel down follows in the grid; removing it takes the value out again.
    const moved = await caller.figures.placePoint({ reviewId, figureId, readingId, armId: treatedId, day: 14, kind: "mean", pixel: { x: 200, y: 221 }, n: 8, version: mean.point.version });
    expect(moved.grid.status).toBe("written");
    const after = t.db.select().from(measurements).where(eq(measurements.id, row.id)).get()!;
    expect(after.mean).toBeCloseTo(10.4475, 9); // (420 − 221) / 400 · 21
    expect(after.errorValue).toBeCloseTo(2.1525, 9);
    await caller.figures.deletePoint({ reviewId, figureId, pointId: end.point.id, version: end.point.version });
    expect(t.db.select().from(measurements).where(eq(measurements.id, row.id)).get()).toBeUndefined();
  });

  it("waits for n from the text before creating a grid row, and leaves a hand-typed value alone until replaced", async () => {
    const { figureId, readingId, caller } = await calibratedFigure("reviewer1", { label: "Fig. 4" });
    await caller.figures.placePoint({ reviewId, figureId, readingId, armId: controlId, day: 21, kind: "mean", pixel: { x: 300, y: rowOf(6) } });
    const pending = await caller.figures.placePoint({ reviewId, figureId, readingId, armId: controlId, day: 21, kind: "error_end", errorType: "SD", pixel: { x: 300, y: rowOf(8) } });
    expect(pending.grid.status).toBe("needs_n");
    expect(t.db.select().from(measurements).where(and(eq(measurements.armId, controlId), eq(measurements.day, 21))).get()).toBeUndefined();
    const sent = await caller.figures.sendToGrid({ reviewId, figureId, armId: controlId, day: 21, n: 9 });
    expect(sent).toMatchObject({ status: "written" });
    expect(t.db.select().from(measurements).where(and(eq(measurements.armId, controlId), eq(measurements.day, 21))).get()).toMatchObject({ mean: 6, errorValue: 2, n: 9 });

    // Day 28 holds the demo's example value, typed in the grid: the figure does not overwrite it silently.
    const typed = t.db.select().from(measurements).where(and(eq(measurements.armId, controlId), eq(measurements.day, 28))).get()!;
    await caller.figures.placePoint({ reviewId, figureId, readingId, armId: controlId, day: 28, kind: "mean", pixel: { x: 400, y: rowOf(10) } });
    const conflict = await caller.figures.placePoint({ reviewId, figureId, readingId, armId: controlId, day: 28, kind: "error_end", errorType: "SEM", pixel: { x: 400, y: rowOf(11) } });
    expect(conflict.grid).toMatchObject({ status: "conflict", measurementId: typed.id, measurementVersion: typed.version });
    expect(t.db.select().from(measurements).where(eq(measurements.id, typed.id)).get()).toEqual(typed);
    const stale = await caller.figures.sendToGrid({ reviewId, figureId, armId: controlId, day: 28, replaceVersion: typed.version + 1 });
    expect(stale.status).toBe("conflict");
    const replaced = await caller.figures.sendToGrid({ reviewId, figureId, armId: controlId, day: 28, replaceVersion: typed.version });
    expect(replaced.status).toBe("written");
    expect(t.db.select().from(measurements).where(eq(measurements.id, typed.id)).get()).toMatchObject({ mean: 10, errorValue: 1, errorType: "SEM", n: typed.n, dataSource: "figure", isExampleData: false });
  });

  it("reports a second placement of the same point, and a stale move, as conflicts", async () => {
    const { figureId, readingId, caller } = await calibratedFigure();
    const input = { reviewId, figureId, readingId, armId: treatedId, day: 3, kind: "mean" as const, pixel: { x: 100, y: 300 } };
    const [first, second] = await Promise.allSettled([caller.figures.placePoint(input), callerFor(t.db, "reviewer1").figures.placePoint(input)]);
    expect([first.status, second.status].sort()).toEqual(["fulfilled", "rejected"]);
    const rejected = (first.status === "rejected" ? first : second) as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: "CONFLICT" });
    const stale = await rejection(caller.figures.placePoint({ ...input, pixel: { x: 100, y: 301 }, version: 7 }));
    expect(stale.code).toBe("CONFLICT");
  });

  it("caps the points of one reading", async () => {
    const { figureId, readingId, caller } = await calibratedFigure();
    const { MAX_POINTS_PER_READING } = await import("@/server/services/figures");
    // Fill the reading up to the cap in one transaction (placing them one by one is the slow part, not the subject).
    const reader = userId(t.db, "reviewer1");
    const insert = t.db.$client.prepare("insert into figure_points (reading_id, arm_id, day, kind, error_type, pixel_x, pixel_y, value, placed_by, placed_at, updated_at) values (?, ?, ?, 'mean', null, 10, 200, 11.55, ?, '2026-01-01', '2026-01-01')");
    t.db.$client.transaction(() => {
      for (let i = 0; i < MAX_POINTS_PER_READING; i++) insert.run(readingId, treatedId, 100 + i, reader);
    })();
    const error = await rejection(caller.figures.placePoint({ reviewId, figureId, readingId, armId: controlId, day: 5, kind: "mean", pixel: { x: 10, y: 200 } }));
    expect(error.message).toBe(`Points: a reading holds at most ${MAX_POINTS_PER_READING} points.`);
  });

  it("lets only the reader change a reading", async () => {
    const { figureId, readingId } = await calibratedFigure("reviewer1");
    const other = await rejection(callerFor(t.db, "reviewer2").figures.placePoint({ reviewId, figureId, readingId, armId: treatedId, day: 3, kind: "mean", pixel: { x: 100, y: 300 } }));
    expect(other.code).toBe("FORBIDDEN");
    const lead = await rejection(callerFor(t.db, "lead").figures.saveCalibration({ reviewId, figureId, readingId, version: 2, calibration: { x: null, y: yAxis } }));
    expect(lead.code).toBe("FORBIDDEN");
  });

  it("recomputes the points when the calibration changes, refusing one that would put a mean off the scale", async () => {
    const { figureId, readingId, caller, readingVersion } = await calibratedFigure("reviewer1", { label: "Fig. 5" });
    await caller.figures.placePoint({ reviewId, figureId, readingId, armId: treatedId, day: 10, kind: "mean", pixel: { x: 200, y: 220 }, n: 6 });
    await caller.figures.placePoint({ reviewId, figureId, readingId, armId: treatedId, day: 10, kind: "error_end", errorType: "SD", pixel: { x: 200, y: 200 }, n: 6 });
    // The top reference now reads 10.5 instead of 21: every value halves.
    const halved = { ...yAxis, p2: { pixel: { x: 80, y: 20 }, value: 10.5 } };
    const recalibrated = await caller.figures.saveCalibration({ reviewId, figureId, readingId, version: readingVersion, calibration: { x: null, y: halved } });
    // Row 220 is halfway between rows 420 and 20: 5.25 on the new axis; row 200 is 220/400 of the way: 5.775.
    expect(t.db.select().from(measurements).where(and(eq(measurements.armId, treatedId), eq(measurements.day, 10))).get()).toMatchObject({ mean: 5.25, errorValue: 0.525 });
    const tooHigh = { ...yAxis, p2: { pixel: { x: 80, y: 20 }, value: 50 } };
    const error = await rejection(caller.figures.saveCalibration({ reviewId, figureId, readingId, version: recalibrated.reading.version, calibration: { x: null, y: tooHigh } }));
    expect(error.message).toMatch(/^Mean \(.+, day 10\) reads 25, outside the scale of BBB/);
    expect(t.db.select().from(measurements).where(and(eq(measurements.armId, treatedId), eq(measurements.day, 10))).get()?.mean).toBe(5.25);
  });
});

describe("deleting a figure", () => {
  it("lets its uploader delete it while nobody else read it: its values leave the grid, the audit trail keeps everything", async () => {
    const { figureId, readingId, caller } = await calibratedFigure("reviewer1", { label: "Fig. 10" });
    await caller.figures.placePoint({ reviewId, figureId, readingId, armId: treatedId, day: 60, kind: "mean", pixel: { x: 200, y: rowOf(9) }, n: 5 });
    await caller.figures.placePoint({ reviewId, figureId, readingId, armId: treatedId, day: 60, kind: "error_end", errorType: "SD", pixel: { x: 200, y: rowOf(10) }, n: 5 });
    const value = t.db.select().from(measurements).where(and(eq(measurements.armId, treatedId), eq(measurements.day, 60))).get()!;
    const figure = t.db.select().from(figures).where(eq(figures.id, figureId)).get()!;
    expect((await rejection(callerFor(t.db, "reviewer2").figures.delete({ reviewId, figureId, version: figure.version }))).code).toBe("FORBIDDEN");
    expect(await caller.figures.delete({ reviewId, figureId, version: figure.version })).toEqual({ keptInGrid: 0 });
    expect(t.db.select().from(figures).where(eq(figures.id, figureId)).get()).toBeUndefined();
    expect(t.db.select().from(measurements).where(eq(measurements.id, value.id)).get()).toBeUndefined();
    expect(t.db.select().from(figurePoints).where(eq(figurePoints.readingId, readingId)).all()).toEqual([]);
    const audit = t.db.select().from(auditLog).where(and(eq(auditLog.entity, "figure"), eq(auditLog.entityId, figureId), eq(auditLog.action, "delete"))).get()!;
    const kept = JSON.parse(audit.oldValue!) as { figure: { label: string }; points: { pixelY: number }[] };
    expect(kept.figure.label).toBe("Fig. 10");
    expect(kept.points.map((p) => p.pixelY).sort()).toEqual([rowOf(10), rowOf(9)].sort());
  });

  it("leaves a value edited in the grid since, and lets only the lead delete a figure someone else has read", async () => {
    const { figureId, readingId, caller } = await calibratedFigure("reviewer1", { label: "Fig. 11" });
    await caller.figures.placePoint({ reviewId, figureId, readingId, armId: controlId, day: 61, kind: "mean", pixel: { x: 200, y: rowOf(9) }, n: 5 });
    await caller.figures.placePoint({ reviewId, figureId, readingId, armId: controlId, day: 61, kind: "error_end", errorType: "SD", pixel: { x: 200, y: rowOf(10) }, n: 5 });
    const value = t.db.select().from(measurements).where(and(eq(measurements.armId, controlId), eq(measurements.day, 61))).get()!;
    await callerFor(t.db, "reviewer2").measurements.save({ reviewId, studyId, outcomeId, armId: controlId, day: 61, mean: 9.5, errorType: "SD", errorValue: 1, n: 6, dataSource: "figure", version: value.version });
    await callerFor(t.db, "reviewer2").figures.startBlindReading({ reviewId, figureId });
    const version = t.db.select().from(figures).where(eq(figures.id, figureId)).get()!.version;
    expect((await rejection(caller.figures.delete({ reviewId, figureId, version }))).code).toBe("FORBIDDEN");
    expect(await callerFor(t.db, "lead").figures.delete({ reviewId, figureId, version })).toEqual({ keptInGrid: 1 });
    expect(t.db.select().from(measurements).where(eq(measurements.id, value.id)).get()).toMatchObject({ mean: 9.5, n: 6 });
  });
});

describe("a blind second reading", () => {
  it("hides the first reading from the second reader until both are completed, compares them, and the lead decides", async () => {
    const r1 = await calibratedFigure("reviewer1", { label: "Fig. 6" });
    const place = (caller: typeof r1.caller, readingId: number, armId: number, day: number, mean: number, end: number) =>
      Promise.all([
        caller.figures.placePoint({ reviewId, figureId: r1.figureId, readingId, armId, day, kind: "mean", pixel: { x: 150, y: rowOf(mean) }, n: 7 }),
        caller.figures.placePoint({ reviewId, figureId: r1.figureId, readingId, armId, day, kind: "error_end", errorType: "SEM", pixel: { x: 150, y: rowOf(end) }, n: 7 }),
      ]);
    await place(r1.caller, r1.readingId, treatedId, 42, 12, 13);
    await place(r1.caller, r1.readingId, controlId, 42, 8, 9);

    // reviewer2 opens the figure: reading 1 exists but shows nothing of itself.
    const r2caller = callerFor(t.db, "reviewer2");
    const before = await r2caller.figures.get({ reviewId, figureId: r1.figureId });
    expect(before.me.canStartBlindReading).toBe(true);
    expect(before.readings[0]).toMatchObject({ visible: false, calibration: null, points: [], pairs: [] });
    const second = await r2caller.figures.startBlindReading({ reviewId, figureId: r1.figureId });
    // Nor does the list of values read from figures show this figure's values to reviewer2 while they read it.
    expect((await r2caller.figures.provenance({ reviewId })).some((p) => p.figureId === r1.figureId)).toBe(false);
    expect((await callerFor(t.db, "viewer1").figures.provenance({ reviewId })).some((p) => p.figureId === r1.figureId)).toBe(true);
    // The study page's outcome grid and history hide the first reading's values from reviewer2 too, and say why.
    const valuesAt42 = async (caller: typeof r2caller) =>
      (await caller.studies.get({ reviewId, studyId })).timepoints.filter((tp) => tp.day === 42).flatMap((tp) => Object.values(tp.values).map((v) => v.mean));
    expect(await valuesAt42(callerFor(t.db, "viewer1"))).toEqual(expect.arrayContaining([12, 8]));
    expect(await valuesAt42(r2caller)).toEqual([]);
    expect((await r2caller.studies.get({ reviewId, studyId })).hiddenWhileReadingBlind).toEqual([{ figureLabel: "Fig. 6", values: 2 }]);
    const shownIds = (await callerFor(t.db, "viewer1").studies.get({ reviewId, studyId })).timepoints.filter((tp) => tp.day === 42).flatMap((tp) => Object.values(tp.values).map((v) => v.id));
    const history2 = await r2caller.studies.history({ reviewId, studyId });
    expect(history2.some((h) => h.entity === "measurement" && shownIds.includes(h.entityId!))).toBe(false);
    // Nor does the analysis at day 42 use them for reviewer2 (it says which figure), while it does for everyone else.
    const at42 = async (caller: typeof r2caller) => {
      const run = await caller.analysis.run({ reviewId, settings: { ...(await caller.analyses.list({ reviewId }))[0]!.settings, timepoint: "day", day: 42 } });
      return { means: run.inputs.filter((i) => i.studyId === studyId).map((i) => i.m1), hidden: run.hiddenFromBlindReader };
    };
    expect(await at42(callerFor(t.db, "viewer1"))).toEqual({ means: [12], hidden: [] });
    expect(await at42(r2caller)).toEqual({ means: [], hidden: ["Fig. 6"] });
    // Nor do the Data page's files with outcome values; those without (Table 1, references) stay available.
    const refused = await rejection(r2caller.dataIo.download({ reviewId, file: "study-data.csv" }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toMatch(/reading Fig\. 6 blind/);
    expect((await r2caller.dataIo.download({ reviewId, file: "table1.csv" })).filename).toMatch(/table-1\.csv$/);
    expect((await callerFor(t.db, "viewer1").dataIo.download({ reviewId, file: "study-data.csv" })).content).toContain("12");
    const cal2 = await r2caller.figures.saveCalibration({ reviewId, figureId: r1.figureId, readingId: second.id, version: second.version, calibration: { x: null, y: yAxis } });
    await place(r2caller, second.id, treatedId, 42, 12.21, 13.21);
    const [, lastPoint] = await place(r2caller, second.id, controlId, 42, 7.79, 9.21);
    expect(lastPoint.grid.status).toBe("not_standing");
    // The second reading did not touch the grid: it still holds reading 1's value.
    expect(t.db.select().from(measurements).where(and(eq(measurements.armId, treatedId), eq(measurements.day, 42))).get()?.mean).toBe(12);

    // Reading 1 completed, reading 2 not: still hidden from reviewer2, and no comparison yet.
    const c1 = await r1.caller.figures.completeReading({ reviewId, figureId: r1.figureId, readingId: r1.readingId, version: (await r1.caller.figures.get({ reviewId, figureId: r1.figureId })).readings[0]!.version });
    expect((await r2caller.figures.get({ reviewId, figureId: r1.figureId })).readings[0]!.visible).toBe(false);
    expect((await rejection(r2caller.figures.compare({ reviewId, figureId: r1.figureId }))).code).toBe("BAD_REQUEST");
    // And reviewer1 does not see reading 2 either.
    expect((await r1.caller.figures.get({ reviewId, figureId: r1.figureId })).readings[1]!.visible).toBe(false);

    await r2caller.figures.completeReading({ reviewId, figureId: r1.figureId, readingId: second.id, version: cal2.reading.version });
    expect(await valuesAt42(r2caller)).toEqual(expect.arrayContaining([12, 8]));
    expect(await at42(r2caller)).toEqual({ means: [12], hidden: [] });
    expect((await r2caller.dataIo.download({ reviewId, file: "study-data.csv" })).filename).toMatch(/study-data\.csv$/);
    const comparison = await r2caller.figures.compare({ reviewId, figureId: r1.figureId });
    const byKey = new Map(comparison.rows.map((r) => [`${r.armId}:${r.quantity}`, r]));
    // Differences worked by hand: treated mean 12 vs 12.21 → 0.21 = 1 % of 21; control mean 8 vs 7.79;
    // control error 1 vs 1.42, bar end 9 vs 9.21 → 1 %.
    expect(byKey.get(`${treatedId}:mean`)!.difference).toBeCloseTo(0.21, 6);
    expect(byKey.get(`${treatedId}:mean`)!.percentOfAxis).toBeCloseTo(1, 6);
    expect(byKey.get(`${controlId}:error`)!.difference).toBeCloseTo(0.42, 6);
    expect(comparison.largestPercentOfAxis).toBeCloseTo(1, 6);
    // Lin's ρc of the means (12, 8) vs (12.21, 7.79): means 10 and 10, s_x² = 4, s_y² = 4.8841, s_xy = 4.42 → 8.84 / 8.8841.
    expect(comparison.meansConcordance.ccc).toBeCloseTo(8.84 / 8.8841, 9);

    // Both completed: locked.
    expect((await rejection(r1.caller.figures.reopenReading({ reviewId, figureId: r1.figureId, readingId: r1.readingId, version: c1.version }))).code).toBe("BAD_REQUEST");
    // Only the lead decides.
    const figureVersion = comparison.figureVersion;
    expect((await rejection(r2caller.figures.decide({ reviewId, figureId: r1.figureId, readingId: second.id, version: figureVersion }))).code).toBe("FORBIDDEN");
    const decided = await callerFor(t.db, "lead").figures.decide({ reviewId, figureId: r1.figureId, readingId: second.id, reason: "Reading 2 placed the bar ends on their caps", version: figureVersion });
    expect(decided.figure.standingReadingId).toBe(second.id);
    const treated42 = t.db.select().from(measurements).where(and(eq(measurements.armId, treatedId), eq(measurements.day, 42))).get()!;
    expect(treated42.mean).toBeCloseTo(12.21, 9);
    expect(treated42.sourceDetail).toContain("reading 2");
    const decisionAudit = t.db.select().from(auditLog).where(and(eq(auditLog.entity, "figure"), eq(auditLog.entityId, r1.figureId), eq(auditLog.field, "standingReading"))).get()!;
    expect(decisionAudit).toMatchObject({ oldValue: String(r1.readingId), newValue: String(second.id), reason: "Reading 2 placed the bar ends on their caps", userName: "Team lead (demo)" });

    const provenance = await callerFor(t.db, "viewer1").figures.provenance({ reviewId });
    const row = provenance.find((p) => p.measurementId === treated42.id)!;
    expect(row).toMatchObject({ studyId, armId: treatedId, day: 42, figureLabel: "Fig. 6", page: 5, readerName: "Reviewer 2 (demo)", readingOrdinal: 2, editedSince: false });
  });

  it("refuses a blind reading to a member who has looked at the first one", async () => {
    const r1 = await calibratedFigure("reviewer1", { label: "Fig. 7" });
    const r3 = callerFor(t.db, "reviewer3");
    const revealed = await r3.figures.revealReadings({ reviewId, figureId: r1.figureId });
    expect(revealed.readings[0]!.visible).toBe(true);
    expect(revealed.readings[0]!.calibration).toEqual({ x: null, y: yAxis });
    expect(revealed.me.canStartBlindReading).toBe(false);
    const error = await rejection(r3.figures.startBlindReading({ reviewId, figureId: r1.figureId }));
    expect(error.message).toMatch(/you have seen another reading of this figure/);
    // A viewer, who can never read, sees the reading straight away.
    expect((await callerFor(t.db, "viewer1").figures.get({ reviewId, figureId: r1.figureId })).readings[0]!.visible).toBe(true);
  });

  it("allows at most two readings, one per member", async () => {
    const r1 = await calibratedFigure("reviewer1", { label: "Fig. 8" });
    expect((await rejection(r1.caller.figures.startBlindReading({ reviewId, figureId: r1.figureId }))).code).toBe("CONFLICT");
    await callerFor(t.db, "reviewer2").figures.startBlindReading({ reviewId, figureId: r1.figureId });
    expect((await rejection(callerFor(t.db, "lead").figures.startBlindReading({ reviewId, figureId: r1.figureId }))).code).toBe("CONFLICT");
    // With both places taken the lead, who reads neither, may see both.
    const view = await callerFor(t.db, "lead").figures.get({ reviewId, figureId: r1.figureId });
    expect(view.readings.map((r) => r.visible)).toEqual([true, true]);
  });

  it("keeps figures of one review out of reach through another", async () => {
    const r1 = await calibratedFigure("reviewer1", { label: "Fig. 9" });
    const outsider = callerFor(t.db, "outsider");
    const otherReview = (await outsider.reviews.list()).find((r) => r.title === "Another review")!;
    const error = await rejection(outsider.figures.get({ reviewId: otherReview.id, figureId: r1.figureId }));
    expect(error.code).toBe("NOT_FOUND");
  });
});
