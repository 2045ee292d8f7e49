import type { RobJudgmentValue } from "../schema/risk-of-bias";

/**
 * EXAMPLE SYRCLE judgments for the demo (the paper shows only its Figure 4 summary, no per-study table).
 * Deterministic. Reviewer 1 judged all 21 studies; reviewer 2 all but the last two (so those stay blinded),
 * and disagrees with reviewer 1 on a handful of cells, so the lead's consensus view is not empty.
 */
export type ExampleRobJudgment = { position: number; reviewer: 1 | 2; domain: number; judgment: RobJudgmentValue; reasoning: string };

// Typical of this literature and of the paper's Figure 4: random allocation and assessor blinding mostly
// reported, allocation concealment and random housing mostly not reported (unclear), few high-risk items.
const domainPattern: RobJudgmentValue[][] = [
  ["low", "low", "unclear"], // D1 sequence generation
  ["low", "low", "low"], // D2 baseline characteristics
  ["unclear", "unclear", "unclear"], // D3 allocation concealment
  ["unclear", "unclear", "low"], // D4 random housing
  ["unclear", "low", "unclear"], // D5 blinding of caregivers/investigators
  ["unclear", "unclear", "unclear"], // D6 random outcome assessment
  ["low", "low", "high"], // D7 blinding of outcome assessor
  ["low", "low", "low"], // D8 incomplete outcome data
  ["low", "low", "low"], // D9 selective outcome reporting
  ["low", "low", "low"], // D10 other sources of bias
];

const disagreements = new Map<string, RobJudgmentValue>([
  ["2:1", "unclear"],
  ["5:7", "unclear"],
  ["7:3", "high"],
  ["9:5", "low"],
  ["12:1", "high"],
  ["14:4", "low"],
  ["17:8", "unclear"],
  ["18:7", "low"],
]);

const reasoningFor = (judgment: RobJudgmentValue) =>
  judgment === "low" ? "Example: reported adequately." : judgment === "high" ? "Example: not done, or done inadequately." : "Example: not reported.";

export function exampleRobJudgments(): ExampleRobJudgment[] {
  const rows: ExampleRobJudgment[] = [];
  for (let position = 1; position <= 21; position++) {
    for (let domain = 1; domain <= 10; domain++) {
      const pattern = domainPattern[domain - 1]!;
      const first = pattern[(position * 7 + domain * 3) % pattern.length]!;
      rows.push({ position, reviewer: 1, domain, judgment: first, reasoning: reasoningFor(first) });
      if (position <= 19) {
        const second = disagreements.get(`${position}:${domain}`) ?? first;
        rows.push({ position, reviewer: 2, domain, judgment: second, reasoning: reasoningFor(second) });
      }
    }
  }
  return rows;
}

export const SEEDED_CONSENSUS_REASON = "Both reviewers agreed (example judgments, accepted when the demo was seeded).";

/** The cells both example reviewers judged alike: the demo starts with these accepted as the consensus. */
export function agreedExampleCells(): { position: number; domain: number; judgment: RobJudgmentValue }[] {
  const rows = exampleRobJudgments();
  const second = new Map(rows.filter((r) => r.reviewer === 2).map((r) => [`${r.position}:${r.domain}`, r.judgment]));
  return rows.filter((r) => r.reviewer === 1 && second.get(`${r.position}:${r.domain}`) === r.judgment).map(({ position, domain, judgment }) => ({ position, domain, judgment }));
}
