import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MemberRole } from "@/db/schema";
import { appRouter } from "@/server/root";
import { createReview } from "@/server/services/reviews";
import { createUser } from "@/server/services/auth";
import { setMember } from "@/server/services/reviews";
import { callerFor, demoReviewId, freshDb, userId, type TestDb } from "../support/test-db";

/**
 * Who may call what. Every procedure of the router must have an entry (the first test fails otherwise), with
 * an input that passes authorization but touches nothing real (unknown ids, stale versions), so that an
 * allowed call ends in NOT_FOUND / CONFLICT / BAD_REQUEST or success, and a refused one in UNAUTHORIZED / FORBIDDEN.
 */
type Access = "public" | "signed-in" | "admin" | MemberRole;
type Entry = { access: Access; input: (reviewId: number) => unknown };

const NO_ID = 987_654;
const EMPTY_FILE = { name: "empty.csv", base64: "" };
const matrix: Record<string, Entry> = {
  "auth.me": { access: "public", input: () => undefined },
  "auth.signIn": { access: "public", input: () => ({ username: "", password: "x" }) },
  "auth.signOut": { access: "signed-in", input: () => undefined },
  "auth.listUsers": { access: "admin", input: () => undefined },
  "auth.createUser": { access: "admin", input: () => ({ username: "lead", displayName: "Taken", password: "long-enough-password" }) },
  "reviews.list": { access: "signed-in", input: () => undefined },
  "reviews.get": { access: "viewer", input: (reviewId) => ({ reviewId }) },
  "reviews.overview": { access: "viewer", input: (reviewId) => ({ reviewId }) },
  "reviews.create": { access: "admin", input: () => ({ title: "" }) },
  "reviews.update": { access: "lead", input: (reviewId) => ({ reviewId, patch: {}, version: NO_ID }) },
  "reviews.members": { access: "viewer", input: (reviewId) => ({ reviewId }) },
  "reviews.setMember": { access: "lead", input: (reviewId) => ({ reviewId, username: "nobody", role: "viewer" }) },
  "studies.list": { access: "viewer", input: (reviewId) => ({ reviewId }) },
  "studies.get": { access: "viewer", input: (reviewId) => ({ reviewId, studyId: NO_ID }) },
  "studies.create": { access: "reviewer", input: (reviewId) => ({ reviewId, author: "", year: 2020 }) },
  "studies.update": { access: "reviewer", input: (reviewId) => ({ reviewId, studyId: NO_ID, field: "author", value: "X", version: 1 }) },
  "studies.delete": { access: "reviewer", input: (reviewId) => ({ reviewId, studyId: NO_ID, version: 1 }) },
  "studies.removed": { access: "reviewer", input: (reviewId) => ({ reviewId }) },
  "studies.restore": { access: "lead", input: (reviewId) => ({ reviewId, studyId: NO_ID }) },
  "studies.history": { access: "viewer", input: (reviewId) => ({ reviewId, studyId: NO_ID }) },
  "characteristics.list": { access: "viewer", input: (reviewId) => ({ reviewId }) },
  "characteristics.create": { access: "lead", input: (reviewId) => ({ reviewId, definition: { label: "", type: "text" } }) },
  "characteristics.update": { access: "lead", input: (reviewId) => ({ reviewId, characteristicId: NO_ID, definition: { label: "X", type: "text" }, version: 1 }) },
  "characteristics.delete": { access: "lead", input: (reviewId) => ({ reviewId, characteristicId: NO_ID, version: 1 }) },
  "characteristics.move": { access: "lead", input: (reviewId) => ({ reviewId, characteristicId: NO_ID, direction: "up" }) },
  "characteristics.setTable1Columns": { access: "lead", input: (reviewId) => ({ reviewId, columns: [], version: NO_ID }) },
  "outcomes.list": { access: "viewer", input: (reviewId) => ({ reviewId }) },
  "outcomes.create": { access: "lead", input: (reviewId) => ({ reviewId, outcome: { name: "" } }) },
  "outcomes.update": { access: "lead", input: (reviewId) => ({ reviewId, outcomeId: NO_ID, outcome: { name: "X" }, version: 1 }) },
  "outcomes.delete": { access: "lead", input: (reviewId) => ({ reviewId, outcomeId: NO_ID, version: 1 }) },
  "arms.create": { access: "reviewer", input: (reviewId) => ({ reviewId, studyId: NO_ID, kind: "treated", label: "50 µg" }) },
  "arms.update": { access: "reviewer", input: (reviewId) => ({ reviewId, studyId: NO_ID, armId: NO_ID, field: "label", value: "X", version: 1 }) },
  // An arm holding values: the lead only (checked in the service, tests/integration/preclinical.test.ts).
  "arms.delete": { access: "reviewer", input: (reviewId) => ({ reviewId, studyId: NO_ID, armId: NO_ID, version: 1 }) },
  "measurements.save": {
    access: "reviewer",
    input: (reviewId) => ({ reviewId, studyId: NO_ID, outcomeId: NO_ID, armId: NO_ID, day: 1, mean: 1, errorType: "SD", errorValue: 1, n: 5 }),
  },
  "measurements.delete": { access: "reviewer", input: (reviewId) => ({ reviewId, studyId: NO_ID, values: [{ measurementId: NO_ID, version: 1 }] }) },
  "measurements.restore": { access: "reviewer", input: (reviewId) => ({ reviewId, measurementId: NO_ID }) },
  "measurements.history": { access: "viewer", input: (reviewId) => ({ reviewId, measurementId: NO_ID }) },
  "analyses.list": { access: "viewer", input: (reviewId) => ({ reviewId }) },
  "analyses.create": { access: "lead", input: (reviewId) => ({ reviewId, title: "", settings: {} }) },
  "analyses.update": { access: "lead", input: (reviewId) => ({ reviewId, analysisId: NO_ID, title: "X", settings: {}, version: 1 }) },
  "analyses.delete": { access: "lead", input: (reviewId) => ({ reviewId, analysisId: NO_ID, version: 1 }) },
  "analyses.move": { access: "lead", input: (reviewId) => ({ reviewId, analysisId: NO_ID, direction: "up" }) },
  "analysis.run": { access: "viewer", input: (reviewId) => ({ reviewId }) },
  "analysis.timepoints": { access: "viewer", input: (reviewId) => ({ reviewId }) },
  "analysis.timeCourse": { access: "viewer", input: (reviewId) => ({ reviewId }) },
  "analysis.riskOfBias": { access: "viewer", input: (reviewId) => ({ reviewId }) },
  "analysis.changes": { access: "viewer", input: (reviewId) => ({ reviewId }) },
  "riskOfBias.grid": { access: "viewer", input: (reviewId) => ({ reviewId }) },
  "riskOfBias.agreement": { access: "viewer", input: (reviewId) => ({ reviewId }) },
  "riskOfBias.figureData": { access: "viewer", input: (reviewId) => ({ reviewId, source: "consensus" }) },
  "riskOfBias.exportCsv": { access: "viewer", input: (reviewId) => ({ reviewId, source: "consensus" }) },
  "riskOfBias.history": { access: "viewer", input: (reviewId) => ({ reviewId, studyId: NO_ID, domain: 1 }) },
  // Assigned reviewers only: the service checks the study first, so the lead's call ends in NOT_FOUND here;
  // tests/integration/risk-of-bias.test.ts checks that an unassigned member is refused.
  "riskOfBias.saveJudgment": { access: "reviewer", input: (reviewId) => ({ reviewId, studyId: NO_ID, domain: 1, patch: { judgment: "low" }, version: null }) },
  // The lead, or the arbiter the lead names (tested in tests/integration/risk-of-bias.test.ts).
  "riskOfBias.recordConsensus": { access: "lead", input: (reviewId) => ({ reviewId, studyId: NO_ID, domain: 1, judgment: "low", reason: "x", version: null }) },
  "riskOfBias.acceptAgreed": { access: "lead", input: (reviewId) => ({ reviewId, studyId: NO_ID }) },
  "riskOfBias.assign": { access: "lead", input: (reviewId) => ({ reviewId, reviewer1Id: null, reviewer2Id: null, arbiterId: null, version: NO_ID }) },
  "screening.overview": { access: "viewer", input: (reviewId) => ({ reviewId }) },
  "screening.prisma": { access: "viewer", input: (reviewId) => ({ reviewId }) },
  "screening.recall": { access: "viewer", input: (reviewId) => ({ reviewId }) },
  "screening.records": { access: "viewer", input: (reviewId) => ({ reviewId, filter: "all", search: "", page: 1 }) },
  "screening.record": { access: "viewer", input: (reviewId) => ({ reviewId, recordId: NO_ID }) },
  "screening.studyRecords": { access: "viewer", input: (reviewId) => ({ reviewId, studyId: NO_ID }) },
  "screening.merges": { access: "viewer", input: (reviewId) => ({ reviewId }) },
  "screening.updateSettings": {
    access: "lead",
    input: (reviewId) => ({ reviewId, reviewer1Id: null, reviewer2Id: null, arbiterId: null, includeTerms: [], excludeTerms: [], order: "original", version: NO_ID }),
  },
  "screening.addReason": { access: "lead", input: (reviewId) => ({ reviewId, label: "" }) },
  "screening.renameReason": { access: "lead", input: (reviewId) => ({ reviewId, reasonId: NO_ID, label: "x", version: 1 }) },
  "screening.removeReason": { access: "lead", input: (reviewId) => ({ reviewId, reasonId: NO_ID, version: 1 }) },
  "screening.startImport": {
    access: "reviewer",
    input: (reviewId) => ({ reviewId, source: "", searchedOn: "2024-01-01", query: "", fileName: "", format: "ris", expectedRecords: 1 }),
  },
  "screening.importChunk": { access: "reviewer", input: (reviewId) => ({ reviewId, searchId: NO_ID, offset: 0, records: [] }) },
  "screening.finishImport": { access: "reviewer", input: (reviewId) => ({ reviewId, searchId: NO_ID }) },
  "screening.cancelImport": { access: "reviewer", input: (reviewId) => ({ reviewId, searchId: NO_ID }) },
  "screening.candidates": { access: "reviewer", input: (reviewId) => ({ reviewId }) },
  "screening.decideCandidate": { access: "reviewer", input: (reviewId) => ({ reviewId, candidateId: NO_ID, action: "merge", version: 1 }) },
  "screening.undoMerge": { access: "reviewer", input: (reviewId) => ({ reviewId, mergeId: NO_ID }) },
  // Assigned screeners only get records (tests/integration/screening.test.ts); others are told they are not assigned.
  "screening.queue": { access: "reviewer", input: (reviewId) => ({ reviewId, stage: "title_abstract", order: "original", limit: 5 }) },
  "screening.decide": {
    access: "reviewer",
    input: (reviewId) => ({ reviewId, recordId: NO_ID, stage: "title_abstract", decision: "include", order: "original", version: null }),
  },
  "screening.undo": { access: "reviewer", input: (reviewId) => ({ reviewId, recordId: NO_ID, stage: "title_abstract", version: 1 }) },
  "screening.conflicts": { access: "reviewer", input: (reviewId) => ({ reviewId, stage: "title_abstract" }) },
  // The lead, or the third reviewer the lead names (tested in tests/integration/screening.test.ts).
  "screening.resolve": { access: "reviewer", input: (reviewId) => ({ reviewId, recordId: NO_ID, stage: "title_abstract", decision: "include", version: null }) },
  // Reachable over HTTP only through the upload route (binary input); JSON callers get BAD_REQUEST after authorization.
  "screening.attachFullText": { access: "reviewer", input: (reviewId) => ({ reviewId, recordId: NO_ID, file: new Uint8Array([1]), version: 1 }) },
  "screening.detachFullText": { access: "reviewer", input: (reviewId) => ({ reviewId, recordId: NO_ID, version: 1 }) },
  "screening.setNotRetrieved": { access: "reviewer", input: (reviewId) => ({ reviewId, recordId: NO_ID, notRetrieved: true, reason: "x", version: 1 }) },
  "screening.createStudy": { access: "reviewer", input: (reviewId) => ({ reviewId, recordId: NO_ID, version: 1 }) },
  "screening.linkStudy": { access: "reviewer", input: (reviewId) => ({ reviewId, recordId: NO_ID, studyId: null, version: 1 }) },
  "figures.list": { access: "viewer", input: (reviewId) => ({ reviewId, studyId: NO_ID }) },
  "figures.get": { access: "viewer", input: (reviewId) => ({ reviewId, figureId: NO_ID }) },
  "figures.create": {
    access: "reviewer",
    input: (reviewId) => ({
      reviewId,
      studyId: NO_ID,
      outcomeId: NO_ID,
      label: "Fig. 1",
      chartKind: "bar",
      source: { kind: "image", name: "x.png", sha256: "0".repeat(64), crop: { x: 0, y: 0, width: 1, height: 1 } },
      image: new Uint8Array([1, 2, 3]),
    }),
  },
  "figures.delete": { access: "reviewer", input: (reviewId) => ({ reviewId, figureId: NO_ID, version: 1 }) },
  "figures.update": { access: "reviewer", input: (reviewId) => ({ reviewId, figureId: NO_ID, patch: { label: "x" }, version: 1 }) },
  "figures.saveCalibration": {
    access: "reviewer",
    input: (reviewId) => ({
      reviewId,
      figureId: NO_ID,
      readingId: NO_ID,
      version: 1,
      calibration: { x: null, y: { scale: "linear", p1: { pixel: { x: 0, y: 100 }, value: 0 }, p2: { pixel: { x: 0, y: 0 }, value: 21 } } },
    }),
  },
  "figures.placePoint": { access: "reviewer", input: (reviewId) => ({ reviewId, figureId: NO_ID, readingId: NO_ID, armId: NO_ID, day: 7, kind: "mean", pixel: { x: 1, y: 1 } }) },
  "figures.deletePoint": { access: "reviewer", input: (reviewId) => ({ reviewId, figureId: NO_ID, pointId: NO_ID, version: 1 }) },
  "figures.sendToGrid": { access: "reviewer", input: (reviewId) => ({ reviewId, figureId: NO_ID, armId: NO_ID, day: 7, n: 8 }) },
  "figures.completeReading": { access: "reviewer", input: (reviewId) => ({ reviewId, figureId: NO_ID, readingId: NO_ID, version: 1 }) },
  "figures.reopenReading": { access: "reviewer", input: (reviewId) => ({ reviewId, figureId: NO_ID, readingId: NO_ID, version: 1 }) },
  // Blindness and reader-only edits are checked in the service: tests/integration/figures.test.ts.
  "figures.startBlindReading": { access: "reviewer", input: (reviewId) => ({ reviewId, figureId: NO_ID }) },
  "figures.revealReadings": { access: "viewer", input: (reviewId) => ({ reviewId, figureId: NO_ID }) },
  "figures.compare": { access: "viewer", input: (reviewId) => ({ reviewId, figureId: NO_ID }) },
  "figures.decide": { access: "lead", input: (reviewId) => ({ reviewId, figureId: NO_ID, readingId: NO_ID, version: 1 }) },
  "figures.provenance": { access: "viewer", input: (reviewId) => ({ reviewId }) },
  "dataIo.download": { access: "viewer", input: (reviewId) => ({ reviewId, file: "table1.csv" }) },
  // The printable report (issue 11): every member reads it, a viewer too.
  "report.get": { access: "viewer", input: (reviewId) => ({ reviewId, sections: ["title"] }) },
  // Imports take a file; an empty one passes authorization and is then refused as invalid (nothing is written).
  "dataIo.previewImport": { access: "lead", input: (reviewId) => ({ reviewId, file: EMPTY_FILE }) },
  "dataIo.commitImport": { access: "lead", input: (reviewId) => ({ reviewId, file: EMPTY_FILE, fingerprint: "0".repeat(64) }) },
  "dataIo.previewReferences": { access: "lead", input: (reviewId) => ({ reviewId, file: EMPTY_FILE }) },
  "dataIo.commitReferences": { access: "lead", input: (reviewId) => ({ reviewId, file: EMPTY_FILE, fingerprint: "0".repeat(64) }) },
  "dataIo.importReview": { access: "admin", input: () => ({ file: EMPTY_FILE }) },
};

