import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { analyze, stratifiedTests, type StudyInput } from "@/server/analysis";
import type { AnalysisSettingsInput } from "@/server/schemas/analysis-settings";
import { createUser } from "@/server/services/auth";
import { createReview, setMember } from "@/server/services/reviews";
import { rejection } from "../support/rejection";
import { callerFor, freshDb, userId, type TestDb } from "../support/test-db";

/**
 * Issue 13 through the app's procedures: several treated arms per study (split shared control, or combined arms),
 * NMD with a sham arm or the outcome's normal value, stratified analyses, meta-regression, the time course, and the
 * sensitivity analysis by risk of bias. Expected numbers are worked by hand or computed with the analysis module
 * from the values this test entered, never read back from the procedure under test.
 */
let t: TestDb;
let reviewId: number;
let outcomeId: number;
let lead: ReturnType<typeof callerFor>;
let reviewer: ReturnType<typeof callerFor>;

beforeEach(async () => {
  t = await freshDb({ demo: false });
  const admin = { id: userId(t.db, "admin"), displayName: "Administrator" };
  reviewId = createReview(t.db, admin, { title: "Doses and sources" }).id;
  await createUser(t.db, { username: "rev", displayName: "Reviewer", password: "reviewer-password" });
  setMember(t.db, admin, reviewId, "rev", "reviewer");
  lead = callerFor(t.db, "admin");
  reviewer = callerFor(t.db, "rev");
  outcomeId = (await lead.outcomes.create({ reviewId, outcome: { name: "BBB", unit: "points", scaleMin: 0, scaleMax: 21, higherIsBetter: true, normalValue: 21 } })).id;
});
afterEach(() => t.close());

type Value = { mean: number; sd: number; n: number };

/** A study made as a reviewer makes it: created (one treated, one control arm), arms renamed and added, values saved. */
async function study(author: string, year: number, treatedArms: { label: string; dose?: number }[], extra: { sham?: boolean } = {}) {
  const created = await reviewer.studies.create({ reviewId, author, year });
  const detail = await reviewer.studies.get({ reviewId, studyId: created.id });
  const first = detail.arms.find((a) => a.kind === "treated")!;
  const control = detail.arms.find((a) => a.kind === "control")!;
  const renamed = await reviewer.arms.update({ reviewId, studyId: created.id, armId: first.id, field: "label", value: treatedArms[0]!.label, version: first.version });
  const ids: Record<string, number> = { [treatedArms[0]!.label]: first.id, Control: control.id };
  if (treatedArms[0]!.dose !== undefined) {
    const withDose = await reviewer.arms.update({ reviewId, studyId: created.id, armId: first.id, field: "dose", value: treatedArms[0]!.dose, version: renamed.version });
    await reviewer.arms.update({ reviewId, studyId: created.id, armId: first.id, field: "doseUnit", value: "µg", version: withDose.version });
  }
  for (const arm of treatedArms.slice(1)) ids[arm.label] = (await reviewer.arms.create({ reviewId, studyId: created.id, kind: "treated", label: arm.label, ...(arm.dose !== undefined ? { dose: arm.dose, doseUnit: "µg" } : {}) })).id;
  if (extra.sham) ids.Sham = (await reviewer.arms.create({ reviewId, studyId: created.id, kind: "sham", label: "Sham" })).id;
  const save = (arm: string, day: number, v: Value) =>
    reviewer.measurements.save({ reviewId, studyId: created.id, outcomeId, armId: ids[arm]!, day, mean: v.mean, errorType: "SD", errorValue: v.sd, n: v.n });
  return { id: created.id, arms: ids, save };
}

const run = (settings: AnalysisSettingsInput = {}) => lead.analysis.run({ reviewId, settings: { outcomeId, timepoint: "last", measure: "MD", model: "fixed", ...settings } });

// The hand-worked example: two doses against one control at day 28.
const low: Value = { mean: 10, sd: 2, n: 8 };
const high: Value = { mean: 14, sd: 3, n: 12 };
const control: Value = { mean: 6, sd: 2, n: 12 };

async function twoDoses() {
  const s = await study("Afsartala et al.", 2023, [{ label: "10 µg", dose: 10 }, { label: "50 µg", dose: 50 }]);
  await s.save("10 µg", 28, low);
  await s.save("50 µg", 28, high);
  await s.save("Control", 28, control);
  return s;
}

