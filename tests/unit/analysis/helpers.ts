/**
 * Shared by the analysis unit tests: the R metafor reference datasets (../shared/reference, relative to the project
 * root) and the comparison rules of check.mjs.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { analyze, parseAnalysisRequest, type AnalysisRequest, type AnalysisResult } from "@/server/analysis";

export const REFERENCE_DIR = resolve(process.cwd(), "../shared/reference");

export interface ReferenceCase {
  request: Record<string, unknown>;
  expected: Record<string, unknown>;
  /** make_more.R, one-moderator models: metafor predict(res, newmods = xs). */
  line?: { moderator: string; xs: number[]; fit: number[]; se: number[]; ciLower: number[]; ciUpper: number[] };
}

export interface ReferenceDataset {
  name: string;
  studies: unknown[];
  cases: ReferenceCase[];
}

/** The preclinical-convention references of the contract (make_preclinical.R). */
export const PRECLINICAL_REFERENCE_DIR = join(REFERENCE_DIR, "preclinical");
/** This project's own metafor references for the preclinical conventions (tests/fixtures/preclinical/make_more.R). */
export const MORE_PRECLINICAL_DIR = resolve(process.cwd(), "tests/fixtures/preclinical");

/** Every <name>.input.json with its <name>.expected.json in `dir`; throws when the directory is missing. */
export function loadReferences(dir = REFERENCE_DIR): ReferenceDataset[] {
  if (!existsSync(dir)) throw new Error(`reference directory not found: ${dir}`);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".expected.json"))
    .sort()
    .map((f) => {
      const name = f.replace(/\.expected\.json$/, "");
      const input = JSON.parse(readFileSync(join(dir, `${name}.input.json`), "utf8"));
      const ref = JSON.parse(readFileSync(join(dir, f), "utf8"));
      return { name, studies: input.studies, cases: ref.cases };
    });
}

export function loadReference(name: string, dir = REFERENCE_DIR): ReferenceDataset {
  const found = loadReferences(dir).find((d) => d.name === name);
  if (!found) throw new Error(`no reference dataset ${name}`);
  return found;
}

/** Parses (as the CLI does) and analyses; throws on an invalid request. */
export function run(request: unknown): AnalysisResult {
  const parsed = parseAnalysisRequest(request);
  if (!parsed.success) throw new Error(parsed.error.text);
  return analyze(parsed.data);
}

export function parse(request: unknown): AnalysisRequest {
  const parsed = parseAnalysisRequest(request);
  if (!parsed.success) throw new Error(parsed.error.text);
  return parsed.data;
}

const RTOL = 1e-6;
const ATOL = 1e-9;
const EXACT = new Set(["k0", "side", "k", "id", "name", "df"]);

/**
 * check.mjs's rules: |a - e| <= 1e-9 + 1e-6·|e|; k0, side, k, id, name and df exactly; null in the reference
 * means null or absent; fields absent from the reference are not checked. Returns the differences found.
 */
export function compareWithReference(expected: unknown, actual: unknown, path = "", out: string[] = []): string[] {
  if (expected === null || expected === undefined) {
    if (actual !== null && actual !== undefined && typeof actual !== "object") out.push(`${path}: expected null, got ${JSON.stringify(actual)}`);
    else if (actual && typeof actual === "object" && !Array.isArray(actual) && Object.keys(actual).length)
      out.push(`${path}: expected null, got an object`);
    return out;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) out.push(`${path}: expected an array of ${expected.length}`);
    else if (actual.length !== expected.length) out.push(`${path}: expected ${expected.length} items, got ${actual.length}`);
    else expected.forEach((e, i) => compareWithReference(e, actual[i], `${path}[${e?.id ?? e?.name ?? i}]`, out));
    return out;
  }
  if (typeof expected === "object") {
    if (!actual || typeof actual !== "object") out.push(`${path}: missing`);
    else for (const [key, e] of Object.entries(expected)) compareWithReference(e, (actual as Record<string, unknown>)[key], `${path}.${key}`, out);
    return out;
  }
  const key = path.split(".").pop() ?? "";
  if (typeof expected === "number" && !EXACT.has(key)) {
    if (typeof actual !== "number" || !Number.isFinite(actual)) out.push(`${path}: expected ${expected}, got ${JSON.stringify(actual)}`);
    else if (Math.abs(actual - expected) > ATOL + RTOL * Math.abs(expected)) out.push(`${path}: expected ${expected}, got ${actual}`);
    return out;
  }
  if (actual !== expected) out.push(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  return out;
}

/** Calls `visit` with the path and value of every number, null and undefined leaf of a result. */
export function walkLeaves(value: unknown, visit: (path: string, leaf: unknown) => void, path = ""): void {
  if (Array.isArray(value)) value.forEach((item, i) => walkLeaves(item, visit, `${path}[${i}]`));
  else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) walkLeaves(item, visit, path ? `${path}.${key}` : key);
  } else visit(path, value);
}