type Actor = "anonymous" | "viewer" | "reviewer" | "lead" | "outsider";
const actors: Record<Actor, string | null> = { anonymous: null, viewer: "viewer1", reviewer: "reviewer1", lead: "lead", outsider: "outsider" };
const rank: Record<MemberRole, number> = { viewer: 1, reviewer: 2, lead: 3 };

function expectedOutcome(access: Access, actor: Actor): "allowed" | "UNAUTHORIZED" | "FORBIDDEN" {
  if (access === "public") return "allowed";
  if (actor === "anonymous") return "UNAUTHORIZED";
  if (access === "signed-in") return "allowed";
  if (access === "admin" || actor === "outsider") return "FORBIDDEN";
  return rank[actor] >= rank[access] ? "allowed" : "FORBIDDEN";
}

async function call(t: TestDb, username: string | null, path: string, input: unknown): Promise<string> {
  const caller = callerFor(t.db, username) as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>;
  const [domain, name] = path.split(".") as [string, string];
  try {
    const result = await caller[domain]![name]!(input);
    // A subscription returns an async iterable once authorized: close it.
    if (result && typeof result === "object" && Symbol.asyncIterator in result) await (result as AsyncGenerator).return(undefined);
    return "allowed";
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "UNAUTHORIZED" || error.code === "FORBIDDEN")) return error.code;
    if (error instanceof TRPCError) return "allowed"; // passed authorization, failed later (unknown id, stale version, bad input)
    throw error;
  }
}

