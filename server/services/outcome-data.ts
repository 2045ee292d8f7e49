import { sdFromCi, sdFromSem } from "@/server/analysis/conversions";
import type { ErrorType } from "@/db/schema/studies";

/** A measurement as stored, reduced to what the conversion and pairing need. */
export type StoredValue = {
  armKind: "treated" | "control";
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

export type PairedStudy = {
  studyId: number;
  day: number;
  treated: StoredValue;
  control: StoredValue;
  sd1: number | null;
  sd2: number | null;
  isExampleData: boolean;
};

/**
 * Pairs the treated and control values of one study for one outcome at the chosen time point. As in the seed
 * paper, "first" and "last" are resolved per study: the earliest / latest day at which both arms have a value.
 * Returns a reason instead when the study has nothing to analyse at that time point.
 */
export function pairStudy(studyId: number, values: StoredValue[], outcomeId: number, choice: TimepointChoice): PairedStudy | { studyId: number; reason: string } {
  const ofOutcome = values.filter((v) => v.outcomeId === outcomeId);
  if (ofOutcome.length === 0) return { studyId, reason: "no outcome data entered" };
  const byDay = (kind: StoredValue["armKind"]) => new Map(ofOutcome.filter((v) => v.armKind === kind).map((v) => [v.day, v]));
  const treated = byDay("treated");
  const control = byDay("control");
  const commonDays = [...treated.keys()].filter((d) => control.has(d)).sort((a, b) => a - b);
  if (commonDays.length === 0) return { studyId, reason: "no day with both a treated and a control value" };
  const day = "day" in choice ? commonDays.find((d) => d === choice.day) : choice.mode === "first" ? commonDays[0] : commonDays[commonDays.length - 1];
  if (day === undefined) return { studyId, reason: `no treated and control values on day ${"day" in choice ? choice.day : "?"}` };
  const t = treated.get(day)!;
  const c = control.get(day)!;
  return {
    studyId,
    day,
    treated: t,
    control: c,
    sd1: toStandardDeviation(t).sd,
    sd2: toStandardDeviation(c).sd,
    isExampleData: t.isExampleData || c.isExampleData,
  };
}
