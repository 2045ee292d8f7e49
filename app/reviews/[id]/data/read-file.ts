/** The most an import takes (the server checks again): said before uploading anything bigger. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export type Upload = { name: string; base64: string };

/** Reads a chosen file as base64 for the JSON upload, or explains why it will not be sent. */
export async function readUpload(file: File): Promise<Upload> {
  if (file.size > MAX_UPLOAD_BYTES) throw new Error(`File: ${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; at most 10 MB can be imported at once. Split it into smaller files.`);
  if (file.size === 0) throw new Error(`File: ${file.name} is empty.`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { name: file.name, base64: btoa(binary) };
}
