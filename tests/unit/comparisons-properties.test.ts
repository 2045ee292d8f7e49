/**
 * Properties of the app's comparisons (server/services/comparisons.ts over outcome-data.ts `studyComparisons`) for
 * any data (fast-check): what the app sends to the analysis module when studies have several arms.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyze, type StudyInput } from "@/server/analysis";
import { analysisSettingsSchema, type AnalysisSettings } from "@/server/schemas/analysis-settings";
import { requestOf, reviewComparisons, timepointChoice, type ReviewData } from "@/server/services/comparisons";
import type { ArmRow, MeasurementRow } from "@/server/services/measurements";
import type { OutcomeRow } from "@/server/services/outcomes";
import type { StudyRow } from "@/server/services/studies";

const RUNS = { numRuns: 300 };
const DAYS = [1, 7, 14, 28];
const at = "2025-01-01T00:00:00.000Z";

const outcome: OutcomeRow = { id: 1, reviewId: 1, name: "BBB", unit: "points", scaleMin: 0, scaleMax: 21, higherIsBetter: true, normalValue: 21, position: 1, createdAt: at, updatedAt: at, version: 1 };

const studyRow = (id: number, year: number): StudyRow => ({
  id,
  reviewId: 1,
  position: id,
  author: `Author${id} et al.`,
  year,
  title: "",
  journal: "",
  doi: "",
  species: "",
  strain: "",
  sex: "",
  age: "",
  bodyWeight: "",
  diseaseModel: "",
  modelInduction: "",
  intervention: "",
  dose: null,
  doseUnit: "",
  administrationRoute: "",
  timingAfterInjury: "",
  administrationFrequency: "",
  animalsTotal: null,
  notes: "",
  deletedAt: null,
  deletedBy: null,
  createdAt: at,
  updatedAt: at,
  version: 1,
});

/** One arm's values: a mean, SD and n on some of the days (BBB-like, 0 to 21). */
const armValues = fc.array(
  fc.record({ day: fc.constantFrom(...DAYS), mean: fc.double({ min: 0.5, max: 20.5, noNaN: true }), sd: fc.double({ min: 0.2, max: 5, noNaN: true }), n: fc.integer({ min: 2, max: 20 }) }),
  { minLength: 0, maxLength: 4 },
);

/** A study: 1 to 4 treated arms sharing one control, perhaps a sham arm. */
const studyShape = fc.record({ year: fc.integer({ min: 2000, max: 2025 }), treated: fc.array(armValues, { minLength: 1, maxLength: 4 }), control: armValues, sham: fc.option(armValues, { nil: undefined }) });

function reviewData(studies: { year: number; treated: Array<{ day: number; mean: number; sd: number; n: number }[]>; control: { day: number; mean: number; sd: number; n: number }[]; sham?: { day: number; mean: number; sd: number; n: number }[] }[], settings: Partial<AnalysisSettings>): ReviewData {
  let armId = 0;
  let valueId = 0;
  const armsByStudy = new Map<number, ArmRow[]>();
  const valuesByStudy = new Map<number, MeasurementRow[]>();
  const rows = studies.map((s, i) => {
    const study = studyRow(i + 1, s.year);
    const arms: ArmRow[] = [];
    const values: MeasurementRow[] = [];
    const add = (kind: ArmRow["kind"], label: string, data: { day: number; mean: number; sd: number; n: number }[], controlArmId: number | null = null) => {
      const arm: ArmRow = { id: ++armId, studyId: study.id, kind, label, controlArmId, dose: null, doseUnit: "", createdAt: at, version: 1 };
      arms.push(arm);
      // One value per day (the database's unique key): the last drawn wins.
      for (const v of new Map(data.map((d) => [d.day, d])).values())
        values.push({ id: ++valueId, armId: arm.id, outcomeId: 1, day: v.day, mean: v.mean, errorType: "SD", errorValue: v.sd, ciLower: null, ciUpper: null, n: v.n, dataSource: "table", sourceDetail: "", isExampleData: false, createdAt: at, updatedAt: at, version: 1 });
      return arm;
    };
    const control = add("control", "Control", s.control);
    s.treated.forEach((t, j) => add("treated", `Dose ${j + 1}`, t, control.id));
    if (s.sham) add("sham", "Sham", s.sham);
    armsByStudy.set(study.id, arms);
    valuesByStudy.set(study.id, values);
    return study;
  });
  return {
    settings: analysisSettingsSchema.parse({ outcomeId: 1, model: "fixed", ...settings }),
    outcome,
    studies: rows,
    definitions: [],
    studyValues: new Map(),
    armValues: new Map(),
    hiddenFromBlindReader: [],
    armsByStudy,
    valuesByStudy,
    consensus: new Map(),
  };
}

