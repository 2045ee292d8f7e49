import { describe, expect, it } from "vitest";
import { looksLikeSvg, sniffMediaType } from "@/server/digitiser/media-type";

const bytes = (...values: (number | string)[]) =>
  new Uint8Array(values.flatMap((v) => (typeof v === "string" ? [...v].map((c) => c.charCodeAt(0)) : [v])));

describe("sniffing a file's type by its first bytes", () => {
  it("knows PNG, JPEG, WebP and PDF by their signatures, whatever the name", () => {
    expect(sniffMediaType(bytes(0x89, "PNG", 0x0d, 0x0a, 0x1a, 0x0a, 0, 0))).toBe("image/png");
    expect(sniffMediaType(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe("image/jpeg");
    expect(sniffMediaType(bytes("RIFF", 0, 0, 0, 0, "WEBP"))).toBe("image/webp");
    expect(sniffMediaType(bytes("%PDF-1.7"))).toBe("application/pdf");
  });
  it("refuses near misses: a RIFF that is not WebP, a truncated PNG signature, text", () => {
    expect(sniffMediaType(bytes("RIFF", 0, 0, 0, 0, "WAVE"))).toBeNull();
    expect(sniffMediaType(bytes(0x89, "PNG"))).toBeNull();
    expect(sniffMediaType(bytes("GIF89a"))).toBeNull();
    expect(sniffMediaType(new Uint8Array())).toBeNull();
  });
  it("recognises an SVG, with or without XML declaration, BOM or leading space", () => {
    expect(looksLikeSvg(bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe(true);
    expect(looksLikeSvg(bytes(0xef, 0xbb, 0xbf, '  <?xml version="1.0"?><SVG></SVG>'))).toBe(true);
    expect(looksLikeSvg(bytes("<html><body>no vector here</body></html>"))).toBe(false);
    expect(looksLikeSvg(bytes("plain text <svg>"))).toBe(false);
  });
});
