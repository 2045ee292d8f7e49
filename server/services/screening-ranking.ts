import "server-only";
import { count, eq, max } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { screeningRecords, type ScreeningStage } from "@/db/schema";
import { predict, tfidf, trainLogistic, type Features } from "@/server/screening/ranking";
import type { ScreeningState, Slot } from "./screening-state";

/*
 * The TF-IDF matrix of a review's records is built once and kept in memory until records are added or
 * removed (imported text never changes); the classifier is retrained on every call from the caller's own
 * decisions only — a reviewer's ranking never learns from the other reviewer's blind decisions.
 */

type Cached = { fingerprint: string; rowOf: Map<number, number>; features: Features };
const globalKey = Symbol.for("workbench.screeningFeatures");
const holder = globalThis as unknown as Record<symbol, Map<number, Cached> | undefined>;
const cache = (holder[globalKey] ??= new Map<number, Cached>());

export function recordFeatures(db: DbOrTx, reviewId: number): Cached {
  const stats = db.select({ n: count(), last: max(screeningRecords.id) }).from(screeningRecords).where(eq(screeningRecords.reviewId, reviewId)).get();
  const fingerprint = `${stats?.n ?? 0}:${stats?.last ?? 0}`;
  const hit = cache.get(reviewId);
  if (hit && hit.fingerprint === fingerprint) return hit;
  const rows = db
    .select({ id: screeningRecords.id, title: screeningRecords.title, abstract: screeningRecords.abstract, keywords: screeningRecords.keywords })
    .from(screeningRecords)
    .where(eq(screeningRecords.reviewId, reviewId))
    .orderBy(screeningRecords.id)
    .all();
  // The title twice: it is the part every record has, and the one a screener reads first.
  const features = tfidf(rows.map((r) => `${r.title} ${r.title} ${r.abstract} ${r.keywords.replace(/[[\]",]/g, " ")}`));
  const entry = { fingerprint, rowOf: new Map(rows.map((r, i) => [r.id, i])), features };
  cache.set(reviewId, entry);
  return entry;
}

export type ModelInfo = { trained: boolean; labelled: number; relevant: number; note: string | null; trainingMs: number | null };

/**
 * The caller's unscreened records at `stage`, best first: by predicted relevance once the caller has both an
 * include (or maybe) and an exclude, in import order until then.
 */
export function prioritise(db: DbOrTx, reviewId: number, state: ScreeningState, slot: Slot, pool: number[]): { ordered: number[]; scores: Map<number, number>; model: ModelInfo } {
  const labels = new Map<number, 0 | 1>();
  // Both stages teach the model; a full-text decision supersedes the title/abstract one on the same record.
  for (const stage of ["title_abstract", "full_text"] as ScreeningStage[]) {
    for (const [recordId, pair] of state.stage(stage).decisions) {
      const own = pair[slot - 1];
      if (own) labels.set(recordId, own.decision === "exclude" ? 0 : 1);
    }
  }
  const relevant = [...labels.values()].filter((l) => l === 1).length;
  const base = { labelled: labels.size, relevant };
  if (relevant === 0 || relevant === labels.size) {
    return {
      ordered: pool,
      scores: new Map(),
      model: { ...base, trained: false, trainingMs: null, note: "Shown in import order until you have included (or marked maybe) and excluded at least one record each." },
    };
  }
  const started = performance.now();
  const { features, rowOf } = recordFeatures(db, reviewId);
  const labelled = [...labels].flatMap(([recordId, label]) => (rowOf.has(recordId) ? [{ row: rowOf.get(recordId)!, label }] : []));
  const model = trainLogistic(features, labelled);
  const poolRows = pool.filter((id) => rowOf.has(id));
  const probabilities = predict(
    features,
    model,
    poolRows.map((id) => rowOf.get(id)!),
  );
  const scores = new Map(poolRows.map((id, k) => [id, probabilities[k]!]));
  const ordered = [...pool].sort((a, b) => (scores.get(b) ?? 0) - (scores.get(a) ?? 0) || a - b);
  return { ordered, scores, model: { ...base, trained: true, note: null, trainingMs: performance.now() - started } };
}