describe("several treated arms sharing one control", () => {
  it("gives one comparison per arm, labelled with the arm, each analysed with n2/2 (Vesterinen et al. 2014)", async () => {
    const s = await twoDoses();
    const result = await run();
    const idLow = `${s.id}-${s.arms["10 µg"]}`;
    const idHigh = `${s.id}-${s.arms["50 µg"]}`;
    expect(result.excluded).toEqual([]);
    expect(result.result.studies.map((r) => r.id)).toEqual([idLow, idHigh]);
    expect([result.labels[idLow], result.labels[idHigh]]).toEqual(["Afsartala 2023 (10 µg)", "Afsartala 2023 (50 µg)"]);
    const [a, b] = result.result.studies;
    // MD: yi = m1 − m2; vi = sd1²/n1 + sd2²/(n2/2), the control's 12 animals split between the two comparisons.
    expect(a!.yi).toBeCloseTo(4, 12);
    expect(a!.vi).toBeCloseTo(4 / 8 + 4 / 6, 12);
    expect(b!.yi).toBeCloseTo(8, 12);
    expect(b!.vi).toBeCloseTo(9 / 12 + 4 / 6, 12);
    for (const r of [a!, b!]) expect(r.sharedControl).toMatchObject({ comparisons: 2, n2Entered: 12, n2Used: 6 });
    const w = [1 / a!.vi, 1 / b!.vi];
    expect(result.result.pooled!.estimate).toBeCloseTo((4 * w[0]! + 8 * w[1]!) / (w[0]! + w[1]!), 12);
    expect(result.inputs.map((r) => [r.label, r.controlLabel, r.dose, r.n2])).toEqual([
      ["Afsartala 2023 (10 µg)", "Control", 10, 12],
      ["Afsartala 2023 (50 µg)", "Control", 50, 12],
    ]);
  });

  it("with “combine the treated arms”: one comparison whose treated group is the Cochrane Handbook's (Table 6.5.a)", async () => {
    const s = await twoDoses();
    const result = await run({ combineTreatedArms: true });
    expect(result.result.studies).toHaveLength(1);
    const [combined] = result.result.studies;
    expect(result.labels[combined!.id]).toBe("Afsartala 2023 (10 µg + 50 µg)");
    // N = 20, M = (8·10 + 12·14)/20 = 12.4, SD² = ((7·4 + 11·9 + (8·12/20)·(10 − 14)²)/19 = 203.8/19.
    expect(combined!.yi).toBeCloseTo(12.4 - 6, 12);
    expect(combined!.vi).toBeCloseTo(203.8 / 19 / 20 + 4 / 12, 12);
    expect(combined!.sharedControl).toBeUndefined();
    expect(result.inputs[0]).toMatchObject({ combined: true, n1: 20, studyId: s.id });
  });

  it("lists an arm without a control value on any of its days, with its reason, and keeps the split of the others", async () => {
    const s = await twoDoses();
    const third = await reviewer.arms.create({ reviewId, studyId: s.id, kind: "treated", label: "100 µg", dose: 100, doseUnit: "µg" });
    await reviewer.measurements.save({ reviewId, studyId: s.id, outcomeId, armId: third.id, day: 14, mean: 15, errorType: "SD", errorValue: 2, n: 7 });
    const result = await run();
    const id = `${s.id}-${third.id}`;
    expect(result.excluded).toEqual([{ id, reason: "no day with values of both this arm and its control (Control)" }]);
    expect(result.labels[id]).toBe("Afsartala 2023 (100 µg)");
    expect(result.result.studies.map((r) => r.sharedControl?.n2Used)).toEqual([6, 6]);
  });

  it("lists a treated arm of a study with two controls until a reviewer chooses its control", async () => {
    const s = await twoDoses();
    const vehicle = await reviewer.arms.create({ reviewId, studyId: s.id, kind: "control", label: "Untreated" });
    await reviewer.measurements.save({ reviewId, studyId: s.id, outcomeId, armId: vehicle.id, day: 28, mean: 5, errorType: "SD", errorValue: 2, n: 10 });
    const drug = await reviewer.arms.create({ reviewId, studyId: s.id, kind: "treated", label: "Drug", controlArmId: vehicle.id });
    await reviewer.measurements.save({ reviewId, studyId: s.id, outcomeId, armId: drug.id, day: 28, mean: 9, errorType: "SD", errorValue: 2, n: 10 });
    const before = await run();
    expect(before.result.studies.map((r) => [before.labels[r.id], r.sharedControl?.comparisons ?? 1])).toEqual([
      ["Afsartala 2023 (10 µg)", 2],
      ["Afsartala 2023 (50 µg)", 2],
      ["Afsartala 2023 (Drug)", 1],
    ]);
    const detail = await reviewer.studies.get({ reviewId, studyId: s.id });
    const lowArm = detail.arms.find((a) => a.label === "10 µg")!;
    await reviewer.arms.update({ reviewId, studyId: s.id, armId: lowArm.id, field: "controlArmId", value: null, version: lowArm.version });
    const after = await run();
    expect(after.excluded).toEqual([{ id: `${s.id}-${lowArm.id}`, reason: "no control arm is chosen for it (the study has 2 control arms)" }]);
    expect(after.result.studies.map((r) => r.sharedControl)).toEqual([undefined, undefined]);
  });

  it("leaves a study with one treated arm exactly as it was analysed before: its own id, label and n", async () => {
    const s = await study("Chang et al.", 2021, [{ label: "Exosomes" }]);
    await s.save("Exosomes", 28, low);
    await s.save("Control", 28, control);
    const result = await run();
    expect(result.result.studies.map((r) => [r.id, result.labels[r.id], r.sharedControl])).toEqual([[String(s.id), "Chang 2021", undefined]]);
    expect(result.result).toEqual(analyze({ measure: "MD", model: "fixed", tau2Method: "REML", ciMethod: "z", level: 0.95, studies: [{ id: String(s.id), m1: 10, sd1: 2, n1: 8, m2: 6, sd2: 2, n2: 12, year: 2021 }] }));
  });
});

