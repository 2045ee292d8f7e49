import { sqliteTable, integer, text, real, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt, version } from "./columns";
import { users } from "./auth";
import { reviews } from "./reviews";
import { studies } from "./studies";
import { storedFiles } from "./files";

/*
 * Screening: search results imported per source, deduplicated, screened by two reviewers independently
 * (title/abstract, then full text), conflicts settled, included records linked to studies. The PRISMA 2020
 * counts are computed from these tables (server/services/screening-prisma.ts), never typed.
 */

export const referenceFormats = ["ris", "nbib", "pubmed-xml", "bibtex", "csv"] as const;
export const searchStatuses = ["importing", "complete"] as const;
export const screeningStages = ["title_abstract", "full_text"] as const;
export type ScreeningStage = (typeof screeningStages)[number];
export const screeningDecisionValues = ["include", "exclude", "maybe"] as const;
export type ScreeningDecisionValue = (typeof screeningDecisionValues)[number];
export const screeningOrders = ["prioritised", "original"] as const;
export type ScreeningOrder = (typeof screeningOrders)[number];
export const mergeKinds = ["doi", "pmid", "manual"] as const;
export const candidateStatuses = ["pending", "merged", "kept_apart"] as const;

/** One search as run and imported: the source, date and query are the report's search strategy (PRISMA item 7). */
export const screeningSearches = sqliteTable(
  "screening_searches",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    reviewId: integer("review_id")
      .notNull()
      .references(() => reviews.id, { onDelete: "cascade" }),
    /** Database or register searched (PubMed, Embase, Web of Science…): PRISMA's "identified from" per source. */
    source: text("source").notNull(),
    searchedOn: text("searched_on").notNull(),
    query: text("query").notNull().default(""),
    fileName: text("file_name").notNull().default(""),
    format: text("format", { enum: referenceFormats }).notNull(),
    /** "importing" while chunks arrive; only complete searches count anywhere. */
    status: text("status", { enum: searchStatuses }).notNull().default("importing"),
    recordCount: integer("record_count").notNull().default(0),
    importedBy: integer("imported_by")
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    version: version(),
  },
  (t) => [index("screening_searches_review_idx").on(t.reviewId)],
);

/** One bibliographic record as imported (a "report" in PRISMA's words). */
export const screeningRecords = sqliteTable(
  "screening_records",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    reviewId: integer("review_id")
      .notNull()
      .references(() => reviews.id, { onDelete: "cascade" }),
    searchId: integer("search_id")
      .notNull()
      .references(() => screeningSearches.id, { onDelete: "cascade" }),
    title: text("title").notNull().default(""),
    abstract: text("abstract").notNull().default(""),
    /** JSON array of "Family, Given" strings, in the order printed. */
    authors: text("authors").notNull().default("[]"),
    year: integer("year"),
    journal: text("journal").notNull().default(""),
    /** Lower-case, without a resolver prefix ("10.1000/xyz"); "" when the record has none. */
    doi: text("doi").notNull().default(""),
    pmid: text("pmid").notNull().default(""),
    /** JSON array of keywords. */
    keywords: text("keywords").notNull().default("[]"),
    url: text("url").notNull().default(""),
    /** Normalised title and first author's surname, for likely-duplicate blocking. */
    titleKey: text("title_key").notNull().default(""),
    /** The record this one was merged into as a duplicate (null: it is screened itself). */
    duplicateOf: integer("duplicate_of"),
    /** Full text sought but not obtained (PRISMA "reports not retrieved"), with why. */
    notRetrieved: integer("not_retrieved", { mode: "boolean" }).notNull().default(false),
    notRetrievedReason: text("not_retrieved_reason").notNull().default(""),
    /** The study this record reports (set when an included record becomes a study, or linked by hand). */
    studyId: integer("study_id").references(() => studies.id, { onDelete: "set null" }),
    /** The full text (a PDF in the review's file store) the full-text screeners read. */
    fullTextFileId: integer("full_text_file_id").references(() => storedFiles.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    index("screening_records_review_idx").on(t.reviewId, t.id),
    index("screening_records_doi_idx").on(t.reviewId, t.doi),
    index("screening_records_pmid_idx").on(t.reviewId, t.pmid),
    index("screening_records_dup_idx").on(t.duplicateOf),
    index("screening_records_study_idx").on(t.studyId),
  ],
);

/** A merge of one record into another as its duplicate; undoing it keeps the row (undoneAt), so merges stay counted and traceable. */
export const screeningMerges = sqliteTable(
  "screening_merges",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    reviewId: integer("review_id")
      .notNull()
      .references(() => reviews.id, { onDelete: "cascade" }),
    duplicateId: integer("duplicate_id")
      .notNull()
      .references(() => screeningRecords.id, { onDelete: "cascade" }),
    keptId: integer("kept_id")
      .notNull()
      .references(() => screeningRecords.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: mergeKinds }).notNull(),
    /** The likely-duplicate score when a person merged a queued pair; null for exact DOI/PMID matches. */
    score: real("score"),
    mergedBy: integer("merged_by")
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    undoneAt: text("undone_at"),
    undoneBy: integer("undone_by").references(() => users.id),
  },
  (t) => [index("screening_merges_review_idx").on(t.reviewId), index("screening_merges_dup_idx").on(t.duplicateId)],
);

