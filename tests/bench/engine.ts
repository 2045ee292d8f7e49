/**
 * Engine benchmark: `npm run bench:engine`.
 * One "full analysis" = `analyze` with the random model (REML), which computes the Q-profile interval for τ², the
 * prediction interval, subgroups, Egger, Begg, trim-and-fill and leave-one-out. Data are synthetic, from a fixed
 * seed. Targets (R metafor 3.8 on these 2-core machines: 115 ms at k = 21, 7.8 s at k = 200): at least 100×
 * faster at k = 21 and 200, and under 1 s at k = 1000. Exits non-zero when a target is missed.
 * "+ meta-regression" is the same full analysis with `moderators: ["dose", "day", "year"]` (REML with three
 * covariates, and the intercept-only fit for R²); it has no target of its own beyond the full analysis's.
 */
import { analyze, parseAnalysisRequest, type AnalysisRequest } from "../../server/analysis";

/** mulberry32: a tiny seeded PRNG, enough for reproducible synthetic data. */
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

/** Standard normal deviate by Box-Muller. */
function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

const GROUPS = ["BM", "UC", "AD", "Other"];

/** k two-arm studies like the seed paper's (BBB scores, small groups of animals), moderate heterogeneity. */
function syntheticRequest(k: number, seed: number, moderators: string[] = []): AnalysisRequest {
  const rand = prng(seed);
  // The covariates come from a stream of their own, so that the studies are the same with and without them.
  const randCovariate = prng(seed ^ 0x5eed);
  const round2 = (x: number) => Math.round(x * 100) / 100;
  const studies = Array.from({ length: k }, (_, i) => {
    const n1 = 6 + Math.floor(rand() * 20);
    const n2 = 6 + Math.floor(rand() * 20);
    const control = 5 + 3 * rand();
    const effect = 2 + 0.8 * normal(rand);
    const sd1 = round2(0.8 + 1.5 * rand());
    const sd2 = round2(0.8 + 1.5 * rand());
    return {
      id: `S${String(i + 1).padStart(5, "0")}`,
      m1: round2(control + effect + (sd1 / Math.sqrt(n1)) * normal(rand)),
      sd1,
      n1,
      m2: round2(control + (sd2 / Math.sqrt(n2)) * normal(rand)),
      sd2,
      n2,
      group: GROUPS[Math.floor(rand() * GROUPS.length)],
      year: 2000 + Math.floor(rand() * 25),
      covariates: { dose: Math.round(10 + 190 * randCovariate()), day: [7, 14, 28, 42][Math.floor(randCovariate() * 4)]!, year: 2000 + Math.floor(randCovariate() * 25) },
    };
  });
  const parsed = parseAnalysisRequest({
    measure: "MD",
    model: "random",
    tau2Method: "REML",
    ciMethod: "z",
    level: 0.95,
    studies,
    ...(moderators.length && { moderators }),
  });
  if (!parsed.success) throw new Error(parsed.error.text);
  return parsed.data;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface Case {
  k: number;
  repetitions: number;
  /** Target for the median in ms, with what it is derived from. */
  target?: { ms: number; basis: string };
  moderators?: string[];
}

const META_REGRESSION = ["dose", "day", "year"];
const CASES: Case[] = [
  { k: 21, repetitions: 300, target: { ms: 115 / 100, basis: "R metafor 115 ms / 100" } },
  { k: 200, repetitions: 30, target: { ms: 7800 / 100, basis: "R metafor 7.8 s / 100" } },
  { k: 1000, repetitions: 7, target: { ms: 1000, basis: "under 1 s" } },
  { k: 10000, repetitions: 3 },
  { k: 21, repetitions: 300, target: { ms: 115 / 100, basis: "R metafor 115 ms / 100" }, moderators: META_REGRESSION },
  { k: 200, repetitions: 30, target: { ms: 7800 / 100, basis: "R metafor 7.8 s / 100" }, moderators: META_REGRESSION },
  { k: 1000, repetitions: 7, target: { ms: 1000, basis: "under 1 s" }, moderators: META_REGRESSION },
];

let failed = false;
console.log("full analysis = REML + tau2 CI + prediction + subgroups + Egger + Begg + trim-and-fill + leave-one-out");
for (const { k, repetitions, target, moderators = [] } of CASES) {
  const request = syntheticRequest(k, 20260101 + k, moderators);
  analyze(request); // warm-up: JIT compilation and the first allocation of everything
  const times: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    const t0 = performance.now();
    const result = analyze(request);
    times.push(performance.now() - t0);
    if (result.k !== k) throw new Error(`expected k = ${k}, got ${result.k}`);
    if (moderators.length && result.metaRegression?.coefficients.length !== moderators.length + 1) throw new Error("the meta-regression was not fitted");
  }
  const ms = median(times);
  const verdict = target ? (ms < target.ms ? "PASS" : "FAIL") : "info";
  if (verdict === "FAIL") failed = true;
  const goal = target ? `target < ${target.ms} ms (${target.basis})` : "no target";
  const label = moderators.length ? " + meta-regression" : "";
  console.log(`k = ${String(k).padStart(5)}${label}: median ${ms.toFixed(3).padStart(10)} ms over ${repetitions} runs   ${goal}   ${verdict}`);
}
process.exitCode = failed ? 1 : 0;
