/**
 * Headless analysis: `npm run --silent analyze -- REQUEST.json`.
 * REQUEST.json holds one request or an array of them; stdout gets one JSON result or an array in the same order.
 * Any problem (unreadable file, invalid JSON, an invalid request) exits with code 1 and one line on stderr that
 * names the field, e.g. `[2].level: must be between 0 and 1`.
 */
import { readFileSync } from "node:fs";
import { analyze, parseAnalysisRequest, type AnalysisRequest } from "../analysis";

class InputError extends Error {}

function readRequests(file: string | undefined): { requests: AnalysisRequest[]; batch: boolean } {
  if (!file) throw new InputError("usage: npm run --silent analyze -- REQUEST.json");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new InputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file} is not valid JSON: ${(err as Error).message.split("\n")[0]}`);
  }
  const batch = Array.isArray(json);
  const items: unknown[] = batch ? (json as unknown[]) : [json];
  const requests = items.map((item, i) => {
    const parsed = parseAnalysisRequest(item, batch ? `[${i}]` : "");
    if (!parsed.success) throw new InputError(parsed.error.text);
    return parsed.data;
  });
  return { requests, batch };
}

function main(): number {
  try {
    const { requests, batch } = readRequests(process.argv[2]);
    const results = requests.map(analyze);
    process.stdout.write(`${JSON.stringify(batch ? results : results[0])}\n`);
    return 0;
  } catch (err) {
    const message = err instanceof InputError ? err.message : `analysis failed: ${(err as Error).message}`;
    process.stderr.write(`${message.replace(/\s*\n\s*/g, " ")}\n`);
    return 1;
  }
}

process.exitCode = main();
