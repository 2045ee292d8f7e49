/**
 * What a file is, by its first bytes (PURE: the upload page checks a chosen file before reading it, the server
 * checks it again with the full structural walk in server/services/file-content.ts).
 */
export type SniffedType = "image/png" | "image/jpeg" | "image/webp" | "application/pdf";

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0) => prefix.every((b, i) => bytes[at + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

export function sniffMediaType(bytes: Uint8Array): SniffedType | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "image/webp";
  if (startsWith(bytes, ascii("%PDF-"))) return "application/pdf";
  return null;
}

/** An SVG (text starting with "<" that has an <svg element near the top): refused, it can carry scripts. */
export function looksLikeSvg(bytes: Uint8Array): boolean {
  const head = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, 4096)).replace(/^\uFEFF/, "").trimStart().toLowerCase();
  return head.startsWith("<") && head.includes("<svg");
}
