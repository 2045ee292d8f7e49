import { TRPCError } from "@trpc/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ReviewChange } from "@/server/events";
import { createUser } from "@/server/services/auth";
import { createReview, setMember } from "@/server/services/reviews";
import { AUTO_ASSIGN_REASON } from "@/server/services/risk-of-bias";
import { SEEDED_CONSENSUS_REASON } from "@/db/seed/example-rob";
import { callerFor, demoReviewId, freshDb, userId, type TestDb } from "../support/test-db";

let t: TestDb;
let reviewId: number;
beforeEach(async () => {
  t = await freshDb();
  reviewId = demoReviewId(t.db);
});
afterEach(() => t.close());

type Judgment = "low" | "high" | "unclear";
const SECRET = "R1-SECRET-REASONING";
const auditCount = () => t.db.$client.prepare("select count(*) from audit_log").pluck().get() as number;
const studyAt = (position: number) =>
  t.db.$client.prepare("select id from studies where review_id = ? and position = ?").pluck().get(reviewId, position) as number;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return (error as TRPCError).code;
}

/** Reviewer `username` judges `domains` of a study with `value`, each at the version the grid shows. */
async function judge(username: string, studyId: number, domains: number[], value: Judgment | ((d: number) => Judgment), extra: { reasoning?: string } = {}) {
  const caller = callerFor(t.db, username);
  const grid = await caller.riskOfBias.grid({ reviewId });
  const mine = grid.judgments.filter((j) => j.slot === grid.me.slot && j.studyId === studyId);
  for (const domain of domains) {
    const current = mine.find((j) => j.domain === domain);
    await caller.riskOfBias.saveJudgment({
      reviewId,
      studyId,
      domain,
      patch: { judgment: typeof value === "function" ? value(domain) : value, ...extra },
      version: current?.version ?? null,
    });
  }
}

/** Everything reviewer 2 (or anyone) can read about risk of bias, through every read procedure, as one string. */
async function everythingReadableBy(username: string, studyId: number): Promise<string> {
  const caller = callerFor(t.db, username);
  const reads: unknown[] = [await caller.riskOfBias.grid({ reviewId }), await caller.riskOfBias.agreement({ reviewId })];
  for (const source of ["consensus", "reviewer1", "reviewer2"] as const) {
    reads.push(await caller.riskOfBias.figureData({ reviewId, source }).catch((e: TRPCError) => e.code));
    reads.push(await caller.riskOfBias.exportCsv({ reviewId, source }).catch((e: TRPCError) => e.code));
  }
  for (let domain = 1; domain <= 10; domain++) reads.push(await caller.riskOfBias.history({ reviewId, studyId, domain }));
  return JSON.stringify(reads);
}

