import "server-only";
import { createHash } from "node:crypto";
import { and, count, eq, max } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { auditLog, robConsensus, screeningSearches } from "@/db/schema";
import { prismaFromScreening, prismaFromStored, prismaSvg, type PrismaFlow } from "@/server/report/prisma";
import { reportSections, type ReportOptions, type ReportSection } from "@/server/schemas/report";
import { runReviewAnalysis, type ReviewAnalysis } from "./analysis";
import { table1Sheet } from "./data-export";
import { figureProvenance, type Viewer } from "./figures";
import { reviewArmsAndMeasurements } from "./measurements";
import { toStandardDeviation } from "./outcome-data";
import { listOutcomes } from "./outcomes";
import { exportReviewArchive } from "./review-archive";
import { getReview, listMembers } from "./reviews";
import { BULK_REASON, robAgreement, robFigureData } from "./risk-of-bias";
import { listSavedAnalyses } from "./saved-analyses";
import { computePrismaCounts } from "./screening-prisma";
import { screeningMethods } from "./screening";
import { listStudies, studyLabel } from "./studies";
import packageJson from "@/package.json";

/**
 * Everything the printable report (issue 11) shows, gathered with the services the other pages use: each saved
 * analysis through `runReviewAnalysis` (the analysis page's call: the same numbers), the risk-of-bias figures and
 * agreement through the risk-of-bias service (its blinding rule applies to the reader), PRISMA from
 * `computePrismaCounts` when the review was screened here, Table 1 as the Data page exports it. The page only words
 * and draws this; it computes no statistic.
 */
export function buildReport(db: DbOrTx, reviewId: number, viewer: Viewer, options: Pick<ReportOptions, "sections" | "analyses">) {
  const review = getReview(db, reviewId);
  const sections = new Set<ReportSection>(options.sections ?? reportSections);
  const saved = listSavedAnalyses(db, reviewId);
  const wanted = options.analyses ? new Set(options.analyses) : null;
  const runs = runSavedAnalyses(db, reviewId, viewer.user.id, saved);
  const prisma = reviewPrisma(db, reviewId, runs);

  const studies = listStudies(db, reviewId);
  const members = listMembers(db, reviewId);
  const { stamp, hash } = dataFingerprint(db, reviewId);

  return {
    review,
    sections: reportSections.filter((s) => sections.has(s)),
    team: {
      leads: members.filter((m) => m.role === "lead").map((m) => m.displayName),
      reviewers: members.filter((m) => m.role === "reviewer").map((m) => m.displayName),
    },
    generatedAt: new Date().toISOString(),
    /** When the review's data last changed (its newest audit entry), and a short hash of the data themselves. */
    dataTimestamp: stamp,
    dataHash: hash,
    software: { name: "Review workbench", version: packageJson.version, checkedAgainst: "R metafor 3.8-1" },
    studyCount: studies.length,
    outcomes: listOutcomes(db, reviewId).map((o) => ({ id: o.id, name: o.name, unit: o.unit, higherIsBetter: o.higherIsBetter })),
    prisma: { flow: prisma, svg: prismaSvg(prisma) },
    screening: prisma.source === "screening" ? screeningMethods(db, reviewId) : null,
    table1: table1Sheet(db, reviewId),
    allAnalyses: saved.map((a) => ({ id: a.id, number: a.number, title: a.title })),
    analyses: runs.filter((a) => !wanted || wanted.has(a.id)),
    rob: sections.has("rob") ? riskOfBiasPart(db, reviewId, viewer) : null,
    provenance: sections.has("provenance") ? provenancePart(db, reviewId, viewer, studies) : null,
  };
}

export type ReviewReport = ReturnType<typeof buildReport>;

/** Each saved analysis as the analysis page runs it for this reader (who may be reading a figure blind). */
function runSavedAnalyses(db: DbOrTx, reviewId: number, readerId?: number, saved = listSavedAnalyses(db, reviewId)) {
  return saved.map((a) => ({ id: a.id, number: a.number, title: a.title, run: runReviewAnalysis(db, reviewId, a.settings, { blindReaderId: readerId }) as ReviewAnalysis }));
}

