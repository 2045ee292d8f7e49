import "server-only";
import { z } from "zod";
import { savedAnalysisInput } from "@/server/schemas/analysis-settings";
import { id, version } from "@/server/schemas/common";
import { createSavedAnalysis, deleteSavedAnalysis, listSavedAnalyses, moveSavedAnalysis, updateSavedAnalysis } from "@/server/services/saved-analyses";
import { reviewProcedure, router } from "@/server/trpc";

/** The review's saved analyses (what others see and the report prints); only the lead changes them. */
export const savedAnalysesRouter = router({
  list: reviewProcedure("viewer").query(({ ctx }) => listSavedAnalyses(ctx.db, ctx.reviewId)),
  create: reviewProcedure("lead")
    .input(savedAnalysisInput)
    .mutation(({ ctx, input }) => createSavedAnalysis(ctx.db, ctx.user, ctx.reviewId, input)),
  update: reviewProcedure("lead")
    .input(savedAnalysisInput.extend({ analysisId: id, version }))
    .mutation(({ ctx, input }) => updateSavedAnalysis(ctx.db, ctx.user, ctx.reviewId, input.analysisId, input, input.version)),
  delete: reviewProcedure("lead")
    .input(z.object({ analysisId: id, version }))
    .mutation(({ ctx, input }) => deleteSavedAnalysis(ctx.db, ctx.user, ctx.reviewId, input.analysisId, input.version)),
  move: reviewProcedure("lead")
    .input(z.object({ analysisId: id, direction: z.enum(["up", "down"]) }))
    .mutation(({ ctx, input }) => moveSavedAnalysis(ctx.db, ctx.user, ctx.reviewId, input.analysisId, input.direction)),
});
