import "server-only";
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { storedFiles } from "@/db/schema";
import { notFound } from "@/server/errors";
import { recordAudit, type Actor } from "./audit";
import { imageMediaTypes, inspectFile, type FilePolicy, type InspectedFile } from "./file-content";

/**
 * Files of a review, kept as BLOBs in the database (in every backup and in the review's export). Generic: each
 * feature passes its own policy (accepted media types, size cap); the figure digitiser stores cropped figure
 * images, screening will store full-text PDFs. Serving is in app/api/reviews/[id]/files/[fileId]/route.ts.
 */

export type StoredFileRow = typeof storedFiles.$inferSelect;
export type StoredFileInfo = Omit<StoredFileRow, "data">;

/** A digitised figure: the cropped image as the browser made it (PNG), or a JPEG/WebP sent as is. */
export const figureImagePolicy: FilePolicy = {
  allowed: imageMediaTypes,
  maxBytes: 10 * 1024 * 1024,
  maxSide: 8000,
  maxPixels: 25_000_000,
  label: "Figure image",
};

/** A record's full text for screening: a PDF (checked to its end-of-file marker), at most 25 MB. */
export const fullTextPolicy: FilePolicy = { allowed: ["application/pdf"], maxBytes: 25 * 1024 * 1024, label: "Full text" };

export { inspectFile, type FilePolicy, type InspectedFile };

const infoColumns = {
  id: storedFiles.id,
  reviewId: storedFiles.reviewId,
  sha256: storedFiles.sha256,
  mediaType: storedFiles.mediaType,
  byteSize: storedFiles.byteSize,
  originalName: storedFiles.originalName,
  width: storedFiles.width,
  height: storedFiles.height,
  uploadedBy: storedFiles.uploadedBy,
  uploadedAt: storedFiles.uploadedAt,
};

/** The name as given, reduced to a harmless label (no path, no control characters, bounded). */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const cleaned = base
    .normalize("NFC")
    .replace(/[\p{Cc}\p{Cf}]/gu, "")
    .trim()
    .slice(0, 200);
  return cleaned || "upload";
}

/**
 * Stores an inspected file in the review (call inside the write transaction that uses it). The same bytes
 * uploaded again to the same review are stored once: the existing row is returned.
 */
export function storeFile(tx: DbOrTx, actor: Actor, reviewId: number, file: InspectedFile, originalName: string): StoredFileInfo {
  const existing = tx
    .select(infoColumns)
    .from(storedFiles)
    .where(and(eq(storedFiles.reviewId, reviewId), eq(storedFiles.sha256, file.sha256)))
    .get();
  if (existing) return existing;
  const name = cleanFileName(originalName);
  const row = tx
    .insert(storedFiles)
    .values({
      reviewId,
      sha256: file.sha256,
      mediaType: file.mediaType,
      byteSize: file.bytes.length,
      originalName: name,
      width: file.width,
      height: file.height,
      uploadedBy: actor.id,
      data: file.bytes,
    })
    .returning(infoColumns)
    .get();
  recordAudit(tx, actor, {
    reviewId,
    entity: "stored_file",
    entityId: row.id,
    action: "create",
    changes: [
      { field: "sha256", oldValue: null, newValue: file.sha256 },
      { field: "mediaType", oldValue: null, newValue: file.mediaType },
      { field: "byteSize", oldValue: null, newValue: file.bytes.length },
      { field: "originalName", oldValue: null, newValue: name },
      ...(file.strippedBytes ? [{ field: "strippedTrailingBytes", oldValue: null, newValue: file.strippedBytes }] : []),
    ],
  });
  return row;
}

/** A file of this review (metadata only), or NOT_FOUND: ids of other reviews are never reachable through this one. */
export function getStoredFileInfo(db: DbOrTx, reviewId: number, fileId: number): StoredFileInfo {
  const row = db
    .select(infoColumns)
    .from(storedFiles)
    .where(and(eq(storedFiles.id, fileId), eq(storedFiles.reviewId, reviewId)))
    .get();
  if (!row) throw notFound(`File ${fileId}`);
  return row;
}

/** A file of this review with its bytes, for serving. */
export function readStoredFile(db: DbOrTx, reviewId: number, fileId: number): StoredFileRow {
  const row = db
    .select()
    .from(storedFiles)
    .where(and(eq(storedFiles.id, fileId), eq(storedFiles.reviewId, reviewId)))
    .get();
  if (!row) throw notFound(`File ${fileId}`);
  return row;
}
