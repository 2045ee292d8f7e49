import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import type { TRPCRequestInfo } from "@trpc/server/http";
import { and, eq } from "drizzle-orm";
import { setTimeout as sleep } from "node:timers/promises";
import superjson from "superjson";
import { z, ZodError } from "zod";
import { getDb, reopenDbSoon, type Db } from "@/db/client";
import { reviewMembers, reviews, type MemberRole } from "@/db/schema";
import { DEVICE_COOKIE, findSessionUser, readCookie, SESSION_COOKIE, type SessionUser } from "@/server/auth/session";
import { clientAddress } from "@/server/client-address";
import { BUSY_RETRY_DELAYS_MS, classifyDbFault, connectionMayBeStuck, dbFaultError, isBusy } from "@/server/db-faults";
import { AppError, toTRPCError } from "@/server/errors";
import { humanMessage, labelOfPath } from "@/server/schemas/messages";
import { MAX_BATCH_CALLS, UNBATCHABLE_PROCEDURES } from "@/server/batch-limits";

export type Context = {
  db: Db;
  user: SessionUser | null;
  sessionToken: string | undefined;
  /** The "this browser has signed in here before" cookie: sign-in throttling treats such a browser apart. */
  deviceToken: string | undefined;
  /** Client address for sign-in throttling (server/client-address.ts). */
  address: string;
  /** Cookies set by a procedure (sign-in, sign-out) go out through these response headers. */
  resHeaders: Headers | null;
};

export { MAX_BATCH_CALLS, UNBATCHABLE_PROCEDURES };

/** Refuses, before any procedure runs, a batch that is too long or that carries a procedure that must come alone. */
export function checkBatch(info: Pick<TRPCRequestInfo, "isBatchCall" | "calls">): void {
  if (!info.isBatchCall) return;
  if (info.calls.length > MAX_BATCH_CALLS)
    throw new TRPCError({ code: "BAD_REQUEST", message: `A batch may hold at most ${MAX_BATCH_CALLS} calls; this one holds ${info.calls.length}.` });
  const alone = info.calls.find((call) => (UNBATCHABLE_PROCEDURES as readonly string[]).includes(call.path));
  if (alone && info.calls.length > 1) throw new TRPCError({ code: "BAD_REQUEST", message: `${alone.path} cannot be batched with other calls: send it on its own.` });
}

export function createContext(opts: { headers: Headers; resHeaders?: Headers; db?: Db; info?: TRPCRequestInfo }): Context {
  if (opts.info) checkBatch(opts.info);
  const cookies = opts.headers.get("cookie");
  const sessionToken = readCookie(cookies, SESSION_COOKIE);
  try {
    const db = opts.db ?? getDb();
    return {
      db,
      user: findSessionUser(db, sessionToken),
      sessionToken,
      deviceToken: readCookie(cookies, DEVICE_COOKIE),
      address: clientAddress(opts.headers),
      resHeaders: opts.resHeaders ?? null,
    };
  } catch (error) {
    // The database cannot be opened or read: say so in words, as every procedure would.
    const fault = classifyDbFault(error);
    throw fault ? toTRPCError(dbFaultError(fault)) : error;
  }
}

/** Messages of unexpected failures stay in the server log: they name internals ("Maximum call stack size exceeded"). */
export const INTERNAL_ERROR_MESSAGE = "The server failed to answer this request. Nothing was saved; try again, and tell the administrator if it persists.";

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const zodIssue = cause instanceof ZodError ? cause.issues[0] : undefined;
    const internal = error.code === "INTERNAL_SERVER_ERROR" && !(cause instanceof AppError);
    return {
      ...shape,
      message: internal ? INTERNAL_ERROR_MESSAGE : shape.message,
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
 * "Label must …" (the field's human label), so that callers over HTTP and in-process read the same message.
 *
 * A busy database (another process holds the write lock) is retried here, off the event loop: the procedure
 * runs again after a short timer, which is safe because its BEGIN IMMEDIATE transaction rolled back whole and
 * change events are published only after a commit. A lasting lock, a read-only or a failing disk answer 503
 * with a message a person can act on.
 */
const mapErrors = t.middleware(async ({ next, type }) => {
  for (let attempt = 0; ; attempt++) {
    const result = await next();
    if (result.ok) return result;
    const cause = result.error.cause;
    const delay = BUSY_RETRY_DELAYS_MS[attempt];
    if (type !== "subscription" && delay !== undefined && isBusy(cause)) {
      await sleep(delay);
      continue;
    }
    if (cause instanceof AppError) throw toTRPCError(cause);
    if (cause instanceof ZodError) {
      const issue = cause.issues[0];
      throw new TRPCError({ code: "BAD_REQUEST", message: humanMessage(labelOfPath(issue?.path ?? []), issue?.message), cause });
    }
    const fault = classifyDbFault(cause);
    if (fault) {
      // A connection opened read-only stays so after the disk is fixed: a later request gets a fresh one.
      if (connectionMayBeStuck(fault)) reopenDbSoon();
      throw toTRPCError(dbFaultError(fault));
    }
    return result;
  }
});

export const publicProcedure = t.procedure.use(mapErrors);

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
