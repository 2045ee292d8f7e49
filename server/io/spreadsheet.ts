import "server-only";
import * as XLSX from "@e965/xlsx";
import { Unzip, UnzipInflate, zipSync } from "fflate";
import Papa from "papaparse";
import { AppError } from "@/server/errors";

/**
 * Reading and writing spreadsheets (CSV and XLSX) safely. SheetJS (`@e965/xlsx`, the fixed 0.20.3) reads and writes
 * XLSX; papaparse reads CSV with any delimiter and quoted newlines and writes RFC 4180; fflate unzips an XLSX with a
 * byte budget before SheetJS sees it, so that a zip bomb is refused instead of filling the memory.
 */

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_ROWS = 50_000;
/** What an XLSX may unpack to: a 50 000-row sheet is about 25 MB of XML; anything far above is not a spreadsheet. */
export const MAX_UNZIPPED_BYTES = 120 * 1024 * 1024;

export type Cell = string | number | boolean | null;
/** One data row: its number as the person sees it in their spreadsheet (header = row 1), and its cells. */
export type Row = { line: number; cells: Cell[]; formulas?: (string | null)[] };
export type Sheet = { name: string; header: string[]; rows: Row[] };

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const fileProblem = (message: string) => new AppError("invalid", `File: ${message}`, "file");

export function assertFileSize(bytes: number): void {
  if (bytes > MAX_FILE_BYTES) throw fileProblem(`is ${mb(bytes)}; at most 10 MB can be imported at once. Split it into smaller files.`);
  if (bytes === 0) throw fileProblem("is empty.");
}

export const isZip = (bytes: Uint8Array) => bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;

/**
 * Unzips within a budget: the declared sizes are checked first, then the inflated bytes are counted as they come
 * (the declared sizes of a crafted file can lie), feeding the inflater small pieces so that no single step can
 * produce more than a few megabytes.
 */
