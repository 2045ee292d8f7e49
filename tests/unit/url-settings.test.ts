import { describe, expect, it } from "vitest";
import { changedSettings, searchFor, settingsFromSearch } from "@/app/reviews/[id]/analysis/url-settings";
import { analysisSettingsSchema } from "@/server/schemas/analysis-settings";

/** The analysis page keeps explored settings in its address: the preclinical options must survive the round trip. */
const base = analysisSettingsSchema.parse({ outcomeId: 3, model: "fixed" });

describe("analysis settings in the address", () => {
  it("carries lists (strata, moderators), the combine option and the risk-of-bias restriction there and back", () => {
    const explored = { ...base, measure: "NMD" as const, combineTreatedArms: true, lowRiskDomain: "D7" as const, strata: ["c:12", "rob:D7", "arm:dose"], moderators: ["dose", "c:4"] };
    const search = searchFor(explored, base, 5);
    expect(search.toString()).toBe("analysis=5&measure=NMD&combine=true&lowrisk=D7&strata=c%3A12%2Crob%3AD7%2Carm%3Adose&moderators=dose%2Cc%3A4");
    expect(settingsFromSearch(new URLSearchParams(search.toString()), base)).toEqual(explored);
    expect(changedSettings(explored, base)).toEqual(["measure", "combineTreatedArms", "lowRiskDomain", "strata", "moderators"]);
  });

  it("sees equal lists as unchanged, and an emptied list as a change", () => {
    const saved = { ...base, strata: ["c:1"] };
    expect(changedSettings({ ...saved, strata: ["c:1"] }, saved)).toEqual([]);
    const emptied = { ...saved, strata: [] };
    expect(changedSettings(emptied, saved)).toEqual(["strata"]);
    expect(settingsFromSearch(new URLSearchParams(searchFor(emptied, saved, null).toString()), saved).strata).toEqual([]);
  });

  it("keeps the saved value when the address holds an invalid one", () => {
    const saved = { ...base, strata: ["c:1"], moderators: ["year"] };
    const read = settingsFromSearch(new URLSearchParams("strata=rob:D99&moderators=year,year&combine=maybe&lowrisk=D11"), saved);
    expect(read).toEqual(saved);
  });
});
