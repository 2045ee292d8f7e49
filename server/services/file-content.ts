import "server-only";
import { createHash } from "node:crypto";
import { createInflate, crc32 } from "node:zlib";
import { looksLikeSvg, sniffMediaType } from "@/server/digitiser/media-type";
import { AppError } from "@/server/errors";

/**
 * What an uploaded file really is, read from its bytes (never from its name or the browser's claim).
 *
 * Each accepted format is walked to its end so that
 *  - the media type we later serve it with is true (a file that merely starts like a PNG is refused),
 *  - bytes after the image's end (a polyglot: PNG + HTML/ZIP/script) are cut off before storing,
 *  - the decoded size is known before anything decodes it (decompression bombs are refused by their header).
 * PNG is checked completely: every chunk's CRC, and its zlib stream inflated (counted, not kept) to exactly
 * the size its header promises. JPEG and WebP are checked structurally (markers/chunks and their lengths up to
 * the end marker); the browser, which decodes them for display, reports an undecodable one as such.
 *
 * No library was found that does this end-finding + size check without fully decoding the pixels into memory
 * (`file-type` sniffs only the first bytes; `pngjs`/`jpeg-js` allocate width·height·4 bytes).
 */

export const imageMediaTypes = ["image/png", "image/jpeg", "image/webp"] as const;
export const mediaTypes = [...imageMediaTypes, "application/pdf"] as const;
export type MediaType = (typeof mediaTypes)[number];

export type FilePolicy = {
  /** Media types this upload accepts. */
  allowed: readonly MediaType[];
  /** Size cap of the upload in bytes. */
  maxBytes: number;
  /** Largest decoded image: pixels per side and in total (decompression bombs). */
  maxSide?: number;
  maxPixels?: number;
  /** The field as the page names it ("Figure image"), for messages. */
  label: string;
};

export type InspectedFile = {
  mediaType: MediaType;
  /** The bytes to store: the file up to its format's end marker. */
  bytes: Buffer;
  sha256: string;
  width: number | null;
  height: number | null;
  /** Bytes found after the end marker and removed. */
  strippedBytes: number;
};

const DEFAULT_MAX_SIDE = 10_000;
const DEFAULT_MAX_PIXELS = 25_000_000;

const typeNames: Record<MediaType, string> = { "image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WebP", "application/pdf": "PDF" };