describe("blinded dual review", () => {
  it("keeps reviewer 1's judgments of a study from reviewer 2 (and from the lead) until both have completed it, through every procedure", async () => {
    const study20 = studyAt(20);
    // Reviewer 1 revises study 20 (already complete, example data) with reasoning only they should read.
    await judge("reviewer1", study20, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "high", { reasoning: SECRET });

    for (const username of ["reviewer2", "lead"]) {
      const everything = await everythingReadableBy(username, study20);
      expect(everything).not.toContain(SECRET);
      const grid = await callerFor(t.db, username).riskOfBias.grid({ reviewId });
      expect(grid.judgments.filter((j) => j.studyId === study20)).toEqual([]);
      // The lead sees how far each reviewer is (counts, not judgments); reviewer 2 only their own.
      const done = username === "lead" ? [10, 0] : [null, 0];
      expect(grid.status.find((s) => s.studyId === study20)).toEqual({ studyId: study20, done, unblinded: false });
      const figure = await callerFor(t.db, username).riskOfBias.figureData({ reviewId, source: "reviewer1" });
      expect(figure.studies.map((s) => s.studyId)).not.toContain(study20);
      expect(figure.hiddenCount).toBe(2); // studies 20 and 21
      const csv = await callerFor(t.db, username).riskOfBias.exportCsv({ reviewId, source: "reviewer1" });
      expect(csv.csv.trim().split("\r\n")).toHaveLength(1 + 19);
      const agreement = await callerFor(t.db, username).riskOfBias.agreement({ reviewId });
      expect(agreement.studiesAssessed).toBe(19);
    }
    // The author reads their own.
    expect(await everythingReadableBy("reviewer1", study20)).toContain(SECRET);

    // Reviewer 2 judges nine domains: still blinded both ways, and reviewer 1 cannot read reviewer 2's either.
    await judge("reviewer2", study20, [1, 2, 3, 4, 5, 6, 7, 8, 9], "low", { reasoning: "R2-PARTIAL" });
    expect(await everythingReadableBy("reviewer2", study20)).not.toContain(SECRET);
    expect(await everythingReadableBy("reviewer1", study20)).not.toContain("R2-PARTIAL");

    // The tenth domain completes the study for both: now each reads the other's, and the lead reads both.
    await judge("reviewer2", study20, [10], "low");
    for (const username of ["reviewer1", "reviewer2", "lead"]) {
      const everything = await everythingReadableBy(username, study20);
      expect(everything).toContain(SECRET);
      expect(everything).toContain("R2-PARTIAL");
    }
    const agreement = await callerFor(t.db, "reviewer2").riskOfBias.agreement({ reviewId });
    expect(agreement.studiesAssessed).toBe(20);
  });

  it("never shows a viewer an individual judgment, only the consensus", async () => {
    const admin = { id: userId(t.db, "admin"), displayName: "Administrator" };
    await createUser(t.db, { username: "viewer1", displayName: "Viewer", password: "viewer-password" });
    setMember(t.db, admin, reviewId, "viewer1", "viewer");
    const viewer = callerFor(t.db, "viewer1");
    const grid = await viewer.riskOfBias.grid({ reviewId });
    expect(grid.judgments).toEqual([]);
    expect(grid.me).toMatchObject({ slot: null, canDecide: false, seesIndividual: false });
    for (const source of ["reviewer1", "reviewer2"] as const) {
      expect(await codeOf(viewer.riskOfBias.figureData({ reviewId, source }))).toBe("FORBIDDEN");
      expect(await codeOf(viewer.riskOfBias.exportCsv({ reviewId, source }))).toBe("FORBIDDEN");
    }
    const history = await viewer.riskOfBias.history({ reviewId, studyId: studyAt(12), domain: 1 });
    expect(history.judgments).toEqual([]);
    // The consensus (the demo's agreed cells) is theirs to read.
    const figure = await viewer.riskOfBias.figureData({ reviewId, source: "consensus" });
    expect(figure.studies.filter((s) => s.judgments.some((j) => j !== null))).toHaveLength(19);
  });

  it("lets only the two assigned reviewers judge, each their own cells, and locks a study once both completed it", async () => {
    const admin = { id: userId(t.db, "admin"), displayName: "Administrator" };
    await createUser(t.db, { username: "reviewer3", displayName: "Reviewer 3", password: "reviewer3-password" });
    setMember(t.db, admin, reviewId, "reviewer3", "reviewer");
    const study21 = studyAt(21);
    for (const username of ["reviewer3", "lead", "admin"]) {
      const call = callerFor(t.db, username).riskOfBias.saveJudgment({ reviewId, studyId: study21, domain: 1, patch: { judgment: "low" }, version: null });
      expect(await codeOf(call)).toBe("FORBIDDEN");
    }
    // Study 1 is complete for both: locked, as the agreement statistics describe it.
    const grid = await callerFor(t.db, "reviewer1").riskOfBias.grid({ reviewId });
    const cell = grid.judgments.find((j) => j.studyId === studyAt(1) && j.domain === 1 && j.slot === 1)!;
    const before = auditCount();
    const locked = callerFor(t.db, "reviewer1").riskOfBias.saveJudgment({ reviewId, studyId: studyAt(1), domain: 1, patch: { judgment: "high" }, version: cell.version });
    expect(await codeOf(locked)).toBe("FORBIDDEN");
    expect(auditCount()).toBe(before);
  });

  it("saves a judgment with its quote and reasoning, bumps the version, audits it, and refuses a stale version", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const study21 = studyAt(21);
    const grid = await r1.riskOfBias.grid({ reviewId });
    const cell = grid.judgments.find((j) => j.studyId === study21 && j.domain === 3 && j.slot === 1)!;
    expect(cell.isExampleData).toBe(true);
    const before = auditCount();
    const saved = await r1.riskOfBias.saveJudgment({
      reviewId,
      studyId: study21,
      domain: 3,
      patch: { judgment: "high", quote: "Animals were assigned by the surgeon.", reasoning: "<b>not</b> concealed" },
      version: cell.version,
    });
    expect(saved).toMatchObject({ judgment: "high", quote: "Animals were assigned by the surgeon.", reasoning: "<b>not</b> concealed", isExampleData: false, version: cell.version + 1 });
    expect(auditCount()).toBe(before + 4); // judgment, quote, reasoning, isExampleData
    const history = await r1.riskOfBias.history({ reviewId, studyId: study21, domain: 3 });
    expect(history.judgments[0]!.entries.map((e) => e.field).sort()).toEqual(["isExampleData", "judgment", "quote", "reasoning"]);
    expect(history.judgments[0]!.entries.find((e) => e.field === "judgment")).toMatchObject({ oldValue: cell.judgment, newValue: "high", userName: "Reviewer 1 (demo)" });
    const stale = r1.riskOfBias.saveJudgment({ reviewId, studyId: study21, domain: 3, patch: { judgment: "low" }, version: cell.version });
    expect(await codeOf(stale)).toBe("CONFLICT");
    // Saving the same value again writes nothing.
    await r1.riskOfBias.saveJudgment({ reviewId, studyId: study21, domain: 3, patch: { judgment: "high" }, version: saved.version });
    expect(auditCount()).toBe(before + 4);
    // Unknown domain and a study of no review are refused before anything is written.
    expect(await codeOf(r1.riskOfBias.saveJudgment({ reviewId, studyId: study21, domain: 11, patch: { judgment: "low" }, version: null }))).toBe("BAD_REQUEST");
    expect(await codeOf(r1.riskOfBias.saveJudgment({ reviewId, studyId: 987_654, domain: 1, patch: { judgment: "low" }, version: null }))).toBe("NOT_FOUND");
  });
});

