import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import superjson from "superjson";
import { z, ZodError } from "zod";
import { getDb, type Db } from "@/db/client";
import { reviewMembers, reviews, type MemberRole } from "@/db/schema";
import { findSessionUser, readCookie, SESSION_COOKIE, type SessionUser } from "@/server/auth/session";
import { AppError, toTRPCError } from "@/server/errors";
import { humanMessage, labelOfPath } from "@/server/schemas/messages";

export type Context = {
  db: Db;
  user: SessionUser | null;
  sessionToken: string | undefined;
  /** Client address for login rate limiting. */
  address: string;
  /** Cookies set by a procedure (sign-in, sign-out) go out through these response headers. */
  resHeaders: Headers | null;
};

export function createContext(opts: { headers: Headers; resHeaders?: Headers; db?: Db }): Context {
  const db = opts.db ?? getDb();
  const sessionToken = readCookie(opts.headers.get("cookie"), SESSION_COOKIE);
  const address = opts.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || opts.headers.get("x-real-ip") || "local";
  return { db, user: findSessionUser(db, sessionToken), sessionToken, address, resHeaders: opts.resHeaders ?? null };
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const zodIssue = cause instanceof ZodError ? cause.issues[0] : undefined;
    return {
      ...shape,
      data: {
        ...shape.data,
        field: zodIssue ? zodIssue.path.join(".") : cause instanceof AppError ? cause.field : undefined,
        current: cause instanceof AppError ? cause.current : undefined,
      },
    };
  },
});

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;

/**
 * Maps the services' AppError to tRPC codes, in this one place, and turns an input validation failure into
 * "field: message", so that callers over HTTP and in-process read the same message naming the field.
 */
const mapAppErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (cause instanceof AppError) throw toTRPCError(cause);
  if (cause instanceof ZodError) {
    const issue = cause.issues[0];
    throw new TRPCError({ code: "BAD_REQUEST", message: humanMessage(labelOfPath(issue?.path ?? []), issue?.message), cause });
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapAppErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (!ctx.user.isAdmin) throw new TRPCError({ code: "FORBIDDEN", message: "Only an administrator can do this." });
  return next();
});

const roleRank: Record<MemberRole, number> = { viewer: 1, reviewer: 2, lead: 3 };

/** The caller's role in a review (an administrator acts as lead everywhere), or null for a non-member. */
export function roleInReview(db: Db, user: SessionUser, reviewId: number): MemberRole | null {
  if (user.isAdmin) return "lead";
  const row = db
    .select({ role: reviewMembers.role })
    .from(reviewMembers)
    .where(and(eq(reviewMembers.reviewId, reviewId), eq(reviewMembers.userId, user.id)))
    .get();
  return row?.role ?? null;
}

/**
 * A procedure on one review: its input carries `reviewId`, and the caller must be a member with at least
 * `minRole`. Every object a procedure then touches is looked up within that review (object-level checks).
 */
export function reviewProcedure(minRole: MemberRole) {
  return authedProcedure.input(z.object({ reviewId: z.number().int().positive() })).use(({ ctx, input, next }) => {
    const exists = ctx.db.select({ id: reviews.id }).from(reviews).where(eq(reviews.id, input.reviewId)).get();
    const role = exists ? roleInReview(ctx.db, ctx.user, input.reviewId) : null;
    if (!role) throw new TRPCError({ code: "FORBIDDEN", message: "You are not a member of this review." });
    if (roleRank[role] < roleRank[minRole])
      throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${minRole} role in this review; you are ${role}.` });
    return next({ ctx: { ...ctx, role, reviewId: input.reviewId } });
  });
}