const bytesLabel = (n: number) => (n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(n / 1024)} kB`);

/** Reads and checks an upload against a policy; throws AppError("invalid") naming the field by its label. */
export async function inspectFile(input: Uint8Array, policy: FilePolicy): Promise<InspectedFile> {
  const fail = (message: string) => new AppError("invalid", `${policy.label}: ${message}`, policy.label);
  const data = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (data.length === 0) throw fail("the file is empty.");
  if (data.length > policy.maxBytes) throw fail(`the file is ${bytesLabel(data.length)}; the limit is ${bytesLabel(policy.maxBytes)}.`);
  const accepted = policy.allowed.map((t) => typeNames[t]).join(", ");
  const mediaType = sniffMediaType(data);
  if (!mediaType) {
    if (looksLikeSvg(data)) throw fail(`SVG images are refused (they can carry scripts). Export the figure as PNG. Accepted: ${accepted}.`);
    throw fail(`this is not a ${accepted} file (judged by its content, not its name).`);
  }
  if (!policy.allowed.includes(mediaType)) throw fail(`${typeNames[mediaType]} files are not accepted here. Accepted: ${accepted}.`);

  let parsed: { end: number; width: number | null; height: number | null; inflateCheck?: () => Promise<void> };
  try {
    parsed =
      mediaType === "image/png" ? parsePng(data) : mediaType === "image/jpeg" ? parseJpeg(data) : mediaType === "image/webp" ? parseWebp(data) : parsePdf(data);
  } catch (error) {
    if (error instanceof FormatError) throw fail(`the ${typeNames[mediaType]} file does not decode (${error.message}).`);
    throw error;
  }
  if (parsed.width !== null && parsed.height !== null) {
    const maxSide = policy.maxSide ?? DEFAULT_MAX_SIDE;
    const maxPixels = policy.maxPixels ?? DEFAULT_MAX_PIXELS;
    if (parsed.width > maxSide || parsed.height > maxSide || parsed.width * parsed.height > maxPixels)
      throw fail(
        `the image is ${parsed.width} × ${parsed.height} pixels; at most ${maxSide} pixels a side and ${(maxPixels / 1e6).toFixed(0)} megapixels are accepted.`,
      );
  }
  try {
    await parsed.inflateCheck?.();
  } catch (error) {
    if (error instanceof FormatError) throw fail(`the ${typeNames[mediaType]} file does not decode (${error.message}).`);
    throw error;
  }
  const bytes = Buffer.from(data.subarray(0, parsed.end));
  return {
    mediaType,
    bytes,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    width: parsed.width,
    height: parsed.height,
    strippedBytes: data.length - parsed.end,
  };
}

class FormatError extends Error {}

// ---------------------------------------------------------------------------------------------------------- PNG
// PNG specification (W3C, 3rd ed.), sections 5 (datastream), 11.2.2 (IHDR), 8.2 (Adam7 interlace).

const channelsByColorType: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const depthsByColorType: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

function parsePng(data: Buffer) {
  let offset = 8;
  let header: { width: number; height: number; bitDepth: number; colorType: number; interlace: number } | null = null;
  const idat: Buffer[] = [];
  for (;;) {
    if (offset + 12 > data.length) throw new FormatError("it ends before its IEND chunk");
    const length = data.readUInt32BE(offset);
    const type = data.toString("latin1", offset + 4, offset + 8);
    if (length > 0x7fffffff || offset + 12 + length > data.length) throw new FormatError(`chunk ${JSON.stringify(type)} runs past the end of the file`);
    const body = data.subarray(offset + 8, offset + 8 + length);
    const crc = data.readUInt32BE(offset + 8 + length);
    if (crc32(data.subarray(offset + 4, offset + 8 + length)) !== crc) throw new FormatError(`chunk ${JSON.stringify(type)} is damaged (CRC)`);
    if (!header) {
      if (type !== "IHDR" || length !== 13) throw new FormatError("it does not start with an IHDR chunk");
      header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), bitDepth: body[8]!, colorType: body[9]!, interlace: body[12]! };
      if (header.width === 0 || header.height === 0) throw new FormatError("its width or height is 0");
      if (!depthsByColorType[header.colorType]?.includes(header.bitDepth) || body[10] !== 0 || body[11] !== 0 || header.interlace > 1)
        throw new FormatError("its IHDR chunk is invalid");
    } else if (type === "IDAT") idat.push(body);
    offset += 12 + length;
    if (type === "IEND") break;
  }
  if (!header) throw new FormatError("it has no IHDR chunk");
  if (idat.length === 0) throw new FormatError("it has no image data");
  const { width, height, bitDepth, colorType, interlace } = header;
  const bitsPerPixel = channelsByColorType[colorType]! * bitDepth;
  const expected = inflatedSize(width, height, bitsPerPixel, interlace === 1);
  return { end: offset, width, height, inflateCheck: () => checkInflatedSize(Buffer.concat(idat), expected) };
}

/** Bytes of the filtered scanlines: each row is one filter byte + its packed pixels; Adam7 has seven sub-images. */
function inflatedSize(width: number, height: number, bitsPerPixel: number, interlaced: boolean): number {
  const rowBytes = (w: number) => 1 + Math.ceil((w * bitsPerPixel) / 8);
  if (!interlaced) return height * rowBytes(width);
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ] as const;
  let total = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil((width - x0) / dx);
    const h = Math.ceil((height - y0) / dy);
    if (w > 0 && h > 0) total += h * rowBytes(w);
  }
  return total;
}

/** Inflates the zlib stream, counting (not keeping) the output; stops as soon as it exceeds what the header promised. */
function checkInflatedSize(compressed: Buffer, expected: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const inflate = createInflate();
    let produced = 0;
    let settled = false;
    const finish = (error?: FormatError) => {
      if (settled) return;
      settled = true;
      if (error) {
        inflate.destroy();
        reject(error);
      } else resolve();
    };
    inflate.on("data", (chunk: Buffer) => {
      produced += chunk.length;
      if (produced > expected) finish(new FormatError("its image data is larger than its header says"));
    });
    inflate.on("error", () => finish(new FormatError("its compressed image data is damaged")));
    inflate.on("end", () => finish(produced === expected ? undefined : new FormatError("its image data is shorter than its header says")));
    inflate.end(compressed);
  });
}

// --------------------------------------------------------------------------------------------------------- JPEG
// ITU-T T.81 annex B: markers FFxx; SOFn gives the frame size; entropy-coded data after SOS until a marker.

function parseJpeg(data: Buffer) {
  let offset = 2;
  let size: { width: number; height: number } | null = null;
  let scanned = false;
  while (offset < data.length) {
    if (data[offset] !== 0xff) throw new FormatError("a marker is missing");
    while (data[offset] === 0xff) offset++; // fill bytes
    const marker = data[offset++];
    if (marker === undefined) break;
    if (marker === 0xd9) {
      if (!size || !scanned) throw new FormatError("it ends before its image data");
      return { end: offset, width: size.width, height: size.height };
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue;
    if (offset + 2 > data.length) break;
    const length = data.readUInt16BE(offset);
    if (length < 2 || offset + length > data.length) throw new FormatError("a segment runs past the end of the file");
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (length < 8) throw new FormatError("its frame header is too short");
      size = { height: data.readUInt16BE(offset + 3), width: data.readUInt16BE(offset + 5) };
      if (size.width === 0 || size.height === 0) throw new FormatError("its width or height is 0");
    }
    offset += length;
    if (marker === 0xda) {
      if (!size) throw new FormatError("its image data comes before its frame header");
      scanned = true;
      // Entropy-coded data: FF00 is a stuffed byte and FFD0–FFD7 are restart markers; any other FFxx ends it.
      while (offset + 1 < data.length && !(data[offset] === 0xff && data[offset + 1] !== 0x00 && !(data[offset + 1]! >= 0xd0 && data[offset + 1]! <= 0xd7))) offset++;
    }
  }
  throw new FormatError("it ends before its end-of-image marker");
}

// --------------------------------------------------------------------------------------------------------- WebP
// RIFF container (little endian); first chunk VP8 (lossy, RFC 6386 §9.1), VP8L (lossless) or VP8X (extended).

function parseWebp(data: Buffer) {
  const riffSize = data.readUInt32LE(4);
  const end = 8 + riffSize;
  if (riffSize < 4 + 8 || end > data.length) throw new FormatError("it is shorter than its RIFF header says");
  let offset = 12;
  let size: { width: number; height: number } | null = null;
  while (offset + 8 <= end) {
    const type = data.toString("latin1", offset, offset + 4);
    const length = data.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (body + length > end) throw new FormatError(`chunk ${JSON.stringify(type)} runs past the end of the image`);
    if (!size) {
      if (type === "VP8 " && length >= 10 && data[body + 3] === 0x9d && data[body + 4] === 0x01 && data[body + 5] === 0x2a)
        size = { width: data.readUInt16LE(body + 6) & 0x3fff, height: data.readUInt16LE(body + 8) & 0x3fff };
      else if (type === "VP8L" && length >= 5 && data[body] === 0x2f) {
        const bits = data.readUInt32LE(body + 1);
        size = { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
      } else if (type === "VP8X" && length >= 10) size = { width: data.readUIntLE(body + 4, 3) + 1, height: data.readUIntLE(body + 7, 3) + 1 };
      else throw new FormatError("its first chunk is not an image header");
      if (size.width === 0 || size.height === 0) throw new FormatError("its width or height is 0");
    }
    offset = body + length + (length % 2); // chunks are padded to an even length
  }
  if (!size) throw new FormatError("it has no image chunk");
  return { end: end + (riffSize % 2), width: size.width, height: size.height };
}

// ---------------------------------------------------------------------------------------------------------- PDF
// ISO 32000: a file ends with "%%EOF" (incremental updates append more, each ending with one). Kept up to the last.

function parsePdf(data: Buffer) {
  const tail = data.subarray(Math.max(0, data.length - 2048));
  const at = tail.lastIndexOf("%%EOF");
  if (at < 0) throw new FormatError("it has no end-of-file marker; it may be truncated");
  let end = data.length - tail.length + at + 5;
  while (end < data.length && (data[end] === 0x0d || data[end] === 0x0a)) end++;
  return { end, width: null, height: null };
}
