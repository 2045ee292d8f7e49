import { z } from "zod";
import { robJudgmentValues, type RobJudgmentValue } from "@/db/schema/risk-of-bias";
import { boundedText, id, version } from "./common";

/**
 * SYRCLE's ten domains (Hooijmans et al., BMC Med Res Methodol 2014;14:43, Table 3), with the signalling
 * questions paraphrased as help text. Shared by the page (headers, help) and the services (CSV, figures).
 */
export const robDomains = [
  { code: "D1", name: "Sequence generation", biasType: "Selection", help: "Was the allocation sequence generated and applied with a random component (random number table, computer)? Choice by the investigator, availability, cage or animal number is not random." },
  { code: "D2", name: "Baseline characteristics", biasType: "Selection", help: "Were the groups similar at baseline on the characteristics named beforehand (e.g. weight, sex, injury severity), or adjusted for them? Was the injury induced at the right time relative to allocation?" },
  { code: "D3", name: "Allocation concealment", biasType: "Selection", help: "Could the person allocating animals foresee the assignments? Third-party or central allocation, or sealed opaque numbered envelopes, are adequate." },
  { code: "D4", name: "Random housing", biasType: "Performance", help: "Were the cages placed at random in the room, or is the outcome unlikely to be affected if they were not?" },
  { code: "D5", name: "Blinding of caregivers/investigators", biasType: "Performance", help: "Were caregivers and investigators blinded to the intervention (coded, identical-looking treatments; the same procedures in all groups), and was the blinding unlikely to be broken?" },
  { code: "D6", name: "Random outcome assessment", biasType: "Detection", help: "Were animals selected at random for outcome assessment (order, time of day)?" },
  { code: "D7", name: "Blinding of outcome assessor", biasType: "Detection", help: "Was the outcome assessor blinded, or is the outcome unlikely to be influenced by a lack of blinding? BBB scoring is observer-rated, so blinding matters." },
  { code: "D8", name: "Incomplete outcome data", biasType: "Attrition", help: "Were all animals included in the analysis? Were drop-outs reported, balanced across groups, unrelated to the outcome, or properly handled?" },
  { code: "D9", name: "Selective outcome reporting", biasType: "Reporting", help: "Was a protocol available with all its outcomes reported or, without one, are all expected outcomes reported?" },
  { code: "D10", name: "Other sources of bias", biasType: "Other", help: "E.g. contamination or pooling of drugs, influence of the funder, unit-of-analysis errors, animals added to replace drop-outs." },
] as const;

export const ROB_DOMAIN_COUNT = robDomains.length;

/** The tool's own wording: Yes = low risk, No = high risk, ? = unclear. */
export const judgmentLabels: Record<RobJudgmentValue, string> = { low: "Low (Yes)", high: "High (No)", unclear: "Unclear" };
/** robvis "Generic" spelling of each judgment, for the CSV export. */
export const robvisJudgment: Record<RobJudgmentValue, string> = { low: "Low", high: "High", unclear: "Unclear" };
/** Plot order, as robvis: low, unclear, high. */
export const judgmentOrder: readonly RobJudgmentValue[] = ["low", "unclear", "high"];

export const robDomain = z.number().int().min(1).max(ROB_DOMAIN_COUNT);
export const robJudgment = z.enum(robJudgmentValues, { error: "must be low, high or unclear" });

/** Which judgments a figure or export shows: the consensus, or one reviewer's own (before consensus). */
export const robSources = ["consensus", "reviewer1", "reviewer2"] as const;
export type RobSource = (typeof robSources)[number];

export const saveJudgmentInput = z.object({
  studyId: id,
  domain: robDomain,
  patch: z
    .object({ judgment: robJudgment.nullable().optional(), quote: boundedText(2000).optional(), reasoning: boundedText(4000).optional() })
    .refine((p) => p.judgment !== undefined || p.quote !== undefined || p.reasoning !== undefined, "must change something"),
  /** The version read; null when the cell has never been saved. */
  version: version.nullable(),
});
export type SaveJudgmentInput = z.infer<typeof saveJudgmentInput>;

export const recordConsensusInput = z.object({
  studyId: id,
  domain: robDomain,
  judgment: robJudgment,
  reason: boundedText(2000),
  version: version.nullable(),
});
export type RecordConsensusInput = z.infer<typeof recordConsensusInput>;

export const acceptAgreedInput = z.object({ studyId: id.optional() });

export const assignInput = z.object({
  reviewer1Id: id.nullable(),
  reviewer2Id: id.nullable(),
  arbiterId: id.nullable(),
  version: version.nullable(),
});
export type AssignInput = z.infer<typeof assignInput>;

export const figureInput = z.object({ source: z.enum(robSources).default("consensus") });

export const cellInput = z.object({ studyId: id, domain: robDomain });