/**
 * The review's PRISMA 2020 numbers: counted by `computePrismaCounts` when the review was screened in the workbench,
 * else derived from the four counts entered on the review. "Included in meta-analysis" counts the studies in at least
 * one saved analysis (every one is run, whichever the report prints).
 */
export function reviewPrisma(db: DbOrTx, reviewId: number, runs = runSavedAnalyses(db, reviewId)): PrismaFlow {
  const analysed = new Set(
    runs.flatMap(({ run }) => {
      const studyOf = new Map(run.inputs.map((i) => [i.id, i.studyId]));
      return run.result.pooled ? run.result.studies.flatMap((s) => (studyOf.has(s.id) ? [studyOf.get(s.id)!] : [])) : [];
    }),
  );
  const inMetaAnalysis = runs.length ? analysed.size : null;
  const screened = (db.select({ n: count() }).from(screeningSearches).where(and(eq(screeningSearches.reviewId, reviewId), eq(screeningSearches.status, "complete"))).get()?.n ?? 0) > 0;
  return screened ? prismaFromScreening(computePrismaCounts(db, reviewId), inMetaAnalysis) : prismaFromStored(getReview(db, reviewId), inMetaAnalysis);
}

/**
 * The newest audit entry of the review (every write appends one in its transaction), and the first 12 hex digits of
 * a SHA-256 over the review's data as the whole-review archive holds them (without its export time and audit trail),
 * so two printouts with the same hash show the same data.
 */
function dataFingerprint(db: DbOrTx, reviewId: number): { stamp: string; hash: string } {
  const latest = db.select({ at: max(auditLog.at) }).from(auditLog).where(eq(auditLog.reviewId, reviewId)).get()?.at ?? null;
  const { exportedAt: _exportedAt, audit: _audit, ...data } = exportReviewArchive(db, reviewId);
  void _exportedAt;
  void _audit;
  const hash = createHash("sha256").update(JSON.stringify(data)).digest("hex").slice(0, 12);
  return { stamp: latest ?? getReview(db, reviewId).updatedAt, hash };
}

function riskOfBiasPart(db: DbOrTx, reviewId: number, viewer: Viewer) {
  const consensus = db.select({ reason: robConsensus.reason }).from(robConsensus).where(eq(robConsensus.reviewId, reviewId)).all();
  return {
    figure: robFigureData(db, reviewId, { user: viewer.user, role: viewer.role }, "consensus"),
    agreement: robAgreement(db, reviewId),
    consensusCells: consensus.length,
    /** Cells where both reviewers agreed and the consensus took their judgment as it was. */
    acceptedInBulk: consensus.filter((c) => c.reason === BULK_REASON).length,
  };
}

/**
 * Where the numbers came from: values read off figures (`figureProvenance`, with the reader's blinding rule), SDs
 * converted from an SEM or a 95% CI (the conversion the analysis applies, `toStandardDeviation`), example values.
 */
function provenancePart(db: DbOrTx, reviewId: number, viewer: Viewer, studies: ReturnType<typeof listStudies>) {
  const { arms, measurements } = reviewArmsAndMeasurements(
    db,
    studies.map((s) => s.id),
  );
  const armById = new Map(arms.map((a) => [a.id, a]));
  const studyById = new Map(studies.map((s) => [s.id, s]));
  const outcomeName = new Map(listOutcomes(db, reviewId).map((o) => [o.id, o.name]));
  const conversions = measurements
    .filter((m) => m.errorType !== "SD")
    .map((m) => {
      const arm = armById.get(m.armId)!;
      const study = studyById.get(arm.studyId)!;
      return { position: study.position, study: studyLabel(study), arm: arm.label, outcome: outcomeName.get(m.outcomeId) ?? "", day: m.day, from: m.errorType, note: toStandardDeviation(m).note };
    })
    .sort((a, b) => a.position - b.position || a.arm.localeCompare(b.arm) || a.day - b.day);
  const example = measurements.filter((m) => m.isExampleData);
  const exampleStudies = [...new Set(example.map((m) => armById.get(m.armId)!.studyId))].map((id) => studyById.get(id)!).sort((a, b) => a.position - b.position).map(studyLabel);
  return { figures: figureProvenance(db, reviewId, viewer), conversions, exampleValues: example.length, exampleStudies, values: measurements.length };
}