describe("consensus", () => {
  it("refuses the consensus to reviewers and viewers, and to anyone on a study not both reviewers completed", async () => {
    const study12 = studyAt(12); // reviewer 1 judged D1 low, reviewer 2 high (example data)
    const input = { reviewId, studyId: study12, domain: 1, judgment: "low" as const, reason: "Both read the methods again.", version: null };
    const consensusRows = () => t.db.$client.prepare("select count(*) from rob_consensus").pluck().get();
    const before = consensusRows();
    for (const username of ["reviewer1", "reviewer2"]) {
      expect(await codeOf(callerFor(t.db, username).riskOfBias.recordConsensus(input))).toBe("FORBIDDEN");
      expect(await codeOf(callerFor(t.db, username).riskOfBias.acceptAgreed({ reviewId }))).toBe("FORBIDDEN");
    }
    expect(consensusRows()).toBe(before);
    const blinded = callerFor(t.db, "lead").riskOfBias.recordConsensus({ ...input, studyId: studyAt(20) });
    expect(await codeOf(blinded)).toBe("BAD_REQUEST");
  });

  it("lets the lead settle a disagreement with a reason, keeping both originals, who decided and why in the audit trail", async () => {
    const lead = callerFor(t.db, "lead");
    const study12 = studyAt(12);
    const grid = await lead.riskOfBias.grid({ reviewId });
    const originals = grid.judgments.filter((j) => j.studyId === study12 && j.domain === 1);
    expect(originals.map((j) => [j.slot, j.judgment]).sort()).toEqual([
      [1, "low"],
      [2, "high"],
    ]);
    const noReason = lead.riskOfBias.recordConsensus({ reviewId, studyId: study12, domain: 1, judgment: "low", reason: "  ", version: null });
    expect(await codeOf(noReason)).toBe("BAD_REQUEST");
    const saved = await lead.riskOfBias.recordConsensus({ reviewId, studyId: study12, domain: 1, judgment: "low", reason: "Methods say 'random number table'.", version: null });
    expect(saved).toMatchObject({ judgment: "low", reason: "Methods say 'random number table'.", decidedBy: userId(t.db, "lead") });

    // Both originals stay as they were, and the audit trail names them, the decider and the reason.
    const after = await lead.riskOfBias.grid({ reviewId });
    expect(after.judgments.filter((j) => j.studyId === study12 && j.domain === 1)).toEqual(originals);
    expect(after.consensus.find((c) => c.studyId === study12 && c.domain === 1)).toMatchObject({ judgment: "low", decidedByName: "Team lead (demo)" });
    const history = await callerFor(t.db, "reviewer2").riskOfBias.history({ reviewId, studyId: study12, domain: 1 });
    const entries = history.consensus;
    expect(entries.every((e) => e.reason === "Methods say 'random number table'." && e.userName === "Team lead (demo)")).toBe(true);
    expect(JSON.parse(entries.find((e) => e.field === "originals")!.newValue!)).toMatchObject({
      reviewer1: { name: "Reviewer 1 (demo)", judgment: "low" },
      reviewer2: { name: "Reviewer 2 (demo)", judgment: "high" },
    });

    // A second decision needs the version read.
    const stale = lead.riskOfBias.recordConsensus({ reviewId, studyId: study12, domain: 1, judgment: "unclear", reason: "Second look.", version: null });
    expect(await codeOf(stale)).toBe("CONFLICT");
    const revised = await lead.riskOfBias.recordConsensus({ reviewId, studyId: study12, domain: 1, judgment: "unclear", reason: "Second look.", version: saved.version });
    expect(revised.version).toBe(saved.version + 1);
  });

  it("starts the demo with every cell both reviewers agreed on accepted, leaving the disagreements to settle", async () => {
    const lead = callerFor(t.db, "lead");
    const grid = await lead.riskOfBias.grid({ reviewId });
    // What the two reviewers agreed on, from their own judgments.
    const mine = (slot: 1 | 2) => new Map(grid.judgments.filter((j) => j.slot === slot).map((j) => [`${j.studyId}:${j.domain}`, j.judgment]));
    const [first, second] = [mine(1), mine(2)];
    const agreed = [...first].filter(([cell, judgment]) => second.get(cell) === judgment);
    const disagreed = [...first].filter(([cell, judgment]) => second.has(cell) && second.get(cell) !== judgment);
    expect(disagreed).toHaveLength(5);
    expect(new Map(grid.consensus.map((c) => [`${c.studyId}:${c.domain}`, c.judgment]))).toEqual(new Map(agreed));
    expect(grid.consensus.every((c) => c.reason === SEEDED_CONSENSUS_REASON && c.decidedByName === "Team lead (demo)")).toBe(true);
    expect(await lead.riskOfBias.acceptAgreed({ reviewId })).toEqual({ accepted: 0 });
    // The consensus figure shows them, and marks them as resting on example judgments.
    const figure = await lead.riskOfBias.figureData({ reviewId, source: "consensus" });
    expect(figure.containsExample).toBe(true);
    expect(figure.studies.find((s) => s.studyId === studyAt(12))!.judgments[0]).toBeNull();
    expect(figure.studies.find((s) => s.studyId === studyAt(20))!.judgments.every((j) => j === null)).toBe(true);
  });

  it("accepts the agreed cells of a newly completed study in bulk, once", async () => {
    const lead = callerFor(t.db, "lead");
    const study20 = studyAt(20);
    const r1 = (await callerFor(t.db, "reviewer1").riskOfBias.grid({ reviewId })).judgments.filter((j) => j.studyId === study20);
    // Reviewer 2 completes study 20, agreeing on every domain but D4.
    await judge("reviewer2", study20, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], (d) => {
      const theirs = r1.find((j) => j.domain === d)!.judgment!;
      return d === 4 ? (theirs === "high" ? "low" : "high") : theirs;
    });
    expect(await lead.riskOfBias.acceptAgreed({ reviewId })).toEqual({ accepted: 9 });
    expect(await lead.riskOfBias.acceptAgreed({ reviewId })).toEqual({ accepted: 0 });
    const accepted = (await lead.riskOfBias.grid({ reviewId })).consensus.filter((c) => c.studyId === study20);
    expect(accepted.map((c) => c.domain).sort((a, b) => a - b)).toEqual([1, 2, 3, 5, 6, 7, 8, 9, 10]);
    expect(accepted.every((c) => c.reason === "Both reviewers agreed (accepted in bulk).")).toBe(true);
  });

  it("lets the arbiter the lead names record the consensus, and no one else below lead", async () => {
    const lead = callerFor(t.db, "lead");
    const admin = { id: userId(t.db, "admin"), displayName: "Administrator" };
    await createUser(t.db, { username: "arbiter", displayName: "Arbiter", password: "arbiter-password" });
    setMember(t.db, admin, reviewId, "arbiter", "reviewer");
    const input = { reviewId, studyId: studyAt(7), domain: 3, judgment: "high" as const, reason: "Allocation by cage number.", version: null };
    expect(await codeOf(callerFor(t.db, "arbiter").riskOfBias.recordConsensus(input))).toBe("FORBIDDEN");
    const grid = await lead.riskOfBias.grid({ reviewId });
    const ids = { reviewer1Id: grid.assignment.reviewer1!.id, reviewer2Id: grid.assignment.reviewer2!.id };
    // The arbiter cannot be one of the two reviewers, and must be a reviewer or lead of this review.
    expect(await codeOf(lead.riskOfBias.assign({ reviewId, ...ids, arbiterId: ids.reviewer1Id, version: grid.assignment.version }))).toBe("BAD_REQUEST");
    expect(await codeOf(lead.riskOfBias.assign({ reviewId, ...ids, arbiterId: userId(t.db, "admin"), version: grid.assignment.version }))).toBe("BAD_REQUEST");
    // A reviewer who has judged stays assigned.
    expect(await codeOf(lead.riskOfBias.assign({ reviewId, ...ids, reviewer1Id: userId(t.db, "arbiter"), arbiterId: null, version: grid.assignment.version }))).toBe("BAD_REQUEST");
    const assigned = await lead.riskOfBias.assign({ reviewId, ...ids, arbiterId: userId(t.db, "arbiter"), version: grid.assignment.version });
    expect(assigned.arbiterId).toBe(userId(t.db, "arbiter"));
    const arbiter = callerFor(t.db, "arbiter");
    expect((await arbiter.riskOfBias.grid({ reviewId })).me).toMatchObject({ slot: null, canDecide: true });
    expect(await arbiter.riskOfBias.recordConsensus(input)).toMatchObject({ judgment: "high", decidedBy: userId(t.db, "arbiter") });
    // Reviewer 2 completes study 20 as reviewer 1 judged it: ten agreed cells for the arbiter to accept.
    const study20 = studyAt(20);
    const r1 = (await callerFor(t.db, "reviewer1").riskOfBias.grid({ reviewId })).judgments.filter((j) => j.studyId === study20);
    await judge("reviewer2", study20, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], (d) => r1.find((j) => j.domain === d)!.judgment!);
    expect((await arbiter.riskOfBias.acceptAgreed({ reviewId, studyId: study20 })).accepted).toBe(10);
  });
});

