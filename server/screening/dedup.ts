/**
 * Likely-duplicate detection between bibliographic records that share no DOI/PMID (those are merged exactly,
 * in the service, by index lookups).
 *
 * After ASySD (Hair K, Bahor Z, Macleod M, Liao J, Sena ES. The Automated Systematic Search Deduplicator
 * (ASySD). BMC Biol 2023;21:189): records are compared within blocks (pairs sharing the start or the end of the
 * normalised title, or the first author and year) on title, first author, year and journal, and a weighted
 * similarity is computed. Unlike ASySD, nothing below an exact DOI/PMID match is merged automatically here:
 * a likely pair is queued for a person, with its score and the fields that agreed.
 *
 * Title similarity is the Sørensen–Dice coefficient on character bigrams of the normalised titles
 * (Dice LR. Ecology 1945;26:297–302), which tolerates typos, case, punctuation and word-order noise.
 */
import { familyName } from "./references";

export type DedupRecord = { id: number; title: string; year: number | null; authors: readonly string[]; journal: string };

export type DuplicateEvidence = {
  title: number;
  /** null: one of the records lacks the field, so it was not compared. */
  firstAuthor: number | null;
  year: number | null;
  journal: number | null;
};

export type DuplicateCandidate = { a: number; b: number; score: number; evidence: DuplicateEvidence };

/** A pair is queued when its title similarity and weighted score reach these, and the years are at most one apart. */
export const TITLE_THRESHOLD = 0.85;
export const SCORE_THRESHOLD = 0.8;
/** Field weights of the score; a field missing on either side is left out and the rest re-weighted. */
const WEIGHTS = { title: 0.55, firstAuthor: 0.15, year: 0.2, journal: 0.1 } as const;
/** Blocks larger than this (e.g. hundreds of "Editorial" titles) are not compared pairwise. */
const MAX_BLOCK = 400;

/** Lower case, no accents, no markup or punctuation, single spaces: "Exosomes (BMSC-derived)…" → "exosomes bmsc derived". */
export function normaliseTitle(title: string): string {
  return title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/<[^>]+>/g, " ")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

const normaliseName = (name: string) => normaliseTitle(familyName(name));

function bigrams(text: string): Map<string, number> {
  const compact = text.replace(/ /g, "");
  const grams = new Map<string, number>();
  for (let i = 0; i < compact.length - 1; i++) {
    const g = compact.slice(i, i + 2);
    grams.set(g, (grams.get(g) ?? 0) + 1);
  }
  return grams;
}

/** Sørensen–Dice on character-bigram multisets: 2|A∩B| / (|A|+|B|); 1 for two equal strings. */
export function diceSimilarity(a: string, b: string): number {
  if (a === b) return a.length ? 1 : 0;
  const ga = bigrams(a);
  const gb = bigrams(b);
  let total = 0;
  let shared = 0;
  for (const count of ga.values()) total += count;
  for (const [g, count] of gb) {
    total += count;
    shared += Math.min(count, ga.get(g) ?? 0);
  }
  return total ? (2 * shared) / total : 0;
}

const JOURNAL_STOPWORDS = new Set(["the", "of", "and", "for", "in", "on", "a", "an", "journal"]);

/** "J Neurotrauma" vs "Journal of neurotrauma": every word of the abbreviation starts a word of the full name, in order. */
function isAbbreviationOf(short: string, long: string): boolean {
  const s = short.split(" ").filter(Boolean);
  const l = long.split(" ").filter((w) => !JOURNAL_STOPWORDS.has(w) || w === "journal");
  if (s.length === 0 || s.length > l.length) return false;
  let j = 0;
  for (const word of s) {
    while (j < l.length && !l[j]!.startsWith(word)) j++;
    if (j === l.length) return false;
    j++;
  }
  return true;
}

export function journalSimilarity(a: string, b: string): number {
  const na = normaliseTitle(a);
  const nb = normaliseTitle(b);
  if (!na || !nb) return 0;
  if (na === nb) return 1;
  if (isAbbreviationOf(na, nb) || isAbbreviationOf(nb, na)) return 1;
  return diceSimilarity(na, nb);
}

/** The similarity of two records and the per-field evidence shown to the person deciding. */
export function compareRecords(x: DedupRecord, y: DedupRecord, titles?: { x: string; y: string }): { score: number; evidence: DuplicateEvidence } {
  const title = diceSimilarity(titles?.x ?? normaliseTitle(x.title), titles?.y ?? normaliseTitle(y.title));
  const ax = x.authors[0] ? normaliseName(x.authors[0]) : "";
  const ay = y.authors[0] ? normaliseName(y.authors[0]) : "";
  const evidence: DuplicateEvidence = {
    title,
    firstAuthor: ax && ay ? (ax === ay ? 1 : diceSimilarity(ax, ay)) : null,
    // One year apart is common for the same article (online first vs print issue).
    year: x.year !== null && y.year !== null ? (x.year === y.year ? 1 : Math.abs(x.year - y.year) === 1 ? 0.5 : 0) : null,
    journal: x.journal && y.journal ? journalSimilarity(x.journal, y.journal) : null,
  };
  let weighted = 0;
  let weights = 0;
  for (const key of Object.keys(WEIGHTS) as (keyof typeof WEIGHTS)[]) {
    const value = evidence[key];
    if (value === null) continue;
    weighted += WEIGHTS[key] * value;
    weights += WEIGHTS[key];
  }
  return { score: weights ? weighted / weights : 0, evidence };
}

export function isLikelyDuplicate(result: { score: number; evidence: DuplicateEvidence }): boolean {
  return result.evidence.title >= TITLE_THRESHOLD && result.score >= SCORE_THRESHOLD && result.evidence.year !== 0;
}

/**
 * Likely duplicate pairs among `records` where at least one side is in `newIds` (all pairs when omitted).
 * Pairs are returned once, with a < b, best score first.
 */
export function findLikelyDuplicates(records: readonly DedupRecord[], newIds?: ReadonlySet<number>): DuplicateCandidate[] {
  const titles = new Map(records.map((r) => [r.id, normaliseTitle(r.title)]));
  const blocks = new Map<string, DedupRecord[]>();
  const add = (key: string, record: DedupRecord) => {
    const block = blocks.get(key);
    if (block) block.push(record);
    else blocks.set(key, [record]);
  };
  for (const record of records) {
    const words = titles.get(record.id)!.split(" ").filter(Boolean);
    if (words.length >= 2) {
      add(`s:${words.slice(0, 4).join(" ")}`, record);
      add(`e:${words.slice(-4).join(" ")}`, record);
    }
    const author = record.authors[0] ? normaliseName(record.authors[0]) : "";
    if (author && record.year !== null) add(`a:${author}:${record.year}`, record);
  }
  const seen = new Set<string>();
  const found: DuplicateCandidate[] = [];
  for (const block of blocks.values()) {
    if (block.length < 2 || block.length > MAX_BLOCK) continue;
    for (let i = 0; i < block.length; i++) {
      for (let j = i + 1; j < block.length; j++) {
        const [x, y] = block[i]!.id < block[j]!.id ? [block[i]!, block[j]!] : [block[j]!, block[i]!];
        if (x.id === y.id || (newIds && !newIds.has(x.id) && !newIds.has(y.id))) continue;
        const key = `${x.id}:${y.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const result = compareRecords(x, y, { x: titles.get(x.id)!, y: titles.get(y.id)! });
        if (isLikelyDuplicate(result)) found.push({ a: x.id, b: y.id, ...result });
      }
    }
  }
  return found.sort((p, q) => q.score - p.score || p.a - q.a || p.b - q.b);
}
