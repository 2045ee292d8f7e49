import { describe, expect, it } from "vitest";
import { compareRecords, diceSimilarity, findLikelyDuplicates, journalSimilarity, normaliseTitle, type DedupRecord } from "@/server/screening/dedup";
import { highlightSegments } from "@/server/screening/highlight";
import { predict, recallCurve, tfidf, tokenize, trainLogistic } from "@/server/screening/ranking";
import { recallAt, simulatePrioritisedScreening, syntheticScreeningSet } from "../support/synthetic-screening";

const record = (id: number, title: string, year: number | null, author: string, journal: string): DedupRecord => ({ id, title, year, authors: author ? [author] : [], journal });

describe("likely duplicates", () => {
  it("normalises titles: case, accents, punctuation and markup do not count", () => {
    expect(normaliseTitle("Exosomes (BMSC-derived) <i>in vivo</i>: Résumé!")).toBe("exosomes bmsc derived in vivo resume");
  });

  it("computes Sørensen–Dice on bigrams as worked by hand", () => {
    // "night" {ni,ig,gh,ht} vs "nacht" {na,ac,ch,ht}: one shared of 8 → 2·1/8.
    expect(diceSimilarity("night", "nacht")).toBeCloseTo(0.25, 12);
    expect(diceSimilarity("abc", "abc")).toBe(1);
  });

  it("treats a journal abbreviation as the same journal", () => {
    expect(journalSimilarity("J Neurotrauma", "Journal of neurotrauma")).toBe(1);
    expect(journalSimilarity("Stem Cell Res Ther", "Stem Cell Research & Therapy")).toBe(1);
    expect(journalSimilarity("Neuroscience", "Journal of Neuroinflammation")).toBeLessThan(0.8);
  });

  it("queues the same title in other case and punctuation, not the same title years apart, nor different papers", () => {
    const records = [
      record(1, "Exosomes from BMSCs improve recovery after spinal cord injury in rats", 2019, "Smith, John", "J Neurotrauma"),
      record(2, "EXOSOMES FROM BMSCS IMPROVE RECOVERY AFTER SPINAL-CORD INJURY IN RATS.", 2019, "Smith J", "Journal of Neurotrauma"),
      record(3, "Exosomes from BMSCs improve recovery after spinal cord injury in rats", 2012, "Smith, John", "J Neurotrauma"),
      record(4, "Adipose exosomes reduce inflammation after spinal cord injury in mice", 2019, "Smith, John", "J Neurotrauma"),
      record(5, "Exosomes from BMSCs improve recovery after spinal cord injury in rat", 2020, "Smith, J.", ""),
    ];
    const found = findLikelyDuplicates(records);
    expect(found.map((c) => [c.a, c.b])).toEqual([
      [1, 2],
      [1, 5],
      [2, 5],
    ]);
    expect(found[0]!.score).toBe(1);
    expect(found[0]!.evidence).toEqual({ title: 1, firstAuthor: 1, year: 1, journal: 1 });
    // One year apart (online first vs print) still queues, with a lower score; 7 years apart does not.
    expect(found[1]!.evidence.year).toBe(0.5);
    expect(found[1]!.score).toBeLessThan(1);
    expect(compareRecords(records[0]!, records[2]!).evidence.year).toBe(0);
  });

  it("only pairs that involve a new record when told which are new", () => {
    const records = [record(1, "Same title of a paper about exosomes", 2019, "A", "J"), record(2, "Same title of a paper about exosomes", 2019, "A", "J"), record(3, "Same title of a paper about exosomes", 2019, "A", "J")];
    expect(findLikelyDuplicates(records, new Set([3])).map((c) => [c.a, c.b])).toEqual([
      [1, 3],
      [2, 3],
    ]);
  });
});

describe("highlighted terms", () => {
  it("marks whole words case- and accent-insensitively, with * as any ending, exclusion terms apart", () => {
    const segments = highlightSegments("Rats and RATTUS given exosomes; a rat-free Review of Mice.", ["rat*", "exosome"], ["review", "mice"]);
    expect(segments.filter((s) => s.kind).map((s) => [s.text, s.kind])).toEqual([
      ["Rats", "include"],
      ["RATTUS", "include"],
      ["rat", "include"],
      ["Review", "exclude"],
      ["Mice", "exclude"],
    ]);
    // "exosome" without * does not match "exosomes".
    expect(segments.map((s) => s.text).join("")).toBe("Rats and RATTUS given exosomes; a rat-free Review of Mice.");
    expect(highlightSegments("Résumé of in vivo work", ["resume", "in vivo"], []).filter((s) => s.kind).map((s) => s.text)).toEqual(["Résumé", "in vivo"]);
  });
});

describe("prioritised screening (TF-IDF + logistic regression)", () => {
  it("tokenises without stopwords and bare numbers", () => {
    expect(tokenize("The BBB score at 28 days, in Rats")).toEqual(["bbb", "score", "days", "rats"]);
  });

  it("gives unit-length TF-IDF rows with the smooth idf of scikit-learn", () => {
    const { rows, vocabularySize } = tfidf(["exosome rat", "exosome mouse", "rat rat liver"], 1);
    expect(vocabularySize).toBe(4);
    for (const row of rows) expect(Array.from(row.values).reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 6);
    // Document 3: rat (tf 2 → 1 + ln 2, df 2) and liver (tf 1, df 1); idf = ln(4/(1+df)) + 1.
    const rat = (1 + Math.log(2)) * (Math.log(4 / 3) + 1);
    const liver = Math.log(4 / 2) + 1;
    const norm = Math.hypot(rat, liver);
    const values = Array.from(rows[2]!.values).sort((a, b) => a - b);
    const expected = [liver / norm, rat / norm].sort((a, b) => a - b);
    values.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it("learns which words mark relevant records and ranks unseen ones by them", () => {
    const docs = ["exosome spinal rat", "exosome spinal mouse", "liver cancer patient", "heart patient trial", "exosome spinal cord rat new", "liver heart patient new"];
    const features = tfidf(docs, 1);
    const model = trainLogistic(features, [
      { row: 0, label: 1 },
      { row: 1, label: 1 },
      { row: 2, label: 0 },
      { row: 3, label: 0 },
    ]);
    const [relevant, irrelevant] = predict(features, model, [4, 5]);
    expect(relevant!).toBeGreaterThan(0.5);
    expect(irrelevant!).toBeLessThan(0.5);
    expect(() => trainLogistic(features, [{ row: 0, label: 1 }])).toThrow(/one relevant and one irrelevant/);
  });

  it("counts relevant found against records screened", () => {
    expect(recallCurve([true, false, true])).toEqual([
      { screened: 1, found: 1 },
      { screened: 2, found: 1 },
      { screened: 3, found: 2 },
    ]);
  });

  it("finds more of the relevant records after screening 30 % than the original order does (synthetic labelled set)", () => {
    const records = syntheticScreeningSet(1000, 0.05, 11);
    const prioritised = recallAt(simulatePrioritisedScreening(records, 20), 0.3);
    const original = recallAt(records.map((r) => r.relevant), 0.3);
    console.log(`[benchmark] synthetic set of ${records.length} (${records.filter((r) => r.relevant).length} relevant): relevant found after screening 30 %: prioritised ${(prioritised * 100).toFixed(1)} %, original order ${(original * 100).toFixed(1)} %`);
    expect(prioritised).toBeGreaterThan(original + 0.3);
    // About 50 retrainings: seconds on a busy shared machine.
  }, 30_000);
});
