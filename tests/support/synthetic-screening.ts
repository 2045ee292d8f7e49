/**
 * A synthetic labelled screening set (no labelled public dataset ships offline): relevant records use the
 * review's topic vocabulary (exosomes, spinal cord injury, rats, locomotor scores) mixed with general
 * biomedical words; irrelevant ones come from neighbouring topics that share part of that vocabulary
 * (stem cells in other organs, spinal cord injury in humans, exosomes in cancer), so the task is not trivial.
 */
import { predict, tfidf, trainLogistic } from "@/server/screening/ranking";

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const general = "cells analysis results expression significantly increased decreased group groups model treatment effect protein levels days weeks control compared data method measured observed".split(" ");
const topics = {
  relevant: "exosomes extracellular vesicles spinal cord injury contusion rats locomotor BBB recovery mesenchymal axonal regeneration neuroinflammation microglia".split(" "),
  cancer: "exosomes tumour cancer metastasis carcinoma chemotherapy patients tumor microenvironment oncogenic biomarkers".split(" "),
  clinical: "spinal cord injury patients rehabilitation clinical trial quality of life wheelchair cohort questionnaire".split(" "),
  cardiac: "mesenchymal stem cells myocardial infarction heart cardiac fibrosis ejection fraction mice ischemia".split(" "),
  liver: "hepatocytes liver fibrosis cirrhosis mice hepatic injury stellate cells transplantation".split(" "),
  /** Hard negatives: reviews of the very topic (excluded by design), mostly in the relevant records' words. */
  reviews: "exosomes extracellular vesicles spinal cord injury regeneration review literature narrative perspectives future therapeutic potential".split(" "),
};

export type SyntheticRecord = { text: string; relevant: boolean };

export function syntheticScreeningSet(size: number, relevantShare = 0.05, seed = 7): SyntheticRecord[] {
  const random = prng(seed);
  const pick = (words: string[], n: number) => Array.from({ length: n }, () => words[Math.floor(random() * words.length)]!).join(" ");
  const others = [topics.cancer, topics.clinical, topics.cardiac, topics.liver, topics.reviews, topics.reviews];
  return Array.from({ length: size }, () => {
    const relevant = random() < relevantShare;
    const topic = relevant ? topics.relevant : others[Math.floor(random() * others.length)]!;
    // Every record borrows a few words of another topic, and relevant ones sometimes few of their own.
    const borrowed = others[Math.floor(random() * others.length)]!;
    const own = 2 + Math.floor(random() * 8);
    return { text: `${pick(topic, own)} ${pick(borrowed, 4)} ${pick(general, 30)}`, relevant };
  });
}

/**
 * Screens `records` in prioritised order as a reviewer would (retraining every `retrainEvery` decisions),
 * starting from one known relevant and one known irrelevant record; returns, for each record screened in
 * order, whether it was relevant.
 */
export function simulatePrioritisedScreening(records: SyntheticRecord[], retrainEvery = 10): boolean[] {
  const features = tfidf(records.map((r) => r.text));
  const firstRelevant = records.findIndex((r) => r.relevant);
  const firstIrrelevant = records.findIndex((r) => !r.relevant);
  const screened: number[] = [firstRelevant, firstIrrelevant];
  const done = new Set(screened);
  while (screened.length < records.length) {
    const model = trainLogistic(features, screened.map((row) => ({ row, label: records[row]!.relevant ? 1 : 0 })));
    const rest = records.map((_, i) => i).filter((i) => !done.has(i));
    const scores = predict(features, model, rest);
    const ranked = rest.map((row, k) => ({ row, score: scores[k]! })).sort((a, b) => b.score - a.score || a.row - b.row);
    for (const { row } of ranked.slice(0, retrainEvery)) {
      screened.push(row);
      done.add(row);
    }
  }
  return screened.map((row) => records[row]!.relevant);
}

/** Share of all relevant records found after screening `fraction` of the records, in the given order. */
export function recallAt(relevantInOrder: readonly boolean[], fraction: number): number {
  const total = relevantInOrder.filter(Boolean).length;
  const found = relevantInOrder.slice(0, Math.round(relevantInOrder.length * fraction)).filter(Boolean).length;
  return total ? found / total : 0;
}
