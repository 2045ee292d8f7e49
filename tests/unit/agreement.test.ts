import { describe, expect, it } from "vitest";
import { exampleRobJudgments } from "@/db/seed/example-rob";
import { cohensKappa } from "@/server/services/agreement";

type J = "low" | "unclear" | "high";
const levels: J[] = ["low", "unclear", "high"];

/** Pairs from a contingency table: rows are rater A's category, columns rater B's. */
function fromTable<C extends string>(categories: readonly C[], table: number[][]): [C, C][] {
  return table.flatMap((row, i) => row.flatMap((count, j) => Array.from({ length: count }, () => [categories[i]!, categories[j]!] as [C, C])));
}

describe("Cohen's kappa and percent agreement", () => {
  it("matches a small example worked by hand", () => {
    // 10 items. A: 5 low, 3 unclear, 2 high. B: 4 low, 4 unclear, 2 high. Agreements: 4 + 2 + 1 = 7.
    //   po = 7/10 = 0.7
    //   pe = (5·4 + 3·4 + 2·2) / 10² = 36/100 = 0.36
    //   κ  = (0.7 − 0.36) / (1 − 0.36) = 0.34 / 0.64 = 0.53125
    const pairs = fromTable(levels, [
      [4, 1, 0],
      [0, 2, 1],
      [0, 1, 1],
    ]);
    const result = cohensKappa(pairs, levels);
    expect(result).toMatchObject({ n: 10, agreed: 7, undefinedBecause: null });
    expect(result.observed).toBeCloseTo(0.7, 15);
    expect(result.expected).toBeCloseTo(0.36, 15);
    expect(result.kappa).toBeCloseTo(0.53125, 15);
  });

  it("reproduces Fleiss' textbook example (κ = 0.68)", () => {
    // Fleiss JL, Levin B, Paik MC. Statistical Methods for Rates and Proportions, 3rd ed. Wiley 2003, Table 18.1:
    // two raters, 100 subjects, diagnoses psychotic / neurotic / organic; po = 0.89, pe = 0.66, κ = 0.23/0.34 = 0.68.
    // R (psy::ckappa, R 4.2.2) on the same 100 pairs: 0.6764706.
    const pairs = fromTable(["psychotic", "neurotic", "organic"], [
      [75, 1, 4],
      [5, 4, 1],
      [0, 0, 10],
    ]);
    const result = cohensKappa(pairs, ["psychotic", "neurotic", "organic"]);
    expect(result.observed).toBeCloseTo(0.89, 15);
    expect(result.expected).toBeCloseTo(0.66, 15);
    expect(result.kappa).toBeCloseTo(0.6764706, 7);
  });

  it("matches R's psy::ckappa on the demo's example judgments, per domain and overall", () => {
    // Computed in R 4.2.2 with psy 1.2 on reviewer 1 vs reviewer 2, studies 1–19, levels low/unclear/high:
    //   d <- read.csv("pairs.csv"); ckappa(data.frame(factor(d$r1, lv), factor(d$r2, lv)))$kappa
    // NaN in R (every judgment in one category) is `null` here, with the reason.
    const expected: Record<number, { agreement: number; kappa: number | null }> = {
      1: { agreement: 18 / 19, kappa: 0.8875739645 },
      2: { agreement: 1, kappa: null },
      3: { agreement: 18 / 19, kappa: 0 },
      4: { agreement: 1, kappa: 1 },
      5: { agreement: 18 / 19, kappa: 0.8901734104 },
      6: { agreement: 1, kappa: null },
      7: { agreement: 18 / 19, kappa: 0.882716049 },
      8: { agreement: 18 / 19, kappa: 0 },
      9: { agreement: 1, kappa: null },
      10: { agreement: 1, kappa: null },
    };
    const rows = exampleRobJudgments();
    const pairsOf = (domain: number): [J, J][] =>
      Array.from({ length: 19 }, (_, i) => {
        const find = (reviewer: 1 | 2) => rows.find((r) => r.position === i + 1 && r.domain === domain && r.reviewer === reviewer)!.judgment;
        return [find(1), find(2)];
      });
    for (let domain = 1; domain <= 10; domain++) {
      const result = cohensKappa(pairsOf(domain), levels);
      expect(result.n).toBe(19);
      expect(result.observed).toBeCloseTo(expected[domain]!.agreement, 12);
      if (expected[domain]!.kappa === null) {
        expect(result.kappa).toBeNull();
        expect(result.undefinedBecause).toBe("one category only");
      } else expect(result.kappa).toBeCloseTo(expected[domain]!.kappa!, 9);
    }
    const overall = cohensKappa(
      Array.from({ length: 10 }, (_, d) => pairsOf(d + 1)).flat(),
      levels,
    );
    expect(overall.n).toBe(190);
    expect(overall.observed).toBeCloseTo(185 / 190, 12);
    expect(overall.kappa).toBeCloseTo(0.947764887, 9);
  });

  it("gives κ = 1 for perfect agreement across categories and κ < 0 for systematic disagreement", () => {
    expect(cohensKappa(fromTable(levels, [[3, 0, 0], [0, 2, 0], [0, 0, 1]]), levels).kappa).toBe(1);
    // A always says low where B says high and vice versa: po = 0, pe = 0.5, κ = −1.
    const opposite = cohensKappa(fromTable(levels, [[0, 0, 2], [0, 0, 0], [2, 0, 0]]), levels);
    expect(opposite.observed).toBe(0);
    expect(opposite.kappa).toBeCloseTo(-1, 15);
  });

  it("returns no number (never NaN) when κ is not defined", () => {
    expect(cohensKappa([], levels)).toEqual({ n: 0, agreed: 0, observed: null, expected: null, kappa: null, undefinedBecause: "no items" });
    const allLow = cohensKappa(fromTable(levels, [[5, 0, 0], [0, 0, 0], [0, 0, 0]]), levels);
    expect(allLow).toMatchObject({ observed: 1, expected: 1, kappa: null, undefinedBecause: "one category only" });
  });

  it("refuses a rating outside the categories instead of miscounting it", () => {
    expect(() => cohensKappa([["low", "maybe" as J]], levels)).toThrow(/outside the categories/);
  });
});
