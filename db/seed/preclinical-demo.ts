import { eq } from "drizzle-orm";
import type { Tx } from "../client";
import {
  armCharacteristicValues,
  arms,
  auditLog,
  characteristics,
  characteristicValues,
  measurements,
  outcomes,
  reviewMembers,
  reviews,
  robAssignments,
  robConsensus,
  robJudgments,
  savedAnalyses,
  studies,
  type RobJudgmentValue,
} from "../schema";

/**
 * The second demo review: INVENTED data (every value is marked as example data, every study is "Example …") that
 * shows the preclinical analyses of issue 13, which the seed paper's review cannot show without changing its numbers
 * (its 21 studies have one treated and one control arm, two time points, no dose and no consensus judgments):
 * several doses sharing one control, two cell sources in one study (each arm with its own "Cell source"), sham arms
 * for the normalised mean difference, a study with two control arms, an arm measured on a day its control was not
 * (listed as not analysed), BBB on up to six days (time course), doses and treatment delays (meta-regression),
 * SYRCLE consensus judgments (stratification by domain, sensitivity by risk of bias), and lesion volume, an outcome
 * where lower is better (the "Favours" labels turn).
 */
export const PRECLINICAL_DEMO_TITLE = "Preclinical example: doses, cell sources, sham arms and time course (example data)";

type Source = "bone_marrow" | "umbilical_cord" | "adipose";
type TreatedSpec = { label: string; dose: number; source?: Source; days?: number[] };
type StudySpec = {
  author: string;
  year: number;
  source: Source;
  delayHours: number;
  days: number[];
  treated: TreatedSpec[];
  /** A second control arm (untreated) besides the vehicle the treated arms are compared with. */
  untreatedControl?: boolean;
  sham?: boolean;
  lesion?: boolean;
  sem?: boolean;
};

const exampleStudies: StudySpec[] = [
  { author: "Example A et al.", year: 2016, source: "bone_marrow", delayHours: 1, days: [1, 7, 14, 28, 42], treated: [{ label: "10 µg", dose: 10 }, { label: "50 µg", dose: 50 }, { label: "200 µg", dose: 200 }], sham: true, lesion: true },
  { author: "Example B et al.", year: 2017, source: "bone_marrow", delayHours: 24, days: [1, 7, 14, 28], treated: [{ label: "BM-MSC exosomes", dose: 100, source: "bone_marrow" }, { label: "UC-MSC exosomes", dose: 100, source: "umbilical_cord" }] },
  { author: "Example C et al.", year: 2018, source: "umbilical_cord", delayHours: 2, days: [1, 7, 14, 28, 42], treated: [{ label: "100 µg", dose: 100 }], sham: true, lesion: true, sem: true },
  { author: "Example D et al.", year: 2019, source: "adipose", delayHours: 72, days: [7, 14, 28], treated: [{ label: "200 µg", dose: 200 }], untreatedControl: true },
  { author: "Example E et al.", year: 2020, source: "bone_marrow", delayHours: 0.5, days: [1, 3, 7, 14, 28], treated: [{ label: "50 µg", dose: 50 }], lesion: true },
  { author: "Example F et al.", year: 2021, source: "umbilical_cord", delayHours: 6, days: [1, 7, 28], treated: [{ label: "20 µg", dose: 20 }, { label: "100 µg", dose: 100 }], sham: true },
  { author: "Example G et al.", year: 2022, source: "adipose", delayHours: 168, days: [7, 14, 28, 42], treated: [{ label: "100 µg", dose: 100 }], lesion: true },
  { author: "Example H et al.", year: 2023, source: "bone_marrow", delayHours: 3, days: [1, 7, 14, 28], treated: [{ label: "100 µg", dose: 100 }, { label: "500 µg", dose: 500, days: [56] }] },
];

