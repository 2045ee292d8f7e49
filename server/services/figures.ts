import "server-only";
import { and, asc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { writeTransaction, type Db, type DbOrTx, type Tx } from "@/db/client";
import {
  arms,
  figurePoints,
  figureReadings,
  figures,
  figureValues,
  figureViews,
  measurements,
  outcomes,
  storedFiles,
  studies,
  users,
  type ErrorType,
  type MemberRole,
} from "@/db/schema";
import { linsConcordance } from "@/server/digitiser/agreement";
import { calibrationProblem, differenceAsPercentOfSpan, errorFromBarEnd, pixelToAxisValue, type Calibration } from "@/server/digitiser/calibration";
import { AppError, notFound } from "@/server/errors";
import { publishReviewChange } from "@/server/events";
import type { SessionUser } from "@/server/auth/session";
import {
  calibrationSchema,
  type FigureDetails,
  type PlacePointInput,
} from "@/server/schemas/figure";
import { diffRows, recordAudit, type Actor } from "./audit";
import { armInReview, deleteArmValue, findArmValue, writeArmValue, type ArmValueWrite } from "./figure-values";
import { studyLabel } from "./analysis";
import { getOutcome } from "./outcomes";
import { figureImagePolicy, inspectFile, storeFile } from "./stored-files";
import { getStudy } from "./studies";
import { assertVersion } from "./versioning";

/**
 * Figures digitised inside the workbench, with their provenance: the cropped image (BLOB), where it came from
 * (PDF SHA-256, page, crop), each reader's calibration and every placed point (pixel, value, who, when).
 *
 * Readings. The member who adds a figure makes its first reading; its values go to the outcome grid as they
 * are placed. A second member may read the same figure BLIND: this service never shows them another reading
 * until their own is completed, and refuses a blind reading to anyone who has looked at another one (recorded
 * in figure_views when the service shows it). The second reading does not touch the grid; once both readings
 * are completed they are locked and compared, and the lead decides which reading stands: its values are then
 * written to the grid (audited, with the reason).
 */

export type Viewer = { user: Pick<SessionUser, "id" | "displayName">; role: MemberRole };
type FigureRow = typeof figures.$inferSelect;
type ReadingRow = typeof figureReadings.$inferSelect;
type PointRow = typeof figurePoints.$inferSelect;

export const MAX_READINGS = 2;
/** Far above any real figure (20 arms × 50 days × 2 points), low enough that one reading cannot flood the database. */
export const MAX_POINTS_PER_READING = 2000;

function getFigureRow(db: DbOrTx, reviewId: number, figureId: number): FigureRow {
  const row = db.select().from(figures).where(and(eq(figures.id, figureId), eq(figures.reviewId, reviewId))).get();
  if (!row) throw notFound(`Figure ${figureId}`);
  return row;
}

function readingsOf(db: DbOrTx, figureId: number): ReadingRow[] {
  return db.select().from(figureReadings).where(eq(figureReadings.figureId, figureId)).orderBy(asc(figureReadings.ordinal)).all();
}

function parseCalibration(raw: unknown): Calibration | null {
  const parsed = calibrationSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

function imageSize(db: DbOrTx, figure: FigureRow): { width: number; height: number } {
  const file = db.select({ width: storedFiles.width, height: storedFiles.height }).from(storedFiles).where(eq(storedFiles.id, figure.imageFileId)).get();
  if (!file?.width || !file.height) throw new AppError("invalid", "Figure image: its size is unknown.", "Figure image");
  return { width: file.width, height: file.height };
}

const sourceDetailOf = (figure: FigureRow, reading: ReadingRow) =>
  `${figure.label}${figure.sourcePage ? `, page ${figure.sourcePage}` : ""}${figure.sourceName ? ` of ${figure.sourceName}` : ""} (digitised, reading ${reading.ordinal})`;

const numberText = (v: number) => String(Number(v.toPrecision(4)));

// ------------------------------------------------------------------------------------------------ visibility

function hasViewed(db: DbOrTx, figureId: number, userId: number): boolean {
  return !!db
    .select({ f: figureViews.figureId })
    .from(figureViews)
    .where(and(eq(figureViews.figureId, figureId), eq(figureViews.userId, userId)))
    .get();
}

/** Whether `viewer` may be shown `reading` (see the blinding rule in the header). */
function canSee(viewer: Viewer, reading: ReadingRow, readings: ReadingRow[], viewed: boolean): boolean {
  if (reading.readerId === viewer.user.id) return true;
  const own = readings.find((r) => r.readerId === viewer.user.id);
  if (own) return own.status === "completed" && reading.status === "completed";
  return viewed || !couldReadBlind(viewer, readings, viewed);
}

function couldReadBlind(viewer: Viewer, readings: ReadingRow[], viewed: boolean): boolean {
  return viewer.role !== "viewer" && readings.length < MAX_READINGS && !viewed && !readings.some((r) => r.readerId === viewer.user.id);
}

// -------------------------------------------------------------------------------------------------- create

export type CreateFigure = FigureDetails & { image: Uint8Array; imageName: string };

/** Stores the uploaded (cropped) image and creates the figure with the uploader's reading, in one transaction. */
export async function createFigure(db: Db, actor: Actor, reviewId: number, input: CreateFigure) {
  const image = await inspectFile(input.image, figureImagePolicy);
  const created = writeTransaction(db, (tx) => {
    getStudy(tx, reviewId, input.studyId);
    getOutcome(tx, reviewId, input.outcomeId);
    const file = storeFile(tx, actor, reviewId, image, input.imageName || input.source.name || "figure.png");
    const { source } = input;
    const figure = tx
      .insert(figures)
      .values({
        reviewId,
        studyId: input.studyId,
        outcomeId: input.outcomeId,
        imageFileId: file.id,
        label: input.label,
        caption: input.caption,
        chartKind: input.chartKind,
        sourceKind: source.kind,
        sourceName: source.name,
        sourceSha256: source.sha256,
        sourcePage: source.kind === "pdf" ? source.page : null,
        sourceCrop: source.crop,
        sourceScale: source.kind === "pdf" ? source.scale : null,
        createdBy: actor.id,
      })
      .returning()
      .get();
    const reading = tx.insert(figureReadings).values({ figureId: figure.id, readerId: actor.id, ordinal: 1 }).returning().get();
    tx.update(figures).set({ standingReadingId: reading.id }).where(eq(figures.id, figure.id)).run();
    recordAudit(tx, actor, {
      reviewId,
      entity: "figure",
      entityId: figure.id,
      action: "create",
      changes: diffRows({}, {
        study: input.studyId,
        outcome: input.outcomeId,
        label: input.label,
        caption: input.caption,
        chartKind: input.chartKind,
        image: { fileId: file.id, sha256: file.sha256, width: file.width, height: file.height },
        source: input.source,
        reading: reading.id,
      }),
    });
    return { figureId: figure.id, readingId: reading.id, imageFileId: file.id, strippedBytes: image.strippedBytes };
  });
  publishReviewChange(reviewId, "figure", actor.displayName);
  return created;
}

export function updateFigure(db: Db, actor: Actor, reviewId: number, figureId: number, patch: { label?: string; caption?: string }, expectedVersion: number) {
  const row = writeTransaction(db, (tx) => {
    const current = getFigureRow(tx, reviewId, figureId);
    assertVersion(tx, "figure", current, expectedVersion);
    const updated = tx
      .update(figures)
      .set({ ...patch, version: sql`${figures.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(figures.id, figureId))
      .returning()
      .get();
    recordAudit(tx, actor, { reviewId, entity: "figure", entityId: figureId, action: "update", changes: diffRows(current, updated) });
    return updated;
  });
  publishReviewChange(reviewId, "figure", actor.displayName);
  return row;
}

/**
 * Deletes a figure (a wrong upload, a duplicate): by the lead, or by the member who added it while nobody else
 * has read it. Its values leave the grid unless someone edited them there since (those stay, as typed). The
 * whole figure (readings, calibrations, points) is kept in the audit trail; its image goes when no other
 * figure uses it.
 */
export function deleteFigure(db: Db, viewer: Viewer, reviewId: number, input: { figureId: number; version: number }) {
  const result = writeTransaction(db, (tx) => {
    const figure = getFigureRow(tx, reviewId, input.figureId);
    assertVersion(tx, "figure", figure, input.version);
    const readings = readingsOf(tx, figure.id);
    const ownOnly = figure.createdBy === viewer.user.id && readings.every((r) => r.readerId === viewer.user.id);
    if (viewer.role !== "lead" && !ownOnly) throw new AppError("forbidden", "Only the lead, or the member who added the figure while nobody else has read it, can delete it.");
    const reason = `Figure ${figure.label} deleted.`;
    let keptInGrid = 0;
    for (const link of tx.select().from(figureValues).where(eq(figureValues.figureId, figure.id)).all()) {
      if (link.measurementId === null || link.measurementVersion === null) continue;
      if (!deleteArmValue(tx, viewer.user, reviewId, link.measurementId, link.measurementVersion, reason)) keptInGrid++;
    }
    const points = readings.length ? tx.select().from(figurePoints).where(inArray(figurePoints.readingId, readings.map((r) => r.id))).all() : [];
    tx.delete(figures).where(eq(figures.id, figure.id)).run();
    recordAudit(tx, viewer.user, { reviewId, entity: "figure", entityId: figure.id, action: "delete", changes: [{ field: null, oldValue: { figure, readings, points }, newValue: null }], reason });
    const stillUsed = tx.select({ id: figures.id }).from(figures).where(eq(figures.imageFileId, figure.imageFileId)).get();
    if (!stillUsed) {
      const file = tx.select({ id: storedFiles.id, sha256: storedFiles.sha256, originalName: storedFiles.originalName }).from(storedFiles).where(eq(storedFiles.id, figure.imageFileId)).get();
      tx.delete(storedFiles).where(eq(storedFiles.id, figure.imageFileId)).run();
      if (file) recordAudit(tx, viewer.user, { reviewId, entity: "stored_file", entityId: file.id, action: "delete", changes: [{ field: null, oldValue: file, newValue: null }], reason });
    }
    return { keptInGrid };
  });
  publishReviewChange(reviewId, "figure", viewer.user.displayName);
  return result;
}

// ------------------------------------------------------------------------------------------------ reading

/** Own reading, still in progress: the only one a reader may change. */
function editableReading(tx: DbOrTx, actor: Actor, figure: FigureRow, readingId: number): ReadingRow {
  const reading = tx
    .select()
    .from(figureReadings)
    .where(and(eq(figureReadings.id, readingId), eq(figureReadings.figureId, figure.id)))
    .get();
  if (!reading) throw notFound(`Reading ${readingId}`);
  if (reading.readerId !== actor.id) throw new AppError("forbidden", "Only its reader can change a reading.");
  if (reading.status === "completed") throw new AppError("invalid", "Reading: it is marked completed; reopen it to change it.", "Reading");
  return reading;
}

function pointValue(calibration: Calibration, pixel: { x: number; y: number }): number {
  return pixelToAxisValue(calibration.y, pixel);
}

function checkInside(size: { width: number; height: number }, pixel: { x: number; y: number }, what: string) {
  if (pixel.x < 0 || pixel.y < 0 || pixel.x > size.width || pixel.y > size.height)
    throw new AppError(
      "invalid",
      `${what}: (${numberText(pixel.x)}, ${numberText(pixel.y)}) lies outside the image (${size.width} × ${size.height} pixels).`,
      what,
    );
}

function meanScaleProblem(outcome: typeof outcomes.$inferSelect, value: number): string | null {
  const { scaleMin: lo, scaleMax: hi } = outcome;
  if (!Number.isFinite(value)) return "is not a finite number on this axis";
  if ((lo !== null && value < lo) || (hi !== null && value > hi))
    return `reads ${numberText(value)}, outside the scale of ${outcome.name} (${lo ?? "−∞"} to ${hi ?? "∞"}): check the calibration or the point`;
  return null;
}

export function saveCalibration(db: Db, actor: Actor, reviewId: number, input: { figureId: number; readingId: number; calibration: Calibration; version: number }) {
  const result = writeTransaction(db, (tx) => {
    const figure = getFigureRow(tx, reviewId, input.figureId);
    const reading = editableReading(tx, actor, figure, input.readingId);
    assertVersion(tx, "figure_reading", reading, input.version);
    const problem = calibrationProblem(input.calibration, figure.chartKind === "line");
    if (problem) throw new AppError("invalid", `${capitalise(problem.field)}: ${problem.message}.`, problem.field);
    const size = imageSize(tx, figure);
    const { calibration } = input;
    for (const [name, axis] of [
      ["y axis", calibration.y],
      ["x axis", calibration.x],
    ] as const) {
      if (!axis) continue;
      checkInside(size, axis.p1.pixel, `${capitalise(name)}, first reference point`);
      checkInside(size, axis.p2.pixel, `${capitalise(name)}, second reference point`);
    }
    // Recompute every placed point: a calibration that would put a mean off the outcome's scale is refused whole.
    const outcome = getOutcome(tx, reviewId, figure.outcomeId);
    const points = tx.select().from(figurePoints).where(eq(figurePoints.readingId, reading.id)).all();
    const armLabels = armLabelMap(tx, figure.studyId);
    for (const p of points) {
      const value = pointValue(calibration, { x: p.pixelX, y: p.pixelY });
      const scale = p.kind === "mean" ? meanScaleProblem(outcome, value) : Number.isFinite(value) ? null : "is not a finite number on this axis";
      if (scale) throw new AppError("invalid", `Mean (${armLabels.get(p.armId) ?? "arm"}, day ${p.day}) ${scale}.`, "calibration");
      tx.update(figurePoints).set({ value }).where(eq(figurePoints.id, p.id)).run();
    }
    const updated = tx
      .update(figureReadings)
      .set({ calibration, version: sql`${figureReadings.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(figureReadings.id, reading.id))
      .returning()
      .get();
    recordAudit(tx, actor, {
      reviewId,
      entity: "figure_reading",
      entityId: reading.id,
      action: "update",
      changes: [{ field: "calibration", oldValue: reading.calibration, newValue: calibration }],
    });
    const grid = figure.standingReadingId === reading.id ? syncReading(tx, actor, reviewId, figure, updated, {}) : [];
    return { reading: updated, grid };
  });
  publishReviewChange(reviewId, "figure", actor.displayName);
  return result;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function armLabelMap(tx: DbOrTx, studyId: number): Map<number, string> {
  return new Map(
    tx
      .select({ id: arms.id, label: arms.label })
      .from(arms)
      .where(eq(arms.studyId, studyId))
      .all()
      .map((a) => [a.id, a.label]),
  );
}

export type GridStatus =
  | { armId: number; day: number; status: "incomplete" | "needs_n" | "not_standing" }
  | { armId: number; day: number; status: "written"; measurementId: number; measurementVersion: number }
  | { armId: number; day: number; status: "out_of_scale"; message: string }
  | { armId: number; day: number; status: "conflict"; measurementId: number; measurementVersion: number; by: string; current: { mean: number; errorType: ErrorType } };

/** Places (or moves) a mean or error-bar end; a standing reading's complete pair goes to the grid at once. */
export function placePoint(db: Db, actor: Actor, reviewId: number, input: PlacePointInput) {
  const result = writeTransaction(db, (tx) => {
    const figure = getFigureRow(tx, reviewId, input.figureId);
    const reading = editableReading(tx, actor, figure, input.readingId);
    const arm = armInReview(tx, reviewId, input.armId);
    if (arm.studyId !== figure.studyId) throw notFound(`Arm ${input.armId} of this figure's study`);
    const calibration = parseCalibration(reading.calibration);
    if (!calibration) throw new AppError("invalid", "Calibration: place two reference points on the y axis (and on the x axis of a line chart) first.", "calibration");
    const what = input.kind === "mean" ? `Mean (${arm.label}, day ${input.day})` : `Error-bar end (${arm.label}, day ${input.day})`;
    checkInside(imageSize(tx, figure), input.pixel, what);
    const value = pointValue(calibration, input.pixel);
    if (input.kind === "mean") {
      const problem = meanScaleProblem(getOutcome(tx, reviewId, figure.outcomeId), value);
      if (problem) throw new AppError("invalid", `${what} ${problem}.`, "pixel");
    } else if (!Number.isFinite(value)) throw new AppError("invalid", `${what} is not a finite number on this axis.`, "pixel");
    const errorType = input.kind === "error_end" ? input.errorType : null;
    const existing = tx
      .select()
      .from(figurePoints)
      .where(and(eq(figurePoints.readingId, reading.id), eq(figurePoints.armId, arm.id), eq(figurePoints.day, input.day), eq(figurePoints.kind, input.kind)))
      .get();
    let point: PointRow;
    if (!existing) {
      if (input.version !== undefined) throw new AppError("conflict", "This point was removed meanwhile.", undefined, { row: null, by: actor.displayName });
      const placed = tx.select({ n: sql<number>`count(*)` }).from(figurePoints).where(eq(figurePoints.readingId, reading.id)).get()?.n ?? 0;
      if (placed >= MAX_POINTS_PER_READING) throw new AppError("invalid", `Points: a reading holds at most ${MAX_POINTS_PER_READING} points.`, "points");
      point = tx
        .insert(figurePoints)
        .values({ readingId: reading.id, armId: arm.id, day: input.day, kind: input.kind, errorType, pixelX: input.pixel.x, pixelY: input.pixel.y, value, placedBy: actor.id })
        .returning()
        .get();
      recordAudit(tx, actor, {
        reviewId,
        entity: "figure_point",
        entityId: point.id,
        action: "create",
        changes: diffRows({}, { figure: figure.id, reading: reading.id, arm: arm.label, armId: arm.id, day: input.day, kind: input.kind, errorType, pixelX: input.pixel.x, pixelY: input.pixel.y, value }),
      });
    } else {
      if (input.version === undefined) throw new AppError("conflict", `${what} is already placed: move it instead.`, undefined, { row: existing, by: actor.displayName });
      assertVersion(tx, "figure_point", existing, input.version);
      point = tx
        .update(figurePoints)
        .set({ errorType, pixelX: input.pixel.x, pixelY: input.pixel.y, value, placedBy: actor.id, version: sql`${figurePoints.version} + 1`, updatedAt: new Date().toISOString() })
        .where(eq(figurePoints.id, existing.id))
        .returning()
        .get();
      recordAudit(tx, actor, { reviewId, entity: "figure_point", entityId: point.id, action: "update", changes: diffRows(existing, point, ["version", "updatedAt", "placedAt"]) });
    }
    tx.update(figureReadings).set({ updatedAt: new Date().toISOString() }).where(eq(figureReadings.id, reading.id)).run();
    const grid = figure.standingReadingId === reading.id ? syncPair(tx, actor, reviewId, figure, reading, arm.id, input.day, { n: input.n }) : notStanding(arm.id, input.day);
    return { point, grid };
  });
  publishReviewChange(reviewId, "figure", actor.displayName);
  return result;
}

const notStanding = (armId: number, day: number): GridStatus => ({ armId, day, status: "not_standing" });

export function deletePoint(db: Db, actor: Actor, reviewId: number, input: { figureId: number; pointId: number; version: number }) {
  const result = writeTransaction(db, (tx) => {
    const figure = getFigureRow(tx, reviewId, input.figureId);
    const point = tx.select().from(figurePoints).where(eq(figurePoints.id, input.pointId)).get();
    if (!point) throw notFound(`Point ${input.pointId}`);
    const reading = editableReading(tx, actor, figure, point.readingId);
    assertVersion(tx, "figure_point", point, input.version);
    tx.delete(figurePoints).where(eq(figurePoints.id, point.id)).run();
    recordAudit(tx, actor, { reviewId, entity: "figure_point", entityId: point.id, action: "delete", changes: diffRows(point, {}) });
    return figure.standingReadingId === reading.id ? syncPair(tx, actor, reviewId, figure, reading, point.armId, point.day, {}) : notStanding(point.armId, point.day);
  });
  publishReviewChange(reviewId, "figure", actor.displayName);
  return result;
}

/**
 * Puts one arm-day of a figure's standing reading into the grid: the value it reads (mean, error) when both
 * its points are placed, nothing (the figure's earlier value removed) when not. An existing grid row is
 * overwritten only when the figure wrote it and nobody changed it since, or when `replaceVersion` names it.
 */
function syncPair(
  tx: Tx,
  actor: Actor,
  reviewId: number,
  figure: FigureRow,
  reading: ReadingRow,
  armId: number,
  day: number,
  options: { n?: number | null; replaceVersion?: number | null; replaceAny?: boolean },
): GridStatus {
  const points = tx
    .select()
    .from(figurePoints)
    .where(and(eq(figurePoints.readingId, reading.id), eq(figurePoints.armId, armId), eq(figurePoints.day, day)))
    .all();
  const mean = points.find((p) => p.kind === "mean");
  const end = points.find((p) => p.kind === "error_end");
  const link = tx
    .select()
    .from(figureValues)
    .where(and(eq(figureValues.figureId, figure.id), eq(figureValues.armId, armId), eq(figureValues.day, day)))
    .get();
  if (!mean || !end || !end.errorType) {
    if (link) {
      if (link.measurementId !== null && link.measurementVersion !== null)
        deleteArmValue(tx, actor, reviewId, link.measurementId, link.measurementVersion, `The point was removed from ${figure.label}.`);
      tx.delete(figureValues).where(eq(figureValues.id, link.id)).run();
    }
    return { armId, day, status: "incomplete" };
  }
  const existing = findArmValue(tx, armId, figure.outcomeId, day);
  const writtenByFigure = link && existing && link.measurementId === existing.id ? link.measurementVersion : null;
  const expected = options.replaceAny ? (existing?.version ?? null) : (options.replaceVersion ?? writtenByFigure);
  const written: ArmValueWrite = writeArmValue(
    tx,
    actor,
    reviewId,
    {
      armId,
      outcomeId: figure.outcomeId,
      day,
      mean: mean.value,
      errorType: end.errorType,
      error: errorFromBarEnd(mean.value, end.value),
      n: options.n ?? null,
      sourceDetail: sourceDetailOf(figure, reading),
    },
    expected,
  );
  if (written.status === "written") {
    const values = { readingId: reading.id, measurementId: written.row.id, measurementVersion: written.row.version, writtenAt: new Date().toISOString() };
    if (link) tx.update(figureValues).set(values).where(eq(figureValues.id, link.id)).run();
    else tx.insert(figureValues).values({ figureId: figure.id, armId, day, ...values }).run();
    return { armId, day, status: "written", measurementId: written.row.id, measurementVersion: written.row.version };
  }
  if (written.status === "conflict")
    return { armId, day, status: "conflict", measurementId: written.current.id, measurementVersion: written.current.version, by: written.by, current: { mean: written.current.mean, errorType: written.current.errorType } };
  if (written.status === "out_of_scale") return { armId, day, status: "out_of_scale", message: written.message };
  return { armId, day, status: "needs_n" };
}

/** Every arm-day of a reading (and the figure's earlier values it no longer has) brought into the grid. */
function syncReading(tx: Tx, actor: Actor, reviewId: number, figure: FigureRow, reading: ReadingRow, options: { replaceAny?: boolean }): GridStatus[] {
  const keys = new Map<string, { armId: number; day: number }>();
  for (const p of tx.select({ armId: figurePoints.armId, day: figurePoints.day }).from(figurePoints).where(eq(figurePoints.readingId, reading.id)).all())
    keys.set(`${p.armId}:${p.day}`, p);
  for (const l of tx.select({ armId: figureValues.armId, day: figureValues.day }).from(figureValues).where(eq(figureValues.figureId, figure.id)).all())
    keys.set(`${l.armId}:${l.day}`, l);
  return [...keys.values()].map((k) => syncPair(tx, actor, reviewId, figure, reading, k.armId, k.day, options));
}

/** Sends one arm-day of the standing reading to the grid: with the arm's n for a new row, or replacing a hand-typed row. */
export function sendToGrid(db: Db, viewer: Viewer, reviewId: number, input: { figureId: number; armId: number; day: number; n: number | null; replaceVersion: number | null }) {
  const result = writeTransaction(db, (tx) => {
    const figure = getFigureRow(tx, reviewId, input.figureId);
    const reading = figure.standingReadingId ? tx.select().from(figureReadings).where(eq(figureReadings.id, figure.standingReadingId)).get() : undefined;
    if (!reading) throw new AppError("invalid", "Figure: it has no standing reading.", "Figure");
    if (reading.readerId !== viewer.user.id && viewer.role !== "lead") throw new AppError("forbidden", "Only the standing reading's reader or the lead can send its values to the grid.");
    const arm = armInReview(tx, reviewId, input.armId);
    if (arm.studyId !== figure.studyId) throw notFound(`Arm ${input.armId} of this figure's study`);
    return syncPair(tx, viewer.user, reviewId, figure, reading, arm.id, input.day, { n: input.n, replaceVersion: input.replaceVersion });
  });
  publishReviewChange(reviewId, "figure", viewer.user.displayName);
  return result;
}

export function completeReading(db: Db, actor: Actor, reviewId: number, input: { figureId: number; readingId: number; version: number }) {
  const row = writeTransaction(db, (tx) => {
    const figure = getFigureRow(tx, reviewId, input.figureId);
    const reading = editableReading(tx, actor, figure, input.readingId);
    assertVersion(tx, "figure_reading", reading, input.version);
    if (!parseCalibration(reading.calibration)) throw new AppError("invalid", "Calibration: calibrate the axes before completing the reading.", "calibration");
    const count = tx.select({ n: sql<number>`count(*)` }).from(figurePoints).where(eq(figurePoints.readingId, reading.id)).get()?.n ?? 0;
    if (count === 0) throw new AppError("invalid", "Points: place at least one mean and its error-bar end before completing the reading.", "points");
    const updated = tx
      .update(figureReadings)
      .set({ status: "completed", completedAt: new Date().toISOString(), version: sql`${figureReadings.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(figureReadings.id, reading.id))
      .returning()
      .get();
    recordAudit(tx, actor, { reviewId, entity: "figure_reading", entityId: reading.id, action: "update", changes: [{ field: "status", oldValue: reading.status, newValue: "completed" }] });
    return updated;
  });
  publishReviewChange(reviewId, "figure", actor.displayName);
  return row;
}

/** A completed reading goes back to work, unless the other reading is completed too (then both are locked for the comparison). */
export function reopenReading(db: Db, actor: Actor, reviewId: number, input: { figureId: number; readingId: number; version: number }) {
  const row = writeTransaction(db, (tx) => {
    const figure = getFigureRow(tx, reviewId, input.figureId);
    const readings = readingsOf(tx, figure.id);
    const reading = readings.find((r) => r.id === input.readingId);
    if (!reading) throw notFound(`Reading ${input.readingId}`);
    if (reading.readerId !== actor.id) throw new AppError("forbidden", "Only its reader can reopen a reading.");
    assertVersion(tx, "figure_reading", reading, input.version);
    if (reading.status !== "completed") throw new AppError("invalid", "Reading: it is not completed.", "Reading");
    if (figure.decidedAt || readings.filter((r) => r.status === "completed").length >= MAX_READINGS)
      throw new AppError("invalid", "Reading: both readings are completed and compared, so they are locked; the lead decides which one stands.", "Reading");
    const updated = tx
      .update(figureReadings)
      .set({ status: "in_progress", completedAt: null, version: sql`${figureReadings.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(figureReadings.id, reading.id))
      .returning()
      .get();
    recordAudit(tx, actor, { reviewId, entity: "figure_reading", entityId: reading.id, action: "update", changes: [{ field: "status", oldValue: "completed", newValue: "in_progress" }] });
    return updated;
  });
  publishReviewChange(reviewId, "figure", actor.displayName);
  return row;
}

/** A blind second reading for a member who has neither a reading of this figure nor looked at one. */
export function startBlindReading(db: Db, viewer: Viewer, reviewId: number, figureId: number) {
  const row = writeTransaction(db, (tx) => {
    const figure = getFigureRow(tx, reviewId, figureId);
    const readings = readingsOf(tx, figure.id);
    if (readings.some((r) => r.readerId === viewer.user.id)) throw new AppError("conflict", "You already have a reading of this figure.", undefined, { row: null, by: viewer.user.displayName });
    if (readings.length >= MAX_READINGS) throw new AppError("conflict", `This figure already has ${MAX_READINGS} readings.`, undefined, { row: null, by: "another reader" });
    if (hasViewed(tx, figure.id, viewer.user.id))
      throw new AppError("invalid", "Second reading: you have seen another reading of this figure, so yours would not be blind. Ask another member.", "Second reading");
    const reading = tx.insert(figureReadings).values({ figureId: figure.id, readerId: viewer.user.id, ordinal: readings.length + 1 }).returning().get();
    recordAudit(tx, viewer.user, { reviewId, entity: "figure_reading", entityId: reading.id, action: "create", changes: diffRows({}, { figure: figure.id, ordinal: reading.ordinal, blind: true }) });
    return reading;
  });
  publishReviewChange(reviewId, "figure", viewer.user.displayName);
  return row;
}

/** Shows the other readings to a member who could still read blind; from then on they cannot. */
export function revealReadings(db: Db, viewer: Viewer, reviewId: number, figureId: number) {
  writeTransaction(db, (tx) => {
    const figure = getFigureRow(tx, reviewId, figureId);
    tx.insert(figureViews).values({ figureId: figure.id, userId: viewer.user.id }).onConflictDoNothing().run();
  });
  return figureView(db, viewer, reviewId, figureId);
}

// ------------------------------------------------------------------------------------------------- reading

function readingPairs(points: PointRow[]) {
  const byKey = new Map<string, { armId: number; day: number; mean?: PointRow; end?: PointRow }>();
  for (const p of points) {
    const key = `${p.armId}:${p.day}`;
    const entry = byKey.get(key) ?? { armId: p.armId, day: p.day };
    if (p.kind === "mean") entry.mean = p;
    else entry.end = p;
    byKey.set(key, entry);
  }
  return [...byKey.values()]
    .sort((a, b) => a.armId - b.armId || a.day - b.day)
    .map((e) => ({
      armId: e.armId,
      day: e.day,
      mean: e.mean?.value ?? null,
      barEnd: e.end?.value ?? null,
      errorType: e.end?.errorType ?? null,
      error: e.mean && e.end ? errorFromBarEnd(e.mean.value, e.end.value) : null,
    }));
}

/** The grid's side of a standing reading's value: in the grid as read, waiting for n, or changed by hand. */
function gridStatusOf(tx: DbOrTx, figure: FigureRow, pair: { armId: number; day: number; mean: number | null; error: number | null }) {
  if (pair.mean === null || pair.error === null) return { status: "incomplete" as const };
  const link = tx
    .select()
    .from(figureValues)
    .where(and(eq(figureValues.figureId, figure.id), eq(figureValues.armId, pair.armId), eq(figureValues.day, pair.day)))
    .get();
  const existing = findArmValue(tx, pair.armId, figure.outcomeId, pair.day);
  if (!existing) return { status: "needs_n" as const };
  if (link && link.measurementId === existing.id && link.measurementVersion === existing.version)
    return { status: "written" as const, measurementId: existing.id, measurementVersion: existing.version, n: existing.n };
  return { status: "conflict" as const, measurementId: existing.id, measurementVersion: existing.version, mean: existing.mean, n: existing.n };
}

/** The digitiser page's data: the figure, its arms, and the readings this member may see (with points). */
export function figureView(db: DbOrTx, viewer: Viewer, reviewId: number, figureId: number) {
  const figure = getFigureRow(db, reviewId, figureId);
  const study = getStudy(db, reviewId, figure.studyId);
  const outcome = getOutcome(db, reviewId, figure.outcomeId);
  const image = db
    .select({ id: storedFiles.id, mediaType: storedFiles.mediaType, width: storedFiles.width, height: storedFiles.height, sha256: storedFiles.sha256, byteSize: storedFiles.byteSize })
    .from(storedFiles)
    .where(eq(storedFiles.id, figure.imageFileId))
    .get();
  const studyArms = db.select({ id: arms.id, label: arms.label, kind: arms.kind }).from(arms).where(eq(arms.studyId, study.id)).orderBy(asc(arms.id)).all();
  const readings = readingsOf(db, figure.id);
  const viewed = hasViewed(db, figure.id, viewer.user.id);
  const names = userNames(db, [...readings.map((r) => r.readerId), figure.createdBy, ...(figure.decidedBy ? [figure.decidedBy] : [])]);
  // n of each arm already in the grid for this outcome (the digitiser pre-fills "n from the text" with it).
  const knownN = new Map<number, number>();
  for (const m of db
    .select({ armId: measurements.armId, n: measurements.n })
    .from(measurements)
    .where(and(inArray(measurements.armId, studyArms.map((a) => a.id).concat(-1)), eq(measurements.outcomeId, outcome.id)))
    .orderBy(asc(measurements.day))
    .all())
    knownN.set(m.armId, m.n);
  const shown = readings.map((r) => {
    const visible = canSee(viewer, r, readings, viewed);
    const base = {
      id: r.id,
      ordinal: r.ordinal,
      readerId: r.readerId,
      readerName: names.get(r.readerId) ?? "?",
      status: r.status,
      startedAt: r.startedAt,
      completedAt: r.completedAt,
      version: r.version,
      isMine: r.readerId === viewer.user.id,
      isStanding: r.id === figure.standingReadingId,
      visible,
    };
    if (!visible) return { ...base, calibration: null, points: [], pairs: [] };
    const points = db.select().from(figurePoints).where(eq(figurePoints.readingId, r.id)).orderBy(asc(figurePoints.armId), asc(figurePoints.day), asc(figurePoints.kind)).all();
    const placedBy = userNames(db, points.map((p) => p.placedBy));
    const pairs = readingPairs(points).map((pair) => ({ ...pair, grid: r.id === figure.standingReadingId ? gridStatusOf(db, figure, pair) : { status: "not_standing" as const } }));
    return {
      ...base,
      calibration: parseCalibration(r.calibration),
      points: points.map((p) => ({ ...p, placedByName: placedBy.get(p.placedBy) ?? "?" })),
      pairs,
    };
  });
  const completed = readings.filter((r) => r.status === "completed");
  return {
    figure: {
      id: figure.id,
      label: figure.label,
      caption: figure.caption,
      chartKind: figure.chartKind,
      source: { kind: figure.sourceKind, name: figure.sourceName, sha256: figure.sourceSha256, page: figure.sourcePage, crop: figure.sourceCrop, scale: figure.sourceScale },
      createdByName: names.get(figure.createdBy) ?? "?",
      createdAt: figure.createdAt,
      version: figure.version,
      standingReadingId: figure.standingReadingId,
      decision: figure.decidedAt ? { by: names.get(figure.decidedBy ?? 0) ?? "?", at: figure.decidedAt, reason: figure.decisionReason } : null,
    },
    image: image ? { fileId: image.id, mediaType: image.mediaType, width: image.width ?? 0, height: image.height ?? 0, sha256: image.sha256, byteSize: image.byteSize } : null,
    study: { id: study.id, label: studyLabel(study) },
    outcome: { id: outcome.id, name: outcome.name, unit: outcome.unit, scaleMin: outcome.scaleMin, scaleMax: outcome.scaleMax },
    arms: studyArms.map((a) => ({ ...a, knownN: knownN.get(a.id) ?? null })),
    readings: shown,
    me: {
      canStartBlindReading: couldReadBlind(viewer, readings, viewed),
      hasViewedOthers: viewed,
      hiddenReadings: shown.filter((r) => !r.visible).length,
      canDelete: viewer.role === "lead" || (viewer.role !== "viewer" && figure.createdBy === viewer.user.id && readings.every((r) => r.readerId === viewer.user.id)),
    },
    comparable: completed.length >= MAX_READINGS && completed.every((r) => canSee(viewer, r, readings, viewed)),
  };
}

function userNames(db: DbOrTx, ids: number[]): Map<number, string> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  return new Map(
    db
      .select({ id: users.id, name: users.displayName })
      .from(users)
      .where(inArray(users.id, unique))
      .all()
      .map((u) => [u.id, u.name]),
  );
}

/** The figures of a study, for the study page and the digitiser's list (no points: those need figureView). */
export function listStudyFigures(db: DbOrTx, reviewId: number, studyId: number) {
  getStudy(db, reviewId, studyId);
  const rows = db.select().from(figures).where(and(eq(figures.reviewId, reviewId), eq(figures.studyId, studyId))).orderBy(asc(figures.id)).all();
  const readings = rows.length ? db.select().from(figureReadings).where(inArray(figureReadings.figureId, rows.map((f) => f.id))).orderBy(asc(figureReadings.ordinal)).all() : [];
  const names = userNames(db, readings.map((r) => r.readerId));
  const valueCounts = new Map(
    rows.length
      ? db
          .select({ figureId: figureValues.figureId, n: sql<number>`count(*)` })
          .from(figureValues)
          .where(and(inArray(figureValues.figureId, rows.map((f) => f.id)), isNotNull(figureValues.measurementId)))
          .groupBy(figureValues.figureId)
          .all()
          .map((c) => [c.figureId, Number(c.n)])
      : [],
  );
  return rows.map((f) => ({
    id: f.id,
    label: f.label,
    chartKind: f.chartKind,
    sourcePage: f.sourcePage,
    sourceName: f.sourceName,
    valuesInGrid: valueCounts.get(f.id) ?? 0,
    decided: f.decidedAt !== null,
    readings: readings.filter((r) => r.figureId === f.id).map((r) => ({ ordinal: r.ordinal, readerName: names.get(r.readerId) ?? "?", status: r.status })),
  }));
}

// ---------------------------------------------------------------------------------------------- comparison

/**
 * The two completed readings side by side, value by value: difference, difference as % of the y axis's
 * calibrated span (first reader's calibration; see axisSpan), and Lin's concordance (server/digitiser/agreement.ts)
 * of the means and of the errors. Shown only to members allowed to see both readings.
 */
export function compareReadings(db: DbOrTx, viewer: Viewer, reviewId: number, figureId: number) {
  const view = figureView(db, viewer, reviewId, figureId);
  if (!view.comparable) throw new AppError("invalid", "Comparison: it needs two completed readings that you may see (a reader sees the other reading once both are completed).", "Comparison");
  const [first, second] = view.readings as [(typeof view.readings)[number], (typeof view.readings)[number]];
  const axis = first.calibration!.y;
  const armLabel = new Map(view.arms.map((a) => [a.id, a.label]));
  const secondByKey = new Map(second.pairs.map((p) => [`${p.armId}:${p.day}`, p]));
  const rows: { armId: number; armLabel: string; day: number; quantity: "mean" | "error"; first: number; second: number; difference: number; percentOfAxis: number | null }[] = [];
  const unmatched: { armLabel: string; day: number; readBy: string }[] = [];
  for (const a of first.pairs) {
    const b = secondByKey.get(`${a.armId}:${a.day}`);
    secondByKey.delete(`${a.armId}:${a.day}`);
    if (!b || a.mean === null || b.mean === null) {
      unmatched.push({ armLabel: armLabel.get(a.armId) ?? "?", day: a.day, readBy: b ? "both, incomplete" : first.readerName });
      continue;
    }
    const label = armLabel.get(a.armId) ?? "?";
    rows.push({ armId: a.armId, armLabel: label, day: a.day, quantity: "mean", first: a.mean, second: b.mean, difference: b.mean - a.mean, percentOfAxis: differenceAsPercentOfSpan(axis, a.mean, b.mean) });
    if (a.error !== null && b.error !== null && a.barEnd !== null && b.barEnd !== null)
      // The error's reading precision is where the bar end was placed: compared on the axis like the means.
      rows.push({ armId: a.armId, armLabel: label, day: a.day, quantity: "error", first: a.error, second: b.error, difference: b.error - a.error, percentOfAxis: differenceAsPercentOfSpan(axis, a.barEnd, b.barEnd) });
  }
  for (const b of secondByKey.values()) unmatched.push({ armLabel: armLabel.get(b.armId) ?? "?", day: b.day, readBy: second.readerName });
  const percents = rows.map((r) => r.percentOfAxis).filter((p): p is number => p !== null);
  return {
    readings: [first, second].map((r) => ({ id: r.id, ordinal: r.ordinal, readerName: r.readerName, isStanding: r.isStanding })),
    rows,
    unmatched,
    meansConcordance: linsConcordance(rows.filter((r) => r.quantity === "mean").map((r) => [r.first, r.second] as const)),
    errorsConcordance: linsConcordance(rows.filter((r) => r.quantity === "error").map((r) => [r.first, r.second] as const)),
    largestPercentOfAxis: percents.length ? Math.max(...percents) : null,
    axisSpan: { from: axis.p1.value, to: axis.p2.value, scale: axis.scale },
    decision: view.figure.decision,
    figureVersion: view.figure.version,
  };
}

/** The lead decides which completed reading stands; its values replace the figure's values in the grid (audited). */
export function decideReading(db: Db, actor: Actor, reviewId: number, input: { figureId: number; readingId: number; reason: string; version: number }) {
  const result = writeTransaction(db, (tx) => {
    const figure = getFigureRow(tx, reviewId, input.figureId);
    assertVersion(tx, "figure", figure, input.version);
    const readings = readingsOf(tx, figure.id);
    if (readings.filter((r) => r.status === "completed").length < MAX_READINGS)
      throw new AppError("invalid", "Decision: both readings must be completed before the lead decides.", "Decision");
    const chosen = readings.find((r) => r.id === input.readingId);
    if (!chosen) throw notFound(`Reading ${input.readingId}`);
    const decidedAt = new Date().toISOString();
    const updated = tx
      .update(figures)
      .set({ standingReadingId: chosen.id, decidedBy: actor.id, decidedAt, decisionReason: input.reason, version: sql`${figures.version} + 1`, updatedAt: decidedAt })
      .where(eq(figures.id, figure.id))
      .returning()
      .get();
    recordAudit(tx, actor, {
      reviewId,
      entity: "figure",
      entityId: figure.id,
      action: "update",
      changes: [{ field: "standingReading", oldValue: figure.standingReadingId, newValue: chosen.id }],
      reason: input.reason || `Reading ${chosen.ordinal} stands.`,
    });
    // The lead's decision writes the chosen values over the figure's earlier ones in the grid.
    const grid = syncReading(tx, actor, reviewId, updated, chosen, { replaceAny: true });
    return { figure: updated, grid };
  });
  publishReviewChange(reviewId, "figure", actor.displayName);
  return result;
}

// ---------------------------------------------------------------------------------------------- provenance

/**
 * The figures a member is reading blind right now (a reading of theirs in progress that is not the standing one):
 * the values another reading wrote to the grid from them are not shown to that member until they complete theirs.
 */
export function figuresReadBlindBy(db: DbOrTx, reviewId: number, userId: number): Set<number> {
  return new Set(
    db
      .select({ figureId: figureReadings.figureId })
      .from(figureReadings)
      .innerJoin(figures, eq(figures.id, figureReadings.figureId))
      .where(and(eq(figures.reviewId, reviewId), eq(figureReadings.readerId, userId), eq(figureReadings.status, "in_progress"), sql`${figures.standingReadingId} is not ${figureReadings.id}`))
      .all()
      .map((r) => r.figureId),
  );
}

/** The grid values written from these figures by a reading other than `userId`'s, with the figure each came from. */
export function valuesHiddenFromBlindReader(db: DbOrTx, reviewId: number, userId: number): Map<number, string> {
  const figureIds = [...figuresReadBlindBy(db, reviewId, userId)];
  if (figureIds.length === 0) return new Map();
  const rows = db
    .select({ measurementId: figureValues.measurementId, label: figures.label })
    .from(figureValues)
    .innerJoin(figures, eq(figures.id, figureValues.figureId))
    .innerJoin(figureReadings, eq(figureReadings.id, figureValues.readingId))
    .where(and(inArray(figureValues.figureId, figureIds), sql`${figureReadings.readerId} <> ${userId}`))
    .all();
  return new Map(rows.flatMap((r) => (r.measurementId === null ? [] : [[r.measurementId, r.label] as const])));
}

/**
 * Every outcome value of the review that was read from a figure: study, arm, day, figure label and page, and
 * who read it. For the report's provenance section (issue 11) and the figures list.
 */
export function figureProvenance(db: DbOrTx, reviewId: number, forViewer?: Viewer) {
  const blindTo = forViewer ? figuresReadBlindBy(db, reviewId, forViewer.user.id) : new Set<number>();
  const rows = db
    .select({
      measurementId: measurements.id,
      studyId: studies.id,
      author: studies.author,
      year: studies.year,
      armId: arms.id,
      armLabel: arms.label,
      day: measurements.day,
      outcome: outcomes.name,
      mean: measurements.mean,
      errorType: measurements.errorType,
      errorValue: measurements.errorValue,
      ciLower: measurements.ciLower,
      ciUpper: measurements.ciUpper,
      figureId: figures.id,
      figureLabel: figures.label,
      page: figures.sourcePage,
      sourceName: figures.sourceName,
      sourceSha256: figures.sourceSha256,
      readingOrdinal: figureReadings.ordinal,
      readerName: users.displayName,
      writtenAt: figureValues.writtenAt,
      /** Someone edited the value in the grid after the figure wrote it (it still names the figure as its source). */
      editedSince: sql<number>`${measurements.version} <> coalesce(${figureValues.measurementVersion}, -1)`,
    })
    .from(figureValues)
    .innerJoin(figures, eq(figures.id, figureValues.figureId))
    .innerJoin(measurements, eq(measurements.id, figureValues.measurementId))
    .innerJoin(arms, eq(arms.id, measurements.armId))
    .innerJoin(studies, eq(studies.id, arms.studyId))
    .innerJoin(outcomes, eq(outcomes.id, measurements.outcomeId))
    .innerJoin(figureReadings, eq(figureReadings.id, figureValues.readingId))
    .innerJoin(users, eq(users.id, figureReadings.readerId))
    .where(and(eq(figures.reviewId, reviewId), eq(measurements.dataSource, "figure")))
    .orderBy(asc(studies.position), asc(studies.id), asc(arms.id), asc(measurements.day))
    .all()
    .map((r) => ({ ...r, editedSince: Number(r.editedSince) === 1, studyLabel: studyLabel(r) }));
  return rows.filter((r) => !blindTo.has(r.figureId));
}
