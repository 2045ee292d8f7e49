import { z } from "zod";

/** The report's sections, in the order (each can be left out of a printout). */
export const reportSections = ["title", "question", "prisma", "methods", "table1", "results", "rob", "provenance"] as const;
export type ReportSection = (typeof reportSections)[number];
export const reportSectionLabels: Record<ReportSection, string> = {
  title: "Title page",
  question: "Question, PICOS and eligibility",
  prisma: "PRISMA 2020 flow diagram",
  methods: "Methods",
  table1: "Table 1",
  results: "Results",
  rob: "Risk of bias",
  provenance: "Data provenance",
};

export const paperSizes = ["a4", "letter"] as const;
export type PaperSize = (typeof paperSizes)[number];
export const paperLabels: Record<PaperSize, string> = { a4: "A4", letter: "US Letter" };

/** A comma-separated list in one query parameter, or the parameter repeated (?sections=a&sections=b). */
const listParam = <T extends z.ZodType>(item: T, max: number) =>
  z.preprocess(
    (raw) => (raw === undefined || raw === "" ? undefined : (Array.isArray(raw) ? raw : [raw]).flatMap((v) => String(v).split(",")).map((v) => v.trim()).filter(Boolean)),
    z.array(item).max(max).optional(),
  );

/**
 * The report's options as query parameters (the page, its options form and the PDF route read the same ones):
 * `paper=a4|letter`, `sections=title,prisma,…` (all when absent), `analyses=<saved analysis id>,…` (all when absent).
 */
export const reportOptionsSchema = z.object({
  paper: z.preprocess((raw) => (Array.isArray(raw) ? raw[0] : raw), z.enum(paperSizes).default("a4")),
  sections: listParam(z.enum(reportSections), reportSections.length),
  analyses: listParam(z.coerce.number().int().positive(), 1000),
  /** Set by the PDF renderer: Chromium draws the footer (page X of Y), so the page leaves its own out. */
  render: z.preprocess((raw) => (Array.isArray(raw) ? raw[0] : raw), z.enum(["pdf"]).optional()),
});
export type ReportOptions = z.output<typeof reportOptionsSchema>;

/** URLSearchParams or Next's searchParams object → a plain record zod can read (repeated keys become arrays). */
export function queryRecord(params: URLSearchParams | Record<string, string | string[] | undefined>): Record<string, unknown> {
  if (params instanceof URLSearchParams) {
    const out: Record<string, string[]> = {};
    for (const [key, value] of params) (out[key] ??= []).push(value);
    return out;
  }
  return { ...params };
}

/** The query string that reproduces `options` (defaults left out), for links between the page and the PDF. */
export function reportQuery(options: ReportOptions): string {
  const q = new URLSearchParams();
  if (options.paper !== "a4") q.set("paper", options.paper);
  if (options.sections) q.set("sections", options.sections.join(","));
  if (options.analyses) q.set("analyses", options.analyses.join(","));
  if (options.render) q.set("render", options.render);
  const text = q.toString();
  return text ? `?${text}` : "";
}
