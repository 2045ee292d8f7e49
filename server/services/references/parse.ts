import "server-only";
// citation-js parses and writes RIS and BibTeX (the formats Zotero, EndNote, Mendeley and Rayyan export).
import { Cite } from "@citation-js/core";
import "@citation-js/plugin-ris";
import "@citation-js/plugin-bibtex";

/**
 * Reference files in, normalised records out: the one interface the rest of the app uses (the screening work,
 * issue 15, parses the same files; the two are meant to merge behind `parseReferences`).
 */
export type ReferenceRecord = {
  title: string;
  /** "Family, Given" per author, in order. */
  authors: string[];
  year: number | null;
  journal: string;
  doi: string;
  pmid: string;
  abstract: string;
  keywords: string[];
};
export type ReferenceFormat = "ris" | "bibtex" | "nbib";

type CslName = { family?: string; given?: string; literal?: string };
type Csl = {
  title?: string;
  author?: CslName[];
  issued?: { "date-parts"?: (number | string)[][]; literal?: string };
  "container-title"?: string;
  "container-title-short"?: string;
  DOI?: string;
  PMID?: string;
  abstract?: string;
  keyword?: string;
};

/** PubMed's MEDLINE tags (https://www.nlm.nih.gov/bsd/mms/medlineelements.html) that have an RIS counterpart. */
const medlineToRis: Record<string, string> = { TI: "TI", FAU: "AU", JT: "T2", TA: "J2", AB: "AB", VI: "VL", IP: "IS", PG: "SP", OT: "KW", MH: "KW", PMID: "AN" };

/**
 * A PubMed .nbib file is MEDLINE, which is RIS-like (tag, dash, value; continuation lines indented by six spaces):
 * translated tag by tag to RIS so that the same maintained parser reads it. DOIs come from "LID/AID … [doi]", the
 * year from "DP".
 */
function medlineToRisText(text: string): { ris: string; pmids: string[] } {
  const records: string[] = [];
  const pmids: string[] = [];
  for (const block of text.split(/\r?\n\s*\r?\n(?=PMID-)/)) {
    const fields: [string, string][] = [];
    for (const line of block.split(/\r?\n/)) {
      const tagged = /^([A-Z]{2,4})\s*-\s?(.*)$/.exec(line);
      if (tagged) fields.push([tagged[1]!, tagged[2]!.trim()]);
      else if (/^\s{2,}\S/.test(line) && fields.length) fields[fields.length - 1]![1] += ` ${line.trim()}`;
    }
    if (!fields.some(([tag]) => tag === "PMID")) continue;
    const hasFullNames = fields.some(([tag]) => tag === "FAU");
    const out = ["TY  - JOUR"];
    for (const [tag, value] of fields) {
      if (tag === "PMID") pmids.push(value);
      if (tag === "AU" && !hasFullNames) out.push(`AU  - ${value}`);
      else if (tag === "DP") out.push(`PY  - ${value.slice(0, 4)}`);
      else if ((tag === "LID" || tag === "AID") && /\[doi\]$/.test(value)) out.push(`DO  - ${value.replace(/\s*\[doi\]$/, "")}`);
      else if (medlineToRis[tag]) out.push(`${medlineToRis[tag]}  - ${value}`);
    }
    out.push("ER  - ");
    records.push(out.join("\n"));
  }
  return { ris: `${records.join("\n\n")}\n`, pmids };
}

export function detectFormat(text: string): ReferenceFormat | null {
  if (/^PMID-\s*\d+/m.test(text)) return "nbib";
  if (/^\s*TY\s{1,2}-/m.test(text)) return "ris";
  if (/@\w+\s*[{(]/.test(text)) return "bibtex";
  return null;
}

const nameOf = (a: CslName) => (a.literal ?? [a.family, a.given].filter(Boolean).join(", ")).trim();
const stripMarkup = (s: string | undefined) => (s ?? "").replace(/<[^>]+>/g, "").replace(/\s+/g, " ").trim();

function toRecord(item: Csl, pmid?: string): ReferenceRecord {
  const yearPart = item.issued?.["date-parts"]?.[0]?.[0] ?? item.issued?.literal;
  const year = yearPart === undefined ? null : Number.parseInt(String(yearPart), 10);
  return {
    title: stripMarkup(item.title),
    authors: (item.author ?? []).map(nameOf).filter(Boolean),
    year: year !== null && Number.isFinite(year) ? year : null,
    journal: stripMarkup(item["container-title"] ?? item["container-title-short"]),
    doi: (item.DOI ?? "").replace(/^https?:\/\/(dx\.)?doi\.org\//i, "").trim(),
    pmid: (pmid ?? item.PMID ?? "").trim(),
    abstract: stripMarkup(item.abstract),
    keywords: (item.keyword ?? "")
      .split(/[,;]/)
      .map((k) => k.trim())
      .filter(Boolean),
  };
}

/** Parses RIS, BibTeX or PubMed (nbib) text into normalised records; throws with a message if it is none of them. */
export function parseReferences(text: string): { format: ReferenceFormat; records: ReferenceRecord[] } {
  const format = detectFormat(text);
  if (!format) throw new Error("is not a RIS, BibTeX or PubMed (nbib) file.");
  const { ris, pmids } = format === "nbib" ? medlineToRisText(text) : { ris: text, pmids: [] };
  let items: Csl[];
  try {
    items = new Cite(format === "bibtex" ? text : ris, { forceType: format === "bibtex" ? "@biblatex/text" : "@ris/file" }).data as Csl[];
  } catch (error) {
    throw new Error(`could not be read as ${format === "bibtex" ? "BibTeX" : format === "ris" ? "RIS" : "PubMed"} (${error instanceof Error ? error.message : String(error)}).`);
  }
  return { format, records: items.map((item, i) => toRecord(item, pmids[i])) };
}

/** First author as the review cites them: "Smith et al." (or "Smith" alone for a single author). */
export function citationAuthor(authors: string[]): string {
  const family = (authors[0] ?? "").split(",")[0]!.trim();
  if (!family) return "";
  return authors.length > 1 ? `${family} et al.` : family;
}

/** Writes records as RIS or BibTeX with citation-js. */
export function formatReferences(records: (ReferenceRecord & { id: string })[], format: "ris" | "bibtex"): string {
  const csl = records.map((r) => ({
    id: r.id,
    type: "article-journal",
    title: r.title || undefined,
    author: r.authors.map((a) => {
      const [family, given] = a.split(",").map((p) => p.trim());
      return given ? { family, given } : { family };
    }),
    ...(r.year !== null ? { issued: { "date-parts": [[r.year]] } } : {}),
    "container-title": r.journal || undefined,
    DOI: r.doi || undefined,
    PMID: r.pmid || undefined,
    abstract: r.abstract || undefined,
    keyword: r.keywords.join(",") || undefined,
  }));
  if (csl.length === 0) return "";
  return new Cite(csl).format(format === "ris" ? "ris" : "bibtex", { format: "text" }) as string;
}