describe("agreement, figures and export", () => {
  it("reports percent agreement and Cohen's κ per domain and overall over the completed studies", async () => {
    const agreement = await callerFor(t.db, "reviewer1").riskOfBias.agreement({ reviewId });
    expect(agreement).toMatchObject({ studiesTotal: 21, studiesAssessed: 19, reviewersPerStudy: 2, independent: true });
    const d1 = agreement.domains[0]!;
    expect(d1).toMatchObject({ code: "D1", n: 19, agreed: 18 });
    expect(d1.kappa).toBeCloseTo(0.8875739645, 9); // psy::ckappa in R, see tests/unit/agreement.test.ts
    expect(agreement.domains[1]).toMatchObject({ kappa: null, undefinedBecause: "one category only" });
    expect(agreement.overall).toMatchObject({ n: 190, agreed: 185 });
    expect(agreement.overall.kappa).toBeCloseTo(0.947764887, 9);
    // Consensus does not change the statistics: they describe the judgments before it.
    await callerFor(t.db, "lead").riskOfBias.acceptAgreed({ reviewId });
    expect(await callerFor(t.db, "reviewer1").riskOfBias.agreement({ reviewId })).toEqual(agreement);
  });

  it("summarises each domain as shares that add up to 1, unweighted and by meta-analysis weight", async () => {
    const figure = await callerFor(t.db, "reviewer1").riskOfBias.figureData({ reviewId, source: "reviewer1" });
    expect(figure.studies).toHaveLength(21);
    expect(figure.label).toContain("not the consensus");
    for (const share of [...figure.summary.unweighted!, ...(figure.summary.weighted ?? [])]) {
      expect(share.low + share.unclear + share.high + share.missing).toBeCloseTo(1, 12);
    }
    // D2 is "low" for every study in the example pattern.
    expect(figure.summary.unweighted![1]).toEqual({ low: 1, unclear: 0, high: 0, missing: 0 });
    // Weights are the analysis module's % weights (ids are String(studyId)); the demo has one for every study.
    const analysis = await callerFor(t.db, "reviewer1").analysis.run({ reviewId });
    const weightOf = new Map(analysis.result.studies.map((w) => [Number(w.id), w.weight]));
    expect(weightOf.size).toBe(21);
    expect(figure.studies.every((s) => s.weight === weightOf.get(s.studyId))).toBe(true);
    const total = [...weightOf.values()].reduce((a, b) => a + b, 0);
    const lowD1 = figure.studies.filter((s) => s.judgments[0] === "low").reduce((sum, s) => sum + weightOf.get(s.studyId)!, 0);
    expect(figure.summary.weighted![0]!.low).toBeCloseTo(lowD1 / total, 12);
    expect(figure.summary.weighted![0]!.low).not.toBeCloseTo(figure.summary.unweighted![0]!.low, 3);
  });

  it("exports the consensus as robvis 'Generic' CSV, defusing spreadsheet formulas in study names", async () => {
    const lead = callerFor(t.db, "lead");
    const [study] = await lead.studies.list({ reviewId });
    await lead.studies.update({ reviewId, studyId: study!.id, field: "author", value: "=HYPERLINK(\"x\")", version: study!.version });
    await lead.riskOfBias.acceptAgreed({ reviewId });
    const { csv, filename } = await lead.riskOfBias.exportCsv({ reviewId, source: "consensus" });
    expect(filename).toBe(`risk-of-bias-consensus-review-${reviewId}.csv`);
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("Study,D1,D2,D3,D4,D5,D6,D7,D8,D9,D10,Weight");
    expect(lines).toHaveLength(22);
    expect(lines[1]!.startsWith(`"'=HYPERLINK(""x"")`)).toBe(true);
    const study12 = lines[12]!.split(",");
    expect(study12[1]).toBe("No information"); // D1 is a disagreement not yet decided
    expect(study12.slice(2, 11).every((v) => ["Low", "High", "Unclear"].includes(v))).toBe(true);
    expect(lines[20]!.split(",").slice(1, 11)).toEqual(Array(10).fill("No information"));
  });
});

