import "server-only";
import { z } from "zod";
import { id, version } from "@/server/schemas/common";
import { outcomeInput } from "@/server/schemas/outcomes";
import { createOutcome, deleteOutcome, listOutcomes, updateOutcome } from "@/server/services/outcomes";
import { reviewProcedure, router } from "@/server/trpc";

/** The review's outcomes (none until the lead defines one), each with its scale, direction and normal value. */
export const outcomesRouter = router({
  list: reviewProcedure("viewer").query(({ ctx }) => listOutcomes(ctx.db, ctx.reviewId)),
  create: reviewProcedure("lead")
    .input(z.object({ outcome: outcomeInput }))
    .mutation(({ ctx, input }) => createOutcome(ctx.db, ctx.user, ctx.reviewId, input.outcome)),
  update: reviewProcedure("lead")
    .input(z.object({ outcomeId: id, outcome: outcomeInput, version }))
    .mutation(({ ctx, input }) => updateOutcome(ctx.db, ctx.user, ctx.reviewId, input.outcomeId, input.outcome, input.version)),
  delete: reviewProcedure("lead")
    .input(z.object({ outcomeId: id, version }))
    .mutation(({ ctx, input }) => deleteOutcome(ctx.db, ctx.user, ctx.reviewId, input.outcomeId, input.version)),
});