const withoutKeys = (studies: StudyInput[]): StudyInput[] => studies.map(({ controlGroup: _, ...s }) => s);

describe("comparisons of studies with several arms", { timeout: 120_000 }, () => {
  it("splitting a shared control never lowers any vi (MD, ROM, NMD), and c is the number of comparisons using that control", () => {
    const data = fc.tuple(fc.constantFrom("MD" as const, "ROM" as const, "NMD" as const), fc.constantFrom("first" as const, "last" as const), fc.array(studyShape, { minLength: 1, maxLength: 5 }));
    fc.assert(
      fc.property(data, ([measure, timepoint, studies]) => {
        const review = reviewData(studies, { measure, timepoint });
        const { comparisons } = reviewComparisons(review, timepointChoice(review.settings));
        const { request } = requestOf(review, comparisons);
        const split = analyze(request);
        const alone = analyze({ ...request, studies: withoutKeys(request.studies) });
        expect(split.studies.map((s) => s.id)).toEqual(alone.studies.map((s) => s.id));
        split.studies.forEach((s, i) => {
          expect(s.vi).toBeGreaterThanOrEqual(alone.studies[i]!.vi * (1 - 1e-12));
          const sharing = comparisons.filter((c) => c.studyId === comparisons.find((x) => x.id === s.id)!.studyId).length;
          if (sharing > 1) expect(s.sharedControl?.comparisons).toBe(sharing);
          else expect(s.sharedControl).toBeUndefined();
        });
      }),
      RUNS,
    );
  });

  it("a study with one treated arm gives the result it gave before arms: its values at the earliest / latest day with both arms", () => {
    const oneArm = fc.record({ year: fc.integer({ min: 2000, max: 2025 }), treated: armValues.map((v) => [v]), control: armValues });
    const data = fc.tuple(fc.constantFrom("MD" as const, "SMD" as const, "ROM" as const, "NMD" as const), fc.constantFrom("first" as const, "last" as const), fc.array(oneArm, { minLength: 1, maxLength: 6 }));
    fc.assert(
      fc.property(data, ([measure, timepoint, studies]) => {
        const review = reviewData(studies, { measure, timepoint, model: "random", tau2Method: "DL" });
        const { comparisons, notAnalysed } = reviewComparisons(review, timepointChoice(review.settings));
        // The pairing rule of the seed paper, written from its definition: per study, the days on which both arms
        // have a value; the first or last of them.
        const expected: StudyInput[] = studies.flatMap((s, i) => {
          const t = new Map(s.treated[0]!.map((v) => [v.day, v]));
          const c = new Map(s.control.map((v) => [v.day, v]));
          const days = [...t.keys()].filter((d) => c.has(d)).sort((a, b) => a - b);
          const day = timepoint === "first" ? days[0] : days[days.length - 1];
          if (day === undefined) return [];
          const [tv, cv] = [t.get(day)!, c.get(day)!];
          return [{ id: String(i + 1), m1: tv.mean, sd1: tv.sd, n1: tv.n, m2: cv.mean, sd2: cv.sd, n2: cv.n, year: s.year, ...(measure === "NMD" ? { mSham: 21 } : {}) }];
        });
        expect(comparisons.length + notAnalysed.length).toBe(studies.length);
        const { request } = requestOf(review, comparisons);
        expect(request.studies).toEqual(expected);
        expect(analyze(request)).toEqual(analyze({ ...request, studies: expected }));
      }),
      RUNS,
    );
  });

  it("nothing is dropped without a word: every treated arm is in exactly one comparison or listed with a reason", () => {
    const data = fc.tuple(fc.boolean(), fc.constantFrom("first" as const, "last" as const), fc.array(studyShape, { minLength: 1, maxLength: 5 }));
    fc.assert(
      fc.property(data, ([combine, timepoint, studies]) => {
        const review = reviewData(studies, { timepoint, combineTreatedArms: combine });
        const { comparisons, notAnalysed } = reviewComparisons(review, timepointChoice(review.settings));
        for (const [i, s] of studies.entries()) {
          const studyId = i + 1;
          const treated = review.armsByStudy.get(studyId)!.filter((a) => a.kind === "treated");
          const analysed = comparisons.filter((c) => c.studyId === studyId).flatMap((c) => c.treatedArms.map((a) => a.id));
          const listed = notAnalysed.filter((n) => n.studyId === studyId);
          expect(new Set(analysed).size).toBe(analysed.length);
          const wholeStudy = listed.some((n) => n.id === String(studyId) && s.treated.length > 1);
          if (!wholeStudy) expect(analysed.length + listed.reduce((n, l) => n + (l.armLabel?.split(" + ").length ?? 1), 0)).toBe(treated.length);
          for (const l of listed) expect(l.reason.length).toBeGreaterThan(5);
        }
      }),
      RUNS,
    );
  });
});
