/**
 * Effect sizes of two-arm continuous outcomes (metafor `escalc` with its defaults, and the normalised mean
 * difference of CONTRACT.md "Preclinical conventions"), the split of shared control groups, and the exclusion
 * rules of the contract. Arm 1 is the treated arm, arm 2 the control arm.
 */
import gammaln from "@stdlib/math-base-special-gammaln";
import type { Exclusion, ExclusionCode, Measure, SharedControl, StudyInput } from "./types";

export interface EffectSize {
  yi: number;
  vi: number;
}

/** Arm-level summary data with every field present and finite. */
export interface ArmData {
  m1: number;
  sd1: number;
  n1: number;
  m2: number;
  sd2: number;
  n2: number;
}

/** A study that passed the exclusion rules, with its effect size. */
export interface PreparedStudy extends EffectSize {
  id: string;
  /** Subgroup name; null when the study has none. */
  group: string | null;
  year: number | null;
  /** The control group it shares with other comparisons of the request; absent when it has its own. */
  sharedControl?: SharedControl;
  /** Its covariates as entered, for the meta-regression; absent when it has none. */
  covariates?: Record<string, number | null>;
}

/**
 * Exact small-sample correction of Hedges (1981): J(m) = Γ(m/2) / (√(m/2) · Γ((m-1)/2)), m = n1 + n2 - 2.
 * Evaluated through log-gamma because Γ overflows beyond m ≈ 340 while the ratio stays close to 1
 * (the approximation 1 - 3/(4m - 1) is what metafor does not use).
 */
export function hedgesJ(m: number): number {
  return Math.exp(gammaln(m / 2) - 0.5 * Math.log(m / 2) - gammaln((m - 1) / 2));
}

/** Raw mean difference: yi = m1 - m2, vi = sd1²/n1 + sd2²/n2 (unequal arm variances, metafor vtype "LS"). */
export function meanDifference(a: ArmData): EffectSize {
  return { yi: a.m1 - a.m2, vi: (a.sd1 * a.sd1) / a.n1 + (a.sd2 * a.sd2) / a.n2 };
}

/**
 * Standardised mean difference, Hedges' g (Hedges 1981): sp = √(((n1-1)sd1² + (n2-1)sd2²)/m), m = n1 + n2 - 2,
 * yi = J(m)·(m1 - m2)/sp, and the large-sample variance vi = 1/n1 + 1/n2 + yi²/(2(n1 + n2)) (metafor vtype "LS").
 */
export function standardizedMeanDifference(a: ArmData): EffectSize {
  const m = a.n1 + a.n2 - 2;
  const sp = Math.sqrt(((a.n1 - 1) * a.sd1 * a.sd1 + (a.n2 - 1) * a.sd2 * a.sd2) / m);
  const yi = (hedgesJ(m) * (a.m1 - a.m2)) / sp;
  return { yi, vi: 1 / a.n1 + 1 / a.n2 + (yi * yi) / (2 * (a.n1 + a.n2)) };
}

/**
 * Log ratio of means (Hedges, Gurevitch & Curtis 1999): yi = ln(m1/m2), vi = sd1²/(n1·m1²) + sd2²/(n2·m2²),
 * without bias correction (metafor "ROM").
 */
export function logRatioOfMeans(a: ArmData): EffectSize {
  return {
    yi: Math.log(a.m1 / a.m2),
    vi: (a.sd1 * a.sd1) / (a.n1 * a.m1 * a.m1) + (a.sd2 * a.sd2) / (a.n2 * a.m2 * a.m2),
  };
}

/**
 * Normalised mean difference (Vesterinen et al. 2014, J Neurosci Methods 221:92; CONTRACT.md), in percent of the
 * injury effect: with d = m2 - mSham, yi = 100·(m2 - m1)/d and vi = (100·sd1/d)²/n1 + (100·sd2/d)²/n2. Dividing
 * by the signed injury effect d makes an improvement positive whether higher or lower values are better.
 */