let t: TestDb;
let reviewId: number;
let otherReviewId: number;
beforeAll(async () => {
  t = await freshDb();
  reviewId = demoReviewId(t.db);
  const admin = { id: userId(t.db, "admin"), displayName: "Administrator" };
  await createUser(t.db, { username: "viewer1", displayName: "Viewer", password: "viewer-password" });
  const outsider = await createUser(t.db, { username: "outsider", displayName: "Outsider", password: "outsider-password" });
  setMember(t.db, admin, reviewId, "viewer1", "viewer");
  otherReviewId = createReview(t.db, outsider, { title: "Review B" }).id;
}, 60_000);
afterAll(() => t.close());

describe("authorization matrix", () => {
  it("has an entry for every procedure of the router, and no stale entries", () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    expect(Object.keys(matrix).sort()).toEqual(procedures);
  });

  const cases = Object.entries(matrix).flatMap(([path, entry]) => (Object.keys(actors) as Actor[]).map((actor) => [path, actor, entry] as const));
  it.each(cases)("%s as %s", async (path, actor, entry) => {
    expect(await call(t, actors[actor], path, entry.input(reviewId))).toBe(expectedOutcome(entry.access, actor));
  });

  it("gives a lead of review B no way into review A's objects through B's id", async () => {
    const outsider = callerFor(t.db, "outsider");
    const [studyOfA] = await callerFor(t.db, "lead").studies.list({ reviewId });
    await expect(outsider.studies.get({ reviewId: otherReviewId, studyId: studyOfA!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      outsider.studies.update({ reviewId: otherReviewId, studyId: studyOfA!.id, field: "author", value: "Hijacked", version: studyOfA!.version }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(outsider.studies.delete({ reviewId: otherReviewId, studyId: studyOfA!.id, version: studyOfA!.version })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const [unchanged] = await callerFor(t.db, "lead").studies.list({ reviewId });
    expect(unchanged!.author).toBe(studyOfA!.author);
  });

  it("lets the administrator act as lead in every review", async () => {
    for (const id of [reviewId, otherReviewId]) expect(await call(t, "admin", "reviews.update", { reviewId: id, patch: {}, version: NO_ID })).toBe("allowed");
  });
});
