import { describe, expect, it } from "vitest";
import { studyComparisons, type ArmInfo, type StoredValue, type TimepointChoice } from "@/server/services/outcome-data";

/**
 * The comparisons of one study (server/services/outcome-data.ts `studyComparisons`): one per treated arm against the
 * control it names, the shared-control key, the combined arms of the Cochrane Handbook, and a reason for every arm
 * left out.
 */
const arm = (id: number, kind: ArmInfo["kind"], label: string, controlArmId: number | null = null): ArmInfo => ({ id, kind, label, controlArmId });
const value = (armId: number, day: number, mean: number, extra: Partial<StoredValue> = {}): StoredValue => ({
  armId,
  outcomeId: 1,
  day,
  mean,
  errorType: "SD",
  errorValue: 2,
  ciLower: null,
  ciUpper: null,
  n: 10,
  isExampleData: false,
  ...extra,
});
const build = (arms: ArmInfo[], values: StoredValue[], choice: TimepointChoice = { mode: "last" }, combine = false, outcomeId = 1) =>
  studyComparisons({ studyId: 7, arms, values, outcomeId, choice, combine });

const twoArm = [arm(1, "treated", "Exosomes", 2), arm(2, "control", "Vehicle")];

describe("a study with one treated and one control arm", () => {
  const values = [value(1, 3, 4), value(2, 3, 3), value(1, 28, 12), value(2, 28, 10), value(1, 42, 13)];

  it("is one comparison, under the study's own id, at the earliest or latest day with both arms", () => {
    const first = build(twoArm, values, { mode: "first" });
    const last = build(twoArm, values, { mode: "last" });
    expect(first.comparisons.map((c) => [c.id, c.day, c.m1, c.m2])).toEqual([["7", 3, 4, 3]]);
    expect(last.comparisons.map((c) => [c.id, c.day, c.m1, c.m2])).toEqual([["7", 28, 12, 10]]); // day 42 has no control value
    expect(last.comparisons[0]).toMatchObject({ armLabel: null, controlGroup: null, combined: false, sd1: 2, sd2: 2, n1: 10, n2: 10, sham: null });
    expect(last.notAnalysed).toEqual([]);
  });

  it("uses the only control arm when none is chosen", () => {
    const { comparisons } = build([arm(1, "treated", "Exosomes"), arm(2, "control", "Vehicle")], values);
    expect(comparisons.map((c) => [c.id, c.controlArm.id])).toEqual([["7", 2]]);
  });

  it("gives the reason when there is nothing to analyse", () => {
    expect(build(twoArm, []).notAnalysed).toEqual([{ id: "7", studyId: 7, armLabel: null, reason: "no outcome data entered" }]);
    expect(build(twoArm, values, { mode: "first" }, false, 2).notAnalysed[0]!.reason).toBe("no outcome data entered");
    expect(build(twoArm, [value(1, 3, 4)]).notAnalysed).toEqual([{ id: "7", studyId: 7, armLabel: null, reason: "no day with values of both this arm and its control (Vehicle)" }]);
    expect(build(twoArm, values, { mode: "day", day: 7 }).notAnalysed[0]!.reason).toBe("no values of this arm and its control (Vehicle) on day 7");
    expect(build(twoArm, [value(2, 3, 4)]).notAnalysed[0]!.reason).toBe("no value is entered for this arm");
    expect(build([arm(2, "control", "Vehicle")], [value(2, 3, 4)]).notAnalysed[0]!.reason).toBe("the study has no treated arm");
    expect(build([arm(1, "treated", "Exosomes")], [value(1, 3, 4)]).notAnalysed[0]!.reason).toBe("the study has no control arm");
  });

  it("carries the example-data mark of either arm", () => {
    expect(build(twoArm, [value(1, 3, 4, { isExampleData: true }), value(2, 3, 3)]).comparisons[0]!.isExampleData).toBe(true);
    expect(build(twoArm, [value(1, 3, 4), value(2, 3, 3)]).comparisons[0]!.isExampleData).toBe(false);
  });
});