export function normalisedMeanDifference(a: ArmData, mSham: number): EffectSize {
  const d = a.m2 - mSham;
  const s1 = (100 * a.sd1) / d;
  const s2 = (100 * a.sd2) / d;
  return { yi: (100 * (a.m2 - a.m1)) / d, vi: (s1 * s1) / a.n1 + (s2 * s2) / a.n2 };
}

const EFFECT_SIZE: Record<Exclude<Measure, "NMD">, (a: ArmData) => EffectSize> = {
  MD: meanDifference,
  SMD: standardizedMeanDifference,
  ROM: logRatioOfMeans,
};

/** The effect size of `measure` for one study (no checks: see `checkStudy`). NMD needs `mSham`. */
export function effectSize(measure: Measure, arms: ArmData, mSham?: number): EffectSize {
  if (measure !== "NMD") return EFFECT_SIZE[measure](arms);
  if (mSham === undefined) throw new TypeError("NMD needs the sham value (mSham)");
  return normalisedMeanDifference(arms, mSham);
}

/**
 * Bounds beyond the contract's rules, reached only by absurd data: the fits sum w²(y - μ)² and w³ with w = 1/v,
 * which overflow (to Infinity, then NaN) for |yi| or 1/vi near 1e100. No real study comes near these bounds.
 */
const MAX_EFFECT = 1e50;
const MIN_VARIANCE = 1e-50;
const MAX_VARIANCE = 1e50;

const ARM_FIELDS = ["m1", "sd1", "n1", "m2", "sd2", "n2"] as const;
type ArmField = (typeof ARM_FIELDS)[number];

/** "a is p", "a and b are p", "a, b and c are p". */
function statement(fields: readonly string[], predicate: string): string {
  const list = fields.length < 2 ? fields.join("") : `${fields.slice(0, -1).join(", ")} and ${fields[fields.length - 1]}`;
  return `${list} ${fields.length > 1 ? "are" : "is"} ${predicate}`;
}

function fieldValues(fields: readonly ArmField[], arms: ArmData): string {
  return fields.map((f) => `${f} = ${arms[f]}`).join(", ");
}

/** The outcome of the exclusion rules for one study. */
export type StudyCheck = { ok: true; effect: EffectSize } | { ok: false; code: ExclusionCode; reason: string };

function reject(code: ExclusionCode, reason: string): StudyCheck {
  return { ok: false, code, reason };
}

/**
 * Applies the contract's exclusion rules in order: a missing or non-finite value; n1 or n2 below 2; a negative
 * SD; (NMD) a missing sham value or one equal to m2; (ROM) a mean that is not positive; an effect size or variance
 * that is not finite, or a variance that is not positive; then (extension) an effect size or variance too extreme
 * to compute with (|yi| > 1e50, vi outside [1e-50, 1e50]). Returns the effect size, or a reason naming the
 * offending fields and values. The rules apply to the values as entered; `controlShare` = c, the number of
 * comparisons sharing this study's control group, divides n2 in the formulas only (contract).
 */
