/**
 * The analysis request (CONTRACT.md "Request"), validated with zod. Errors name the field by its path, e.g.
 * `studies[3].sd1: must be a number or null (got string)`, so that the CLI and the app can point at it.
 *
 * Not errors: a missing (null or absent) or non-finite arm value, n < 2, a negative SD... Such studies are
 * excluded with a reason by the engine, as the contract requires.
 */
import { z } from "zod";

const describe = (input: unknown) => (input === null ? "null" : Array.isArray(input) ? "array" : typeof input);

/** An error callback that says what was received; "is required" when the field is absent. */
const expected = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? "is required" : `must be ${what} (got ${describe(issue.input)})`;

const oneOf = (values: readonly string[]) => `must be one of ${values.map((v) => `"${v}"`).join(", ")}`;

/** An arm value: a number (non-finite numbers are accepted here and excluded later), null, or absent. */
const armValue = z
  .custom<number | null | undefined>((v) => v === undefined || v === null || typeof v === "number", {
    error: (issue) => `must be a number or null (got ${describe(issue.input)})`,
  })
  .optional();

export const MEASURES = ["MD", "SMD", "ROM", "NMD"] as const;
export const MODELS = ["fixed", "random", "auto"] as const;
export const TAU2_METHODS = ["DL", "REML", "PM", "HS", "SJ", "ML", "EB"] as const;
export const CI_METHODS = ["z", "hk"] as const;

export const studySchema = z.object({
  id: z
    .union([z.string().min(1, { error: "must not be empty" }), z.number()], { error: expected("a non-empty string") })
    .transform((id) => String(id)),
  m1: armValue,
  sd1: armValue,
  n1: armValue,
  m2: armValue,
  sd2: armValue,
  n2: armValue,
  group: z.string({ error: expected("a string or null") }).nullable().optional(),
  year: z.number({ error: expected("a number or null") }).nullable().optional(),
  controlGroup: z.string({ error: expected("a string or null") }).nullable().optional(),
  mSham: armValue,
  covariates: z
    .record(z.string(), z.custom<number | null>((v) => v === null || typeof v === "number", { error: (issue) => `must be a number or null (got ${describe(issue.input)})` }), {
      error: expected("an object of numbers"),
    })
    .nullable()
    .optional(),
});

/** The name metafor gives the intercept; a moderator may not take it. */
export const INTERCEPT_NAME = "intrcpt";

/** More covariates than this is no meta-regression a review of animal studies can support (and each costs O(k·p²)). */
export const MAX_MODERATORS = 20;

/** Moderator names: not blank, not the intercept's name, each once, at most MAX_MODERATORS. */
const moderatorsSchema = z
  .array(
    z
      .string({ error: expected("a covariate name (string)") })
      .refine((name) => name.trim() !== "", { error: "must not be blank" })
      .refine((name) => name !== INTERCEPT_NAME, { error: `"${INTERCEPT_NAME}" is the intercept's name; name the covariate otherwise` }),
    { error: expected("an array of covariate names") },
  )
  .max(MAX_MODERATORS, { error: `must name at most ${MAX_MODERATORS} covariates` })
  .superRefine((names, ctx) => {
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i) ctx.addIssue({ code: "custom", path: [i], message: `"${name}" is listed twice` });
    });
  });

/**
 * Extensions of the contract: `model: "auto"` applies the seed paper's selection rule; `cumulative` asks for a
 * cumulative meta-analysis in the given order ("input", "year" or a list of study ids). `moderators` (contract,
 * "Preclinical conventions") asks for a meta-regression on those covariates; an empty list asks for none.
 * Defaults: tau2Method "REML", ciMethod "z", level 0.95. Unknown top-level fields are errors (a misspelt
 * "tau2method" must not silently fall back to the default).
 */
export const analysisRequestSchema = z.strictObject(
  {
    measure: z.enum(MEASURES, { error: (issue) => (issue.input === undefined ? "is required" : oneOf(MEASURES)) }),
    model: z.enum(MODELS, { error: (issue) => (issue.input === undefined ? "is required" : oneOf(MODELS)) }),
    tau2Method: z.enum(TAU2_METHODS, { error: oneOf(TAU2_METHODS) }).default("REML"),
    ciMethod: z.enum(CI_METHODS, { error: oneOf(CI_METHODS) }).default("z"),
    level: z
      .number({ error: expected("a number") })
      .gt(0, { error: "must be between 0 and 1" })
      .lt(1, { error: "must be between 0 and 1" })
      .default(0.95),
    studies: z.array(studySchema, { error: expected("an array of studies") }),
    cumulative: z
      .union([z.literal("input"), z.literal("year"), z.array(z.string())], {
        error: 'must be "input", "year" or an array of study ids',
      })
      .optional(),
    moderators: moderatorsSchema.optional(),
  },
  { error: expected("an object") },
);

/** A validated request, defaults filled in. */
export type AnalysisRequest = z.output<typeof analysisRequestSchema>;
/** What a caller may send (defaults optional). */
export type AnalysisRequestInput = z.input<typeof analysisRequestSchema>;

export interface RequestError {
  /** e.g. "studies[3].sd1"; "" for the request itself. */
  path: string;
  message: string;
  /** One line: "path: message". */
  text: string;
}

export type ParseResult = { success: true; data: AnalysisRequest } | { success: false; error: RequestError };

/** `studies[3].sd1` from ["studies", 3, "sd1"]; `prefix` (e.g. "[2]") goes in front. */
export function formatPath(path: readonly PropertyKey[], prefix = ""): string {
  return path.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    prefix,
  );
}

/** The first problem with the request, as a path and a message (the CLI prints exactly one line). */
function firstError(error: z.ZodError, prefix: string): RequestError {
  const issue = error.issues[0]!;
  const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
  const path = formatPath(keys.length ? [...issue.path, keys[0]!] : issue.path, prefix);
  const message = keys.length ? "is not a known field" : issue.message;
  return { path, message, text: `${path || "request"}: ${message}` };
}

/**
 * Validates an unknown value (parsed JSON, a tRPC input) as an analysis request. `prefix` is put in front of the
 * field path, e.g. "[2]" for the third request of a batch.
 */
export function parseAnalysisRequest(input: unknown, prefix = ""): ParseResult {
  const parsed = analysisRequestSchema.safeParse(input);
  return parsed.success ? { success: true, data: parsed.data } : { success: false, error: firstError(parsed.error, prefix) };
}
