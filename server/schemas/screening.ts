import { z } from "zod";
import { screeningDecisionValues, screeningOrders, screeningStages, type ScreeningStage } from "@/db/schema/screening";
import { referenceFormatList, REFERENCE_LIMITS } from "@/server/screening/formats";
import { id, version } from "./common";

/*
 * Screening inputs, shared by the pages (checked before sending) and the procedures. Messages carry the
 * field's label, so that the same sentence reads right under a form field and in an API error.
 */

const text = (label: string, max: number) => z.string({ error: `${label} must be text` }).trim().max(max, `${label} must be at most ${max} characters`);
const required = (label: string, max: number) => text(label, max).min(1, `${label} is required`);

export const stageLabels: Record<ScreeningStage, string> = { title_abstract: "Title and abstract", full_text: "Full text" };
export const decisionLabels = { include: "Include", exclude: "Exclude", maybe: "Maybe" } as const;
export const screeningStage = z.enum(screeningStages, { error: "Stage must be title_abstract or full_text" });

/** Records per import request: with abstracts at their cap this stays under the 1 MB request limit in practice. */
export const IMPORT_CHUNK_RECORDS = 250;
/** A search may bring at most this many records (a 10 000-record export is the design load). */
export const MAX_RECORDS_PER_SEARCH = 50_000;

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

export const startImportInput = z.object({
  source: required("Source (database or register)", 200),
  searchedOn: z
    .string({ error: "Search date is required" })
    .regex(isoDate, "Search date must be a date (YYYY-MM-DD)")
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "Search date must be a real date")
    .refine((d) => d <= new Date(Date.now() + 86_400_000).toISOString().slice(0, 10), "Search date must not be in the future"),
  query: text("Search query", 20_000),
  fileName: text("File name", 300),
  format: z.enum(referenceFormatList, { error: `File format must be one of ${referenceFormatList.join(", ")}` }),
  expectedRecords: z.number().int().min(1, "The file has no records").max(MAX_RECORDS_PER_SEARCH, `A search may bring at most ${MAX_RECORDS_PER_SEARCH} records`),
});
export type StartImportInput = z.infer<typeof startImportInput>;

export const referenceRecordInput = z
  .object({
    title: text("Title", REFERENCE_LIMITS.title),
    abstract: text("Abstract", REFERENCE_LIMITS.abstract),
    authors: z.array(text("Author", REFERENCE_LIMITS.author)).max(REFERENCE_LIMITS.authors, `Authors: at most ${REFERENCE_LIMITS.authors}`),
    year: z.number().int().min(1500, "Year must be 1500 or later").max(2100, "Year must be 2100 or earlier").nullable(),
    journal: text("Journal", REFERENCE_LIMITS.journal),
    doi: text("DOI", 400).refine((v) => v === "" || /^10\.\d{4,9}\/\S+$/.test(v), "DOI must look like 10.xxxx/…"),
    pmid: text("PMID", 12).refine((v) => v === "" || /^\d{1,12}$/.test(v), "PMID must be digits"),
    keywords: z.array(text("Keyword", REFERENCE_LIMITS.keyword)).max(REFERENCE_LIMITS.keywords, `Keywords: at most ${REFERENCE_LIMITS.keywords}`),
    url: text("URL", REFERENCE_LIMITS.url),
    volume: text("Volume", REFERENCE_LIMITS.short).default(""),
    issue: text("Issue", REFERENCE_LIMITS.short).default(""),
    pages: text("Pages", REFERENCE_LIMITS.short).default(""),
  })
  .refine((r) => r.title || r.abstract || r.doi || r.pmid, "A record needs a title, an abstract, a DOI or a PMID");
export type ReferenceRecordInput = z.infer<typeof referenceRecordInput>;

export const importChunkInput = z.object({
  searchId: id,
  /** 0-based index of the chunk's first record in the file: a chunk sent twice (a retry) is recognised. */
  offset: z.number().int().min(0).max(MAX_RECORDS_PER_SEARCH),
  records: z.array(referenceRecordInput).min(1, "A chunk needs at least one record").max(IMPORT_CHUNK_RECORDS, `A chunk holds at most ${IMPORT_CHUNK_RECORDS} records`),
});
export type ImportChunkInput = z.infer<typeof importChunkInput>;

export const searchInput = z.object({ searchId: id });

export const decideInput = z.object({
  recordId: id,
  stage: screeningStage,
  decision: z.enum(screeningDecisionValues, { error: "Decision must be include, exclude or maybe" }),
  /** Full text, exclude: one of the review's exclusion reasons. */
  reasonId: id.nullable().default(null),
  note: text("Note", 2000).default(""),
  order: z.enum(screeningOrders, { error: "Order must be prioritised or original" }),
  /** The version of the caller's own decision being replaced; null for a first decision. */
  version: version.nullable(),
});
export type DecideInput = z.infer<typeof decideInput>;

export const undoInput = z.object({ recordId: id, stage: screeningStage, version });

export const queueInput = z.object({
  stage: screeningStage,
  order: z.enum(screeningOrders),
  limit: z.number().int().min(1).max(50).default(20),
});

export const resolveInput = z.object({
  recordId: id,
  stage: screeningStage,
  decision: z.enum(["include", "exclude"], { error: "Decision must be include or exclude" }),
  reasonId: id.nullable().default(null),
  note: text("Reason for the decision", 2000).default(""),
  version: version.nullable(),
});
export type ResolveInput = z.infer<typeof resolveInput>;

const termList = (label: string) =>
  z
    .array(required(label, 100))
    .max(200, `${label}: at most 200 terms`)
    .transform((terms) => [...new Set(terms)]);

export const settingsInput = z.object({
  reviewer1Id: id.nullable(),
  reviewer2Id: id.nullable(),
  arbiterId: id.nullable(),
  includeTerms: termList("Inclusion term"),
  excludeTerms: termList("Exclusion term"),
  order: z.enum(screeningOrders, { error: "Order must be prioritised or original" }),
  version: version.nullable(),
});
export type SettingsInput = z.infer<typeof settingsInput>;

export const reasonInput = z.object({ label: required("Exclusion reason", 200) });
export const renameReasonInput = z.object({ reasonId: id, label: required("Exclusion reason", 200), version });
export const removeReasonInput = z.object({ reasonId: id, version });

export const mergeCandidateInput = z.object({ candidateId: id, action: z.enum(["merge", "keep_apart"]), version });
export const undoMergeInput = z.object({ mergeId: id });

export const recordsListInput = z.object({
  filter: z.enum(["all", "duplicates", "included", "excluded", "conflicts", "awaiting"]).default("all"),
  search: text("Search", 200).default(""),
  page: z.number().int().min(1).max(100_000).default(1),
});

export const notRetrievedInput = z.object({ recordId: id, notRetrieved: z.boolean(), reason: text("Why not retrieved", 500).default(""), version });
export const createStudyInput = z.object({ recordId: id, version });
export const linkStudyInput = z.object({ recordId: id, studyId: id.nullable(), version });
export const recordInput = z.object({ recordId: id });
export const stageInput = z.object({ stage: screeningStage });

/** A full-text PDF for a record; the bytes come from the upload route (JSON clients cannot send them). */
export const attachFullTextInput = z.object({
  recordId: id,
  file: z.instanceof(Uint8Array, { message: "must be sent as a file upload" }),
  fileName: z.string().max(500).default(""),
  version,
});
export const detachFullTextInput = z.object({ recordId: id, version });