describe("the normalised mean difference", () => {
  it("uses a sham arm's value that day, else the outcome's normal value, and says why it cannot be computed", async () => {
    const withSham = await study("Sham et al.", 2020, [{ label: "Exosomes" }], { sham: true });
    await withSham.save("Exosomes", 28, low);
    await withSham.save("Control", 28, control);
    await withSham.save("Sham", 28, { mean: 20.5, sd: 0.5, n: 6 });
    const noSham = await study("Normal et al.", 2021, [{ label: "Exosomes" }]);
    await noSham.save("Exosomes", 28, low);
    await noSham.save("Control", 28, control);
    const result = await run({ measure: "NMD" });
    // NMD = 100·(m2 − m1)/(m2 − mSham): 100·(6 − 10)/(6 − 20.5) with the sham arm, 100·(6 − 10)/(6 − 21) with BBB's 21.
    expect(result.result.studies.map((r) => [r.id, r.yi])).toEqual([
      [String(withSham.id), expect.closeTo((100 * -4) / -14.5, 10)],
      [String(noSham.id), expect.closeTo((100 * -4) / -15, 10)],
    ]);
    expect(result.inputs.map((r) => r.shamSource)).toEqual(['sham arm "Sham"', "the outcome's normal value"]);
    const [outcome] = await lead.outcomes.list({ reviewId });
    await lead.outcomes.update({ reviewId, outcomeId, version: outcome!.version, outcome: { name: "BBB", unit: "points", scaleMin: 0, scaleMax: 21, higherIsBetter: true, normalValue: null } });
    const withoutNormal = await run({ measure: "NMD" });
    expect(withoutNormal.result.studies.map((r) => r.id)).toEqual([String(withSham.id)]);
    expect(withoutNormal.excluded).toEqual([{ id: String(noSham.id), reason: "NMD needs a sham arm's value on day 28 or the normal value of BBB (set on the Set-up page); there is neither" }]);
  });
});

