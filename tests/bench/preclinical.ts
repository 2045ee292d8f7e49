/**
 * Preclinical analyses benchmark: `npm run bench:preclinical`.
 * What a live page re-runs after each edit, on a temporary database: `runReviewAnalysis` (comparisons per treated
 * arm, NMD, three stratifications, a one-moderator meta-regression with its bubble-plot line), `timeCourse` (one
 * analysis per day) and `riskOfBiasSensitivity` (twelve analyses). Two reviews: the demo's preclinical example
 * (8 studies, 12 comparisons) and a synthetic large one (200 studies with three doses sharing a control and a sham
 * arm, six days: 600 comparisons a day). Median of several runs; targets: the example under 50 ms per view, the
 * large review's analysis under 1.5 s and each of its other views under 5 s (the page shows the forest plot first
 * and fetches the others after it). Exits non-zero when a target is missed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb, type Db } from "@/db/client";
import { armCharacteristicValues, arms, characteristics, characteristicValues, measurements, outcomes, reviews, robConsensus, studies, users } from "@/db/schema";
import { ensureSeeded } from "@/db/seed";
import { PRECLINICAL_DEMO_TITLE } from "@/db/seed/preclinical-demo";
import { resetEnvForTests } from "@/lib/env";
import type { AnalysisSettings } from "@/server/schemas/analysis-settings";
import { runReviewAnalysis } from "@/server/services/analysis";
import { riskOfBiasSensitivity, timeCourse } from "@/server/services/preclinical-analysis";

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A review of `k` studies, each with three doses sharing one vehicle control, a sham arm, BBB on six days. */
function largeReview(db: Db, k: number): { reviewId: number; settings: Partial<AnalysisSettings> } {
  const rand = prng(13);
  const adminId = db.select({ id: users.id }).from(users).get()!.id;
  return db.transaction((tx) => {
    const review = tx.insert(reviews).values({ title: "Benchmark: large preclinical review" }).returning().get();
    const outcome = tx.insert(outcomes).values({ reviewId: review.id, name: "BBB", scaleMin: 0, scaleMax: 21, normalValue: 21, position: 1 }).returning().get();
    const source = tx
      .insert(characteristics)
      .values({ reviewId: review.id, label: "Cell source", type: "single", options: ["A", "B", "C"].map((x) => ({ value: x.toLowerCase(), label: x })), position: 1 })
      .returning()
      .get();
    for (let i = 0; i < k; i++) {
      const study = tx.insert(studies).values({ reviewId: review.id, position: i + 1, author: `Bench ${i + 1} et al.`, year: 2000 + (i % 25), doseUnit: "µg" }).returning().get();
      tx.insert(characteristicValues).values({ studyId: study.id, characteristicId: source.id, value: ["a", "b", "c"][i % 3]! }).run();
      const control = tx.insert(arms).values({ studyId: study.id, kind: "control", label: "Vehicle" }).returning().get();
      const sham = tx.insert(arms).values({ studyId: study.id, kind: "sham", label: "Sham" }).returning().get();
      const doses = [10, 50, 200].map((dose) => tx.insert(arms).values({ studyId: study.id, kind: "treated", label: `${dose} µg`, dose, doseUnit: "µg", controlArmId: control.id }).returning().get());
      tx.insert(armCharacteristicValues).values({ armId: doses[2]!.id, characteristicId: source.id, value: "c" }).run();
      for (const day of [1, 3, 7, 14, 28, 42]) {
        const base = 12 * (1 - Math.exp(-day / 18));
        const value = (armId: number, mean: number) =>
          tx.insert(measurements).values({ armId, outcomeId: outcome.id, day, mean: Math.min(21, Math.max(0, mean)), errorType: "SD", errorValue: 1.5 + rand(), n: 8 + Math.floor(rand() * 6) }).run();
        value(control.id, base + rand());
        value(sham.id, 20 + rand());
        doses.forEach((arm, j) => value(arm.id, base + (j + 1) * (1 - Math.exp(-day / 10)) + 2 * rand()));
      }
      for (let domain = 1; domain <= 10; domain++) tx.insert(robConsensus).values({ reviewId: review.id, studyId: study.id, domain, judgment: rand() < 0.5 ? "low" : "unclear", reason: "bench", decidedBy: adminId }).run();
    }
    return { reviewId: review.id, settings: { outcomeId: outcome.id, measure: "NMD", model: "random", strata: [`c:${source.id}`, "rob:D7", "arm:dose"], moderators: ["dose"] } };
  });
}

function median(work: () => unknown, runs: number): number {
  work(); // warm-up
  const times = Array.from({ length: runs }, () => {
    const start = performance.now();
    work();
    return performance.now() - start;
  }).sort((a, b) => a - b);
  return times[Math.floor(runs / 2)]!;
}

const dir = mkdtempSync(join(tmpdir(), "bench-preclinical-"));
process.env.DEMO = "on";
process.env.ADMIN_PASSWORD = "bench-password-long";
resetEnvForTests();
const db = openDb(join(dir, "bench.sqlite"));
let failed = false;
try {
  await ensureSeeded(db, () => undefined);
  const example = { id: db.$client.prepare("select id from reviews where title = ?").pluck().get(PRECLINICAL_DEMO_TITLE) as number };
  const large = largeReview(db, 200);
  const cases = [
    { name: "preclinical example (12 comparisons)", reviewId: example.id, settings: {}, runs: 21, target: { run: 50, other: 50 } },
    { name: "large review (200 studies, 600 comparisons)", reviewId: large.reviewId, settings: large.settings, runs: 5, target: { run: 1500, other: 5000 } },
  ];
  console.log("case | analysis.run | timeCourse | riskOfBias (median ms)");
  for (const c of cases) {
    const run = median(() => runReviewAnalysis(db, c.reviewId, c.settings, { cumulative: "year" }), c.runs);
    const course = median(() => timeCourse(db, c.reviewId, c.settings), c.runs);
    const rob = median(() => riskOfBiasSensitivity(db, c.reviewId, c.settings), c.runs);
    const ok = run <= c.target.run && course <= c.target.other && rob <= c.target.other;
    if (!ok) failed = true;
    console.log(`${c.name} | ${run.toFixed(1)} | ${course.toFixed(1)} | ${rob.toFixed(1)} | ${ok ? "ok" : `MISSED (targets ${c.target.run} / ${c.target.other} ms)`}`);
  }
} finally {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