/** A likely duplicate pair queued for a person: merge, or keep apart. */
export const screeningDuplicateCandidates = sqliteTable(
  "screening_duplicate_candidates",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    reviewId: integer("review_id")
      .notNull()
      .references(() => reviews.id, { onDelete: "cascade" }),
    /** The earlier record (kept when merged) and the later one. */
    recordA: integer("record_a")
      .notNull()
      .references(() => screeningRecords.id, { onDelete: "cascade" }),
    recordB: integer("record_b")
      .notNull()
      .references(() => screeningRecords.id, { onDelete: "cascade" }),
    score: real("score").notNull(),
    /** Which fields agreed, as shown to the person deciding (JSON). */
    evidence: text("evidence").notNull().default("{}"),
    status: text("status", { enum: candidateStatuses }).notNull().default("pending"),
    decidedBy: integer("decided_by").references(() => users.id),
    decidedAt: text("decided_at"),
    version: version(),
  },
  (t) => [uniqueIndex("screening_candidates_pair_uq").on(t.recordA, t.recordB), index("screening_candidates_review_idx").on(t.reviewId, t.status)],
);

/** One reviewer's own decision on one record at one stage. */
export const screeningDecisions = sqliteTable(
  "screening_decisions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    reviewId: integer("review_id")
      .notNull()
      .references(() => reviews.id, { onDelete: "cascade" }),
    recordId: integer("record_id")
      .notNull()
      .references(() => screeningRecords.id, { onDelete: "cascade" }),
    stage: text("stage", { enum: screeningStages }).notNull(),
    reviewerId: integer("reviewer_id")
      .notNull()
      .references(() => users.id),
    decision: text("decision", { enum: screeningDecisionValues }).notNull(),
    /** Full-text exclusions: one of the review's exclusion reasons. */
    reasonId: integer("reason_id").references(() => screeningExclusionReasons.id),
    note: text("note").notNull().default(""),
    /** The order the reviewer was screening in when deciding: the report states which was used. */
    screeningOrder: text("screening_order", { enum: screeningOrders }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    uniqueIndex("screening_decisions_uq").on(t.recordId, t.stage, t.reviewerId),
    index("screening_decisions_review_idx").on(t.reviewId, t.stage, t.reviewerId),
  ],
);

/** The settled outcome of a conflict (or of agreement overruled), by the lead or the named third reviewer. */
export const screeningResolutions = sqliteTable(
  "screening_resolutions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    reviewId: integer("review_id")
      .notNull()
      .references(() => reviews.id, { onDelete: "cascade" }),
    recordId: integer("record_id")
      .notNull()
      .references(() => screeningRecords.id, { onDelete: "cascade" }),
    stage: text("stage", { enum: screeningStages }).notNull(),
    decision: text("decision", { enum: ["include", "exclude"] }).notNull(),
    reasonId: integer("reason_id").references(() => screeningExclusionReasons.id),
    note: text("note").notNull().default(""),
    decidedBy: integer("decided_by")
      .notNull()
      .references(() => users.id),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [uniqueIndex("screening_resolutions_uq").on(t.recordId, t.stage), index("screening_resolutions_review_idx").on(t.reviewId, t.stage)],
);

/** The review's list of full-text exclusion reasons (the lead edits it); PRISMA reports exclusions by these. */
export const screeningExclusionReasons = sqliteTable(
  "screening_exclusion_reasons",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    reviewId: integer("review_id")
      .notNull()
      .references(() => reviews.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    position: integer("position").notNull(),
    createdAt: createdAt(),
    version: version(),
  },
  (t) => [uniqueIndex("screening_reasons_label_uq").on(t.reviewId, t.label), index("screening_reasons_review_idx").on(t.reviewId, t.position)],
);

/** Per review: the two screeners, the third reviewer, the highlighted terms and the order offered. */
export const screeningSettings = sqliteTable("screening_settings", {
  reviewId: integer("review_id")
    .primaryKey()
    .references(() => reviews.id, { onDelete: "cascade" }),
  reviewer1Id: integer("reviewer1_id").references(() => users.id),
  reviewer2Id: integer("reviewer2_id").references(() => users.id),
  arbiterId: integer("arbiter_id").references(() => users.id),
  /** JSON arrays of terms highlighted in titles and abstracts ("*" at the end matches any ending). */
  includeTerms: text("include_terms").notNull().default("[]"),
  excludeTerms: text("exclude_terms").notNull().default("[]"),
  order: text("screening_order", { enum: screeningOrders }).notNull().default("prioritised"),
  updatedAt: updatedAt(),
  version: version(),
});
