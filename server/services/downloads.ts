import "server-only";
import type { DbOrTx } from "@/db/client";
import { AppError } from "@/server/errors";
import { writeCsv, writeXlsx, type OutSheet } from "@/server/io/spreadsheet";
import type { ExportFile } from "@/server/schemas/data-import";
import { allAnalysesSheets, analysisSheet, metaforSheet, outcomeDataSheets, revmanSheets, studyDataSheets, table1Sheet } from "./data-export";
import { valuesHiddenFromBlindReader } from "./figures";
import { analysisRScript } from "./r-script";
import { referencesExport } from "./references";
import { prismaCsv, prismaSvg } from "@/server/report/prisma";
import { reviewPrisma } from "./report";
import { exportReviewArchive } from "./review-archive";
import { robCsv, type Caller } from "./risk-of-bias";
import { getReview } from "./reviews";
import { getSavedAnalysis, listSavedAnalyses } from "./saved-analyses";

/** A file to download: text (UTF-8) or binary (base64), with its name and type. */
export type Download = { filename: string; contentType: string; encoding: "utf8" | "base64"; content: string };

const CSV = "text/csv; charset=utf-8";
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const csv = (filename: string, sheet: OutSheet): Download => ({ filename, contentType: CSV, encoding: "utf8", content: writeCsv(sheet) });
const xlsx = (filename: string, sheets: OutSheet[]): Download => ({ filename, contentType: XLSX, encoding: "base64", content: writeXlsx(sheets).toString("base64") });

/** "Stem cell-derived exosomes…" → "stem-cell-derived-exosomes" for file names. */
const slug = (title: string) =>
  title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40) || "review";

/** The files that hold no outcome value: a blind reader of a figure may still take them. */
const withoutOutcomeValues: readonly ExportFile[] = ["template.csv", "template.xlsx", "table1.csv", "table1.xlsx", "robvis.csv", "revman-risk-of-bias.csv", "references.ris", "references.bib", "prisma.svg", "prisma.csv"];

/**
 * Builds one of the Data page's files for a member of the review (what each holds: services/data-export.ts).
 * A member reading a figure blind gets no file with outcome values until their reading is complete: the files
 * would show the other reading's values, which the study page and the analysis hide from them.
 */
export function buildDownload(db: DbOrTx, reviewId: number, caller: Caller, file: ExportFile, analysisId?: number): Download {
  const base = slug(getReview(db, reviewId).title);
  if (!withoutOutcomeValues.includes(file)) {
    const hidden = [...new Set(valuesHiddenFromBlindReader(db, reviewId, caller.user.id).values())];
    if (hidden.length)
      throw new AppError("forbidden", `You are reading ${hidden.join(", ")} blind: files with outcome values are available to you once your reading is complete.`);
  }
  const needAnalysis = () => {
    if (analysisId === undefined) throw new AppError("invalid", "Analysis: choose a saved analysis for this file.", "analysisId");
    return getSavedAnalysis(db, reviewId, analysisId);
  };
  switch (file) {
    case "study-data.csv":
      return csv(`${base}-study-data.csv`, studyDataSheets(db, reviewId).combined);
    case "study-data.xlsx": {
      const s = studyDataSheets(db, reviewId);
      return xlsx(`${base}-study-data.xlsx`, [s.studies, s.values, s.setup]);
    }
    case "template.csv":
      return csv(`${base}-template.csv`, studyDataSheets(db, reviewId, { empty: true }).combined);
    case "template.xlsx": {
      const s = studyDataSheets(db, reviewId, { empty: true });
      return xlsx(`${base}-template.xlsx`, [s.studies, s.values, s.setup]);
    }
    case "table1.csv":
      return csv(`${base}-table-1.csv`, table1Sheet(db, reviewId));
    case "table1.xlsx":
      return xlsx(`${base}-table-1.xlsx`, [table1Sheet(db, reviewId)]);
    case "outcome-data.csv":
      return csv(`${base}-outcome-data-as-analysed.csv`, outcomeDataSheets(db, reviewId).analysed);
    case "outcome-data.xlsx": {
      const o = outcomeDataSheets(db, reviewId);
      return xlsx(`${base}-outcome-data.xlsx`, [o.entered, o.analysed]);
    }
    case "analyses.xlsx":
      return xlsx(`${base}-analyses.xlsx`, allAnalysesSheets(db, reviewId));
    case "analysis.csv": {
      const a = needAnalysis();
      return csv(`${base}-analysis-${a.number}.csv`, analysisSheet(db, reviewId, a));
    }
    case "metafor.csv": {
      const a = needAnalysis();
      return csv(`${base}-analysis-${a.number}-metafor.csv`, metaforSheet(db, reviewId, a.id).sheet);
    }
    case "analysis.R": {
      const a = needAnalysis();
      const script = analysisRScript(db, reviewId, a.id);
      return { filename: script.filename, contentType: "text/plain; charset=utf-8", encoding: "utf8", content: script.text };
    }
    case "revman-study-information.csv":
      return csv(`${base}-revman-study-information.csv`, revmanSheets(db, reviewId, caller).studyInformation);
    case "revman-arms.csv":
      return csv(`${base}-revman-arms.csv`, revmanSheets(db, reviewId, caller).arms);
    case "revman-results.csv":
      return csv(`${base}-revman-results.csv`, revmanSheets(db, reviewId, caller).results);
    case "revman-risk-of-bias.csv":
      return csv(`${base}-revman-risk-of-bias.csv`, revmanSheets(db, reviewId, caller).riskOfBias);
    case "robvis.csv": {
      const r = robCsv(db, reviewId, caller, "consensus");
      return { filename: r.filename, contentType: CSV, encoding: "utf8", content: r.csv };
    }
    case "references.ris":
      return { filename: `${base}-references.ris`, contentType: "application/x-research-info-systems; charset=utf-8", encoding: "utf8", content: referencesExport(db, reviewId, "ris") };
    case "references.bib":
      return { filename: `${base}-references.bib`, contentType: "application/x-bibtex; charset=utf-8", encoding: "utf8", content: referencesExport(db, reviewId, "bibtex") };
    case "review.json":
      return { filename: `${base}-review.json`, contentType: "application/json; charset=utf-8", encoding: "utf8", content: JSON.stringify(exportReviewArchive(db, reviewId), null, 1) };
    // The report's PRISMA 2020 flow diagram alone: the same SVG the report embeds, and the PRISMA2020 R package's CSV.
    case "prisma.svg":
      return { filename: `${base}-prisma-2020.svg`, contentType: "image/svg+xml; charset=utf-8", encoding: "utf8", content: prismaSvg(reviewPrisma(db, reviewId)) };
    case "prisma.csv":
      return { filename: `${base}-prisma-2020.csv`, contentType: CSV, encoding: "utf8", content: prismaCsv(reviewPrisma(db, reviewId)) };
  }
}

/** The saved analyses a download can be made for (the page lists one row of files per analysis). */
export const downloadableAnalyses = (db: DbOrTx, reviewId: number) => listSavedAnalyses(db, reviewId).map((a) => ({ id: a.id, number: a.number, title: a.title }));
