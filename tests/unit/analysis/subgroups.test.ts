import { describe, expect, it } from "vitest";
import { loadReference, run } from "./helpers";

describe("subgroups", () => {
  it("gives each group the heterogeneity test of that group analysed on its own", () => {
    const studies = loadReference("bbb_like_21").studies as { group?: string }[];
    for (const model of ["fixed", "random"] as const) {
      const whole = run({ measure: "MD", model, tau2Method: "REML", studies });
      expect(whole.subgroups?.groups.length).toBeGreaterThan(1);
      for (const group of whole.subgroups!.groups) {
        const alone = run({ measure: "MD", model, tau2Method: "REML", studies: studies.filter((s) => (s.group ?? "Unspecified") === group.name) });
        expect(group.k).toBe(alone.k);
        expect(group.Q).toBeCloseTo(alone.heterogeneity!.Q, 10);
        expect(group.QpValue).toBeCloseTo(alone.heterogeneity!.pValue, 12);
        expect(group.estimate).toBeCloseTo(alone.pooled!.estimate, 10);
      }
    }
  });
});