export function checkStudy(measure: Measure, study: StudyInput, controlShare = 1): StudyCheck {
  const missing = ARM_FIELDS.filter((f) => study[f] === null || study[f] === undefined);
  const nonFinite = ARM_FIELDS.filter((f) => typeof study[f] === "number" && !Number.isFinite(study[f]));
  if (missing.length || nonFinite.length) {
    const parts: string[] = [];
    if (missing.length) parts.push(statement(missing, "missing"));
    if (nonFinite.length) parts.push(statement(nonFinite, "not a finite number"));
    return reject("missing", parts.join("; "));
  }
  const arms = study as ArmData;
  const smallN = (["n1", "n2"] as const).filter((f) => arms[f] < 2);
  if (smallN.length) return reject("sample-size", `${statement(smallN, "below 2")} (${fieldValues(smallN, arms)})`);
  const negativeSd = (["sd1", "sd2"] as const).filter((f) => arms[f] < 0);
  if (negativeSd.length) return reject("negative-sd", `${statement(negativeSd, "negative")} (${fieldValues(negativeSd, arms)})`);
  const mSham = study.mSham;
  if (measure === "NMD") {
    if (typeof mSham !== "number" || !Number.isFinite(mSham)) {
      return reject("no-sham", `mSham ${mSham === null || mSham === undefined ? "is missing" : "is not a finite number"} (NMD needs the sham or normal value)`);
    }
    if (mSham === arms.m2) return reject("no-sham", `mSham equals m2 (${arms.m2}): there is no injury effect to normalise by`);
  }
  if (measure === "ROM") {
    const badMeans = (["m1", "m2"] as const).filter((f) => !(arms[f] > 0));
    if (badMeans.length) {
      return reject("non-positive-mean", `ROM needs positive means (${fieldValues(badMeans, arms)})`);
    }
  }
  const used: ArmData = controlShare === 1 ? arms : { ...arms, n2: arms.n2 / controlShare };
  const effect = effectSize(measure, used, measure === "NMD" ? (mSham as number) : undefined);
  const bothSdsZero = arms.sd1 === 0 && arms.sd2 === 0;
  const cause = bothSdsZero ? " (both SDs are 0)" : "";
  if (!Number.isFinite(effect.yi)) {
    return reject("invalid-effect", measure === "SMD" && bothSdsZero ? "SMD is undefined (both SDs are 0)" : `effect size is not finite${cause}`);
  }
  if (!Number.isFinite(effect.vi)) return reject("invalid-effect", `variance is not finite${cause}`);
  if (!(effect.vi > 0)) return reject("invalid-effect", `variance is not positive${cause}`);
  if (Math.abs(effect.yi) > MAX_EFFECT) return reject("invalid-effect", `effect size is too large to analyse (yi = ${effect.yi})`);
  if (effect.vi < MIN_VARIANCE || effect.vi > MAX_VARIANCE) {
    return reject("invalid-effect", `variance is outside the range that can be analysed (vi = ${effect.vi})`);
  }
  return { ok: true, effect };
}

/** A blank or absent group means "no group"; the subgroup analysis files such studies under "Unspecified". */
function groupOf(study: StudyInput): string | null {
  return typeof study.group === "string" && study.group.trim() !== "" ? study.group : null;
}

/** A blank or absent control-group key means the comparison has a control group of its own. */
function controlKeyOf(study: StudyInput): string | null {
  return typeof study.controlGroup === "string" && study.controlGroup.trim() !== "" ? study.controlGroup : null;
}

/**
 * c for each key: the number of comparisons in the request that carry it, excluded ones included (contract), so
 * that excluding one arm does not hand its share of the control animals to the others.
 */
export function controlGroupSizes(studies: readonly StudyInput[]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const study of studies) {
    const key = controlKeyOf(study);
    if (key !== null) sizes.set(key, (sizes.get(key) ?? 0) + 1);
  }
  return sizes;
}

/**
 * Splits studies into those analysed (input order kept) and those excluded with a reason. Comparisons sharing a
 * control group (same `controlGroup`) each use n2/c, c from `controlGroupSizes` (Vesterinen et al. 2014;
 * Cochrane Handbook 23.3.4: split the shared group so that its animals are not counted c times).
 */
export function prepareStudies(measure: Measure, studies: readonly StudyInput[]): { included: PreparedStudy[]; excluded: Exclusion[] } {
  const included: PreparedStudy[] = [];
  const excluded: Exclusion[] = [];
  const sizes = controlGroupSizes(studies);
  for (const study of studies) {
    const key = controlKeyOf(study);
    const comparisons = key === null ? 1 : sizes.get(key)!;
    const checked = checkStudy(measure, study, comparisons);
    if (checked.ok) {
      const year = typeof study.year === "number" && Number.isFinite(study.year) ? study.year : null;
      const n2 = study.n2 as number;
      const prepared: PreparedStudy = { id: study.id, ...checked.effect, group: groupOf(study), year };
      if (key !== null && comparisons > 1) prepared.sharedControl = { key, comparisons, n2Entered: n2, n2Used: n2 / comparisons };
      if (study.covariates) prepared.covariates = study.covariates;
      included.push(prepared);
    } else {
      excluded.push({ id: study.id, reason: checked.reason, code: checked.code });
    }
  }
  return { included, excluded };
}
