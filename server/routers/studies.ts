import "server-only";
import { z } from "zod";
import { id, version } from "@/server/schemas/common";
import { newStudySchema, studyFields } from "@/server/schemas/study";
import { studyHistory } from "@/server/services/audit";
import { studyDetail } from "@/server/services/overview";
import { createStudy, deleteStudy, listStudiesWithDataStatus, updateStudyField } from "@/server/services/studies";
import { reviewProcedure, router } from "@/server/trpc";

export const studiesRouter = router({
  list: reviewProcedure("viewer").query(({ ctx }) => listStudiesWithDataStatus(ctx.db, ctx.reviewId)),
  get: reviewProcedure("viewer")
    .input(z.object({ studyId: id }))
    .query(({ ctx, input }) => studyDetail(ctx.db, ctx.reviewId, input.studyId)),
  create: reviewProcedure("reviewer")
    .input(newStudySchema)
    .mutation(({ ctx, input: { reviewId: _reviewId, ...study } }) => createStudy(ctx.db, ctx.user, ctx.reviewId, study)),
  /** One cell of the study table; the value is validated by the field's own schema in the service. */
  update: reviewProcedure("reviewer")
    .input(z.object({ studyId: id, field: z.enum(studyFields), value: z.unknown(), version }))
    .mutation(({ ctx, input }) => updateStudyField(ctx.db, ctx.user, ctx.reviewId, input.studyId, input.field, input.value, input.version)),
  delete: reviewProcedure("reviewer")
    .input(z.object({ studyId: id, version }))
    .mutation(({ ctx, input }) => deleteStudy(ctx.db, ctx.user, ctx.reviewId, input.studyId, input.version)),
  history: reviewProcedure("viewer")
    .input(z.object({ studyId: id }))
    .query(({ ctx, input }) => studyHistory(ctx.db, ctx.reviewId, input.studyId)),
});
