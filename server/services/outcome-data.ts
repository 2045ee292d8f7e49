import { combineArms } from "@/server/analysis/arms";
import { sdFromCi, sdFromSem } from "@/server/analysis/conversions";
import type { ArmKind, ErrorType } from "@/db/schema/studies";

/** A measurement as stored, reduced to what the conversion and the comparisons need. */
export type StoredValue = {
  armId: number;
  outcomeId: number;
  day: number;
  mean: number;
  errorType: ErrorType;
  errorValue: number | null;
  ciLower: number | null;
  ciUpper: number | null;
  n: number;
  isExampleData: boolean;
};

export type SdConversion = { sd: number | null; note: string };

const round = (x: number, digits = 3) => Number(x.toFixed(digits));

/**
 * The SD the analysis uses for one arm, with how it was obtained (shown beside the value in the outcome grid):
 * SD as entered; SD = SEM·√n; SD = √n·(upper − lower)/(2·t₀.₉₇₅,ₙ₋₁) (Cochrane Handbook 6.5.2.2).
 */
export function toStandardDeviation(v: Pick<StoredValue, "errorType" | "errorValue" | "ciLower" | "ciUpper" | "n">): SdConversion {
  if (v.errorType === "SD") return { sd: v.errorValue, note: "SD as entered" };
  if (v.errorType === "SEM") {
    if (v.errorValue === null) return { sd: null, note: "SEM missing" };
    const sd = sdFromSem(v.errorValue, v.n);
    return { sd, note: sd === null ? "SEM cannot be converted" : `SD = SEM × √n = ${v.errorValue} × √${v.n} = ${round(sd)}` };
  }
  if (v.ciLower === null || v.ciUpper === null) return { sd: null, note: "95% CI bounds missing" };
  const sd = sdFromCi(v.ciLower, v.ciUpper, v.n);
  if (sd === null) return { sd, note: v.n < 2 ? "a 95% CI needs n ≥ 2 to give an SD" : "95% CI bounds are reversed" };
  return { sd, note: `SD = √n × (upper − lower) / (2 × t₀.₉₇₅,${v.n - 1}) = ${round(sd)}` };
}

export type TimepointChoice = { mode: "first" | "last" } | { mode: "day"; day: number };

/** An arm as the comparisons need it. */
export type ArmInfo = { id: number; kind: ArmKind; label: string; controlArmId: number | null };

/** One comparison of a study: a treated arm (or several, combined) against a control arm at one day. */
export type StudyComparison = {
  /**
   * The analysis id: the study id when the study has one treated arm (so a two-arm study reads as before), else
   * "<study>-<arm>" per treated arm, or "<study>-c<control arm>" for treated arms combined.
   */
  id: string;
  studyId: number;
  treatedArms: ArmInfo[];
  controlArm: ArmInfo;
  /** What the label shows in parentheses ("50 µg", "10 µg + 50 µg"); null when the study has one treated arm. */
  armLabel: string | null;
  combined: boolean;
  day: number;
  m1: number;
  sd1: number | null;
  n1: number;
  m2: number;
  sd2: number | null;
  n2: number;
  /**
   * The analysis's control-group key when other comparisons of this study use the same control arm at this
   * analysis (their n2 is then split among them, CONTRACT.md "Preclinical conventions"); null when it is its own.
   */
  controlGroup: string | null;
  /** A sham arm's value on the same day (the NMD's reference), null when the study has none there. */
  sham: { mean: number; armLabel: string } | null;
  isExampleData: boolean;
};

/** A treated arm (or a whole study) with nothing to analyse at the chosen time point, and why. */
export type ArmNotAnalysed = { id: string; studyId: number; armLabel: string | null; reason: string };

/** "Afsartala 2023 (50 µg)": the study's label, with the arm's when the study has several treated arms. */
export const comparisonLabel = (studyLabel: string, armLabel: string | null) => (armLabel ? `${studyLabel} (${armLabel})` : studyLabel);

