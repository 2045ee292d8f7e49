/**
 * The command line exactly as the contract runs it: `npm run --silent analyze -- REQUEST.json`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadReference, PRECLINICAL_REFERENCE_DIR } from "./helpers";

const dir = mkdtempSync(join(tmpdir(), "analyze-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs the CLI on a file holding `content` (none when null). `viaNpm` runs the contract's exact command; the other
 * cases start the same script with `node --import tsx`, which skips npm's start-up time.
 */
function cli(name: string, content: string | null, viaNpm = false) {
  const file = join(dir, name);
  if (content !== null) writeFileSync(file, content);
  const [command, args] = viaNpm
    ? ["npm", ["run", "--silent", "analyze", "--", file]]
    : [process.execPath, ["--import", "tsx", "server/cli/analyze.ts", file]];
  const r = spawnSync(command, args, { cwd: process.cwd(), encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderrLines: r.stderr.split("\n").filter(Boolean) };
}

const studies = loadReference("edge_k2").studies;

describe("analyze CLI", { timeout: 60_000 }, () => {
  it("an array of requests gives an array of results in the same order", () => {
    const requests = [
      { measure: "MD", model: "fixed", ciMethod: "z", level: 0.95, studies },
      { measure: "SMD", model: "random", tau2Method: "DL", ciMethod: "hk", level: 0.99, studies },
    ];
    const r = cli("good.json", JSON.stringify(requests), true);
    expect(r.stderrLines).toEqual([]);
    expect(r.status).toBe(0);
    const results = JSON.parse(r.stdout);
    expect(results).toHaveLength(2);
    // R metafor (edge_k2 reference): fixed MD estimate 0.843624490134297; random SMD/DL/hk has df = 1.
    expect(results[0].pooled.estimate).toBeCloseTo(0.843624490134297, 9);
    expect(results[1].pooled.df).toBe(1);
  });

  it("a single request gives a single result", () => {
    const r = cli("one.json", JSON.stringify({ measure: "MD", model: "random", studies }));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).k).toBe(2);
  });

  it("an invalid request: exit code 1 and one stderr line naming the field, prefixed with its index", () => {
    const requests = [
      { measure: "MD", model: "fixed", studies },
      { measure: "MD", model: "fixed", studies },
      { measure: "MD", model: "fixed", level: 1.5, studies },
    ];
    const r = cli("bad-level.json", JSON.stringify(requests), true);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderrLines).toEqual(["[2].level: must be between 0 and 1"]);
  });

  it("a wrong type deep inside a study is named by its path", () => {
    const r = cli("bad-sd.json", JSON.stringify({ measure: "MD", model: "fixed", studies: [{ id: "a", m1: 1, sd1: "1.2", n1: 5 }] }));
    expect(r.status).toBe(1);
    expect(r.stderrLines).toEqual(["studies[0].sd1: must be a number or null (got string)"]);
  });

  it("an unreadable file or invalid JSON: exit code 1 and one clear line", () => {
    const missing = cli("does-not-exist.json", null);
    expect(missing.status).toBe(1);
    expect(missing.stderrLines).toHaveLength(1);
    expect(missing.stderrLines[0]).toMatch(/^cannot read .*does-not-exist\.json: ENOENT$/);
    const invalid = cli("invalid.json", "{ not json");
    expect(invalid.status).toBe(1);
    expect(invalid.stderrLines).toHaveLength(1);
    expect(invalid.stderrLines[0]).toMatch(/invalid\.json is not valid JSON/);
  });

  it("accepts the preclinical fields: NMD, shared controls, moderators → metaRegression (metafor reference values)", () => {
    const { studies: multiarm, cases } = loadReference("pre_bbb_multiarm", PRECLINICAL_REFERENCE_DIR);
    const request = { measure: "NMD", model: "random", tau2Method: "REML", ciMethod: "z", level: 0.95, moderators: ["dose"], studies: multiarm };
    const r = cli("preclinical.json", JSON.stringify(request));
    expect(r.stderrLines).toEqual([]);
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout);
    const reference = cases.find((c) => c.request.measure === "NMD" && c.request.tau2Method === "REML" && c.request.ciMethod === "z" && Array.isArray(c.request.moderators));
    const mr = reference!.expected.metaRegression as { coefficients: { estimate: number }[]; QM: number };
    expect(result.metaRegression.coefficients[1].estimate).toBeCloseTo(mr.coefficients[1]!.estimate, 9);
    expect(result.metaRegression.QM).toBeCloseTo(mr.QM, 9);
    expect(result.studies.some((s: { sharedControl?: unknown }) => s.sharedControl)).toBe(true);
  });

  it("a wrong preclinical field is named by its path", () => {
    const bad = { measure: "NMD", model: "fixed", studies: [0, 1, 2].map((i) => ({ id: `s${i}`, m1: 5, sd1: 1, n1: 5, m2: 3, sd2: 1, n2: 5, mSham: i === 2 ? "21" : 21 })) };
    const r = cli("bad-sham.json", JSON.stringify(bad));
    expect(r.status).toBe(1);
    expect(r.stderrLines).toEqual(["studies[2].mSham: must be a number or null (got string)"]);
    const dup = cli("bad-moderators.json", JSON.stringify({ ...bad, studies: [], moderators: ["dose", "dose"] }));
    expect(dup.stderrLines).toEqual(['moderators[1]: "dose" is listed twice']);
  });
});
