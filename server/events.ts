import "server-only";
import { EventEmitter, on } from "node:events";
import type { MemberRole } from "@/db/schema";

/** "Review R changed": emitted after a write commits; live pages re-query their data when they hear it. */
export type ReviewChange = { reviewId: number; entity: string; by: string; at: string };

/**
 * Who may hear of a change; everyone in the review when absent. A blinded risk-of-bias judgment is heard only
 * by its author and the leads (an administrator acts as lead): when and by whom it was saved is itself
 * something the other reviewer must not learn.
 */
export type Audience = { userIds: readonly number[]; roles: readonly MemberRole[] };
export type Listener = { userId: number; role: MemberRole };

type Envelope = { change: ReviewChange; audience: Audience | undefined };

// One process serves one SQLite file, so an in-process bus reaches every open page (see ARCHITECTURE.md).
const globalKey = Symbol.for("workbench.reviewEvents");
const holder = globalThis as unknown as Record<symbol, EventEmitter | undefined>;
const bus = (holder[globalKey] ??= new EventEmitter().setMaxListeners(0));

export function publishReviewChange(reviewId: number, entity: string, by: string, audience?: Audience): void {
  const change: ReviewChange = { reviewId, entity, by, at: new Date().toISOString() };
  bus.emit(`review:${reviewId}`, { change, audience } satisfies Envelope);
}

export const hears = (audience: Audience | undefined, listener: Listener) =>
  !audience || audience.userIds.includes(listener.userId) || audience.roles.includes(listener.role);

export async function* reviewChanges(reviewId: number, listener: Listener, signal?: AbortSignal): AsyncGenerator<ReviewChange> {
  for await (const [envelope] of on(bus, `review:${reviewId}`, { signal })) {
    const { change, audience } = envelope as Envelope;
    if (hears(audience, listener)) yield change;
  }
}
