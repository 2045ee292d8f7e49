import "server-only";
import { z } from "zod";
import { version } from "@/server/schemas/common";
import { analysisSettingsInput } from "@/server/schemas/analysis-settings";
import { compareTimepoints, getSettings, runReviewAnalysis, updateSettings } from "@/server/services/analysis";
import { reviewChanges } from "@/server/events";
import { reviewProcedure, router } from "@/server/trpc";

export const analysisRouter = router({
  settings: reviewProcedure("viewer").query(({ ctx }) => getSettings(ctx.db, ctx.reviewId)),
  updateSettings: reviewProcedure("lead")
    .input(z.object({ patch: analysisSettingsInput, version }))
    .mutation(({ ctx, input }) => updateSettings(ctx.db, ctx.user, ctx.reviewId, input.patch, input.version)),
  /**
   * The pooled result with the saved settings, optionally for another time point (first vs last side by side),
   * and, on request, the cumulative meta-analysis by year of publication.
   */
  run: reviewProcedure("viewer")
    .input(z.object({ timepoint: z.enum(["first", "last"]).optional(), cumulative: z.literal("year").optional() }))
    .query(({ ctx, input }) =>
      runReviewAnalysis(ctx.db, ctx.reviewId, input.timepoint ? { timepoint: input.timepoint } : {}, input.cumulative ? { cumulative: input.cumulative } : {}),
    ),
  /** First and last time point side by side (the seed paper reports both), each with the saved settings otherwise. */
  timepoints: reviewProcedure("viewer").query(({ ctx }) => compareTimepoints(ctx.db, ctx.reviewId)),
  /** Pushes "review changed" to open pages (SSE), so that charts follow everyone's edits without reload. */
  changes: reviewProcedure("viewer").subscription(async function* ({ ctx, signal }) {
    for await (const change of reviewChanges(ctx.reviewId, { userId: ctx.user.id, role: ctx.role }, signal)) yield change;
  }),
});