/** A deterministic pseudo-random number in [-1, 1) (mulberry32), so the demo is the same on every install. */
function noise(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));
const sourceFactor: Record<Source, number> = { bone_marrow: 1, umbilical_cord: 1.2, adipose: 0.8 };

/** Invented BBB means: recovery over time, more with a larger dose, less with a later start. */
function bbbMean(day: number, treatment: { dose: number; source: Source; delayHours: number } | null, seed: number): number {
  const control = 21 * 0.55 * (1 - Math.exp(-day / 18));
  const effect = treatment ? 7 * (treatment.dose / (treatment.dose + 60)) * Math.max(0.2, 1 - treatment.delayHours / 250) * sourceFactor[treatment.source] * (1 - Math.exp(-day / 10)) : 0;
  return round(Math.min(20.5, Math.max(0.2, control + effect + 0.6 * noise(seed))));
}

const domainPattern: RobJudgmentValue[][] = [
  ["low", "low", "unclear", "low"], // D1 sequence generation
  ["low", "low", "low", "unclear"], // D2 baseline characteristics
  ["unclear", "unclear", "low", "unclear"], // D3 allocation concealment
  ["unclear", "low", "unclear", "unclear"], // D4 random housing
  ["low", "unclear", "unclear", "high"], // D5 blinding of caregivers
  ["unclear", "unclear", "low", "unclear"], // D6 random outcome assessment
  ["low", "high", "low", "unclear"], // D7 blinding of outcome assessor
  ["low", "low", "high", "low"], // D8 incomplete outcome data
  ["low", "low", "low", "low"], // D9 selective outcome reporting
  ["low", "unclear", "low", "low"], // D10 other
];

/**
 * Inserts the example review inside the caller's transaction, with the demo accounts as members (ids of lead,
 * reviewer 1, reviewer 2); returns its id.
 */
