import "server-only";
import { archiveImportInput, commitImportInput, commitReferencesInput, exportInput, importInput, referencesImportInput } from "@/server/schemas/data-import";
import { commitImport, previewImport } from "@/server/services/data-import";
import { buildDownload } from "@/server/services/downloads";
import { commitReferences, previewReferences } from "@/server/services/references";
import { importReviewArchive } from "@/server/services/review-archive";
import { adminProcedure, reviewProcedure, router } from "@/server/trpc";

/**
 * Data in and out (the Data page). Imports are the lead's: a preview that writes nothing, then a commit of exactly
 * what was previewed. Every member downloads. A whole-review archive becomes a new review, so only an
 * administrator (who creates reviews) imports one.
 */
export const dataIoRouter = router({
  download: reviewProcedure("viewer")
    .input(exportInput)
    .query(({ ctx, input }) => buildDownload(ctx.db, ctx.reviewId, ctx, input.file, input.analysisId)),
  previewImport: reviewProcedure("lead")
    .input(importInput)
    .mutation(({ ctx, input }) => previewImport(ctx.db, ctx.reviewId, input.file, input.mapping)),
  commitImport: reviewProcedure("lead")
    .input(commitImportInput)
    .mutation(({ ctx, input }) => commitImport(ctx.db, ctx.user, ctx.reviewId, input.file, input.mapping, input.fingerprint)),
  previewReferences: reviewProcedure("lead")
    .input(referencesImportInput)
    .mutation(({ ctx, input }) => previewReferences(ctx.db, ctx.reviewId, input.file, input.createMissing)),
  commitReferences: reviewProcedure("lead")
    .input(commitReferencesInput)
    .mutation(({ ctx, input }) => commitReferences(ctx.db, ctx.user, ctx.reviewId, input.file, input.createMissing, input.fingerprint)),
  importReview: adminProcedure.input(archiveImportInput).mutation(({ ctx, input }) => importReviewArchive(ctx.db, ctx.user, input.file)),
});
