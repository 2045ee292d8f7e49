import "server-only";
import { z } from "zod";
import { memberRoles } from "@/db/schema";
import { boundedText, requiredText, version } from "@/server/schemas/common";
import { reviewOverview } from "@/server/services/overview";
import { createReview, getReview, listMembers, listReviewsFor, setMember, updateReview } from "@/server/services/reviews";
import { adminProcedure, authedProcedure, reviewProcedure, router } from "@/server/trpc";

const count = z.number().int().min(0).max(10_000_000).nullable();
const tally = z.number().int("must be a whole number").min(0, "must be 0 or more").max(10_000_000, "must be at most 10 000 000");
const reviewDetails = z.object({
  title: requiredText(300),
  question: boundedText(2000),
  population: boundedText(2000),
  intervention: boundedText(2000),
  comparison: boundedText(2000),
  outcomeDescription: boundedText(2000),
  studyDesign: boundedText(2000),
  inclusionCriteria: boundedText(10_000),
  exclusionCriteria: boundedText(10_000),
  prismaIdentified: count,
  prismaAfterDuplicates: count,
  prismaFullText: count,
  prismaIncluded: count,
  prismaSources: z.array(z.object({ source: requiredText(200), records: tally })).max(30, "must list at most 30 sources"),
  prismaNotRetrieved: count,
  prismaExclusionReasons: z.array(z.object({ reason: requiredText(300), reports: tally })).max(30, "must list at most 30 reasons"),
});

export const reviewsRouter = router({
  list: authedProcedure.query(({ ctx }) => listReviewsFor(ctx.db, ctx.user)),
  get: reviewProcedure("viewer").query(({ ctx }) => ({ review: getReview(ctx.db, ctx.reviewId), role: ctx.role })),
  overview: reviewProcedure("viewer").query(({ ctx }) => reviewOverview(ctx.db, ctx.reviewId)),
  create: adminProcedure
    .input(reviewDetails.partial().required({ title: true }))
    .mutation(({ ctx, input }) => createReview(ctx.db, ctx.user, input)),
  update: reviewProcedure("lead")
    .input(z.object({ patch: reviewDetails.partial(), version }))
    .mutation(({ ctx, input }) => updateReview(ctx.db, ctx.user, ctx.reviewId, input.patch, input.version)),
  members: reviewProcedure("viewer").query(({ ctx }) => listMembers(ctx.db, ctx.reviewId)),
  setMember: reviewProcedure("lead")
    .input(z.object({ username: z.string().trim().min(1).max(100), role: z.enum(memberRoles).nullable() }))
    .mutation(({ ctx, input }) => setMember(ctx.db, ctx.user, ctx.reviewId, input.username, input.role)),
});
