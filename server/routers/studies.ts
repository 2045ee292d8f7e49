import "server-only";
import { z } from "zod";
import { id, version } from "@/server/schemas/common";
import { newStudySchema } from "@/server/schemas/study";
import { studyDetail, studyHistoryFor } from "@/server/services/overview";
import { createStudy, deleteStudy, listRemovedStudies, listStudiesWithDataStatus, restoreStudy, updateStudyField } from "@/server/services/studies";
import { reviewProcedure, router } from "@/server/trpc";

export const studiesRouter = router({
  list: reviewProcedure("viewer").query(({ ctx }) => listStudiesWithDataStatus(ctx.db, ctx.reviewId)),
  get: reviewProcedure("viewer")
    .input(z.object({ studyId: id }))
    .query(({ ctx, input }) => studyDetail(ctx.db, ctx.reviewId, input.studyId, ctx.user.id)),
  create: reviewProcedure("reviewer")
    .input(newStudySchema)
    .mutation(({ ctx, input: { reviewId: _reviewId, ...study } }) => createStudy(ctx.db, ctx.user, ctx.reviewId, study)),
  /** One cell of the study table: a fixed field or a characteristic ("c:<id>"), validated by its own schema in the service. */
  update: reviewProcedure("reviewer")
    .input(z.object({ studyId: id, field: z.string().max(40), value: z.unknown(), version }))
    .mutation(({ ctx, input }) => updateStudyField(ctx.db, ctx.user, ctx.reviewId, input.studyId, input.field, input.value, input.version)),
  /** A study with data can be removed by the lead only (checked in the service); it can be restored. */
  delete: reviewProcedure("reviewer")
    .input(z.object({ studyId: id, version }))
    .mutation(({ ctx, input }) => deleteStudy(ctx.db, ctx.user, ctx.role, ctx.reviewId, input.studyId, input.version)),
  removed: reviewProcedure("reviewer").query(({ ctx }) => listRemovedStudies(ctx.db, ctx.reviewId)),
  restore: reviewProcedure("lead")
    .input(z.object({ studyId: id }))
    .mutation(({ ctx, input }) => restoreStudy(ctx.db, ctx.user, ctx.reviewId, input.studyId)),
  history: reviewProcedure("viewer")
    .input(z.object({ studyId: id }))
    .query(({ ctx, input }) => studyHistoryFor(ctx.db, ctx.reviewId, input.studyId, ctx.user.id)),
});