describe("during blinded review, progress and live events", () => {
  /** Everything `username`'s open pages hear on the review's live channel, from now on. */
  async function listen(username: string) {
    const iterable = await callerFor(t.db, username).analysis.changes({ reviewId });
    const iterator = (iterable as AsyncIterable<ReviewChange>)[Symbol.asyncIterator]();
    const heard: ReviewChange[] = [];
    void (async () => {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) heard.push(next.value);
    })();
    return { heard, stop: () => void iterator.return?.(undefined) };
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  it("shows each reviewer only their own progress, and the lead everyone's", async () => {
    const admin = { id: userId(t.db, "admin"), displayName: "Administrator" };
    await createUser(t.db, { username: "viewer1", displayName: "Viewer", password: "viewer-password" });
    setMember(t.db, admin, reviewId, "viewer1", "viewer");
    const progress = async (username: string) => (await callerFor(t.db, username).riskOfBias.grid({ reviewId })).progress.map((p) => [p.slot, p.done]);
    expect(await progress("lead")).toEqual([
      [1, 210],
      [2, 190],
    ]);
    expect(await progress("admin")).toEqual(await progress("lead"));
    expect(await progress("reviewer1")).toEqual([[1, 210]]);
    expect(await progress("reviewer2")).toEqual([[2, 190]]);
    expect(await progress("viewer1")).toEqual([]);
    // Study 21 is blinded (reviewer 2 has not judged it): only its own count; study 1 is complete for both.
    const status = async (username: string, position: number) =>
      (await callerFor(t.db, username).riskOfBias.grid({ reviewId })).status.find((s) => s.studyId === studyAt(position))!.done;
    expect(await status("reviewer2", 21)).toEqual([null, 0]);
    expect(await status("reviewer1", 21)).toEqual([10, null]);
    expect(await status("viewer1", 21)).toEqual([null, null]);
    expect(await status("lead", 21)).toEqual([10, 0]);
    expect(await status("reviewer2", 1)).toEqual([10, 10]);
  });

  it("tells of a blinded judgment only its author and the lead, and everyone of the save that unblinds a study", async () => {
    const listeners = Object.fromEntries(await Promise.all(["reviewer1", "reviewer2", "lead", "admin"].map(async (u) => [u, await listen(u)] as const)));
    await settle();
    const heardBy = () => Object.fromEntries(Object.entries(listeners).map(([u, l]) => [u, l.heard.map((c) => `${c.entity} by ${c.by}`)]));

    // Reviewer 2 judges nine domains of study 20 (reviewer 1 completed it): still blinded.
    await judge("reviewer2", studyAt(20), [1, 2, 3, 4, 5, 6, 7, 8, 9], "low");
    await settle();
    const nine = Array(9).fill("robJudgment by Reviewer 2 (demo)");
    expect(heardBy()).toEqual({ reviewer1: [], reviewer2: nine, lead: nine, admin: nine });

    // The tenth completes it: everyone may now read both, and hears of it.
    await judge("reviewer2", studyAt(20), [10], "low");
    await settle();
    expect(heardBy().reviewer1).toEqual(["robJudgment by Reviewer 2 (demo)"]);
    expect(heardBy().lead).toHaveLength(10);
    // Other changes reach everyone as before.
    await callerFor(t.db, "lead").riskOfBias.acceptAgreed({ reviewId });
    await settle();
    expect(heardBy().reviewer1).toEqual(["robJudgment by Reviewer 2 (demo)", "robConsensus by Team lead (demo)"]);
    for (const l of Object.values(listeners)) l.stop();
  });
});