describe("two doses sharing one control", () => {
  const arms = [arm(10, "treated", "10 µg", 12), arm(11, "treated", "50 µg", 12), arm(12, "control", "Vehicle"), arm(13, "sham", "Sham")];
  const values = [value(10, 28, 9, { n: 8 }), value(11, 28, 12, { n: 9 }), value(12, 28, 6, { n: 12 }), value(13, 28, 20.5, { n: 6 })];

  it("gives one comparison per dose, labelled by the arm, sharing one control-group key (the analysis splits its n)", () => {
    const { comparisons, notAnalysed } = build(arms, values);
    expect(notAnalysed).toEqual([]);
    expect(comparisons.map((c) => [c.id, c.armLabel, c.m1, c.n1, c.m2, c.n2])).toEqual([
      ["7-10", "10 µg", 9, 8, 6, 12],
      ["7-11", "50 µg", 12, 9, 6, 12],
    ]);
    expect(comparisons[0]!.controlGroup).not.toBeNull();
    expect(comparisons[1]!.controlGroup).toBe(comparisons[0]!.controlGroup);
    expect(comparisons.map((c) => c.sham)).toEqual([
      { mean: 20.5, armLabel: "Sham" },
      { mean: 20.5, armLabel: "Sham" },
    ]);
  });

  it("lists a dose without a value that day and gives the other its whole control group", () => {
    const { comparisons, notAnalysed } = build(arms, [...values.filter((v) => v.armId !== 11), value(11, 7, 3)]);
    expect(comparisons.map((c) => [c.id, c.day, c.controlGroup])).toEqual([["7-10", 28, null]]);
    expect(notAnalysed).toEqual([{ id: "7-11", studyId: 7, armLabel: "50 µg", reason: "no day with values of both this arm and its control (Vehicle)" }]);
    const atDay28 = build(arms, [...values.filter((v) => v.armId !== 11), value(11, 7, 3), value(12, 7, 2)], { mode: "day", day: 28 });
    expect(atDay28.notAnalysed).toEqual([{ id: "7-11", studyId: 7, armLabel: "50 µg", reason: "no values of this arm and its control (Vehicle) on day 28" }]);
  });

  it("has no sham value on a day the sham arm was not measured", () => {
    const { comparisons } = build(arms, [...values, value(10, 7, 4), value(12, 7, 3)], { mode: "first" });
    expect(comparisons.map((c) => [c.id, c.day, c.sham])).toEqual([
      ["7-10", 7, null],
      ["7-11", 28, { mean: 20.5, armLabel: "Sham" }],
    ]);
  });

  it("combined: one comparison whose treated group follows Cochrane Handbook Table 6.5.a (worked by hand)", () => {
    const { comparisons, notAnalysed } = build(arms, [value(10, 28, 10, { n: 8, errorValue: 2 }), value(11, 28, 14, { n: 12, errorValue: 3 }), value(12, 28, 6, { n: 12 })], { mode: "last" }, true);
    expect(notAnalysed).toEqual([]);
    expect(comparisons).toHaveLength(1);
    const c = comparisons[0]!;
    // N = 8 + 12 = 20; M = (8·10 + 12·14)/20 = 12.4;
    // SD = √(((8 − 1)·2² + (12 − 1)·3² + (8·12/20)·(10 − 14)²)/(20 − 1)) = √((28 + 99 + 76.8)/19) = √(203.8/19).
    expect(c).toMatchObject({ id: "7-c12", armLabel: "10 µg + 50 µg", combined: true, n1: 20, m2: 6, n2: 12, controlGroup: null });
    expect(c.m1).toBeCloseTo(12.4, 12);
    expect(c.sd1).toBeCloseTo(Math.sqrt(203.8 / 19), 12);
    expect(c.sd1).toBeCloseTo(3.275105, 6);
  });

  it("combined: an arm without a value on the group's day, or without an SD, is listed and not combined", () => {
    const missing = build(arms, [value(10, 28, 10), value(11, 14, 14), value(12, 28, 6), value(12, 14, 5)], { mode: "last" }, true);
    expect(missing.comparisons.map((c) => [c.id, c.combined, c.m1])).toEqual([["7-10", false, 10]]);
    expect(missing.notAnalysed).toEqual([{ id: "7-11", studyId: 7, armLabel: "50 µg", reason: "no value on day 28, the day the treated arms sharing Vehicle are combined at" }]);
    const noSd = build(arms, [value(10, 28, 10), value(11, 28, 14, { errorType: "SEM", errorValue: null }), value(12, 28, 6)], { mode: "last" }, true);
    expect(noSd.comparisons.map((c) => c.id)).toEqual(["7-10"]);
    expect(noSd.notAnalysed[0]!.reason).toBe("its SD cannot be derived (SEM missing), so it cannot be combined with the other arms");
  });
});

describe("several control arms", () => {
  const arms = [arm(1, "treated", "MSC", 3), arm(2, "treated", "Drug", null), arm(3, "control", "Vehicle"), arm(4, "control", "Untreated")];
  const values = [1, 2, 3, 4].map((id) => value(id, 14, id));

  it("compares each treated arm with the control it names, and lists one that names none", () => {
    const { comparisons, notAnalysed } = build(arms, values);
    expect(comparisons.map((c) => [c.id, c.controlArm.label, c.controlGroup])).toEqual([["7-1", "Vehicle", null]]);
    expect(notAnalysed).toEqual([{ id: "7-2", studyId: 7, armLabel: "Drug", reason: "no control arm is chosen for it (the study has 2 control arms)" }]);
  });

  it("gives treated arms using different controls no shared key, and combines nothing across controls", () => {
    const chosen = arms.map((a) => (a.id === 2 ? { ...a, controlArmId: 4 } : a));
    for (const combine of [false, true]) {
      const { comparisons } = build(chosen, values, { mode: "last" }, combine);
      expect(comparisons.map((c) => [c.id, c.controlArm.label, c.controlGroup, c.combined])).toEqual([
        ["7-1", "Vehicle", null, false],
        ["7-2", "Untreated", null, false],
      ]);
    }
  });
});
