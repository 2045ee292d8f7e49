import "server-only";
import { z } from "zod";
import { id, version } from "@/server/schemas/common";
import { measurementInput } from "@/server/schemas/measurement";
import { entityHistory } from "@/server/services/audit";
import { deleteMeasurements, restoreMeasurement, saveMeasurement } from "@/server/services/measurements";
import { reviewProcedure, router } from "@/server/trpc";

export const measurementsRouter = router({
  save: reviewProcedure("reviewer")
    .input(measurementInput)
    .mutation(({ ctx, input }) => saveMeasurement(ctx.db, ctx.user, ctx.reviewId, input)),
  /** One value, or every arm's value at a time point, in one transaction. */
  delete: reviewProcedure("reviewer")
    .input(z.object({ studyId: id, values: z.array(z.object({ measurementId: id, version })).min(1).max(200) }))
    .mutation(({ ctx, input }) => deleteMeasurements(ctx.db, ctx.user, ctx.reviewId, input.studyId, input.values)),
  /** Undo a deletion from the study's history. */
  restore: reviewProcedure("reviewer")
    .input(z.object({ measurementId: id }))
    .mutation(({ ctx, input }) => restoreMeasurement(ctx.db, ctx.user, ctx.reviewId, input.measurementId)),
  history: reviewProcedure("viewer")
    .input(z.object({ measurementId: id }))
    .query(({ ctx, input }) => entityHistory(ctx.db, ctx.reviewId, "measurement", input.measurementId)),
});
