import "server-only";
import { EventEmitter, on } from "node:events";

/** "Review R changed": emitted after a write commits; live pages re-query their data when they hear it. */
export type ReviewChange = { reviewId: number; entity: string; by: string; at: string };

// One process serves one SQLite file, so an in-process bus reaches every open page (see ARCHITECTURE.md).
const globalKey = Symbol.for("workbench.reviewEvents");
const holder = globalThis as unknown as Record<symbol, EventEmitter | undefined>;
const bus = (holder[globalKey] ??= new EventEmitter().setMaxListeners(0));

export function publishReviewChange(reviewId: number, entity: string, by: string): void {
  bus.emit(`review:${reviewId}`, { reviewId, entity, by, at: new Date().toISOString() } satisfies ReviewChange);
}

export async function* reviewChanges(reviewId: number, signal?: AbortSignal): AsyncGenerator<ReviewChange> {
  for await (const [change] of on(bus, `review:${reviewId}`, { signal })) yield change as ReviewChange;
}
