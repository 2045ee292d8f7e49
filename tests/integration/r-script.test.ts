import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, demoReviewId, freshDb, type TestDb } from "../support/test-db";

/**
 * The exported R script of each saved analysis, run by Rscript with metafor (Debian's r-cran-metafor, installed by
 * .ci/run), prints the same pooled estimate, CI, τ², I², prediction interval and Egger p as the engine.
 */
let t: TestDb;
let reviewId: number;
let dir: string;
beforeAll(async () => {
  t = await freshDb();
  reviewId = demoReviewId(t.db);
  dir = mkdtempSync(join(tmpdir(), "r-script-"));
  // Beside the demo's three fixed-effect analyses: a random-effects one with Hartung-Knapp, a 90% level and
  // subgroups, and an SMD one chosen by the I²/Q rule, so that τ², its interval and the prediction interval are checked.
  const lead = callerFor(t.db, "lead");
  // A study label that would break out of an R string or comment if it were pasted in unescaped.
  t.db.$client.prepare("update studies set author = ? where review_id = ? and position = 1").run('O"Brien\\"); system("touch pwned"); #', reviewId);
  const [first] = await lead.analyses.list({ reviewId });
  await lead.analyses.create({ reviewId, title: "Random, HK, 90%, by source", settings: { ...first!.settings, model: "random", tau2Method: "REML", ciMethod: "hk", level: 0.9, timepoint: "last", subgroupField: (await lead.analyses.list({ reviewId }))[2]!.settings.subgroupField } });
  await lead.analyses.create({ reviewId, title: "SMD, auto model, DL", settings: { ...first!.settings, measure: "SMD", model: "auto", tau2Method: "DL", timepoint: "first" } });
}, 60_000);
afterAll(() => {
  t.close();
  rmSync(dir, { recursive: true, force: true });
});

function numbersPrinted(output: string): Record<string, number | null> {
  const block = output.split("== Workbench numbers ==")[1];
  if (!block) throw new Error(`The script printed no numbers block:\n${output.slice(-2000)}`);
  const numbers: Record<string, number | null> = {};
  for (const line of block.trim().split("\n")) {
    const [name, value] = line.trim().split(/\s+/);
    if (name) numbers[name] = value === "NA" ? null : Number(value);
  }
  return numbers;
}

const close = (actual: number | null | undefined, expected: number | null | undefined) => {
  if (expected === null || expected === undefined) return actual === null;
  return actual !== null && actual !== undefined && Math.abs(actual - expected) <= 1e-6 * Math.max(1, Math.abs(expected));
};

describe("reproducible R script", () => {
  it("runs in R with metafor for every saved analysis and prints the engine's numbers", async () => {
    const viewer = callerFor(t.db, "reviewer2");
    const analyses = await viewer.analyses.list({ reviewId });
    expect(analyses.length).toBe(5);
    for (const analysis of analyses) {
      const script = await viewer.dataIo.download({ reviewId, file: "analysis.R", analysisId: analysis.id });
      expect(script.filename).toBe(`analysis-${analysis.number}.R`);
      const file = join(dir, script.filename);
      writeFileSync(file, script.content);
      const output = execFileSync("Rscript", [file], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
      const r = numbersPrinted(output);
      const { result } = await viewer.analysis.run({ reviewId, settings: analysis.settings });
      const expected: Record<string, number | null | undefined> = {
        k: result.k,
        estimate: result.pooled?.estimate,
        "ci.lb": result.pooled?.ciLower,
        "ci.ub": result.pooled?.ciUpper,
        se: result.pooled?.se,
        pval: result.pooled?.pValue,
        Q: result.heterogeneity?.Q,
        I2: result.heterogeneity?.I2,
        tau2: result.heterogeneity?.tau2,
        "pi.lb": result.prediction?.lower ?? null,
        "pi.ub": result.prediction?.upper ?? null,
        "egger.p": result.egger?.pValue,
        "begg.p": result.begg?.pValue,
        "trimfill.k0": result.trimFill?.k0,
      };
      const mismatches = Object.entries(expected).filter(([name, value]) => !close(r[name], value));
      expect(mismatches.map(([name, value]) => `${analysis.number} ${name}: R ${r[name]}, engine ${value}`)).toEqual([]);
      if (analysis.settings.model === "random") expect(r["pi.lb"]).not.toBeNull();
    }
    expect(readdirSync(dir)).not.toContain("pwned");
    // The plots were drawn too.
    expect(readdirSync(dir).filter((f) => f.endsWith(".pdf")).length).toBe(2 * analyses.length);
  }, 300_000);
});
