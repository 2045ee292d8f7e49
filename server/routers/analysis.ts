import "server-only";
import { z } from "zod";
import { analysisSettingsSchema } from "@/server/schemas/analysis-settings";
import { compareTimepoints, runReviewAnalysis } from "@/server/services/analysis";
import { riskOfBiasSensitivity, timeCourse } from "@/server/services/preclinical-analysis";
import { reviewChanges } from "@/server/events";
import { reviewProcedure, router } from "@/server/trpc";

/**
 * Every procedure passes the requester as a possible blind reader of a figure (their view leaves out what they are
 * reading). Any member may run any settings (exploring changes nothing): without settings, the review's first saved analysis
 * is run. Saving settings for everyone is `analyses.create/update` (lead only).
 */
const runInput = z.object({ settings: analysisSettingsSchema.optional(), cumulative: z.literal("year").optional() });

export const analysisRouter = router({
  /** The pooled result, forest and funnel data, sensitivity analyses; with the cumulative analysis on request. */
  run: reviewProcedure("viewer")
    .input(runInput)
    .query(({ ctx, input }) => runReviewAnalysis(ctx.db, ctx.reviewId, input.settings ?? {}, { ...(input.cumulative ? { cumulative: input.cumulative } : {}), blindReaderId: ctx.user.id })),
  /** First and last time point side by side (the seed paper reports both), each with the given settings otherwise. */
  timepoints: reviewProcedure("viewer")
    .input(z.object({ settings: analysisSettingsSchema.optional() }))
    .query(({ ctx, input }) => compareTimepoints(ctx.db, ctx.reviewId, input.settings ?? {}, ctx.user.id)),
  /** The outcome over time: one analysis per day after injury, with each comparison's effect and k per day. */
  timeCourse: reviewProcedure("viewer")
    .input(z.object({ settings: analysisSettingsSchema.optional() }))
    .query(({ ctx, input }) => timeCourse(ctx.db, ctx.reviewId, input.settings ?? {}, ctx.user.id)),
  /** The pooled result restricted to studies at low risk of bias in each SYRCLE domain (consensus), and in all. */
  riskOfBias: reviewProcedure("viewer")
    .input(z.object({ settings: analysisSettingsSchema.optional() }))
    .query(({ ctx, input }) => riskOfBiasSensitivity(ctx.db, ctx.reviewId, input.settings ?? {}, ctx.user.id)),
  /** Pushes "review changed" to open pages (SSE), so that charts follow everyone's edits without reload. */
  changes: reviewProcedure("viewer").subscription(async function* ({ ctx, signal }) {
    for await (const change of reviewChanges(ctx.reviewId, { userId: ctx.user.id, role: ctx.role }, signal)) yield change;
  }),
});
