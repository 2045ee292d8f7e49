import type { ErrorType } from "@/db/schema/studies";

export type Flag = { field: string; message: string };

/** Share of the outcome's scale below which an "SD" is more likely an SEM (common in this literature). */
export const SMALL_SD_SHARE = 0.03;

/**
 * Plausibility warnings: the value is kept, but the grid shows the flag. Values outside the scale are refused
 * elsewhere (checkScale); these are the ones that are possible but suspicious.
 */
export function measurementFlags(
  value: { errorType: ErrorType; errorValue: number | null; n: number; mean: number },
  scale: { scaleMin: number | null; scaleMax: number | null },
): Flag[] {
  const flags: Flag[] = [];
  if (value.errorType === "SD" && value.errorValue !== null) {
    const range = scale.scaleMin !== null && scale.scaleMax !== null ? scale.scaleMax - scale.scaleMin : Math.abs(value.mean);
    if (range > 0 && value.errorValue < SMALL_SD_SHARE * range)
      flags.push({ field: "errorValue", message: `SD ${value.errorValue} is under ${SMALL_SD_SHARE * 100}% of the scale: is it an SEM? (SEM × √n would give ${(value.errorValue * Math.sqrt(value.n)).toFixed(2)})` });
  }
  return flags;
}

/** Treated and control animals should not outnumber the animals the study reports. */
export function armTotalFlag(nTreated: number | null, nControl: number | null, animalsTotal: number | null): Flag | null {
  if (animalsTotal === null || nTreated === null || nControl === null) return null;
  if (nTreated + nControl > animalsTotal)
    return { field: "n", message: `Treated n (${nTreated}) + control n (${nControl}) = ${nTreated + nControl} exceeds the study's ${animalsTotal} animals.` };
  return null;
}
