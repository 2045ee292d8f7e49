import "server-only";
import { z } from "zod";
import { id } from "@/server/schemas/common";
import {
  createFigureInput,
  decideInput,
  deleteFigureInput,
  deletePointInput,
  figureRef,
  placePointInput,
  readingRef,
  saveCalibrationInput,
  sendToGridInput,
  updateFigureInput,
} from "@/server/schemas/figure";
import {
  compareReadings,
  completeReading,
  createFigure,
  decideReading,
  deleteFigure,
  deletePoint,
  figureProvenance,
  figureView,
  listStudyFigures,
  placePoint,
  reopenReading,
  revealReadings,
  saveCalibration,
  sendToGrid,
  startBlindReading,
  updateFigure,
} from "@/server/services/figures";
import { reviewProcedure, router } from "@/server/trpc";

/**
 * Figures digitised in the workbench. Who may see which reading (blind second reading) and who may change
 * it (its reader) is checked in server/services/figures.ts, on top of the minimum review role here.
 */
export const figuresRouter = router({
  list: reviewProcedure("viewer")
    .input(z.object({ studyId: id }))
    .query(({ ctx, input }) => listStudyFigures(ctx.db, ctx.reviewId, input.studyId)),
  get: reviewProcedure("viewer")
    .input(figureRef)
    .query(({ ctx, input }) => figureView(ctx.db, ctx, ctx.reviewId, input.figureId)),
  /** Called by the upload route (app/api/reviews/[id]/figures/route.ts) with the image bytes; JSON clients cannot send them. */
  create: reviewProcedure("reviewer")
    .input(createFigureInput)
    .mutation(({ ctx, input: { reviewId: _reviewId, ...figure } }) => createFigure(ctx.db, ctx.user, ctx.reviewId, figure)),
  update: reviewProcedure("reviewer")
    .input(updateFigureInput)
    .mutation(({ ctx, input }) => updateFigure(ctx.db, ctx.user, ctx.reviewId, input.figureId, input.patch, input.version)),
  /** The lead, or the member who added it while nobody else has read it (checked in the service). */
  delete: reviewProcedure("reviewer")
    .input(deleteFigureInput)
    .mutation(({ ctx, input }) => deleteFigure(ctx.db, ctx, ctx.reviewId, input)),
  saveCalibration: reviewProcedure("reviewer")
    .input(saveCalibrationInput)
    .mutation(({ ctx, input }) => saveCalibration(ctx.db, ctx.user, ctx.reviewId, input)),
  placePoint: reviewProcedure("reviewer")
    .input(placePointInput)
    .mutation(({ ctx, input }) => placePoint(ctx.db, ctx.user, ctx.reviewId, input)),
  deletePoint: reviewProcedure("reviewer")
    .input(deletePointInput)
    .mutation(({ ctx, input }) => deletePoint(ctx.db, ctx.user, ctx.reviewId, input)),
  sendToGrid: reviewProcedure("reviewer")
    .input(sendToGridInput)
    .mutation(({ ctx, input }) => sendToGrid(ctx.db, ctx, ctx.reviewId, input)),
  completeReading: reviewProcedure("reviewer")
    .input(readingRef)
    .mutation(({ ctx, input }) => completeReading(ctx.db, ctx.user, ctx.reviewId, input)),
  reopenReading: reviewProcedure("reviewer")
    .input(readingRef)
    .mutation(({ ctx, input }) => reopenReading(ctx.db, ctx.user, ctx.reviewId, input)),
  startBlindReading: reviewProcedure("reviewer")
    .input(figureRef)
    .mutation(({ ctx, input }) => startBlindReading(ctx.db, ctx, ctx.reviewId, input.figureId)),
  /** Shows the other readings; the caller can then no longer be this figure's blind reader (recorded). */
  revealReadings: reviewProcedure("viewer")
    .input(figureRef)
    .mutation(({ ctx, input }) => revealReadings(ctx.db, ctx, ctx.reviewId, input.figureId)),
  compare: reviewProcedure("viewer")
    .input(figureRef)
    .query(({ ctx, input }) => compareReadings(ctx.db, ctx, ctx.reviewId, input.figureId)),
  decide: reviewProcedure("lead")
    .input(decideInput)
    .mutation(({ ctx, input }) => decideReading(ctx.db, ctx.user, ctx.reviewId, input)),
  /** Values read from figures, with figure, page and reader (the report's provenance section). */
  provenance: reviewProcedure("viewer").query(({ ctx }) => figureProvenance(ctx.db, ctx.reviewId, ctx)),
});
