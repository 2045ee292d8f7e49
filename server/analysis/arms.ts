/**
 * Combining the arms of one study into one group, for the "combine the treated arms" option (the alternative to
 * splitting a shared control group): Cochrane Handbook for Systematic Reviews of Interventions, version 6.5,
 * section 6.5.2.10 "Combining groups", Table 6.5.a.
 */

/** Summary data of one arm: size, mean and standard deviation. */
export interface ArmSummary {
  n: number;
  mean: number;
  sd: number;
}

export type CombinedArms = { ok: true; arm: ArmSummary } | { ok: false; reason: string };

/**
 * Cochrane Handbook Table 6.5.a, for groups 1 and 2:
 *   N = N1 + N2;  M = (N1·M1 + N2·M2)/N;
 *   SD = √( ((N1 - 1)·SD1² + (N2 - 1)·SD2² + (N1·N2/N)·(M1² + M2² - 2·M1·M2)) / (N - 1) ).
 * (M1² + M2² - 2·M1·M2 is written (M1 - M2)², which is the same and does not cancel.)
 */
function combinePair(a: ArmSummary, b: ArmSummary): ArmSummary {
  const n = a.n + b.n;
  const mean = (a.n * a.mean + b.n * b.mean) / n;
  const between = ((a.n * b.n) / n) * (a.mean - b.mean) ** 2;
  const sd = Math.sqrt(((a.n - 1) * a.sd * a.sd + (b.n - 1) * b.sd * b.sd + between) / (n - 1));
  return { n, mean, sd };
}

/**
 * One arm from two or more: Table 6.5.a applied pairwise, the first two, then that result with the third, and so
 * on, as the Handbook says to do for more than two groups (the result does not depend on the order, up to rounding).
 * One arm is returned as it is. Not ok, with a reason naming the arm and field, when there is no arm or an arm has
 * a size below 1, a mean or SD that is not a finite number, or a negative SD.
 */
export function combineArms(arms: readonly ArmSummary[]): CombinedArms {
  if (arms.length === 0) return { ok: false, reason: "there is no arm to combine" };
  for (const [i, arm] of arms.entries()) {
    const at = `arm ${i + 1}`;
    if (!(Number.isFinite(arm.n) && arm.n >= 1)) return { ok: false, reason: `${at}: n must be a number of at least 1 (n = ${arm.n})` };
    if (!Number.isFinite(arm.mean)) return { ok: false, reason: `${at}: the mean is not a finite number (mean = ${arm.mean})` };
    if (!(Number.isFinite(arm.sd) && arm.sd >= 0)) return { ok: false, reason: `${at}: the SD must be a number of at least 0 (SD = ${arm.sd})` };
  }
  let combined: ArmSummary = { ...arms[0]! };
  for (const arm of arms.slice(1)) combined = combinePair(combined, arm);
  return { ok: true, arm: combined };
}