describe("stratified analyses, meta-regression, time course and risk of bias", () => {
  /** Three studies: two doses with a shared control (one arm from another cell source), and two single-arm ones. */
  async function threeStudies() {
    const source = await lead.characteristics.create({ reviewId, definition: { label: "Cell source", type: "single", options: [{ label: "Bone marrow" }, { label: "Umbilical cord" }] } });
    const delay = await lead.characteristics.create({ reviewId, definition: { label: "Treatment delay", type: "number", unit: "h" } });
    const a = await twoDoses();
    await a.save("10 µg", 7, { mean: 4, sd: 1.5, n: 8 });
    await a.save("50 µg", 7, { mean: 5, sd: 1.5, n: 12 });
    await a.save("Control", 7, { mean: 3, sd: 1.5, n: 12 });
    const b = await study("Bravo et al.", 2019, [{ label: "MSC", dose: 20 }]);
    await b.save("MSC", 7, { mean: 5, sd: 2, n: 10 });
    await b.save("Control", 7, { mean: 3, sd: 2, n: 10 });
    await b.save("MSC", 28, { mean: 11, sd: 2.5, n: 10 });
    await b.save("Control", 28, { mean: 8, sd: 2.5, n: 10 });
    const c = await study("Charlie et al.", 2021, [{ label: "MSC", dose: 100 }]);
    await c.save("MSC", 28, { mean: 13, sd: 2, n: 9 });
    await c.save("Control", 28, { mean: 7, sd: 3, n: 9 });
    for (const [s, value, hours] of [
      [a, "bone_marrow", 1],
      [b, "bone_marrow", 24],
      [c, "umbilical_cord", 72],
    ] as const) {
      const row = (await lead.studies.list({ reviewId })).find((r) => r.id === s.id)!;
      const next = await reviewer.studies.update({ reviewId, studyId: s.id, field: `c:${source.id}`, value, version: row.version });
      await reviewer.studies.update({ reviewId, studyId: s.id, field: `c:${delay.id}`, value: hours, version: next.version });
    }
    // The 50 µg arm of study A used umbilical-cord cells: its own value.
    const arm = (await reviewer.studies.get({ reviewId, studyId: a.id })).arms.find((x) => x.label === "50 µg")!;
    await reviewer.arms.update({ reviewId, studyId: a.id, armId: arm.id, field: `c:${source.id}`, value: "umbilical_cord", version: arm.version });
    // SYRCLE consensus for D7 (blinding of outcome assessor): low in A and C, high in B. Written directly: the
    // consensus workflow (two complete independent reviews first) is tested in risk-of-bias.test.ts.
    const adminId = userId(t.db, "admin");
    for (const [s, judgment] of [
      [a, "low"],
      [b, "high"],
      [c, "low"],
    ] as const)
      t.db.$client
        .prepare("insert into rob_consensus (review_id, study_id, domain, judgment, reason, decided_by, updated_at) values (?, ?, 7, ?, 'test', ?, '2025-01-01')")
        .run(reviewId, s.id, judgment, adminId);
    return { a, b, c, source: source.id, delay: delay.id };
  }

  /** The request the module should get for day 28, built from the values above (A's control split in two). */
  const day28 = (extra: (id: string) => Partial<StudyInput> = () => ({})): StudyInput[] => [
    { id: "A-low", m1: 10, sd1: 2, n1: 8, m2: 6, sd2: 2, n2: 12, controlGroup: "A", ...extra("A-low") },
    { id: "A-high", m1: 14, sd1: 3, n1: 12, m2: 6, sd2: 2, n2: 12, controlGroup: "A", ...extra("A-high") },
    { id: "B", m1: 11, sd1: 2.5, n1: 10, m2: 8, sd2: 2.5, n2: 10, ...extra("B") },
    { id: "C", m1: 13, sd1: 2, n1: 9, m2: 7, sd2: 3, n2: 9, ...extra("C") },
  ];

  it("tests subgroup differences for several variables at once, with the arm's own value, p adjusted by Bonferroni and Holm", async () => {
    const { source } = await threeStudies();
    const result = await run({ model: "random", strata: [`c:${source}`, "rob:D7", "arm:dose"] });
    const groups = {
      source: ["Bone marrow", "Umbilical cord", "Bone marrow", "Umbilical cord"],
      d7: ["Low risk", "Low risk", "High risk", "Low risk"],
      dose: ["10 µg", "50 µg", "20 µg", "100 µg"],
    };
    const expected = stratifiedTests({ measure: "MD", model: "random", tau2Method: "REML", ciMethod: "z", level: 0.95, studies: day28() }, [
      { name: "source", groups: groups.source },
      { name: "d7", groups: groups.d7 },
      { name: "dose", groups: groups.dose },
    ]);
    const shown = result.stratified!;
    expect(shown.tests).toBe(expected.tests);
    expect(shown.stratifications.map((s) => s.name)).toEqual([`c:${source}`, "rob:D7", "arm:dose"]);
    expect(result.variableLabels).toEqual({ [`c:${source}`]: "Cell source", "rob:D7": "D7 Blinding of outcome assessor (SYRCLE consensus)", "arm:dose": "Dose (arm)" });
    shown.stratifications.forEach((s, i) => {
      const e = expected.stratifications[i]!;
      expect(s.subgroups!.groups.map((g) => [g.name, g.k])).toEqual(e.subgroups!.groups.map((g) => [g.name, g.k]));
      for (const key of ["Qbetween", "pValue", "pBonferroni", "pHolm"] as const) expect(s[key]).toBeCloseTo(e[key]!, 10);
    });
    expect(shown.stratifications[0]!.subgroups!.groups.map((g) => [g.name, g.k])).toEqual([
      ["Bone marrow", 2],
      ["Umbilical cord", 2],
    ]);
  });

  it("regresses on the dose (the arm's, else the study's) and on a number characteristic, with the bubble plot's data", async () => {
    const { delay } = await threeStudies();
    const doses: Record<string, number> = { "A-low": 10, "A-high": 50, B: 20, C: 100 };
    const result = await run({ model: "random", tau2Method: "DL", moderators: ["dose"] });
    const expected = analyze({ measure: "MD", model: "random", tau2Method: "DL", ciMethod: "z", level: 0.95, moderators: ["dose"], studies: day28((id) => ({ covariates: { dose: doses[id]! } })) });
    const model = result.result.metaRegression!;
    expect(model.coefficients.map((c) => c.estimate)).toEqual(expected.metaRegression!.coefficients.map((c) => expect.closeTo(c.estimate, 10)));
    expect(model.QM).toBeCloseTo(expected.metaRegression!.QM!, 10);
    expect(model.QE).toBeCloseTo(expected.metaRegression!.QE!, 10);
    expect(model.tau2).toBeCloseTo(expected.metaRegression!.tau2!, 10);
    expect(model.R2).toBeCloseTo(expected.metaRegression!.R2!, 10);
    const bubble = result.regression!.bubble!;
    expect(bubble.points.map((p) => p.x).sort((x, y) => x - y)).toEqual([10, 20, 50, 100]);
    expect(bubble.points.reduce((s, p) => s + p.weight, 0)).toBeCloseTo(100, 10);
    expect(bubble.line).toHaveLength(60);
    expect(bubble.line[0]!.x).toBe(10);
    expect(bubble.line.at(-1)!.x).toBe(100);
    expect(bubble.line[0]!.fit).toBeCloseTo(model.coefficients[0]!.estimate + 10 * model.coefficients[1]!.estimate, 10);
    expect(result.regression!.doseUnits).toEqual(["µg"]);
    // Treatment delay is a study characteristic: both arms of A have 1 h.
    const byDelay = await run({ model: "random", tau2Method: "DL", moderators: [`c:${delay}`] });
    const hours: Record<string, number> = { "A-low": 1, "A-high": 1, B: 24, C: 72 };
    const expectedDelay = analyze({ measure: "MD", model: "random", tau2Method: "DL", ciMethod: "z", level: 0.95, moderators: ["h"], studies: day28((id) => ({ covariates: { h: hours[id]! } })) });
    expect(byDelay.result.metaRegression!.coefficients[1]!.estimate).toBeCloseTo(expectedDelay.metaRegression!.coefficients[1]!.estimate, 10);
    expect(byDelay.variableLabels).toEqual({ [`c:${delay}`]: "Treatment delay (h)" });
  });

  it("refuses a moderator that is not a number characteristic, naming it", async () => {
    const { source } = await threeStudies();
    const error = await rejection(run({ moderators: [`c:${source}`] }));
    expect(error).toMatchObject({ code: "BAD_REQUEST", message: "Meta-regression on Cell source is not possible: it is not a number characteristic." });
    expect((await rejection(run({ strata: ["rob:D11"] }))).message).toBe("Stratify by must name a list characteristic, a SYRCLE domain, the arm's dose or a study field");
  });

  it("gives the time course: per day, the module's analysis of the comparisons measured that day", async () => {
    await threeStudies();
    const course = await lead.analysis.timeCourse({ reviewId, settings: { outcomeId, measure: "MD", model: "fixed" } });
    expect(course.days.map((d) => [d.day, d.k])).toEqual([
      [7, 3],
      [28, 4],
    ]);
    const day7 = analyze({
      measure: "MD",
      model: "fixed",
      tau2Method: "REML",
      ciMethod: "z",
      level: 0.95,
      studies: [
        { id: "A-low", m1: 4, sd1: 1.5, n1: 8, m2: 3, sd2: 1.5, n2: 12, controlGroup: "A" },
        { id: "A-high", m1: 5, sd1: 1.5, n1: 12, m2: 3, sd2: 1.5, n2: 12, controlGroup: "A" },
        { id: "B", m1: 5, sd1: 2, n1: 10, m2: 3, sd2: 2, n2: 10 },
      ],
    });
    expect(course.days[0]!.pooled!.estimate).toBeCloseTo(day7.pooled!.estimate, 12);
    expect(course.days[0]!.pooled!.ciLower).toBeCloseTo(day7.pooled!.ciLower, 12);
    expect(course.days[0]!.studies.map((s) => s.yi)).toEqual(day7.studies.map((s) => expect.closeTo(s.yi, 12)));
    const last = await run();
    expect(course.days[1]!.pooled).toEqual(last.result.pooled);
  });

  it("restricts to studies at low risk of bias in a domain, listing the others with the judgment, and tabulates every domain", async () => {
    const { b } = await threeStudies();
    const restricted = await run({ lowRiskDomain: "D7" });
    expect(restricted.result.k).toBe(3);
    expect(restricted.excluded).toEqual([{ id: String(b.id), reason: "not at low risk of bias in D7 blinding of outcome assessor (high risk)" }]);
    const expected = analyze({ measure: "MD", model: "fixed", tau2Method: "REML", ciMethod: "z", level: 0.95, studies: day28().filter((s) => s.id !== "B") });
    expect(restricted.result.pooled!.estimate).toBeCloseTo(expected.pooled!.estimate, 12);
    const table = await lead.analysis.riskOfBias({ reviewId, settings: { outcomeId, measure: "MD", model: "fixed" } });
    const row = (choice: string) => table.rows.find((r) => r.choice === choice)!;
    expect(row("")).toMatchObject({ label: "All studies", studies: 3, k: 4 });
    expect(row("D7")).toMatchObject({ label: "Low risk in D7 blinding of outcome assessor", studies: 2, k: 3 });
    expect(row("D7").pooled).toEqual(restricted.result.pooled);
    expect(row("D1")).toMatchObject({ studies: 0, k: 0, pooled: null });
    expect(row("all")).toMatchObject({ label: "Low risk in every SYRCLE domain", k: 0 });
    expect(table).toMatchObject({ studiesAnalysed: 3, studiesFullyJudged: 0 });
  });
});