export function unzipBounded(bytes: Uint8Array, budget = MAX_UNZIPPED_BYTES): Map<string, Uint8Array> {
  const chunks = new Map<string, Uint8Array[]>();
  let total = 0;
  let failure: AppError | null = null;
  const tooBig = () => fileProblem(`unpacks to more than ${mb(budget)}: it is not a spreadsheet this app can read (possibly a zip bomb).`);
  const unzip = new Unzip((file) => {
    if (failure) return;
    if ((file.originalSize ?? 0) > budget) {
      failure = tooBig();
      return;
    }
    const parts: Uint8Array[] = [];
    chunks.set(file.name, parts);
    file.ondata = (error, data) => {
      if (failure) return;
      if (error) {
        failure = fileProblem(`is not a readable XLSX (${error.message}).`);
        return;
      }
      total += data.length;
      if (total > budget) {
        failure = tooBig();
        return;
      }
      parts.push(data);
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  const step = 16 * 1024;
  try {
    for (let offset = 0; offset < bytes.length && !failure; offset += step) unzip.push(bytes.subarray(offset, Math.min(bytes.length, offset + step)), offset + step >= bytes.length);
  } catch (error) {
    failure ??= fileProblem(`is not a readable XLSX (${error instanceof Error ? error.message : String(error)}).`);
  }
  if (failure) throw failure;
  const files = new Map<string, Uint8Array>();
  for (const [name, parts] of chunks) {
    const size = parts.reduce((n, p) => n + p.length, 0);
    const joined = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    files.set(name, joined);
  }
  return files;
}

/** Text of an uploaded CSV: UTF-8 (a BOM is dropped), or Windows-1252 when it is not valid UTF-8 (Excel's "CSV"). */
export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder("windows-1252").decode(bytes);
  }
}

/** Text a spreadsheet would run as a formula; `'` in front makes it text (OWASP CSV injection). */
const FORMULA_START = /^'*[=+\-@\t\r\n]/;
export const escapeFormula = (text: string) => (FORMULA_START.test(text) ? `'${text}` : text);
/** Undoes `escapeFormula` (one apostrophe before a formula character), so exported text comes back as it was. */
export const unescapeFormula = (text: string) => (/^'+[=+\-@\t\r\n]/.test(text) ? text.slice(1) : text);
/**
 * A cell that would act as a formula if this file were opened in a spreadsheet (=…, or +, -, @ with a function
 * call or DDE link), as opposed to a negative number or a dash. Imports refuse these rather than store them.
 */
export const looksLikeFormula = (text: string) => /^\s*=/.test(text) || /^\s*[+\-@].*[(!|]/.test(text);

function checkRowCount(count: number): void {
  if (count > MAX_ROWS) throw fileProblem(`has ${count.toLocaleString("en")} data rows; at most ${MAX_ROWS.toLocaleString("en")} can be imported at once. Split it.`);
}

const cleanHeader = (h: unknown) => unescapeFormula(String(h ?? "").replace(/^\ufeff/, "").trim());

/** Reads a CSV (delimiter detected among , ; tab |, quoted fields may hold newlines) into one sheet. */
export function readCsv(text: string, name = "CSV"): Sheet {
  const body = text.replace(/^\ufeff/, "");
  const parsed = Papa.parse<string[]>(body, { delimiter: guessDelimiter(body), skipEmptyLines: false, preview: MAX_ROWS + 1000 });
  const unclosed = parsed.errors.find((e) => e.code === "MissingQuotes");
  if (unclosed) throw fileProblem(`a quote opened near record ${(unclosed.row ?? 0) + 1} is never closed.`);
  // Records, not lines: a quoted newline spans lines, and blank lines are records of one empty cell. Row numbers
  // are the line a spreadsheet shows, so count the lines each record spans.
  let line = 0;
  let header: string[] | null = null;
  const rows: Row[] = [];
  for (const record of parsed.data) {
    line += 1;
    const start = line;
    line += newlines(record);
    if (record.every((c) => c.trim() === "")) continue;
    if (!header) {
      header = record.map(cleanHeader);
      continue;
    }
    rows.push({ line: start, cells: record.map((c) => (c === "" ? null : c)) });
    if (rows.length > MAX_ROWS) checkRowCount(rows.length);
  }
  if (!header) throw fileProblem("has no header row.");
  return { name, header, rows };
}

/**
 * The delimiter is the one of , ; tab | that occurs most often in the header row outside quotes (headers seldom hold
 * quotes; data rows often do, e.g. "Li, W; Chen, H"). With none of them, papaparse guesses from the data.
 */
function guessDelimiter(text: string): string {
  const headerLine = text.split(/\r?\n/, 1)[0] ?? "";
  const outsideQuotes = headerLine.replace(/"[^"]*"/g, "");
  const counts = [",", ";", "\t", "|"].map((d) => [d, outsideQuotes.split(d).length - 1] as const);
  const [best] = [...counts].sort((a, b) => b[1] - a[1]);
  return best && best[1] > 0 ? best[0] : "";
}

const newlines = (cells: string[]) => cells.reduce((n, c) => n + (c.match(/\r\n|\r|\n/g)?.length ?? 0), 0);

/** Reads every sheet of an XLSX workbook, unzipped by `unzipBounded` (the zip-bomb check); formulas are noted. */
export function readXlsx(files: Map<string, Uint8Array>): Sheet[] {
  if (![...files.keys()].some((n) => n.startsWith("xl/"))) throw fileProblem("is a zip archive but not an XLSX workbook.");
  // Re-packed without compression: SheetJS then reads exactly the bytes that were counted above.
  const stored = zipSync(Object.fromEntries(files), { level: 0 });
  let workbook: XLSX.WorkBook;
  try {
    workbook = XLSX.read(stored, { type: "array", dense: true, cellFormula: true, cellHTML: false, cellText: false, sheetRows: MAX_ROWS + 2 });
  } catch (error) {
    throw fileProblem(`is not a readable XLSX (${error instanceof Error ? error.message : String(error)}).`);
  }
  return workbook.SheetNames.map((name) => {
    const sheet = workbook.Sheets[name]!;
    const full = sheet["!fullref"] ?? sheet["!ref"];
    if (full) checkRowCount(XLSX.utils.decode_range(full).e.r);
    const dense = (sheet["!data"] ?? []) as (XLSX.CellObject | undefined)[][];
    const width = full ? XLSX.utils.decode_range(full).e.c + 1 : 0;
    const cellsOf = (r: number) => Array.from({ length: width }, (_, c) => dense[r]?.[c]);
    const value = (cell: XLSX.CellObject | undefined): Cell => {
      if (!cell || cell.v === undefined || cell.v === null) return null;
      if (cell.t === "n" || cell.t === "b") return cell.v as number | boolean;
      if (cell.t === "e") return null;
      const text = String(cell.v);
      return text === "" ? null : text;
    };
    const header = cellsOf(0).map((c) => cleanHeader(value(c)));
    const rows: Row[] = [];
    for (let r = 1; r < dense.length; r++) {
      const cells = cellsOf(r);
      if (cells.every((c) => value(c) === null)) continue;
      const formulas = cells.map((c) => (c?.f ? `=${c.f}` : null));
      rows.push({ line: r + 1, cells: cells.map(value), ...(formulas.some(Boolean) ? { formulas } : {}) });
    }
    return { name, header, rows };
  });
}

export type OutCell = string | number | boolean | null | undefined;
export type OutSheet = { name: string; header: readonly string[]; rows: readonly (readonly OutCell[])[] };

/** A cell as written: numbers stay numbers (empty when not finite), booleans read yes/no, text is formula-escaped. */
function outValue(value: OutCell): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "boolean") return value ? "yes" : "no";
  return escapeFormula(value);
}

/** RFC 4180 CSV (CRLF, quotes doubled, fields quoted when needed) with a UTF-8 BOM so that Excel reads accents. */
export function writeCsv(sheet: Pick<OutSheet, "header" | "rows">): string {
  const data = [sheet.header.map((h) => escapeFormula(h)), ...sheet.rows.map((row) => row.map(outValue))];
  return `\ufeff${Papa.unparse(data, { newline: "\r\n", quotes: false, escapeFormulae: false })}\r\n`;
}

/** An XLSX workbook with one sheet per table; text cells formula-escaped as in CSV (ASVS 5.0 applies it to XLSX too). */
export function writeXlsx(sheets: readonly OutSheet[]): Buffer {
  const workbook = XLSX.utils.book_new();
  for (const sheet of sheets) {
    const data = [sheet.header.map((h) => escapeFormula(h)), ...sheet.rows.map((row) => row.map(outValue))];
    const ws = XLSX.utils.aoa_to_sheet(data);
    ws["!cols"] = sheet.header.map((h) => ({ wch: Math.min(40, Math.max(10, h.length + 2)) }));
    XLSX.utils.book_append_sheet(workbook, ws, sheet.name.slice(0, 31));
  }
  return XLSX.write(workbook, { type: "buffer", bookType: "xlsx", compression: true }) as Buffer;
}
