import { crc32, deflateSync } from "node:zlib";

/** Hand-made image files for the upload tests (no image library: the bytes are exactly what each test needs). */

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ihdr(width: number, height: number): Buffer {
  const body = Buffer.alloc(13);
  body.writeUInt32BE(width, 0);
  body.writeUInt32BE(height, 4);
  body[8] = 8; // bit depth
  body[9] = 2; // RGB
  return chunk("IHDR", body);
}

/** A white RGB PNG of the given size. */
export function whitePng(width: number, height: number): Buffer {
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0xff)]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([SIGNATURE, ihdr(width, height), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

/** A PNG whose header claims `width`×`height` but carries only a tiny compressed stream (a decompression bomb's header). */
export function pngClaiming(width: number, height: number, rawBytes: number): Buffer {
  return Buffer.concat([SIGNATURE, ihdr(width, height), chunk("IDAT", deflateSync(Buffer.alloc(rawBytes))), chunk("IEND", Buffer.alloc(0))]);
}

/** A structurally valid baseline JPEG skeleton: SOI, SOF0 (size), SOS with a few entropy bytes (one stuffed FF00), EOI. */
export function jpegSkeleton(width: number, height: number, { end = true }: { end?: boolean } = {}): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x0b, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x01, 0x01, 0x11, 0x00]);
  const sos = Buffer.from([0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00]);
  const entropy = Buffer.from([0x12, 0x34, 0xff, 0x00, 0x56]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof, sos, entropy, end ? Buffer.from([0xff, 0xd9]) : Buffer.alloc(0)]);
}

/** A lossless WebP header (VP8L) of the given size; the bitstream after the header is filler. */
export function webpSkeleton(width: number, height: number): Buffer {
  const vp8l = Buffer.alloc(10);
  vp8l[0] = 0x2f;
  vp8l.writeUInt32LE(((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14), 1);
  const chunkHead = Buffer.alloc(8);
  chunkHead.write("VP8L", 0, "latin1");
  chunkHead.writeUInt32LE(vp8l.length, 4);
  const body = Buffer.concat([Buffer.from("WEBP", "latin1"), chunkHead, vp8l]);
  const riff = Buffer.alloc(8);
  riff.write("RIFF", 0, "latin1");
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

export const svgWithScript = Buffer.from(
  `<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><script>fetch("/steal?c="+document.cookie)</script><rect width="100" height="100"/></svg>`,
);
