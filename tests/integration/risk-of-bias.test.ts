import { TRPCError } from "@trpc/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createUser } from "@/server/services/auth";
import { setMember } from "@/server/services/reviews";
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
      // Progress is visible (counts, not judgments).
      expect(grid.status.find((s) => s.studyId === study20)).toEqual({ studyId: study20, done: [10, 0], unblinded: false });
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
    // The consensus is theirs to read.
    await callerFor(t.db, "lead").riskOfBias.acceptAgreed({ reviewId });
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
    for (const username of ["reviewer1", "reviewer2"]) {
      expect(await codeOf(callerFor(t.db, username).riskOfBias.recordConsensus(input))).toBe("FORBIDDEN");
      expect(await codeOf(callerFor(t.db, username).riskOfBias.acceptAgreed({ reviewId }))).toBe("FORBIDDEN");
    }
    expect(t.db.$client.prepare("select count(*) from rob_consensus where review_id = ?").pluck().get(reviewId)).toBe(0);
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

  it("accepts every agreed cell in bulk, once, leaving the disagreements to decide", async () => {
    const lead = callerFor(t.db, "lead");
    expect(await lead.riskOfBias.acceptAgreed({ reviewId })).toEqual({ accepted: 19 * 10 - 5 });
    expect(await lead.riskOfBias.acceptAgreed({ reviewId })).toEqual({ accepted: 0 });
    const grid = await lead.riskOfBias.grid({ reviewId });
    expect(grid.consensus).toHaveLength(185);
    expect(grid.consensus.every((c) => c.reason === "Both reviewers agreed (accepted in bulk).")).toBe(true);
    expect(grid.consensus.some((c) => c.studyId === studyAt(12) && c.domain === 1)).toBe(false);
    // The consensus figure shows them, and marks them as resting on example judgments.
    const figure = await lead.riskOfBias.figureData({ reviewId, source: "consensus" });
    expect(figure.containsExample).toBe(true);
    expect(figure.studies.find((s) => s.studyId === studyAt(12))!.judgments[0]).toBeNull();
    expect(figure.studies.find((s) => s.studyId === studyAt(20))!.judgments.every((j) => j === null)).toBe(true);
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
    expect((await arbiter.riskOfBias.acceptAgreed({ reviewId, studyId: studyAt(7) })).accepted).toBe(9);
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
