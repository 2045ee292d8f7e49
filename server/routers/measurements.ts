import "server-only";
import { z } from "zod";
import { id, version } from "@/server/schemas/common";
import { measurementInput } from "@/server/schemas/measurement";
import { entityHistory } from "@/server/services/audit";
import { deleteMeasurement, listOutcomes, saveMeasurement } from "@/server/services/measurements";
import { reviewProcedure, router } from "@/server/trpc";

export const measurementsRouter = router({
  outcomes: reviewProcedure("viewer").query(({ ctx }) => listOutcomes(ctx.db, ctx.reviewId)),
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
