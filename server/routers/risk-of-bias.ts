import "server-only";
import {
  acceptAgreedInput,
  assignInput,
  cellInput,
  figureInput,
  recordConsensusInput,
  saveJudgmentInput,
} from "@/server/schemas/risk-of-bias";
import {
  acceptAgreed,
  assignReviewers,
  recordConsensus,
  robAgreement,
  robCellHistory,
  robCsv,
  robFigureData,
  robGrid,
  saveJudgment,
} from "@/server/services/risk-of-bias";
import { reviewProcedure, router } from "@/server/trpc";

/**
 * SYRCLE risk of bias. The blinding rule (who reads which judgments) and the finer roles (assigned reviewer,
 * arbiter) are checked in the service, on top of the minimum review role here.
 */
export const riskOfBiasRouter = router({
  grid: reviewProcedure("viewer").query(({ ctx }) => robGrid(ctx.db, ctx.reviewId, ctx)),
  agreement: reviewProcedure("viewer").query(({ ctx }) => robAgreement(ctx.db, ctx.reviewId)),
  figureData: reviewProcedure("viewer")
    .input(figureInput)
    .query(({ ctx, input }) => robFigureData(ctx.db, ctx.reviewId, ctx, input.source)),
  exportCsv: reviewProcedure("viewer")
    .input(figureInput)
    .query(({ ctx, input }) => robCsv(ctx.db, ctx.reviewId, ctx, input.source)),
  history: reviewProcedure("viewer")
    .input(cellInput)
    .query(({ ctx, input }) => robCellHistory(ctx.db, ctx.reviewId, ctx, input.studyId, input.domain)),
  /** Assigned reviewers only (checked in the service), each on their own judgments. */
  saveJudgment: reviewProcedure("reviewer")
    .input(saveJudgmentInput)
    .mutation(({ ctx, input }) => saveJudgment(ctx.db, ctx, ctx.reviewId, input)),
  /** The lead, or the arbiter the lead names (a reviewer; checked in the service). */
  recordConsensus: reviewProcedure("reviewer")
    .input(recordConsensusInput)
    .mutation(({ ctx, input }) => recordConsensus(ctx.db, ctx, ctx.reviewId, input)),
  acceptAgreed: reviewProcedure("reviewer")
    .input(acceptAgreedInput)
    .mutation(({ ctx, input }) => acceptAgreed(ctx.db, ctx, ctx.reviewId, input.studyId)),
  assign: reviewProcedure("lead")
    .input(assignInput)
    .mutation(({ ctx, input }) => assignReviewers(ctx.db, ctx, ctx.reviewId, input)),
});