describe("editing arms", () => {
  it("audits every change, guards it with the arm's version, and keeps labels unique within the study", async () => {
    const s = await twoDoses();
    const detail = await reviewer.studies.get({ reviewId, studyId: s.id });
    const arm = detail.arms.find((a) => a.label === "50 µg")!;
    const renamed = await reviewer.arms.update({ reviewId, studyId: s.id, armId: arm.id, field: "label", value: "250 µg", version: arm.version });
    expect(renamed.version).toBe(arm.version + 1);
    const stale = await rejection(reviewer.arms.update({ reviewId, studyId: s.id, armId: arm.id, field: "dose", value: 250, version: arm.version }));
    expect(stale.code).toBe("CONFLICT");
    expect((await rejection(reviewer.arms.update({ reviewId, studyId: s.id, armId: arm.id, field: "label", value: "10 µg", version: renamed.version }))).message).toBe(
      'Arm label "10 µg" is already an arm of this study.',
    );
    expect((await rejection(reviewer.arms.create({ reviewId, studyId: s.id, kind: "treated", label: "  " }))).message).toBe("Label is required");
    expect((await rejection(reviewer.arms.update({ reviewId, studyId: s.id, armId: arm.id, field: "dose", value: -1, version: renamed.version }))).message).toBe("Dose must be 0 or more");
    expect((await rejection(reviewer.arms.update({ reviewId, studyId: s.id, armId: s.arms.Control!, field: "dose", value: 5, version: 1 }))).message).toBe(
      "Dose and control arm belong to treated arms, not to a control arm.",
    );
    const history = await reviewer.studies.history({ reviewId, studyId: s.id });
    const armRows = history.filter((h) => h.entity === "arm");
    expect(armRows.map((h) => [h.action, h.field, h.newValue])).toEqual(
      expect.arrayContaining([
        ["update", "label", "250 µg"],
        ["create", "label", "50 µg"],
        ["create", "study", String(s.id)],
      ]),
    );
  });

  it("lets two reviewers edit the same arm at once: one wins, the other gets CONFLICT with the current row", async () => {
    const s = await twoDoses();
    const arm = (await reviewer.studies.get({ reviewId, studyId: s.id })).arms.find((a) => a.label === "10 µg")!;
    const outcomes = await Promise.allSettled([
      reviewer.arms.update({ reviewId, studyId: s.id, armId: arm.id, field: "label", value: "low", version: arm.version }),
      lead.arms.update({ reviewId, studyId: s.id, armId: arm.id, field: "label", value: "LOW dose", version: arm.version }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    const failed = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    expect(failed.reason).toMatchObject({ code: "CONFLICT" });
  });

  it("accepts only a control arm of the same study as a treated arm's control", async () => {
    const s = await twoDoses();
    const other = await study("Other et al.", 2020, [{ label: "X" }]);
    const arm = (await reviewer.studies.get({ reviewId, studyId: s.id })).arms.find((a) => a.label === "10 µg")!;
    for (const controlArmId of [other.arms.Control!, s.arms["50 µg"]!]) {
      const error = await rejection(reviewer.arms.update({ reviewId, studyId: s.id, armId: arm.id, field: "controlArmId", value: controlArmId, version: arm.version }));
      expect(error.message).toBe("Control arm must be one of this study's control arms.");
    }
    // An arm of another study is not found through this study.
    expect((await rejection(reviewer.arms.update({ reviewId, studyId: s.id, armId: other.arms.X!, field: "label", value: "Y", version: 1 }))).code).toBe("NOT_FOUND");
  });

  it("removes an arm with its values (lead only when it has values) and refuses to remove a control still in use", async () => {
    const s = await twoDoses();
    const arms = (await reviewer.studies.get({ reviewId, studyId: s.id })).arms;
    const control = arms.find((a) => a.kind === "control")!;
    const high = arms.find((a) => a.label === "50 µg")!;
    expect((await rejection(lead.arms.delete({ reviewId, studyId: s.id, armId: control.id, version: control.version }))).message).toBe(
      "Control is the control of 10 µg, 50 µg: choose another control for them first.",
    );
    const refused = await rejection(reviewer.arms.delete({ reviewId, studyId: s.id, armId: high.id, version: high.version }));
    expect(refused).toMatchObject({ code: "FORBIDDEN", message: "50 µg holds 1 outcome value: only the lead can remove it with them (or delete the values first)." });
    await lead.arms.delete({ reviewId, studyId: s.id, armId: high.id, version: high.version });
    const after = await run();
    expect(after.result.studies.map((r) => [r.id, r.sharedControl])).toEqual([[String(s.id), undefined]]);
    const audit = t.db.$client.prepare("select old_value from audit_log where entity = 'arm' and action = 'delete' and entity_id = ?").pluck().get(high.id) as string;
    expect(JSON.parse(audit)).toMatchObject({ arm: { label: "50 µg" }, measurements: [{ mean: 14, n: 12, day: 28 }] });
    // A reviewer may remove an arm without values.
    const spare = await reviewer.arms.create({ reviewId, studyId: s.id, kind: "sham", label: "Sham" });
    await reviewer.arms.delete({ reviewId, studyId: s.id, armId: spare.id, version: spare.version });
  });
});
