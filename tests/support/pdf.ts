/**
 * A minimal PDF writer for the browser tests: pages of vector drawing operators (and optional JavaScript that a
 * safe viewer must ignore). Coordinates are PDF points from the bottom left, as in the PDF itself.
 */
export type PdfPage = { width: number; height: number; content: string };

export function makePdf(pages: PdfPage[], options: { javascript?: string } = {}): Buffer {
  const objects: string[] = [];
  const add = (body: string) => objects.push(body) - 1 + 1; // object number (1-based)
  const catalog = add(""); // filled below
  const pagesObj = add("");
  const font = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  const pageIds = pages.map((p) => {
    const stream = add(`<< /Length ${Buffer.byteLength(p.content, "latin1")} >>\nstream\n${p.content}\nendstream`);
    return add(`<< /Type /Page /Parent ${pagesObj} 0 R /MediaBox [0 0 ${p.width} ${p.height}] /Contents ${stream} 0 R /Resources << /Font << /F1 ${font} 0 R >> >> >>`);
  });
  const js = options.javascript ? add(`<< /S /JavaScript /JS (${options.javascript.replace(/[()\\]/g, (c) => `\\${c}`)}) >>`) : null;
  const names = js ? add(`<< /Names [(open) ${js} 0 R] >>`) : null;
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pagesObj} 0 R${js ? ` /OpenAction ${js} 0 R /Names << /JavaScript ${names} 0 R >>` : ""} >>`;
  objects[pagesObj - 1] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${pageIds.length} >>`;
  let out = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, "latin1"));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, "latin1");
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}