export function seedPreclinicalDemo(tx: Tx, accountIds: readonly [number, number, number]): number {
  const [leadId, reviewer1, reviewer2] = accountIds;
  const review = tx
    .insert(reviews)
    .values({
      title: PRECLINICAL_DEMO_TITLE,
      question: "EXAMPLE review with invented data, to show the preclinical analyses: do mesenchymal stem cell exosomes improve locomotor recovery after spinal cord injury in rats, by dose, cell source and time?",
      population: "Rats with contusion spinal cord injury (invented studies)",
      intervention: "Exosomes from bone marrow, umbilical cord or adipose mesenchymal stem cells, at several doses",
      comparison: "Vehicle (or untreated) controls; sham-operated animals as the uninjured reference",
      outcomeDescription: "BBB locomotor score (0 to 21) on days 1 to 42; lesion volume (mm³) on day 28",
      studyDesign: "Controlled animal studies (invented for the demo)",
      table1Columns: ["species", "diseaseModel", "intervention", "dose", "doseUnit"],
      isDemo: true,
    })
    .returning()
    .get();
  const roles = ["lead", "reviewer", "reviewer"] as const;
  accountIds.forEach((userId, i) => tx.insert(reviewMembers).values({ reviewId: review.id, userId, role: roles[i]! }).run());
  const bbb = tx.insert(outcomes).values({ reviewId: review.id, name: "BBB locomotor score", unit: "points", scaleMin: 0, scaleMax: 21, higherIsBetter: true, normalValue: 21, position: 1 }).returning().get();
  const lesion = tx.insert(outcomes).values({ reviewId: review.id, name: "Lesion volume", unit: "mm³", scaleMin: 0, scaleMax: null, higherIsBetter: false, normalValue: null, position: 2 }).returning().get();
  const sourceCharacteristic = tx
    .insert(characteristics)
    .values({
      reviewId: review.id,
      label: "Cell source",
      type: "single",
      options: [
        { value: "bone_marrow", label: "Bone marrow MSC" },
        { value: "umbilical_cord", label: "Umbilical cord MSC" },
        { value: "adipose", label: "Adipose MSC" },
      ],
      helpText: "Tissue of the stem cells the exosomes came from; an arm may have its own",
      position: 1,
    })
    .returning()
    .get();
  const delayCharacteristic = tx
    .insert(characteristics)
    .values({ reviewId: review.id, label: "Treatment delay", type: "number", unit: "h", helpText: "Hours from injury to the first dose", position: 2 })
    .returning()
    .get();
  tx.update(reviews)
    .set({ table1Columns: ["species", `c:${sourceCharacteristic.id}`, `c:${delayCharacteristic.id}`, "dose", "doseUnit"] })
    .where(eq(reviews.id, review.id))
    .run();

  const example = { isExampleData: true, dataSource: "figure" as const, sourceDetail: "example value (invented)" };
  exampleStudies.forEach((spec, s) => {
    const study = tx
      .insert(studies)
      .values({
        reviewId: review.id,
        position: s + 1,
        author: spec.author,
        year: spec.year,
        title: "Example study invented for the demo",
        species: "Rat",
        strain: s % 2 ? "Wistar" : "Sprague-Dawley",
        sex: s % 3 ? "Female" : "Male",
        diseaseModel: "Spinal cord injury",
        modelInduction: "Contusion",
        intervention: "Stem cell-derived exosomes",
        doseUnit: "µg",
        administrationRoute: "Tail vein injection",
        timingAfterInjury: `${spec.delayHours} h`,
        notes: "EXAMPLE study: every value is invented to show the preclinical analyses.",
      })
      .returning()
      .get();
    tx.insert(characteristicValues).values({ studyId: study.id, characteristicId: sourceCharacteristic.id, value: spec.source }).run();
    tx.insert(characteristicValues).values({ studyId: study.id, characteristicId: delayCharacteristic.id, value: spec.delayHours }).run();
    // Treated arms first (the outcome grid lists arms in this order), then linked to the vehicle control.
    const treatedArms = spec.treated.map((t) => ({ spec: t, row: tx.insert(arms).values({ studyId: study.id, kind: "treated", label: t.label, dose: t.dose, doseUnit: "µg" }).returning().get() }));
    const vehicle = tx.insert(arms).values({ studyId: study.id, kind: "control", label: "Vehicle" }).returning().get();
    for (const t of treatedArms) tx.update(arms).set({ controlArmId: vehicle.id }).where(eq(arms.id, t.row.id)).run();
    const untreated = spec.untreatedControl ? tx.insert(arms).values({ studyId: study.id, kind: "control", label: "Untreated" }).returning().get() : null;
    const sham = spec.sham ? tx.insert(arms).values({ studyId: study.id, kind: "sham", label: "Sham" }).returning().get() : null;
    for (const t of treatedArms)
      if (t.spec.source) tx.insert(armCharacteristicValues).values({ armId: t.row.id, characteristicId: sourceCharacteristic.id, value: t.spec.source }).run();

    const save = (armId: number, outcomeId: number, day: number, mean: number, sd: number, n: number) =>
      tx
        .insert(measurements)
        .values({ armId, outcomeId, day, mean, errorType: spec.sem ? "SEM" : "SD", errorValue: round(spec.sem ? sd / Math.sqrt(n) : sd, 3), ciLower: null, ciUpper: null, n, ...example })
        .run();
    const n = 8 + (s % 4);
    for (const day of spec.days) {
      const seed = (s + 1) * 1000 + day;
      const sd = round(1.2 + 0.25 * Math.sqrt(day) + 0.2 * noise(seed + 7));
      save(vehicle.id, bbb.id, day, bbbMean(day, null, seed), sd, n + 1);
      if (untreated) save(untreated.id, bbb.id, day, bbbMean(day, null, seed + 11), sd, n);
      if (sham) save(sham.id, bbb.id, day, round(Math.min(21, 19.6 + day / 40 + 0.3 * noise(seed + 13))), 0.6, 6);
    }
    treatedArms.forEach((t, a) => {
      for (const day of t.spec.days ?? spec.days) {
        const seed = (s + 1) * 1000 + day + (a + 1) * 101;
        const sd = round(1.3 + 0.25 * Math.sqrt(day) + 0.2 * noise(seed + 5));
        save(t.row.id, bbb.id, day, bbbMean(day, { dose: t.spec.dose, source: t.spec.source ?? spec.source, delayHours: spec.delayHours }, seed), sd, n);
      }
      if (spec.lesion) {
        const seed = (s + 1) * 77 + a;
        save(t.row.id, lesion.id, 28, round(12 - 4 * (t.spec.dose / (t.spec.dose + 40)) + 0.8 * noise(seed)), round(2 + 0.4 * noise(seed + 1)), n);
      }
    });
    if (spec.lesion) {
      save(vehicle.id, lesion.id, 28, round(12.5 + 0.8 * noise(s + 500)), 2.2, n + 1);
      if (sham) save(sham.id, lesion.id, 28, 0.4, 0.2, 6);
    }

    // Both reviewers judged every domain alike, and the lead recorded the consensus (example judgments).
    for (let domain = 1; domain <= 10; domain++) {
      const pattern = domainPattern[domain - 1]!;
      const judgment = pattern[(s * 3 + domain) % pattern.length]!;
      const reasoning = judgment === "low" ? "Example: reported adequately." : judgment === "high" ? "Example: not done." : "Example: not reported.";
      for (const reviewerId of [reviewer1, reviewer2])
        tx.insert(robJudgments).values({ reviewId: review.id, studyId: study.id, reviewerId, domain, judgment, reasoning, isExampleData: true }).run();
      tx.insert(robConsensus).values({ reviewId: review.id, studyId: study.id, domain, judgment, reason: "Both reviewers agreed (example judgments).", decidedBy: leadId }).run();
    }
  });
  tx.insert(robAssignments).values({ reviewId: review.id, reviewer1Id: reviewer1, reviewer2Id: reviewer2 }).run();

  const source = `c:${sourceCharacteristic.id}`;
  const delay = `c:${delayCharacteristic.id}`;
  const base = { outcomeId: bbb.id, timepoint: "last", day: null, measure: "NMD", model: "random", tau2Method: "REML", ciMethod: "z", level: 0.95, subgroupField: "", combineTreatedArms: false, lowRiskDomain: "", strata: [], moderators: [] };
  const analyses = [
    { title: "BBB, last time point, NMD, random effects: by cell source, blinded assessment and dose; meta-regression on dose", settings: { ...base, subgroupField: source, strata: [source, "rob:D7", "arm:dose"], moderators: ["dose"] } },
    { title: "BBB, last time point, NMD, random effects, treated arms combined", settings: { ...base, combineTreatedArms: true } },
    { title: "BBB, day 28, MD, random effects: meta-regression on treatment delay", settings: { ...base, timepoint: "day", day: 28, measure: "MD", moderators: [delay] } },
    { title: "BBB, last time point, NMD, random effects, low risk of bias in D7 (blinded outcome assessment)", settings: { ...base, lowRiskDomain: "D7" } },
    { title: "Lesion volume, day 28, MD, random effects (lower is better)", settings: { ...base, outcomeId: lesion.id, measure: "MD", timepoint: "day", day: 28 } },
  ];
  analyses.forEach((a, i) => tx.insert(savedAnalyses).values({ reviewId: review.id, position: i + 1, title: a.title, settings: a.settings }).run());
  tx.insert(auditLog)
    .values({
      at: new Date().toISOString(),
      userId: null,
      userName: "system (seed)",
      reviewId: review.id,
      entity: "review",
      entityId: review.id,
      action: "create",
      field: null,
      oldValue: null,
      newValue: "preclinical example review seeded: invented studies, arms, outcome values and risk-of-bias judgments",
      reason: null,
    })
    .run();
  return review.id;
}
