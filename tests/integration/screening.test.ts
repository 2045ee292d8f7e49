import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseReferences } from "@/server/screening/references";
import { createUser } from "@/server/services/auth";
import { createReview, setMember } from "@/server/services/reviews";
import { screeningMethods, UNDO_WINDOW_MS } from "@/server/services/screening";
import { rejection } from "../support/rejection";
import { importRecords, ref } from "../support/screening";
import { callerFor, demoReviewId, freshDb, userId, type TestDb } from "../support/test-db";

let t: TestDb;
let reviewId: number;
beforeEach(async () => {
  t = await freshDb();
  reviewId = demoReviewId(t.db);
  const admin = { id: userId(t.db, "admin"), displayName: "Administrator" };
  await createUser(t.db, { username: "viewer1", displayName: "Viewer", password: "viewer-password" });
  await createUser(t.db, { username: "reviewer3", displayName: "Third reviewer", password: "third-password" });
  setMember(t.db, admin, reviewId, "viewer1", "viewer");
  setMember(t.db, admin, reviewId, "reviewer3", "reviewer");
  // Password hashing (scrypt) for two accounts is slow on a busy machine.
}, 60_000);
afterEach(() => t.close());

const lead = () => callerFor(t.db, "lead");
const r1 = () => callerFor(t.db, "reviewer1");
const r2 = () => callerFor(t.db, "reviewer2");
const r3 = () => callerFor(t.db, "reviewer3");
const viewer = () => callerFor(t.db, "viewer1");
const sql = (query: string, ...args: unknown[]) => t.db.$client.prepare(query).all(...args) as Record<string, unknown>[];
/** Audit entries (one per change of one row; an entry has a row per field changed) of an entity. */
const auditCount = (entity: string, action?: string) =>
  t.db.$client.prepare("select count(distinct entity_id || ':' || action || ':' || at) from audit_log where entity = ? and (? is null or action = ?)").pluck().get(entity, action ?? null, action ?? null) as number;

async function assignScreeners(arbiter: "reviewer3" | null = null, includeTerms: string[] = [], excludeTerms: string[] = []) {
  const overview = await lead().screening.overview({ reviewId });
  await lead().screening.updateSettings({
    reviewId,
    reviewer1Id: userId(t.db, "reviewer1"),
    reviewer2Id: userId(t.db, "reviewer2"),
    arbiterId: arbiter ? userId(t.db, arbiter) : null,
    includeTerms,
    excludeTerms,
    order: "original",
    version: overview.settings.version,
  });
}

/** The record ids of the review in import order (primary records only). */
const recordIds = () => (sql("select id from screening_records where review_id = ? and duplicate_of is null order by id", reviewId) as { id: number }[]).map((r) => r.id);

async function decideAs(who: "reviewer1" | "reviewer2", recordId: number, decision: "include" | "exclude" | "maybe", stage: "title_abstract" | "full_text" = "title_abstract", reasonId: number | null = null) {
  return callerFor(t.db, who).screening.decide({ reviewId, recordId, stage, decision, reasonId, note: "", order: "original", version: null });
}

const tenRecords = () =>
  Array.from({ length: 10 }, (_, i) =>
    ref({ title: `Record ${i + 1}: exosomes after spinal cord injury variant ${"abcdefghij"[i]}`, authors: [`Author${i}, A`, "Second, B"], year: 2015 + i, journal: `Journal ${i}`, doi: `10.5555/ten.${i}` }),
  );

