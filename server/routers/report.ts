import "server-only";
import { reportOptionsSchema } from "@/server/schemas/report";
import { buildReport } from "@/server/services/report";
import { reviewProcedure, router } from "@/server/trpc";

/** The printable report: every member reads it (viewers too); what each sees follows the services' own rules. */
export const reportRouter = router({
  get: reviewProcedure("viewer")
    .input(reportOptionsSchema.pick({ sections: true, analyses: true }))
    .query(({ ctx, input }) => buildReport(ctx.db, ctx.reviewId, ctx, input)),
});
