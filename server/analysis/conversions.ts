/**
 * Conversions of reported dispersion to the standard deviation the effect sizes need. Animal studies often
 * report the standard error of the mean or a confidence interval instead of the SD (Cochrane Handbook for
 * Systematic Reviews of Interventions, section 6.5.2.2, "Obtaining standard deviations from standard errors and
 * confidence intervals for group means"). Each helper returns null when the input cannot describe a valid SD, so
 * that the study is then excluded as "missing" rather than analysed with a wrong value.
 */
import { criticalValue } from "./distributions";

const isNonNegative = (x: number) => Number.isFinite(x) && x >= 0;

/** SD = SEM·√n (the SEM of a mean is SD/√n). Needs n >= 1 and SEM >= 0. */
export function sdFromSem(sem: number, n: number): number | null {
  if (!isNonNegative(sem) || !(Number.isFinite(n) && n >= 1)) return null;
  return sem * Math.sqrt(n);
}

/**
 * SD from a confidence interval for the mean of one arm: SD = √n·(upper - lower)/(2·t), with t the
 * (1 + level)/2 quantile of Student's t with n - 1 degrees of freedom (for level = 0.95, t_{0.975, n-1}; the
 * Handbook's 3.92 = 2·1.96 is the large-sample limit, too small a divisor for the group sizes of animal studies).
 * Needs n >= 2, upper >= lower, 0 < level < 1.
 */
export function sdFromCi(lower: number, upper: number, n: number, level = 0.95): number | null {
  const width = upper - lower;
  if (!isNonNegative(width) || !(Number.isFinite(n) && n >= 2) || !(level > 0 && level < 1)) return null;
  return (Math.sqrt(n) * width) / (2 * criticalValue(level, n - 1));
}

/** How an arm's dispersion was reported. */
export type Dispersion =
  | { kind: "sd"; sd: number }
  | { kind: "sem"; sem: number }
  | { kind: "ci"; lower: number; upper: number; level?: number };

/** The SD of an arm of size n, whatever way its dispersion was reported (see `sdFromSem`, `sdFromCi`). */
export function toSd(dispersion: Dispersion, n: number): number | null {
  switch (dispersion.kind) {
    case "sd":
      // Passed through unchanged: the engine excludes a negative SD with its own, more precise reason.
      return dispersion.sd;
    case "sem":
      return sdFromSem(dispersion.sem, n);
    case "ci":
      return sdFromCi(dispersion.lower, dispersion.upper, n, dispersion.level);
  }
}
