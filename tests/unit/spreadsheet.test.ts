import * as XLSX from "@e965/xlsx";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { escapeFormula, looksLikeFormula, readCsv, readXlsx, unescapeFormula, unzipBounded, writeCsv, writeXlsx } from "@/server/io/spreadsheet";

const dangerous = ["=1+2", "+SUM(A1)", "-2+3+cmd|' /C calc'!A0", "@SUM(1)", "\tindent", "\rreturn", "\nnewline", "'=already escaped"];

describe("formula escaping (OWASP CSV injection)", () => {
  it("prefixes every text cell that starts with = + - @ tab CR LF, and undoes exactly that when reading", () => {
    for (const text of dangerous) {
      const escaped = escapeFormula(text);
      expect(escaped.startsWith("'")).toBe(true);
      expect(unescapeFormula(escaped)).toBe(text);
    }
    for (const text of ["plain", "Smith et al.", "10.1016/x", "", "'quoted but harmless"]) {
      expect(escapeFormula(text)).toBe(text);
      expect(unescapeFormula(text)).toBe(text);
    }
  });

  it("tells formulas from negative numbers and dashes", () => {
    expect(["=A1", " =1", "+cmd|x", "@SUM(1)", "-2+3+cmd|' /C calc'!A0"].every(looksLikeFormula)).toBe(true);
    expect(["-1.5", "-", "- none", "+5", "@home"].some(looksLikeFormula)).toBe(false);
  });

  it("writes RFC 4180 CSV: numbers as numbers, text escaped and quoted when needed", () => {
    const csv = writeCsv({ header: ["Name", "Value"], rows: [["=1+2", -1.5], ['say "hi", then\nleave', 3], [null, Number.NaN], [true, 0]] });
    expect(csv.startsWith("\ufeff")).toBe(true);
    expect(csv).toContain("'=1+2,-1.5\r\n");
    expect(csv).toContain('"say ""hi"", then\nleave",3\r\n');
    expect(csv).toContain(",\r\n"); // NaN is written as an empty cell, never "NaN"
    expect(csv).not.toMatch(/NaN|Infinity|undefined/);
    const parsed = Papa.parse<string[]>(csv.slice(1), { skipEmptyLines: true }).data;
    expect(parsed[2]).toEqual(['say "hi", then\nleave', "3"]);
    const read = readCsv(csv);
    // Line numbers as a spreadsheet shows them: the quoted line break counts, the all-empty row is skipped.
    expect(read.rows.map((r) => r.line)).toEqual([2, 3, 6]);
  });

  it("writes XLSX with numeric cells for numbers and escaped text cells, readable back", () => {
    const buffer = writeXlsx([{ name: "Sheet", header: ["Text", "Number"], rows: dangerous.map((d, i) => [d, -i - 0.5]) }]);
    const book = XLSX.read(buffer, { type: "buffer" });
    const sheet = book.Sheets.Sheet!;
    expect(sheet.A2).toMatchObject({ t: "s", v: "'=1+2" });
    expect(sheet.B2).toMatchObject({ t: "n", v: -0.5 });
    expect(Object.values(sheet).some((c) => typeof c === "object" && c !== null && "f" in c)).toBe(false);
    const [back] = readXlsx(unzipBounded(new Uint8Array(buffer)));
    expect(back!.rows.map((r) => unescapeFormula(String(r.cells[0])))).toEqual(dangerous);
    expect(back!.rows.map((r) => r.cells[1])).toEqual(dangerous.map((_, i) => -i - 0.5));
  });
});
