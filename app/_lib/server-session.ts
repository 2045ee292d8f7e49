import "server-only";
import { cookies, headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { createCaller } from "@/server/root";
import { createContext, roleInReview } from "@/server/trpc";
import { findSessionUser, SESSION_COOKIE } from "@/server/auth/session";

/** The signed-in user, or a redirect to /login that comes back to `returnTo`. */
export async function requireUser(returnTo: string) {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  const user = findSessionUser(getDb(), token);
  if (!user) redirect(`/login?next=${encodeURIComponent(returnTo)}`);
  return user;
}

/** A member of the review (any role), else the 403 page; anonymous users go to /login first. */
export async function requireReviewMember(reviewId: number, returnTo: string) {
  const user = await requireUser(returnTo);
  const role = Number.isInteger(reviewId) && reviewId > 0 ? roleInReview(getDb(), user, reviewId) : null;
  if (!role) forbidden();
  return { user, role };
}

/** Server components call procedures directly, with the same checks as over HTTP. */
export async function serverCaller() {
  return createCaller(createContext({ headers: await headers() }));
}
