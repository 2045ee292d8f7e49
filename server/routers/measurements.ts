import "server-only";
import { z } from "zod";
import { finiteNumber, id, requiredText, boundedText, version } from "@/server/schemas/common";
import { measurementInput } from "@/server/schemas/measurement";
import { entityHistory } from "@/server/services/audit";
import { createOutcome, deleteMeasurement, listOutcomes, saveMeasurement } from "@/server/services/measurements";
import { reviewProcedure, router } from "@/server/trpc";

export const measurementsRouter = router({
  outcomes: reviewProcedure("viewer").query(({ ctx }) => listOutcomes(ctx.db, ctx.reviewId)),
  createOutcome: reviewProcedure("lead")
    .input(
      z
        .object({
          name: requiredText(200),
          unit: boundedText(50).default("points"),
          scaleMin: finiteNumber.nullable(),
          scaleMax: finiteNumber.nullable(),
          higherIsBetter: z.boolean().default(true),
        })
        .refine((o) => o.scaleMin === null || o.scaleMax === null || o.scaleMin < o.scaleMax, { path: ["scaleMax"], message: "must be above the scale minimum" }),
    )
    .mutation(({ ctx, input: { reviewId: _reviewId, ...outcome } }) => createOutcome(ctx.db, ctx.user, ctx.reviewId, outcome)),
  save: reviewProcedure("reviewer")
    .input(measurementInput)
    .mutation(({ ctx, input }) => saveMeasurement(ctx.db, ctx.user, ctx.reviewId, input)),
  delete: reviewProcedure("reviewer")
    .input(z.object({ measurementId: id, version }))
    .mutation(({ ctx, input }) => deleteMeasurement(ctx.db, ctx.user, ctx.reviewId, input.measurementId, input.version)),
  history: reviewProcedure("viewer")
    .input(z.object({ measurementId: id }))
    .query(({ ctx, input }) => entityHistory(ctx.db, ctx.reviewId, "measurement", input.measurementId)),
});
