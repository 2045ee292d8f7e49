import type { inferRouterOutputs } from "@trpc/server";
import type { RobJudgmentValue } from "@/db/schema/risk-of-bias";
import type { AppRouter } from "@/server/root";
import { ROB_DOMAIN_COUNT } from "@/server/schemas/risk-of-bias";

export type RobOutputs = inferRouterOutputs<AppRouter>["riskOfBias"];
export type GridData = RobOutputs["grid"];
export type JudgmentView = GridData["judgments"][number];
export type ConsensusView = GridData["consensus"][number];
export type Judgment = RobJudgmentValue;
export type Slot = 1 | 2;

export const cellKey = (studyId: number, domain: number) => `${studyId}:${domain}`;

/** Single keys that set a judgment in the grid (letters as the tool's words, digits for one-handed entry). */
export const judgmentKeys: Record<string, Judgment> = { l: "low", "1": "low", h: "high", "2": "high", u: "unclear", "3": "unclear" };
export const judgmentShort: Record<Judgment, string> = { low: "Low", unclear: "Unclear", high: "High" };
export const judgmentSymbol: Record<Judgment, string> = { low: "+", unclear: "?", high: "−" };
/** Grid tints: text at AA contrast on each; the symbol repeats the judgment for those who cannot tell the colours. */
/** Text colour alone, for cells that are not (yet) a judgment of their own, e.g. an agreement awaiting acceptance. */
export const judgmentInk: Record<Judgment, string> = { low: "text-green-900", unclear: "text-yellow-900", high: "text-red-900" };
export const judgmentTone: Record<Judgment, string> = {
  low: "bg-green-100 text-green-900",
  unclear: "bg-yellow-100 text-yellow-900",
  high: "bg-red-100 text-red-900",
};

/** Lookups over the grid data: one reviewer's judgment of a cell, the consensus, a study's blinding status. */
export function indexGrid(data: GridData) {
  const judgments = new Map(data.judgments.map((j) => [`${cellKey(j.studyId, j.domain)}:${j.slot}`, j]));
  const consensus = new Map(data.consensus.map((c) => [cellKey(c.studyId, c.domain), c]));
  const status = new Map(data.status.map((s) => [s.studyId, s]));
  const reviewerName = (slot: Slot) => (slot === 1 ? data.assignment.reviewer1 : data.assignment.reviewer2)?.name ?? `Reviewer ${slot}`;
  return {
    judgment: (slot: Slot, studyId: number, domain: number) => judgments.get(`${cellKey(studyId, domain)}:${slot}`),
    consensus: (studyId: number, domain: number) => consensus.get(cellKey(studyId, domain)),
    unblinded: (studyId: number) => status.get(studyId)?.unblinded ?? false,
    reviewerName,
  };
}
export type GridIndex = ReturnType<typeof indexGrid>;

/** The cells of unblinded studies where both reviewers' judgments are readable: agreed or not. */
export function comparedCells(data: GridData, index: GridIndex) {
  const cells: { studyId: number; domain: number; first: JudgmentView; second: JudgmentView; consensus: ConsensusView | undefined }[] = [];
  for (const s of data.studies) {
    if (!index.unblinded(s.id)) continue;
    for (let domain = 1; domain <= ROB_DOMAIN_COUNT; domain++) {
      const first = index.judgment(1, s.id, domain);
      const second = index.judgment(2, s.id, domain);
      if (first && second) cells.push({ studyId: s.id, domain, first, second, consensus: index.consensus(s.id, domain) });
    }
  }
  return cells;
}
