import "server-only";
import { z } from "zod";
import { id } from "@/server/schemas/common";
import {
  createStudyInput,
  decideInput,
  importChunkInput,
  linkStudyInput,
  mergeCandidateInput,
  notRetrievedInput,
  queueInput,
  reasonInput,
  recordInput,
  recordsListInput,
  removeReasonInput,
  renameReasonInput,
  resolveInput,
  searchInput,
  settingsInput,
  stageInput,
  startImportInput,
  undoInput,
  undoMergeInput,
  attachFullTextInput,
  detachFullTextInput,
} from "@/server/schemas/screening";
import {
  addReason,
  createStudyFromRecord,
  decide,
  linkStudy,
  listRecords,
  recordsOfStudy,
  removeReason,
  renameReason,
  resolve,
  screeningConflicts,
  screeningOverview,
  screeningQueue,
  screeningRecallCurves,
  screeningRecord,
  setNotRetrieved,
  attachFullText,
  detachFullText,
  undoDecision,
  updateScreeningSettings,
} from "@/server/services/screening";
import { cancelImport, decideCandidate, finishImport, importChunk, listMerges, pendingCandidates, startImport, undoMerge } from "@/server/services/screening-import";
import { computePrismaCounts } from "@/server/services/screening-prisma";
import { reviewProcedure, router } from "@/server/trpc";

/**
 * Screening. The blinding rule (who reads which decisions) and the finer roles (assigned screener, third
 * reviewer) are checked in the services, on top of the minimum review role here.
 */
const caller = (ctx: { user: { id: number; displayName: string }; role: "lead" | "reviewer" | "viewer" }) => ({ user: ctx.user, role: ctx.role });

export const screeningRouter = router({
  overview: reviewProcedure("viewer").query(({ ctx }) => screeningOverview(ctx.db, ctx.reviewId, caller(ctx))),
  prisma: reviewProcedure("viewer").query(({ ctx }) => computePrismaCounts(ctx.db, ctx.reviewId)),
  recall: reviewProcedure("viewer").query(({ ctx }) => screeningRecallCurves(ctx.db, ctx.reviewId, caller(ctx))),
  records: reviewProcedure("viewer")
    .input(recordsListInput)
    .query(({ ctx, input }) => listRecords(ctx.db, ctx.reviewId, caller(ctx), input.filter, input.search, input.page)),
  record: reviewProcedure("viewer")
    .input(recordInput)
    .query(({ ctx, input }) => screeningRecord(ctx.db, ctx.reviewId, caller(ctx), input.recordId)),
  studyRecords: reviewProcedure("viewer")
    .input(z.object({ studyId: id }))
    .query(({ ctx, input }) => recordsOfStudy(ctx.db, ctx.reviewId, input.studyId)),

  updateSettings: reviewProcedure("lead")
    .input(settingsInput)
    .mutation(({ ctx, input }) => updateScreeningSettings(ctx.db, caller(ctx), ctx.reviewId, input)),
  addReason: reviewProcedure("lead")
    .input(reasonInput)
    .mutation(({ ctx, input }) => addReason(ctx.db, caller(ctx), ctx.reviewId, input.label)),
  renameReason: reviewProcedure("lead")
    .input(renameReasonInput)
    .mutation(({ ctx, input }) => renameReason(ctx.db, caller(ctx), ctx.reviewId, input.reasonId, input.label, input.version)),
  removeReason: reviewProcedure("lead")
    .input(removeReasonInput)
    .mutation(({ ctx, input }) => removeReason(ctx.db, caller(ctx), ctx.reviewId, input.reasonId, input.version)),

  startImport: reviewProcedure("reviewer")
    .input(startImportInput)
    .mutation(({ ctx, input }) => startImport(ctx.db, caller(ctx), ctx.reviewId, input)),
  importChunk: reviewProcedure("reviewer")
    .input(importChunkInput)
    .mutation(({ ctx, input }) => importChunk(ctx.db, caller(ctx), ctx.reviewId, input)),
  finishImport: reviewProcedure("reviewer")
    .input(searchInput)
    .mutation(({ ctx, input }) => finishImport(ctx.db, caller(ctx), ctx.reviewId, input.searchId)),
  cancelImport: reviewProcedure("reviewer")
    .input(searchInput)
    .mutation(({ ctx, input }) => cancelImport(ctx.db, caller(ctx), ctx.reviewId, input.searchId)),

  candidates: reviewProcedure("reviewer").query(({ ctx }) => pendingCandidates(ctx.db, ctx.reviewId)),
  decideCandidate: reviewProcedure("reviewer")
    .input(mergeCandidateInput)
    .mutation(({ ctx, input }) => decideCandidate(ctx.db, caller(ctx), ctx.reviewId, input.candidateId, input.action, input.version)),
  merges: reviewProcedure("viewer").query(({ ctx }) => listMerges(ctx.db, ctx.reviewId)),
  undoMerge: reviewProcedure("reviewer")
    .input(undoMergeInput)
    .mutation(({ ctx, input }) => undoMerge(ctx.db, caller(ctx), ctx.reviewId, input.mergeId)),

  /** The caller's own queue; assigned screeners only (others get an empty queue that says so). */
  queue: reviewProcedure("reviewer")
    .input(queueInput)
    .query(({ ctx, input }) => screeningQueue(ctx.db, ctx.reviewId, caller(ctx), input.stage, input.order, input.limit)),
  decide: reviewProcedure("reviewer")
    .input(decideInput)
    .mutation(({ ctx, input }) => decide(ctx.db, caller(ctx), ctx.reviewId, input)),
  undo: reviewProcedure("reviewer")
    .input(undoInput)
    .mutation(({ ctx, input }) => undoDecision(ctx.db, caller(ctx), ctx.reviewId, input.recordId, input.stage, input.version)),
  conflicts: reviewProcedure("reviewer")
    .input(stageInput)
    .query(({ ctx, input }) => screeningConflicts(ctx.db, ctx.reviewId, caller(ctx), input.stage)),
  /** The lead, or the third reviewer the lead names (checked in the service). */
  resolve: reviewProcedure("reviewer")
    .input(resolveInput)
    .mutation(({ ctx, input }) => resolve(ctx.db, caller(ctx), ctx.reviewId, input)),
  /** Called by the upload route (app/api/reviews/[id]/screening/records/[recordId]/full-text) with the PDF's bytes. */
  attachFullText: reviewProcedure("reviewer")
    .input(attachFullTextInput)
    .mutation(({ ctx, input }) => attachFullText(ctx.db, caller(ctx), ctx.reviewId, input.recordId, input.file, input.fileName, input.version)),
  detachFullText: reviewProcedure("reviewer")
    .input(detachFullTextInput)
    .mutation(({ ctx, input }) => detachFullText(ctx.db, caller(ctx), ctx.reviewId, input.recordId, input.version)),
  setNotRetrieved: reviewProcedure("reviewer")
    .input(notRetrievedInput)
    .mutation(({ ctx, input }) => setNotRetrieved(ctx.db, caller(ctx), ctx.reviewId, input.recordId, input.notRetrieved, input.reason, input.version)),
  createStudy: reviewProcedure("reviewer")
    .input(createStudyInput)
    .mutation(({ ctx, input }) => createStudyFromRecord(ctx.db, caller(ctx), ctx.reviewId, input.recordId, input.version)),
  linkStudy: reviewProcedure("reviewer")
    .input(linkStudyInput)
    .mutation(({ ctx, input }) => linkStudy(ctx.db, caller(ctx), ctx.reviewId, input.recordId, input.studyId, input.version)),
});
