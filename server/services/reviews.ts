import "server-only";
import { and, asc, count, eq, inArray, isNull, sql } from "drizzle-orm";
import { writeTransaction, type Db, type DbOrTx } from "@/db/client";
import { reviewMembers, reviews, studies, users, type MemberRole } from "@/db/schema";
import { AppError, notFound } from "@/server/errors";
import { publishReviewChange } from "@/server/events";
import type { SessionUser } from "@/server/auth/session";
import { diffRows, recordAudit, type Actor } from "./audit";
import { assignTheTwoReviewers } from "./risk-of-bias";
import { assertVersion } from "./versioning";

export type ReviewRow = typeof reviews.$inferSelect;

export function listReviewsFor(db: DbOrTx, user: SessionUser) {
  const base = db
    .select({ id: reviews.id, title: reviews.title, question: reviews.question, isDemo: reviews.isDemo, studies: count(studies.id) })
    .from(reviews)
    .leftJoin(studies, and(eq(studies.reviewId, reviews.id), isNull(studies.deletedAt)))
    .groupBy(reviews.id)
    .orderBy(asc(reviews.id));
  if (user.isAdmin) return base.all();
  const mine = db.select({ id: reviewMembers.reviewId }).from(reviewMembers).where(eq(reviewMembers.userId, user.id)).all().map((r) => r.id);
  if (mine.length === 0) return [];
  return db
    .select({ id: reviews.id, title: reviews.title, question: reviews.question, isDemo: reviews.isDemo, studies: count(studies.id) })
    .from(reviews)
    .leftJoin(studies, and(eq(studies.reviewId, reviews.id), isNull(studies.deletedAt)))
    .where(inArray(reviews.id, mine))
    .groupBy(reviews.id)
    .orderBy(asc(reviews.id))
    .all();
}

export function getReview(db: DbOrTx, reviewId: number): ReviewRow {
  const row = db.select().from(reviews).where(eq(reviews.id, reviewId)).get();
  if (!row) throw notFound(`Review ${reviewId}`);
  return row;
}

export type ReviewDetails = Partial<Omit<ReviewRow, "id" | "isDemo" | "createdAt" | "updatedAt" | "version">>;

/** Table 1 of a new review: what every animal study reports; the lead adds the review's own characteristics. */
export const DEFAULT_TABLE1_COLUMNS = ["species", "diseaseModel", "intervention", "dose", "administrationRoute"];

/**
 * A new review starts clean: no outcome, no characteristic, no saved analysis (the lead defines them for its own
 * question); its creator is its lead.
 */
export function createReview(db: Db, actor: Actor, details: ReviewDetails & { title: string }): ReviewRow {
  return writeTransaction(db, (tx) => {
    const row = tx.insert(reviews).values({ table1Columns: DEFAULT_TABLE1_COLUMNS, ...details }).returning().get();
    checkPrismaCounts(row);
    tx.insert(reviewMembers).values({ reviewId: row.id, userId: actor.id, role: "lead" }).run();
    recordAudit(tx, actor, { reviewId: row.id, entity: "review", entityId: row.id, action: "create", changes: diffRows({}, details) });
    return row;
  });
}

/**
 * The PRISMA counts a lead types must add up as the PRISMA 2020 diagram draws them (Page et al. 2021, Figure 1):
 * the records per source to the records identified, and the full texts excluded by reason to those assessed minus
 * the studies included. Checked on the review as it would be after the change, naming the field at fault.
 */
function checkPrismaCounts(r: Pick<ReviewRow, "prismaIdentified" | "prismaAfterDuplicates" | "prismaFullText" | "prismaIncluded" | "prismaSources" | "prismaExclusionReasons">): void {
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const perSource = sum(r.prismaSources.map((s) => s.records));
  if (r.prismaSources.length && r.prismaIdentified !== null && perSource !== r.prismaIdentified)
    throw new AppError("invalid", `Records per source add up to ${perSource}, but Records identified is ${r.prismaIdentified}.`, "prismaSources");
  const byReason = sum(r.prismaExclusionReasons.map((e) => e.reports));
  if (r.prismaExclusionReasons.length && r.prismaFullText !== null && r.prismaIncluded !== null && byReason !== r.prismaFullText - r.prismaIncluded)
    throw new AppError(
      "invalid",
      `Full texts excluded, with reasons add up to ${byReason}, but ${r.prismaFullText} full texts assessed less ${r.prismaIncluded} studies included is ${r.prismaFullText - r.prismaIncluded}.`,
      "prismaExclusionReasons",
    );
  const order: [keyof typeof r, string][] = [
    ["prismaIdentified", "Records identified"],
    ["prismaAfterDuplicates", "After duplicates removed"],
    ["prismaFullText", "Full texts assessed"],
    ["prismaIncluded", "Studies included"],
  ];
  for (let i = 1; i < order.length; i++) {
    const [field, label] = order[i]!;
    const [previousField, previousLabel] = order[i - 1]!;
    const value = r[field] as number | null;
    const previous = r[previousField] as number | null;
    if (value !== null && previous !== null && value > previous) throw new AppError("invalid", `${label} (${value}) cannot exceed ${previousLabel} (${previous}).`, field);
  }
}

export function updateReview(db: Db, actor: Actor, reviewId: number, patch: ReviewDetails, expectedVersion: number): ReviewRow {
  const row = writeTransaction(db, (tx) => {
    const current = getReview(tx, reviewId);
    assertVersion(tx, "review", current, expectedVersion);
    checkPrismaCounts({ ...current, ...patch });
    const updated = tx
      .update(reviews)
      .set({ ...patch, version: sql`${reviews.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(reviews.id, reviewId))
      .returning()
      .get();
    recordAudit(tx, actor, { reviewId, entity: "review", entityId: reviewId, action: "update", changes: diffRows(current, updated) });
    return updated;
  });
  publishReviewChange(reviewId, "review", actor.displayName);
  return row;
}

export function listMembers(db: DbOrTx, reviewId: number) {
  return db
    .select({ userId: users.id, username: users.username, displayName: users.displayName, role: reviewMembers.role, version: reviewMembers.version })
    .from(reviewMembers)
    .innerJoin(users, eq(users.id, reviewMembers.userId))
    .where(eq(reviewMembers.reviewId, reviewId))
    .orderBy(asc(users.username))
    .all();
}

export function setMember(db: Db, actor: Actor, reviewId: number, username: string, role: MemberRole | null): void {
  const assigned = writeTransaction(db, (tx) => {
    const user = tx.select().from(users).where(eq(users.username, username.trim().toLowerCase())).get();
    if (!user) throw new AppError("invalid", `username: no account "${username}".`, "username");
    const where = and(eq(reviewMembers.reviewId, reviewId), eq(reviewMembers.userId, user.id));
    const current = tx.select().from(reviewMembers).where(where).get();
    if (current && role === null) tx.delete(reviewMembers).where(where).run();
    else if (current && role) tx.update(reviewMembers).set({ role, version: sql`${reviewMembers.version} + 1` }).where(where).run();
    else if (role) tx.insert(reviewMembers).values({ reviewId, userId: user.id, role }).run();
    else return false;
    recordAudit(tx, actor, {
      reviewId,
      entity: "member",
      entityId: user.id,
      action: !current ? "create" : role ? "update" : "delete",
      changes: [{ field: "role", oldValue: current?.role ?? null, newValue: role }],
    });
    return assignTheTwoReviewers(tx, actor, reviewId);
  });
  publishReviewChange(reviewId, "member", actor.displayName);
  if (assigned) publishReviewChange(reviewId, "robAssignment", actor.displayName);
}
