/**
 * Request validation: defaults, and one error naming the field path.
 */
import { describe, expect, it } from "vitest";
import { parseAnalysisRequest } from "@/server/analysis";

const study = { id: "a", m1: 1, sd1: 1, n1: 5, m2: 0, sd2: 1, n2: 5 };

function errorOf(input: unknown, prefix?: string): string {
  const r = parseAnalysisRequest(input, prefix);
  if (r.success) throw new Error("expected an error");
  return r.error.text;
}

describe("parseAnalysisRequest", () => {
  it("fills the defaults and keeps the studies", () => {
    const r = parseAnalysisRequest({ measure: "SMD", model: "random", studies: [study, { id: 7, m1: null }] });
    expect(r.success).toBe(true);
    if (!r.success) return;
    expect(r.data).toMatchObject({ measure: "SMD", model: "random", tau2Method: "REML", ciMethod: "z", level: 0.95 });
    expect(r.data.studies[1]).toEqual({ id: "7", m1: null });
  });

  it("names the field of the first problem", () => {
    expect(errorOf({ model: "fixed", studies: [] })).toBe("measure: is required");
    expect(errorOf({ measure: "OR", model: "fixed", studies: [] })).toBe('measure: must be one of "MD", "SMD", "ROM", "NMD"');
    expect(errorOf({ measure: "MD", model: "mixed", studies: [] })).toBe('model: must be one of "fixed", "random", "auto"');
    expect(errorOf({ measure: "MD", model: "random", tau2Method: "REM", studies: [] })).toBe(
      'tau2Method: must be one of "DL", "REML", "PM", "HS", "SJ", "ML", "EB"',
    );
    expect(errorOf({ measure: "MD", model: "fixed", level: 0, studies: [] })).toBe("level: must be between 0 and 1");
    expect(errorOf({ measure: "MD", model: "fixed", level: "95%", studies: [] })).toBe("level: must be a number (got string)");
    expect(errorOf({ measure: "MD", model: "fixed", studies: {} })).toBe("studies: must be an array of studies (got object)");
    expect(errorOf({ measure: "MD", model: "fixed", studies: [study, study, study, { ...study, sd1: "x" }] })).toBe(
      "studies[3].sd1: must be a number or null (got string)",
    );
    expect(errorOf({ measure: "MD", model: "fixed", studies: [{ ...study, id: "" }] })).toBe("studies[0].id: must not be empty");
    expect(errorOf({ measure: "MD", model: "fixed", studies: [{ ...study, id: undefined }] })).toBe("studies[0].id: is required");
    expect(errorOf({ measure: "MD", model: "fixed", studies: [{ ...study, group: 3 }] })).toBe("studies[0].group: must be a string or null (got number)");
  });

  it("rejects unknown top-level fields (a misspelt option must not fall back to its default)", () => {
    expect(errorOf({ measure: "MD", model: "random", tau2method: "DL", studies: [] })).toBe("tau2method: is not a known field");
  });

  it("prefixes the path for a request in a batch, and names a non-object request", () => {
    expect(errorOf({ measure: "MD", model: "fixed", level: 2, studies: [] }, "[2]")).toBe("[2].level: must be between 0 and 1");
    expect(errorOf("MD", "[0]")).toBe("[0]: must be an object (got string)");
    expect(errorOf(null)).toBe("request: must be an object (got null)");
  });

  it("accepts the preclinical fields and names their field when wrong", () => {
    const r = parseAnalysisRequest({
      measure: "NMD",
      model: "random",
      moderators: ["dose", "day"],
      studies: [{ ...study, controlGroup: "S1", mSham: 21, covariates: { dose: 50, day: null } }],
    });
    expect(r.success).toBe(true);
    if (r.success) expect(r.data.studies[0]).toMatchObject({ controlGroup: "S1", mSham: 21, covariates: { dose: 50, day: null } });
    const nmd = { measure: "NMD", model: "fixed" };
    expect(errorOf({ ...nmd, studies: [study, study, { ...study, mSham: "21" }] })).toBe("studies[2].mSham: must be a number or null (got string)");
    expect(errorOf({ ...nmd, studies: [{ ...study, controlGroup: 3 }] })).toBe("studies[0].controlGroup: must be a string or null (got number)");
    expect(errorOf({ ...nmd, studies: [{ ...study, covariates: { dose: "50" } }] })).toBe("studies[0].covariates.dose: must be a number or null (got string)");
    expect(errorOf({ ...nmd, studies: [{ ...study, covariates: [50] }] })).toBe("studies[0].covariates: must be an object of numbers (got array)");
    expect(errorOf({ ...nmd, studies: [], moderators: "dose" })).toBe("moderators: must be an array of covariate names (got string)");
    expect(errorOf({ ...nmd, studies: [], moderators: ["dose", 3] })).toBe("moderators[1]: must be a covariate name (string) (got number)");
    expect(errorOf({ ...nmd, studies: [], moderators: ["dose", "dose"] })).toBe('moderators[1]: "dose" is listed twice');
    expect(errorOf({ ...nmd, studies: [], moderators: [" "] })).toBe("moderators[0]: must not be blank");
    expect(errorOf({ ...nmd, studies: [], moderators: ["intrcpt"] })).toBe('moderators[0]: "intrcpt" is the intercept\'s name; name the covariate otherwise');
    expect(errorOf({ ...nmd, studies: [], moderators: Array.from({ length: 21 }, (_, i) => `x${i}`) })).toBe("moderators: must name at most 20 covariates");
    expect(errorOf({ measure: "OR", model: "fixed", studies: [] })).toBe('measure: must be one of "MD", "SMD", "ROM", "NMD"');
  });
});
