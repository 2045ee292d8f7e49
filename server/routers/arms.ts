import "server-only";
import { armDeleteInput, armUpdateInput, newArmInput } from "@/server/schemas/arms";
import { createArm, deleteArm, updateArmField } from "@/server/services/arms";
import { reviewProcedure, router } from "@/server/trpc";

/** A study's arms (treated, control, sham): reviewers edit them; the service checks that each belongs to the study. */
export const armsRouter = router({
  create: reviewProcedure("reviewer")
    .input(newArmInput)
    .mutation(({ ctx, input: { reviewId: _reviewId, ...arm } }) => createArm(ctx.db, ctx.user, ctx.reviewId, arm)),
  /** One field of an arm (label, dose, dose unit, control arm) or its own value of a characteristic ("c:<id>"). */
  update: reviewProcedure("reviewer")
    .input(armUpdateInput)
    .mutation(({ ctx, input }) => updateArmField(ctx.db, ctx.user, ctx.reviewId, input.studyId, input.armId, input.field, input.value, input.version)),
  /** An arm holding outcome values can be removed by the lead only (checked in the service). */
  delete: reviewProcedure("reviewer")
    .input(armDeleteInput)
    .mutation(({ ctx, input }) => deleteArm(ctx.db, ctx.user, ctx.role, ctx.reviewId, input.studyId, input.armId, input.version)),
});