const pickDay = (days: readonly number[], choice: TimepointChoice) =>
  choice.mode === "day" ? days.find((d) => d === choice.day) : choice.mode === "first" ? days[0] : days[days.length - 1];

const dayText = (choice: TimepointChoice) => (choice.mode === "day" ? `on day ${choice.day}` : "");

/**
 * The comparisons of one study for one outcome at the chosen time point, and the arms that have none, each with its
 * reason (nothing is dropped without a word).
 *
 * - Each treated arm is compared with the control arm it names (or the study's only control arm). By default each
 *   is its own comparison; comparisons using the same control arm get one `controlGroup` key, so that the analysis
 *   splits the control's n among them (Vesterinen et al. 2014; Cochrane Handbook 23.3.4).
 * - With `combine`, the treated arms sharing a control arm are first combined into one group (Cochrane Handbook
 *   6.5.2.10, Table 6.5.a, `combineArms`): one comparison per control arm.
 * - "First" and "last" are resolved per comparison, as the seed paper does per study: the earliest / latest day at
 *   which the treated arm and its control both have a value (combined arms: the control and at least one of them;
 *   an arm without a value that day is listed, not combined).
 * - A sham arm's value on the comparison's day is carried for the normalised mean difference.
 */
export function studyComparisons(input: {
  studyId: number;
  arms: readonly ArmInfo[];
  values: readonly StoredValue[];
  outcomeId: number;
  choice: TimepointChoice;
  combine: boolean;
}): { comparisons: StudyComparison[]; notAnalysed: ArmNotAnalysed[] } {
  const { studyId, arms, choice } = input;
  const byArm = new Map<number, Map<number, StoredValue>>();
  for (const v of input.values) {
    if (v.outcomeId !== input.outcomeId) continue;
    const days = byArm.get(v.armId) ?? new Map<number, StoredValue>();
    days.set(v.day, v);
    byArm.set(v.armId, days);
  }
  const notAnalysed: ArmNotAnalysed[] = [];
  const whole = (reason: string) => ({ comparisons: [], notAnalysed: [{ id: String(studyId), studyId, armLabel: null, reason }] });
  if (![...byArm.keys()].some((armId) => arms.some((a) => a.id === armId))) return whole("no outcome data entered");
  const treated = arms.filter((a) => a.kind === "treated");
  const controls = arms.filter((a) => a.kind === "control");
  if (treated.length === 0) return whole("the study has no treated arm");
  const several = treated.length > 1;
  const armId = (arm: ArmInfo) => (several ? `${studyId}-${arm.id}` : String(studyId));
  const armLabel = (arm: ArmInfo) => (several ? arm.label : null);
  const skip = (arm: ArmInfo, reason: string) => notAnalysed.push({ id: armId(arm), studyId, armLabel: armLabel(arm), reason });
  const daysOf = (arm: ArmInfo) => [...(byArm.get(arm.id)?.keys() ?? [])].sort((a, b) => a - b);
  const valueOf = (arm: ArmInfo, day: number) => byArm.get(arm.id)?.get(day);
  const shamOn = (day: number) => {
    for (const sham of arms.filter((a) => a.kind === "sham")) {
      const v = valueOf(sham, day);
      if (v) return { mean: v.mean, armLabel: sham.label };
    }
    return null;
  };

  // Each treated arm's control arm; arms without one are listed.
  const groups = new Map<number, { control: ArmInfo; arms: ArmInfo[] }>();
  for (const arm of treated) {
    const control = arm.controlArmId !== null ? controls.find((c) => c.id === arm.controlArmId) : controls.length === 1 ? controls[0] : undefined;
    if (!control) {
      skip(arm, controls.length === 0 ? "the study has no control arm" : `no control arm is chosen for it (the study has ${controls.length} control arms)`);
      continue;
    }
    const group = groups.get(control.id) ?? { control, arms: [] };
    group.arms.push(arm);
    groups.set(control.id, group);
  }

  type Built = Omit<StudyComparison, "controlGroup">;
  const built: Built[] = [];
  const single = (arm: ArmInfo, control: ArmInfo) => {
    const own = daysOf(arm);
    if (own.length === 0) return skip(arm, "no value is entered for this arm");
    const controlDays = new Set(daysOf(control));
    const common = own.filter((d) => controlDays.has(d));
    if (common.length === 0) return skip(arm, `no day with values of both this arm and its control (${control.label})`);
    const day = pickDay(common, choice);
    if (day === undefined) return skip(arm, `no values of this arm and its control (${control.label}) ${dayText(choice)}`);
    const t = valueOf(arm, day)!;
    const c = valueOf(control, day)!;
    built.push({
      id: armId(arm),
      studyId,
      treatedArms: [arm],
      controlArm: control,
      armLabel: armLabel(arm),
      combined: false,
      day,
      m1: t.mean,
      sd1: toStandardDeviation(t).sd,
      n1: t.n,
      m2: c.mean,
      sd2: toStandardDeviation(c).sd,
      n2: c.n,
      sham: shamOn(day),
      isExampleData: t.isExampleData || c.isExampleData,
    });
  };

  for (const { control, arms: sharing } of groups.values()) {
    if (!input.combine || sharing.length === 1) {
      for (const arm of sharing) single(arm, control);
      continue;
    }
    const groupId = `${studyId}-c${control.id}`;
    const groupLabel = sharing.map((a) => a.label).join(" + ");
    const controlDays = daysOf(control);
    const candidates = controlDays.filter((d) => sharing.some((a) => valueOf(a, d)));
    const day = pickDay(candidates, choice);
    if (day === undefined) {
      notAnalysed.push({
        id: groupId,
        studyId,
        armLabel: groupLabel,
        reason: candidates.length === 0 ? `no day with values of the control (${control.label}) and of any of its treated arms` : `no values of the control (${control.label}) and its treated arms ${dayText(choice)}`,
      });
      continue;
    }
    const present: { arm: ArmInfo; value: StoredValue; sd: number }[] = [];
    for (const arm of sharing) {
      const value = valueOf(arm, day);
      if (!value) {
        skip(arm, `no value on day ${day}, the day the treated arms sharing ${control.label} are combined at`);
        continue;
      }
      const sd = toStandardDeviation(value);
      if (sd.sd === null) skip(arm, `its SD cannot be derived (${sd.note}), so it cannot be combined with the other arms`);
      else present.push({ arm, value, sd: sd.sd });
    }
    if (present.length === 0) continue;
    if (present.length === 1) {
      single(present[0]!.arm, control);
      continue;
    }
    const combined = combineArms(present.map((p) => ({ n: p.value.n, mean: p.value.mean, sd: p.sd })));
    const c = valueOf(control, day)!;
    if (!combined.ok) {
      notAnalysed.push({ id: groupId, studyId, armLabel: groupLabel, reason: `the treated arms cannot be combined: ${combined.reason}` });
      continue;
    }
    built.push({
      id: groupId,
      studyId,
      treatedArms: present.map((p) => p.arm),
      controlArm: control,
      armLabel: present.map((p) => p.arm.label).join(" + "),
      combined: true,
      day,
      m1: combined.arm.mean,
      sd1: combined.arm.sd,
      n1: combined.arm.n,
      m2: c.mean,
      sd2: toStandardDeviation(c).sd,
      n2: c.n,
      sham: shamOn(day),
      isExampleData: present.some((p) => p.value.isExampleData) || c.isExampleData,
    });
  }

  const perControl = new Map<number, number>();
  for (const b of built) perControl.set(b.controlArm.id, (perControl.get(b.controlArm.id) ?? 0) + 1);
  // Table order: the study's treated arms as listed.
  const order = (c: Built) => Math.min(...c.treatedArms.map((a) => treated.indexOf(a)));
  const comparisons = built
    .sort((a, b) => order(a) - order(b))
    .map((b) => ({ ...b, controlGroup: (perControl.get(b.controlArm.id) ?? 0) > 1 ? `${studyId}-control-${b.controlArm.id}` : null }));
  return { comparisons, notAnalysed };
}