describe("assigning the two reviewers", () => {
  it("assigns the review's reviewers automatically once there are exactly two, and leaves a chosen assignment alone", async () => {
    const admin = { id: userId(t.db, "admin"), displayName: "Administrator" };
    for (const name of ["ana", "ben", "cy"]) await createUser(t.db, { username: name, displayName: name.toUpperCase(), password: `${name}-password-1` });
    const review = createReview(t.db, admin, { title: "Curcumin in spinal cord injury" });
    const assignment = async () => (await callerFor(t.db, "admin").riskOfBias.grid({ reviewId: review.id })).assignment;
    setMember(t.db, admin, review.id, "ana", "reviewer");
    setMember(t.db, admin, review.id, "ben", "viewer");
    expect(await assignment()).toMatchObject({ reviewer1: null, reviewer2: null });
    // A viewer made reviewer is the second reviewer.
    setMember(t.db, admin, review.id, "ben", "reviewer");
    expect(await assignment()).toMatchObject({ reviewer1: { name: "ANA" }, reviewer2: { name: "BEN" }, arbiter: null });
    const audit = t.db.$client.prepare("select field, new_value, reason from audit_log where review_id = ? and entity = 'robAssignment'").all(review.id) as { reason: string }[];
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.every((a) => a.reason === AUTO_ASSIGN_REASON)).toBe(true);
    // A third reviewer changes nothing: the lead chooses.
    setMember(t.db, admin, review.id, "cy", "reviewer");
    expect(await assignment()).toMatchObject({ reviewer1: { name: "ANA" }, reviewer2: { name: "BEN" } });
    // The lead's own choice is never overridden: with only two reviewers left, the assignment stays.
    const current = await assignment();
    await callerFor(t.db, "admin").riskOfBias.assign({ reviewId: review.id, reviewer1Id: userId(t.db, "cy"), reviewer2Id: userId(t.db, "ana"), arbiterId: null, version: current.version });
    setMember(t.db, admin, review.id, "ben", null);
    expect(await assignment()).toMatchObject({ reviewer1: { name: "CY" }, reviewer2: { name: "ANA" } });
  });
});

