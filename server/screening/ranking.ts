/**
 * Prioritised screening: records ordered by predicted relevance, learned from the decisions made so far, as
 * ASReview does (van de Schoot R et al. An open source machine learning framework for efficient and transparent
 * systematic reviews. Nat Mach Intell 2021;3:125–133): TF-IDF features of title + abstract, a classifier
 * retrained after each decision, the unscreened records ranked by its predicted probability of relevance.
 *
 * - TF-IDF as scikit-learn's TfidfVectorizer(sublinear_tf=True, smooth_idf=True, norm="l2"):
 *   tf = 1 + ln(count), idf = ln((1 + n) / (1 + df)) + 1, each row scaled to unit length
 *   (Salton G, Buckley C. Term-weighting approaches in automatic text retrieval. Inf Process Manag 1988;24:513–523).
 * - L2-regularised logistic regression with balanced class weights (n / (2·n_class), since relevant records
 *   are rare), fitted by stochastic gradient descent with the step size η_t = η0 / (1 + λ·η0·t) and the
 *   weight-scaling trick for sparse inputs (Bottou L. Stochastic gradient descent tricks. In: Neural Networks:
 *   Tricks of the Trade, 2nd ed. Springer; 2012. p. 421–436). Deterministic: a seeded shuffle.
 *
 * Pure and dependency-free: a dense-matrix library cannot hold 10 000 records × tens of thousands of terms,
 * and the sparse form below retrains in well under a second (npm run bench:screening).
 */

export type SparseRow = { indices: Int32Array; values: Float32Array };
export type Features = { rows: SparseRow[]; vocabularySize: number };

const STOPWORDS = new Set(
  (
    "a about above after again against all am an and any are as at be because been before being below between both but by can could did do does doing down during each " +
    "few for from further had has have having he her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once " +
    "only or other our ours ourselves out over own same she should so some such than that the their theirs them themselves then there these they this those through to too under " +
    "until up very was we were what when where which while who whom why will with you your yours yourself yourselves also however thus using used use may within among study"
  ).split(" "),
);

/** Lower case, accents removed, words of two or more letters (numbers alone carry no topic), no stopwords. */
export function tokenize(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 2 && !STOPWORDS.has(w) && !/^\d+$/.test(w));
}

/** TF-IDF rows (see the header) of `documents`; terms in fewer than `minDf` documents are dropped. */
export function tfidf(documents: readonly string[], minDf = 2): Features {
  const tokenised = documents.map(tokenize);
  const df = new Map<string, number>();
  for (const tokens of tokenised) for (const term of new Set(tokens)) df.set(term, (df.get(term) ?? 0) + 1);
  const vocabulary = new Map<string, number>();
  const idf: number[] = [];
  const n = documents.length;
  for (const [term, count] of df) {
    if (count < Math.min(minDf, n)) continue;
    vocabulary.set(term, idf.length);
    idf.push(Math.log((1 + n) / (1 + count)) + 1);
  }
  const rows = tokenised.map((tokens) => {
    const counts = new Map<number, number>();
    for (const term of tokens) {
      const index = vocabulary.get(term);
      if (index !== undefined) counts.set(index, (counts.get(index) ?? 0) + 1);
    }
    const indices = Int32Array.from([...counts.keys()].sort((x, y) => x - y));
    const values = new Float32Array(indices.length);
    let norm = 0;
    indices.forEach((index, k) => {
      const weight = (1 + Math.log(counts.get(index)!)) * idf[index]!;
      values[k] = weight;
      norm += weight * weight;
    });
    norm = Math.sqrt(norm);
    if (norm > 0) for (let k = 0; k < values.length; k++) values[k]! /= norm;
    return { indices, values };
  });
  return { rows, vocabularySize: idf.length };
}

export type LogisticModel = { weights: Float64Array; bias: number };
export type TrainingOptions = { lambda?: number; epochs?: number; eta0?: number; seed?: number };

/** Mulberry32: a small seeded PRNG, so that the same decisions always give the same ranking. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

function dot(weights: Float64Array, row: SparseRow): number {
  let sum = 0;
  for (let k = 0; k < row.indices.length; k++) sum += weights[row.indices[k]!]! * row.values[k]!;
  return sum;
}

/**
 * Fits the model on `labelled` (row index, 1 = relevant / 0 = irrelevant). Needs at least one of each class:
 * with one class only there is nothing to separate (ASReview likewise asks for prior knowledge of both).
 */
export function trainLogistic(features: Features, labelled: readonly { row: number; label: 0 | 1 }[], options: TrainingOptions = {}): LogisticModel {
  const { lambda = 1e-4, epochs = 40, eta0 = 0.5, seed = 1 } = options;
  const positives = labelled.filter((l) => l.label === 1).length;
  const negatives = labelled.length - positives;
  if (positives === 0 || negatives === 0) throw new Error("Training needs at least one relevant and one irrelevant record.");
  const classWeight = [labelled.length / (2 * negatives), labelled.length / (2 * positives)] as const;
  const v = new Float64Array(features.vocabularySize);
  let scale = 1;
  let bias = 0;
  let t = 0;
  const order = labelled.map((_, i) => i);
  const random = prng(seed);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const k of order) {
      const { row: rowIndex, label } = labelled[k]!;
      const row = features.rows[rowIndex]!;
      const eta = eta0 / (1 + lambda * eta0 * t);
      const p = sigmoid(scale * dot(v, row) + bias);
      const gradient = classWeight[label] * (p - label);
      // L2 shrink of every weight as one multiplication of the scale (the trick for sparse rows).
      scale *= 1 - eta * lambda;
      if (scale < 1e-9) {
        for (let w = 0; w < v.length; w++) v[w]! *= scale;
        scale = 1;
      }
      const step = (eta * gradient) / scale;
      for (let m = 0; m < row.indices.length; m++) v[row.indices[m]!]! -= step * row.values[m]!;
      bias -= eta * gradient;
      t += 1;
    }
  }
  for (let w = 0; w < v.length; w++) v[w]! *= scale;
  return { weights: v, bias };
}

/** Predicted probability of relevance of each row. */
export function predict(features: Features, model: LogisticModel, rows?: readonly number[]): Float64Array {
  const which = rows ?? features.rows.map((_, i) => i);
  const out = new Float64Array(which.length);
  which.forEach((rowIndex, k) => {
    out[k] = sigmoid(dot(model.weights, features.rows[rowIndex]!) + model.bias);
  });
  return out;
}

/**
 * Relevant records found against records screened, in the order they were screened (the "recall curve" /
 * work-saved plot of ASReview and Rayyan): point k is (k records screened, relevant among them).
 */
export function recallCurve(relevantInOrder: readonly boolean[]): { screened: number; found: number }[] {
  let found = 0;
  return relevantInOrder.map((relevant, i) => {
    if (relevant) found += 1;
    return { screened: i + 1, found };
  });
}
