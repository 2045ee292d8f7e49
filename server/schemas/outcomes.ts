import { z } from "zod";
import { boundedText, finiteNumber, requiredText } from "./common";

/**
 * An outcome as the lead defines it: its scale (bounds, either may be open), which direction is better, and the
 * value of a normal (uninjured) animal when there is one, for the normalised mean difference.
 */
export const outcomeInput = z
  .object({
    name: requiredText(200),
    unit: boundedText(50).default(""),
    scaleMin: finiteNumber.nullable().default(null),
    scaleMax: finiteNumber.nullable().default(null),
    higherIsBetter: z.boolean().default(true),
    normalValue: finiteNumber.nullable().default(null),
  })
  .superRefine((o, ctx) => {
    if (o.scaleMin !== null && o.scaleMax !== null && o.scaleMin >= o.scaleMax) ctx.addIssue({ code: "custom", path: ["scaleMax"], message: "must be above the scale minimum" });
    const outside = (v: number) => (o.scaleMin !== null && v < o.scaleMin) || (o.scaleMax !== null && v > o.scaleMax);
    if (o.normalValue !== null && outside(o.normalValue)) ctx.addIssue({ code: "custom", path: ["normalValue"], message: "must lie on the scale" });
  });
export type OutcomeInput = z.input<typeof outcomeInput>;

/** Starting points for common preclinical outcomes; every field stays editable. */
export const outcomePresets: { key: string; label: string; outcome: z.output<typeof outcomeInput> }[] = [
  {
    key: "bbb",
    label: "BBB locomotor score (rat, 0–21)",
    outcome: { name: "BBB locomotor score", unit: "points", scaleMin: 0, scaleMax: 21, higherIsBetter: true, normalValue: 21 },
  },
  {
    key: "bms",
    label: "Basso Mouse Scale (mouse, 0–9)",
    outcome: { name: "Basso Mouse Scale", unit: "points", scaleMin: 0, scaleMax: 9, higherIsBetter: true, normalValue: 9 },
  },
  {
    key: "lesion-volume",
    label: "Lesion volume (mm³, lower is better)",
    outcome: { name: "Lesion volume", unit: "mm³", scaleMin: 0, scaleMax: null, higherIsBetter: false, normalValue: null },
  },
  {
    key: "infarct-volume",
    label: "Infarct volume (% of hemisphere, lower is better)",
    outcome: { name: "Infarct volume", unit: "% of hemisphere", scaleMin: 0, scaleMax: 100, higherIsBetter: false, normalValue: 0 },
  },
  {
    key: "generic",
    label: "Other outcome (no fixed scale)",
    outcome: { name: "", unit: "", scaleMin: null, scaleMax: null, higherIsBetter: true, normalValue: null },
  },
];

/** "0 to 21 points, higher is better" — how an outcome's scale reads on the page and in the report. */
export function describeScale(o: { unit: string; scaleMin: number | null; scaleMax: number | null; higherIsBetter: boolean }): string {
  const unit = o.unit ? ` ${o.unit}` : "";
  const range =
    o.scaleMin !== null && o.scaleMax !== null
      ? `${o.scaleMin} to ${o.scaleMax}${unit}`
      : o.scaleMin !== null
        ? `${o.scaleMin}${unit} or more`
        : o.scaleMax !== null
          ? `up to ${o.scaleMax}${unit}`
          : `unbounded${unit ? ` (${o.unit})` : ""}`;
  return `${range}, ${o.higherIsBetter ? "higher" : "lower"} is better`;
}