describe("the demo's example judgments", () => {
  it("drops the example quote and reasoning when a reviewer changes a seeded judgment", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const study21 = studyAt(21);
    const seeded = (await r1.riskOfBias.grid({ reviewId })).judgments.find((j) => j.studyId === study21 && j.domain === 1 && j.slot === 1)!;
    expect(seeded).toMatchObject({ isExampleData: true, reasoning: expect.stringMatching(/^Example: /) });
    const changed = await r1.riskOfBias.saveJudgment({ reviewId, studyId: study21, domain: 1, patch: { judgment: seeded.judgment === "high" ? "low" : "high" }, version: seeded.version });
    expect(changed).toMatchObject({ isExampleData: false, reasoning: "", quote: "" });
    const history = await r1.riskOfBias.history({ reviewId, studyId: study21, domain: 1 });
    expect(history.judgments[0]!.entries.find((e) => e.field === "reasoning")).toMatchObject({ oldValue: seeded.reasoning, newValue: "" });
    // Reasoning the reviewer writes with the change is kept; and their own reasoning survives later changes.
    const other = (await r1.riskOfBias.grid({ reviewId })).judgments.find((j) => j.studyId === study21 && j.domain === 2 && j.slot === 1)!;
    const written = await r1.riskOfBias.saveJudgment({ reviewId, studyId: study21, domain: 2, patch: { judgment: "unclear", reasoning: "Not reported." }, version: other.version });
    expect(written.reasoning).toBe("Not reported.");
    const again = await r1.riskOfBias.saveJudgment({ reviewId, studyId: study21, domain: 2, patch: { judgment: "high" }, version: written.version });
    expect(again.reasoning).toBe("Not reported.");
  });
});