describe("importing search results", () => {
  it("stores a search in bounded chunks, acknowledges a repeated chunk once, refuses a gap, and counts nothing until finished", async () => {
    const records = tenRecords();
    const search = await r1().screening.startImport({ reviewId, source: "Embase", searchedOn: "2024-02-10", query: "'exosome'/exp", fileName: "embase.ris", format: "ris", expectedRecords: 10 });
    await r1().screening.importChunk({ reviewId, searchId: search.id, offset: 0, records: records.slice(0, 4) });
    // The same chunk again (a retry after a lost response): nothing stored twice.
    expect(await r1().screening.importChunk({ reviewId, searchId: search.id, offset: 0, records: records.slice(0, 4) })).toMatchObject({ received: 4, repeated: true });
    const gap = await rejection(r1().screening.importChunk({ reviewId, searchId: search.id, offset: 8, records: records.slice(8) }));
    expect(gap.message).toMatch(/records 5–8 have not arrived yet/);
    // Another reviewer may not add to someone else's import.
    expect((await rejection(r2().screening.importChunk({ reviewId, searchId: search.id, offset: 4, records: records.slice(4) }))).code).toBe("FORBIDDEN");
    expect((await lead().screening.prisma({ reviewId })).identified.total).toBe(0);
    await r1().screening.importChunk({ reviewId, searchId: search.id, offset: 4, records: records.slice(4) });
    expect(await r1().screening.finishImport({ reviewId, searchId: search.id })).toEqual({ records: 10, exactDuplicates: 0, likelyDuplicates: 0 });
    const prisma = await viewer().screening.prisma({ reviewId });
    expect(prisma.identified).toEqual({ total: 10, bySource: [{ source: "Embase", records: 10 }] });
    expect(prisma.screened).toBe(10);
    const overview = await viewer().screening.overview({ reviewId });
    expect(overview.searches[0]).toMatchObject({ source: "Embase", searchedOn: "2024-02-10", query: "'exosome'/exp", format: "ris", status: "complete", recordCount: 10 });
    expect(await rejection(r1().screening.finishImport({ reviewId, searchId: search.id }))).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("imports a 10 000-record RIS file in bounded chunks, merging its repeated DOIs and PMIDs", async () => {
    // Every 20th record repeats the DOI of the record 7 before it; every 50th (offset 3) the PMID of the one 11 before.
    const entry = (i: number) => {
      const doi = i % 20 === 0 && i > 0 ? `10.5555/big.${i - 7}` : `10.5555/big.${i}`;
      return `TY  - JOUR\nAU  - Author${i}, A.\nTI  - Record ${i} on exosomes\nPY  - 2020\nDO  - ${doi}\nAB  - Abstract ${i}.\nER  - \n`;
    };
    const { records } = parseReferences(Array.from({ length: 10_000 }, (_, i) => entry(i)).join("\n"));
    expect(records).toHaveLength(10_000);
    // RIS carries no standard PMID tag: give each record its PMID as a PubMed export's CSV or nbib would.
    records.forEach((r, i) => (r.pmid = i % 50 === 3 && i > 50 ? `${9_000_000 + i - 11}` : `${9_000_000 + i}`));
    const result = await importRecords(r1(), reviewId, records, "Embase");
    const doiRepeats = Array.from({ length: 10_000 }, (_, i) => i).filter((i) => i % 20 === 0 && i > 0).length;
    const pmidRepeats = Array.from({ length: 10_000 }, (_, i) => i).filter((i) => i % 50 === 3 && i > 50).length;
    expect(result.exactDuplicates).toBe(doiRepeats + pmidRepeats);
    const prisma = await viewer().screening.prisma({ reviewId });
    expect([prisma.identified.total, prisma.duplicatesRemoved, prisma.screened]).toEqual([10_000, doiRepeats + pmidRepeats, 10_000 - doiRepeats - pmidRepeats]);
    expect(sql("select count(*) as n from screening_records where review_id = ?", reviewId)[0]!.n).toBe(10_000);
  }, 180_000);

  it("refuses bad search details and records with messages that name the field", async () => {
    const bad = await rejection(r1().screening.startImport({ reviewId, source: " ", searchedOn: "2024-02-30", query: "", fileName: "", format: "ris", expectedRecords: 1 }));
    expect(bad.message).toContain("Source (database or register) is required");
    const future = await rejection(r1().screening.startImport({ reviewId, source: "PubMed", searchedOn: "2999-01-01", query: "", fileName: "", format: "ris", expectedRecords: 1 }));
    expect(future.message).toContain("Search date must not be in the future");
    const search = await r1().screening.startImport({ reviewId, source: "PubMed", searchedOn: "2024-01-01", query: "", fileName: "", format: "ris", expectedRecords: 1 });
    const oversized = await rejection(r1().screening.importChunk({ reviewId, searchId: search.id, offset: 0, records: [ref({ title: "x".repeat(2001) })] }));
    expect(oversized.message).toContain("Title must be at most 2000 characters");
    const empty = await rejection(r1().screening.importChunk({ reviewId, searchId: search.id, offset: 0, records: [ref({})] }));
    expect(empty.message).toContain("A record needs a title, an abstract, a DOI or a PMID");
    const tooMany = await rejection(r1().screening.importChunk({ reviewId, searchId: search.id, offset: 0, records: Array.from({ length: 251 }, (_, i) => ref({ title: `T${i}` })) }));
    expect(tooMany.message).toContain("A chunk holds at most 250 records");
    // Nothing half-written: the failed chunks stored no record.
    expect(sql("select count(*) as n from screening_records")[0]!.n).toBe(0);
    await r1().screening.cancelImport({ reviewId, searchId: search.id });
    expect(sql("select count(*) as n from screening_searches")[0]!.n).toBe(0);
  });

  it("finds known duplicates in a constructed set: precision and recall (exact merges + queued pairs)", async () => {
    // Ground truth: records with the same `report` letter are the same report.
    const set: [string, Parameters<typeof ref>[0]][] = [
      ["A", { title: "Exosomes from BMSCs promote functional recovery", doi: "10.1000/A1", authors: ["Li, Wei"], year: 2019, journal: "J Neurotrauma" }],
      ["A", { title: "Exosomes from BMSCs promote functional recovery.", doi: "10.1000/a1", authors: ["Li W"], year: 2019, journal: "Journal of Neurotrauma" }],
      ["A", { title: "EXOSOMES FROM BMSCS PROMOTE FUNCTIONAL RECOVERY", doi: "10.1000/a1", authors: ["Li, W."], year: 2020, journal: "J Neurotrauma" }],
      ["B", { title: "Umbilical cord exosomes reduce apoptosis after spinal cord injury in rats", doi: "10.1000/b2", authors: ["Wang, Yu"], year: 2021, journal: "Stem Cell Res Ther" }],
      ["B", { title: "Umbilical-cord exosomes REDUCE apoptosis after spinal cord injury in rats!", authors: ["Wang Y"], year: 2021, journal: "Stem Cell Research & Therapy" }],
      ["C", { title: "Placental exosomes and neuroprotection in spinal cord contusion", authors: ["Chen, Li"], year: 2012, journal: "Neuroscience" }],
      ["D", { title: "Placental exosomes and neuroprotection in spinal cord contusion", authors: ["Chen, Li"], year: 2019, journal: "Neuroscience" }],
      ["E", { title: "Adipose exosomes after spinal cord injury: a PubMed record", pmid: "31000001", year: 2020, authors: ["Zhou, X"] }],
      ["E", { title: "Adipose-derived exosomes after spinal cord injury", pmid: "31000001", year: 2020, authors: ["Zhou, Xin"] }],
      ["F", { title: "Mesenchymal exosomes improve locomotor scores in contused rats", authors: ["Smith, J"], year: 2018, journal: "Exp Neurol" }],
      ["F", { title: "Mesenchymal exosomes improve locomotor scores in contused rats", authors: ["Smith, John"], year: 2019, journal: "Experimental Neurology" }],
      ["G", { title: "Exosomal miR-21 attenuates neuronal apoptosis after spinal cord injury", authors: ["Kim, H"], year: 2020, journal: "Mol Neurobiol" }],
      ["G", { title: "Exosomal miR-21 attenuates neuronal apoptosis after spinal cord injyry", authors: ["Kim, H"], year: 2020, journal: "Mol Neurobiol" }],
      ["H", { title: "Exosomal miR-21 attenuates neuronal apoptosis after brain injury in mice", authors: ["Park, S"], year: 2020, journal: "Brain Res" }],
      ["I", { title: "Exosomes from BMSCs promote functional recovery", doi: "10.1000/i9", authors: ["Garcia, M"], year: 2008, journal: "Spine" }],
    ];
    // Two exports from two databases, as a team gets them.
    await importRecords(r1(), reviewId, set.slice(0, 8).map(([, r]) => ref(r)), "PubMed");
    await importRecords(r1(), reviewId, set.slice(8).map(([, r]) => ref(r)), "Embase");
    const ids = (sql("select id from screening_records order by id") as { id: number }[]).map((r) => r.id);
    const report = new Map(ids.map((id, i) => [id, set[i]![0]]));
    const predictedPairs = [
      ...(sql("select duplicate_id as a, kept_id as b from screening_merges where undone_at is null") as { a: number; b: number }[]),
      ...(sql("select record_a as a, record_b as b from screening_duplicate_candidates where status = 'pending'") as { a: number; b: number }[]),
    ];
    // Compare clusters (a pair merged via a third record counts), as deduplication studies do.
    const parent = new Map(ids.map((id) => [id, id]));
    const find = (id: number): number => (parent.get(id) === id ? id : find(parent.get(id)!));
    for (const { a, b } of predictedPairs) parent.set(find(a), find(b));
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < ids.length; i++)
      for (let j = i + 1; j < ids.length; j++) {
        const same = report.get(ids[i]!) === report.get(ids[j]!);
        const predicted = find(ids[i]!) === find(ids[j]!);
        if (same && predicted) tp++;
        else if (predicted) fp++;
        else if (same) fn++;
      }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    console.log(`[dedup] constructed set of ${ids.length} records, ${tp + fn} true duplicate pairs: precision ${(precision * 100).toFixed(1)} %, recall ${(recall * 100).toFixed(1)} % (tp ${tp}, fp ${fp}, fn ${fn})`);
    expect(precision).toBe(1);
    expect(recall).toBe(1);
    const merges = await viewer().screening.merges({ reviewId });
    expect(merges.byKind).toEqual({ doi: 2, pmid: 1 });
    // Queued for a person: B (no DOI on one side), F (one year apart) and G (a typo); not C/D (years apart) nor H.
    const queue = await r2().screening.candidates({ reviewId });
    expect(queue.total).toBe(3);
    for (const c of queue.candidates) expect(report.get(c.a.id)).toBe(report.get(c.b.id));
    expect(queue.candidates.every((c) => c.score >= 0.8 && c.score <= 1)).toBe(true);
  });

  it("merges a queued pair, keeps another apart, undoes a merge; 'duplicates removed' follows every step and each is audited", async () => {
    await importRecords(r1(), reviewId, [
      ref({ title: "Exosomes improve recovery after spinal cord injury in rats", authors: ["Lee, A"], year: 2020, journal: "Spine", doi: "10.1000/x" }),
      ref({ title: "Exosomes improve recovery after spinal cord injury in rats.", authors: ["Lee A"], year: 2020, journal: "Spine" }),
      ref({ title: "Stem cell exosomes and axonal regeneration in the injured cord", authors: ["Ng, B"], year: 2021 }),
      ref({ title: "Stem cell exosomes and axonal regeneration in the injured cord", authors: ["Ng, B"], year: 2021 }),
      ref({ title: "Something else", doi: "10.1000/x" }),
    ]);
    expect((await lead().screening.prisma({ reviewId })).duplicatesRemoved).toBe(1); // the DOI match
    const { candidates } = await r2().screening.candidates({ reviewId });
    expect(candidates).toHaveLength(2);
    const before = auditCount("screeningMerge");
    const merged = await r2().screening.decideCandidate({ reviewId, candidateId: candidates[0]!.id, action: "merge", version: candidates[0]!.version });
    await r2().screening.decideCandidate({ reviewId, candidateId: candidates[1]!.id, action: "keep_apart", version: candidates[1]!.version });
    expect(auditCount("screeningMerge")).toBe(before + 1);
    expect(auditCount("screeningCandidate")).toBe(2);
    let prisma = await lead().screening.prisma({ reviewId });
    expect([prisma.identified.total, prisma.duplicatesRemoved, prisma.screened]).toEqual([5, 2, 3]);
    // A stale version (someone decided it meanwhile) is a conflict, not a second merge.
    expect((await rejection(r1().screening.decideCandidate({ reviewId, candidateId: candidates[0]!.id, action: "merge", version: candidates[0]!.version }))).code).toBe("CONFLICT");
    await r1().screening.undoMerge({ reviewId, mergeId: merged.mergeId! });
    prisma = await lead().screening.prisma({ reviewId });
    expect([prisma.duplicatesRemoved, prisma.screened]).toEqual([1, 4]);
    // The pair is back in the queue for a final call, and undoing twice is refused.
    expect((await r2().screening.candidates({ reviewId })).total).toBe(1);
    expect((await rejection(r1().screening.undoMerge({ reviewId, mergeId: merged.mergeId! }))).message).toMatch(/already been undone/);
    // The exact DOI merge can be undone too.
    const { merges } = await viewer().screening.merges({ reviewId });
    await lead().screening.undoMerge({ reviewId, mergeId: merges[0]!.id });
    expect((await lead().screening.prisma({ reviewId })).duplicatesRemoved).toBe(0);
  });
});

describe("dual blind screening", () => {
  it("keeps each reviewer's decisions from the other, the lead and viewers until both have decided, through every read", async () => {
    await importRecords(r1(), reviewId, tenRecords());
    await assignScreeners();
    const [first] = recordIds();
    await r1().screening.decide({ reviewId, recordId: first!, stage: "title_abstract", decision: "exclude", reasonId: null, note: "R1-SECRET-NOTE", order: "original", version: null });
    const readsOf = async (caller: ReturnType<typeof callerFor>) =>
      JSON.stringify([
        await caller.screening.record({ reviewId, recordId: first! }),
        await caller.screening.records({ reviewId, filter: "all", search: "", page: 1 }),
        await caller.screening.overview({ reviewId }),
        await caller.screening.recall({ reviewId }),
        await caller.screening.conflicts({ reviewId, stage: "title_abstract" }).catch((e: Error) => e.message),
        await caller.screening.queue({ reviewId, stage: "title_abstract", order: "original", limit: 20 }).catch((e: Error) => e.message),
      ]);
    for (const caller of [r2(), lead(), viewer()]) {
      const everything = await readsOf(caller);
      expect(everything).not.toContain("R1-SECRET-NOTE");
      const record = await caller.screening.record({ reviewId, recordId: first! });
      expect(record.stages[0]!.decisions).toEqual([]);
      expect(record.stages[0]!.decidedCount).toBe(1); // progress, not the decision
    }
    // Counts that would tell the decision are not given either: reviewer 1's recall curve, seen by others,
    // covers only records both have decided; reviewer 1 sees their own in full.
    for (const caller of [r2(), lead(), viewer()]) expect((await caller.screening.recall({ reviewId }))[0]!.reviewers[0]!.points).toEqual([]);
    expect((await r1().screening.recall({ reviewId }))[0]!.reviewers[0]!.points).toEqual([{ screened: 1, found: 0 }]);
    // Reviewer 2's queue still offers the record (blind), in the same order as before reviewer 1 decided.
    const queue2 = await r2().screening.queue({ reviewId, stage: "title_abstract", order: "original", limit: 20 });
    expect(queue2.records[0]!.id).toBe(first);
    expect(JSON.stringify(queue2)).not.toMatch(/"decision"/);
    // The author reads their own.
    expect((await r1().screening.record({ reviewId, recordId: first! })).stages[0]!.decisions).toMatchObject([{ slot: 1, decision: "exclude", note: "R1-SECRET-NOTE" }]);

    await decideAs("reviewer2", first!, "include");
    // Both decided: the team reads both; viewers still read only the outcome.
    for (const caller of [r2(), lead()]) {
      const record = await caller.screening.record({ reviewId, recordId: first! });
      expect(record.stages[0]!.decisions.map((d) => d.decision)).toEqual(["exclude", "include"]);
      expect(record.stages[0]!.outcome.status).toBe("conflict");
    }
    const seenByViewer = await viewer().screening.record({ reviewId, recordId: first! });
    expect(seenByViewer.stages[0]!.decisions).toEqual([]);
    expect(seenByViewer.stages[0]!.outcome.status).toBe("conflict");
    expect((await rejection(viewer().screening.conflicts({ reviewId, stage: "title_abstract" }))).code).toBe("FORBIDDEN");
    expect(await readsOf(viewer())).not.toContain("R1-SECRET-NOTE");
    expect((await viewer().screening.recall({ reviewId }))[0]!.reviewers.map((r) => r.points)).toEqual([[{ screened: 1, found: 0 }], [{ screened: 1, found: 1 }]]);
  });

  it("gives the lead of another review no way into this review's records through that review's id", async () => {
    await importRecords(r1(), reviewId, tenRecords());
    const [recordOfA] = recordIds();
    const outsider = await createUser(t.db, { username: "outsider", displayName: "Outsider", password: "outsider-password" });
    const otherReviewId = createReview(t.db, outsider, { title: "Review B" }).id;
    const b = callerFor(t.db, "outsider");
    expect((await rejection(b.screening.record({ reviewId: otherReviewId, recordId: recordOfA! }))).code).toBe("NOT_FOUND");
    expect((await rejection(b.screening.linkStudy({ reviewId: otherReviewId, recordId: recordOfA!, studyId: null, version: 1 }))).code).toBe("NOT_FOUND");
    expect((await rejection(b.screening.setNotRetrieved({ reviewId: otherReviewId, recordId: recordOfA!, notRetrieved: true, reason: "x", version: 1 }))).code).toBe("NOT_FOUND");
    // A study of review A cannot be linked from a record of review B either.
    await importRecords(b, otherReviewId, [ref({ title: "A record of review B" })]);
    const recordOfB = t.db.$client.prepare("select id, version from screening_records where review_id = ?").get(otherReviewId) as { id: number; version: number };
    const [studyOfA] = await lead().studies.list({ reviewId });
    expect((await rejection(b.screening.linkStudy({ reviewId: otherReviewId, recordId: recordOfB.id, studyId: studyOfA!.id, version: recordOfB.version }))).code).toBe("NOT_FOUND");
    expect((await lead().screening.record({ reviewId, recordId: recordOfA! })).record.studyId).toBeNull();
  });

  it("lets only the assigned screeners decide, each once per record (a concurrent duplicate is a conflict)", async () => {
    await importRecords(r1(), reviewId, tenRecords());
    const [first] = recordIds();
    expect((await rejection(decideAs("reviewer1", first!, "include"))).code).toBe("FORBIDDEN"); // nobody assigned yet
    await assignScreeners();
    expect((await rejection(r3().screening.decide({ reviewId, recordId: first!, stage: "title_abstract", decision: "include", reasonId: null, note: "", order: "original", version: null }))).code).toBe("FORBIDDEN");
    const results = await Promise.allSettled([decideAs("reviewer1", first!, "include"), decideAs("reviewer1", first!, "exclude")]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect((results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason).toMatchObject({ code: "CONFLICT" });
    expect(sql("select count(*) as n from screening_decisions")[0]!.n).toBe(1);
    // Full text before title/abstract inclusion is refused with the reason.
    expect((await rejection(decideAs("reviewer1", first!, "include", "full_text"))).message).toMatch(/must be included at title and abstract first/);
  });

  it("undoes a decision while still blind; locks it once both decided (after the short undo window)", async () => {
    await importRecords(r1(), reviewId, tenRecords());
    await assignScreeners();
    const [a, b] = recordIds();
    const mine = await decideAs("reviewer1", a!, "include");
    await r1().screening.undo({ reviewId, recordId: a!, stage: "title_abstract", version: mine.version });
    expect(sql("select count(*) as n from screening_decisions")[0]!.n).toBe(0);
    expect(auditCount("screeningDecision")).toBe(2); // created, then deleted
    const d1 = await decideAs("reviewer1", b!, "include");
    await decideAs("reviewer2", b!, "exclude");
    // Within the window the later mistake can still be taken back; past it, the decisions are locked.
    t.db.$client.prepare("update screening_decisions set updated_at = ? where record_id = ?").run(new Date(Date.now() - UNDO_WINDOW_MS - 1000).toISOString(), b);
    const locked = await rejection(r1().screening.undo({ reviewId, recordId: b!, stage: "title_abstract", version: d1.version }));
    expect(locked.code).toBe("FORBIDDEN");
    expect(locked.message).toMatch(/both reviewers have decided this record/);
    const change = await rejection(r1().screening.decide({ reviewId, recordId: b!, stage: "title_abstract", decision: "exclude", reasonId: null, note: "", order: "original", version: d1.version }));
    expect(change.code).toBe("FORBIDDEN");
  });

  it("computes Cohen's κ for the stage on a hand-worked example", async () => {
    await importRecords(r1(), reviewId, tenRecords());
    await assignScreeners();
    const ids = recordIds();
    // Reviewer 1 vs reviewer 2 on 10 records:
    //   include/include ×3, exclude/exclude ×4, include/exclude ×1, exclude/include ×1, maybe/include ×1.
    // po = 7/10; marginals R1 (include 4, maybe 1, exclude 5), R2 (include 5, maybe 0, exclude 5):
    // pe = (4·5 + 1·0 + 5·5)/100 = 0.45; κ = (0.7 − 0.45)/(1 − 0.45) = 5/11.
    const pairs: ["include" | "exclude" | "maybe", "include" | "exclude" | "maybe"][] = [
      ["include", "include"],
      ["include", "include"],
      ["include", "include"],
      ["exclude", "exclude"],
      ["exclude", "exclude"],
      ["exclude", "exclude"],
      ["exclude", "exclude"],
      ["include", "exclude"],
      ["exclude", "include"],
      ["maybe", "include"],
    ];
    for (const [i, [x, y]] of pairs.entries()) {
      await decideAs("reviewer1", ids[i]!, x);
      await decideAs("reviewer2", ids[i]!, y);
    }
    const { stages } = await viewer().screening.overview({ reviewId });
    const ta = stages[0]!;
    expect(ta.agreement.n).toBe(10);
    expect(ta.agreement.agreed).toBe(7);
    expect(ta.agreement.expected).toBeCloseTo(0.45, 12);
    expect(ta.agreement.kappa).toBeCloseTo(5 / 11, 12);
    // maybe + include both send the record on: agreement, not a conflict.
    expect({ included: ta.included, excluded: ta.excluded, conflict: ta.conflict, awaiting: ta.awaiting }).toEqual({ included: 4, excluded: 4, conflict: 2, awaiting: 0 });
    expect(ta.progress.map((p) => p.done)).toEqual([10, 10]);
    expect(ta.orders).toEqual({ prioritised: 0, original: 20 });
    // The report's methods read the same: searches as run, agreement and the order used.
    const methods = screeningMethods(t.db, reviewId);
    expect(methods.searches).toEqual([{ source: "PubMed", searchedOn: "2024-03-01", query: "exosome* AND spinal cord injury", format: "ris", records: 10 }]);
    expect(methods.stages[0]).toMatchObject({ stage: "title_abstract", orderUsed: "original", agreement: { n: 10, agreed: 7 } });
    expect(methods.stages[1]!.orderUsed).toBeNull();
  });

  it("has conflicts settled by the lead or the third reviewer only, with a note to overrule an agreement", async () => {
    await importRecords(r1(), reviewId, tenRecords());
    await assignScreeners("reviewer3");
    const [a, b] = recordIds();
    await decideAs("reviewer1", a!, "include");
    await decideAs("reviewer2", a!, "exclude");
    await decideAs("reviewer1", b!, "exclude");
    await decideAs("reviewer2", b!, "exclude");
    const conflicts = await r3().screening.conflicts({ reviewId, stage: "title_abstract" });
    expect(conflicts.canResolve).toBe(true);
    expect(conflicts.conflicts.map((c) => c.record.id)).toEqual([a]);
    expect((await rejection(r1().screening.resolve({ reviewId, recordId: a!, stage: "title_abstract", decision: "include", reasonId: null, note: "", version: null }))).code).toBe("FORBIDDEN");
    await r3().screening.resolve({ reviewId, recordId: a!, stage: "title_abstract", decision: "include", reasonId: null, note: "Rat model, exosomes: fits.", version: null });
    const overrule = await rejection(lead().screening.resolve({ reviewId, recordId: b!, stage: "title_abstract", decision: "include", reasonId: null, note: "", version: null }));
    expect(overrule.message).toContain("Reason for the decision is required to overrule");
    const record = await lead().screening.record({ reviewId, recordId: a! });
    expect(record.stages[0]!.outcome).toEqual({ status: "included", reasonId: null, via: "resolution" });
    expect(record.stages[0]!.resolution).toMatchObject({ decision: "include", by: "Third reviewer", note: "Rat model, exosomes: fits." });
    const audit = sql("select field, new_value from audit_log where entity = 'screeningResolution' and field = 'originals'");
    expect(JSON.parse(audit[0]!.new_value as string)).toEqual({ reviewer1: { decision: "include", reasonId: null }, reviewer2: { decision: "exclude", reasonId: null } });
  });

  it("orders a reviewer's queue by predicted relevance from their own decisions only", async () => {
    const relevant = (i: number) => ref({ title: `Exosomes improve BBB locomotor recovery in spinal cord injured rats ${i}`, abstract: "Mesenchymal stem cell exosomes, contusion, rats, BBB score.", year: 2020, authors: [`R${i}, A`] });
    const irrelevant = (i: number) => ref({ title: `Tumour exosomes in breast cancer patients cohort ${i}`, abstract: "Cancer metastasis, chemotherapy, patients.", year: 2020, authors: [`I${i}, B`] });
    // Import order alternates; the relevant ones are the odd positions.
    await importRecords(r1(), reviewId, Array.from({ length: 20 }, (_, i) => (i % 2 ? relevant(i) : irrelevant(i))));
    await assignScreeners();
    const ids = recordIds();
    const before2 = await r2().screening.queue({ reviewId, stage: "title_abstract", order: "prioritised", limit: 20 });
    await decideAs("reviewer1", ids[0]!, "exclude");
    await decideAs("reviewer1", ids[1]!, "include");
    const queue1 = await r1().screening.queue({ reviewId, stage: "title_abstract", order: "prioritised", limit: 20 });
    expect(queue1.model).toMatchObject({ trained: true, labelled: 2, relevant: 1 });
    const top = queue1.records.slice(0, 9).map((r) => r.id);
    expect(top.every((id) => ids.indexOf(id) % 2 === 1)).toBe(true);
    expect(queue1.records.every((r) => r.relevance !== null && r.relevance >= 0 && r.relevance <= 1)).toBe(true);
    // Reviewer 2 has decided nothing: their order is unchanged by reviewer 1's decisions (no leak through ranking).
    const after2 = await r2().screening.queue({ reviewId, stage: "title_abstract", order: "prioritised", limit: 20 });
    expect(after2.records.map((r) => r.id)).toEqual(before2.records.map((r) => r.id));
    expect(after2.model).toMatchObject({ trained: false });
  });
});

describe("full text, studies and the PRISMA counts", () => {
  it("counts every PRISMA box from the decisions made, creates studies from included records and links one by hand", async () => {
    await importRecords(r1(), reviewId, tenRecords().slice(0, 6), "PubMed");
    await importRecords(r1(), reviewId, [...tenRecords().slice(6), ref({ title: "dup of record 1", doi: "10.5555/ten.0" })], "Web of Science");
    await assignScreeners();
    const ids = recordIds();
    const overview = await lead().screening.overview({ reviewId });
    const reasons = overview.reasons;
    expect(reasons.length).toBeGreaterThan(3);
    // Title/abstract: records 0-5 included by both, 6-7 excluded by both, 8 conflict settled exclude, 9 awaiting reviewer 2.
    for (const [i, id] of ids.entries()) {
      const ta: ["include" | "exclude", "include" | "exclude" | null] = i <= 5 ? ["include", "include"] : i <= 7 ? ["exclude", "exclude"] : i === 8 ? ["include", "exclude"] : ["include", null];
      await decideAs("reviewer1", id, ta[0]);
      if (ta[1]) await decideAs("reviewer2", id, ta[1]);
    }
    await lead().screening.resolve({ reviewId, recordId: ids[8]!, stage: "title_abstract", decision: "exclude", reasonId: null, note: "", version: null });
    // Full text: record 5 not retrieved; 0-1 included; 2-3 excluded for reason 0; 4 excluded for reason 1 after a conflict.
    const rec5 = await lead().screening.record({ reviewId, recordId: ids[5]! });
    expect((await rejection(r1().screening.setNotRetrieved({ reviewId, recordId: ids[5]!, notRetrieved: true, reason: "", version: rec5.record.version }))).message).toContain("Why not retrieved is required");
    await r1().screening.setNotRetrieved({ reviewId, recordId: ids[5]!, notRetrieved: true, reason: "Not held by any library; authors did not reply", version: rec5.record.version });
    const reasonA = reasons[0]!.id;
    const reasonB = reasons[1]!.id;
    expect((await rejection(decideAs("reviewer1", ids[2]!, "exclude", "full_text"))).message).toContain("Exclusion reason is required");
    for (const i of [0, 1]) {
      await decideAs("reviewer1", ids[i]!, "include", "full_text");
      await decideAs("reviewer2", ids[i]!, "include", "full_text");
    }
    for (const i of [2, 3]) {
      await decideAs("reviewer1", ids[i]!, "exclude", "full_text", reasonA);
      await decideAs("reviewer2", ids[i]!, "exclude", "full_text", reasonA);
    }
    await decideAs("reviewer1", ids[4]!, "exclude", "full_text", reasonA);
    await decideAs("reviewer2", ids[4]!, "exclude", "full_text", reasonB);
    expect((await lead().screening.conflicts({ reviewId, stage: "full_text" })).conflicts.map((c) => c.record.id)).toEqual([ids[4]]);
    await lead().screening.resolve({ reviewId, recordId: ids[4]!, stage: "full_text", decision: "exclude", reasonId: reasonB, note: "Reviewer 2's reason fits: no control group.", version: null });

    let prisma = await viewer().screening.prisma({ reviewId });
    expect(prisma).toMatchObject({
      identified: { total: 11, bySource: [{ source: "PubMed", records: 6 }, { source: "Web of Science", records: 5 }] },
      duplicatesRemoved: 1,
      screened: 10,
      screenedExcluded: 3,
      reportsSought: 6,
      reportsNotRetrieved: 1,
      reportsAssessed: 5,
      reportsExcluded: 3,
      exclusionReasons: [
        { reasonId: reasonA, reason: reasons[0]!.label, count: 2 },
        { reasonId: reasonB, reason: reasons[1]!.label, count: 1 },
      ],
      reportsIncluded: 2,
      studiesIncluded: 2,
      pending: { titleAbstract: 1, fullText: 0, conflicts: 0 },
      complete: false,
    });

    // Included records become studies; the same study cannot be created twice from one record.
    const record0 = await lead().screening.record({ reviewId, recordId: ids[0]! });
    const created = await r1().screening.createStudy({ reviewId, recordId: ids[0]!, version: record0.record.version });
    expect(created).toMatchObject({ author: "Author0 et al.", year: 2015, doi: "10.5555/ten.0", title: tenRecords()[0]!.title, journal: "Journal 0" });
    const study = (await lead().studies.list({ reviewId })).find((s) => s.id === created.studyId)!;
    expect(study).toMatchObject({ author: "Author0 et al.", year: 2015, doi: "10.5555/ten.0" });
    expect((await rejection(r1().screening.createStudy({ reviewId, recordId: ids[0]!, version: record0.record.version }))).code).toBe("CONFLICT");
    expect((await rejection(r1().screening.createStudy({ reviewId, recordId: ids[2]!, version: 1 }))).message).toMatch(/only records included at full text/);
    // A study entered by hand (the demo's Table 1) linked to the other included record; both records of one study count once.
    const [handMade] = await lead().studies.list({ reviewId });
    const record1 = await lead().screening.record({ reviewId, recordId: ids[1]! });
    await r2().screening.linkStudy({ reviewId, recordId: ids[1]!, studyId: handMade!.id, version: record1.record.version });
    expect(await viewer().screening.studyRecords({ reviewId, studyId: handMade!.id })).toMatchObject([{ id: ids[1] }]);
    const again = await lead().screening.record({ reviewId, recordId: ids[0]! });
    await r2().screening.linkStudy({ reviewId, recordId: ids[0]!, studyId: handMade!.id, version: again.record.version });
    prisma = await viewer().screening.prisma({ reviewId });
    expect([prisma.reportsIncluded, prisma.studiesIncluded]).toEqual([2, 1]);
    // Finishing the last record completes the flow.
    await decideAs("reviewer2", ids[9]!, "exclude");
    await lead().screening.resolve({ reviewId, recordId: ids[9]!, stage: "title_abstract", decision: "exclude", reasonId: null, note: "", version: null });
    expect((await viewer().screening.prisma({ reviewId })).complete).toBe(true);
    // Every decision, resolution and link is in the audit trail.
    const decisions = sql("select count(*) as n from screening_decisions")[0]!.n as number;
    expect(auditCount("screeningDecision", "create")).toBe(decisions);
    expect(auditCount("screeningResolution", "create")).toBe(3);
  });

  it("edits the exclusion reasons (lead only); a reason in use cannot be removed", async () => {
    await importRecords(r1(), reviewId, tenRecords());
    await assignScreeners();
    const added = await lead().screening.addReason({ reviewId, label: "Wrong species (not rodents)" });
    expect((await rejection(lead().screening.addReason({ reviewId, label: "wrong species (NOT rodents)" }))).message).toContain("already in the list");
    expect((await rejection(r1().screening.addReason({ reviewId, label: "Mine" }))).code).toBe("FORBIDDEN");
    const renamed = await lead().screening.renameReason({ reviewId, reasonId: added.id, label: "Wrong species", version: added.version });
    const ids = recordIds();
    await decideAs("reviewer1", ids[0]!, "include");
    await decideAs("reviewer2", ids[0]!, "include");
    await decideAs("reviewer1", ids[0]!, "exclude", "full_text", added.id);
    expect((await rejection(lead().screening.removeReason({ reviewId, reasonId: added.id, version: renamed.version }))).message).toMatch(/is given in 1 decision/);
    const spare = await lead().screening.addReason({ reviewId, label: "Spare" });
    await lead().screening.removeReason({ reviewId, reasonId: spare.id, version: spare.version });
    expect((await lead().screening.overview({ reviewId })).reasons.map((r) => r.label)).toContain("Wrong species");
  });
});
