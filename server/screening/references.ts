/**
 * Reference files → normalised bibliographic records, in one pure module shared by the browser (screening
 * import, parsed where the file is, then sent in bounded chunks) and the server (data import, issue 12).
 *
 * Formats: RIS and BibTeX through citation-js (its RIS and BibTeX plugins, which also cover RefMan/EndNote RIS
 * variants and LaTeX escapes); PubMed's MEDLINE-tagged .nbib (tag, "- ", value; continuation lines indented six
 * spaces — NLM "MEDLINE/PubMed Data Element (Field) Descriptions"); PubMed XML (PubmedArticleSet DTD) through
 * fast-xml-parser; CSV exports of SyRF (bibliographic export: Title, Authors ";"-separated, PublicationName,
 * Abstract, Year, Doi, Keywords, Url…) and Rayyan (title, authors " and "-separated, journal, year, doi,
 * abstract, keywords, url…) through papaparse, with a leading BOM stripped.
 */
import { Cite, plugins } from "@citation-js/core";
import "@citation-js/plugin-ris";
import "@citation-js/plugin-bibtex";
import { XMLParser } from "fast-xml-parser";
import Papa from "papaparse";

import { REFERENCE_LIMITS, referenceFormatLabels, type ReferenceFormat } from "./formats";

export { REFERENCE_LIMITS, referenceFormatLabels, referenceFormatList, type ReferenceFormat } from "./formats";

/** One record as every importer and the screening tables read it. Strings are "" when absent, never undefined. */
export type ReferenceRecord = {
  title: string;
  abstract: string;
  /** "Family, Given" (or a group name), in the order printed. */
  authors: string[];
  year: number | null;
  journal: string;
  /** Lower-case, no resolver prefix: "10.1000/xyz". */
  doi: string;
  pmid: string;
  keywords: string[];
  url: string;
  volume: string;
  issue: string;
  pages: string;
};

export type ParseResult = {
  format: ReferenceFormat;
  records: ReferenceRecord[];
  /** Entries that could not become a record (1-based position in the file, and why). */
  skipped: { entry: number; reason: string }[];
};

export class ReferenceParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReferenceParseError";
  }
}

// C0/C1 control characters other than tab and newline (they break CSV, terminals and XML later).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** NFC, no control characters, one space between words, trimmed, at most `max` characters. */
export function cleanText(value: unknown, max: number): string {
  if (value === null || value === undefined) return "";
  const text = String(value).normalize("NFC").replace(CONTROL, " ").replace(/\s+/g, " ").trim();
  return text.length > max ? text.slice(0, max).trimEnd() : text;
}

/** "https://doi.org/10.1000/ABC." → "10.1000/abc"; "" when there is no DOI in the value. */
export function normaliseDoi(value: unknown): string {
  const text = cleanText(value, 400).toLowerCase();
  const match = /10\.\d{4,9}\/\S+/.exec(text);
  if (!match) return "";
  // DOIs are case-insensitive (DOI Handbook §2.4); trailing punctuation is the citation's, not the DOI's.
  return match[0].replace(/[.,;\]>)]+$/, "");
}

export function normalisePmid(value: unknown): string {
  const text = cleanText(value, 100);
  const fromUrl = /pubmed(?:\.ncbi\.nlm\.nih\.gov)?\/(\d{1,9})/i.exec(text);
  if (fromUrl) return fromUrl[1]!;
  const match = /^(?:pmid:?\s*)?(\d{1,9})$/i.exec(text);
  return match ? match[1]! : "";
}

export function parseYear(value: unknown): number | null {
  const match = /(1[5-9]\d\d|20\d\d|2100)/.exec(cleanText(value, 200));
  return match ? Number(match[1]) : null;
}

function splitList(value: unknown, separator: RegExp): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => splitList(v, separator));
  return cleanText(value, 100_000)
    .split(separator)
    .map((v) => v.trim())
    .filter(Boolean);
}

function finish(partial: Partial<ReferenceRecord>): ReferenceRecord {
  const authors = (partial.authors ?? []).map((a) => cleanText(a, REFERENCE_LIMITS.author)).filter(Boolean).slice(0, REFERENCE_LIMITS.authors);
  const keywords = [...new Set((partial.keywords ?? []).map((k) => cleanText(k, REFERENCE_LIMITS.keyword)).filter(Boolean))].slice(0, REFERENCE_LIMITS.keywords);
  return {
    title: cleanText(partial.title, REFERENCE_LIMITS.title).replace(/^\[(.*)\]\.?$/, "$1"),
    abstract: cleanText(partial.abstract, REFERENCE_LIMITS.abstract),
    authors,
    year: partial.year ?? null,
    journal: cleanText(partial.journal, REFERENCE_LIMITS.journal),
    doi: normaliseDoi(partial.doi),
    pmid: normalisePmid(partial.pmid),
    keywords,
    url: cleanText(partial.url, REFERENCE_LIMITS.url),
    volume: cleanText(partial.volume, REFERENCE_LIMITS.short),
    issue: cleanText(partial.issue, REFERENCE_LIMITS.short),
    pages: cleanText(partial.pages, REFERENCE_LIMITS.short),
  };
}

/** A record with nothing to screen or match on is not kept. */
function emptyReason(record: ReferenceRecord): string | null {
  return record.title || record.abstract || record.doi || record.pmid ? null : "no title, abstract, DOI or PMID";
}

/** Guesses the format from the text itself (file names lie; exports from one database vary). */
export function detectFormat(text: string): ReferenceFormat | null {
  const head = text.replace(/^\uFEFF/, "").slice(0, 5000).trimStart();
  if (/^<\?xml|^<!DOCTYPE PubmedArticleSet|^<PubmedArticleSet/i.test(head) && /<PubmedArticle/i.test(text.slice(0, 20_000))) return "pubmed-xml";
  if (/^PMID- /m.test(head) && /^(TI|AU|FAU) *- /m.test(head)) return "nbib";
  if (/^TY {2}- /m.test(head)) return "ris";
  if (/^@\w+\s*[{(]/m.test(head)) return "bibtex";
  const firstLine = head.split(/\r?\n/, 1)[0] ?? "";
  if (/(^|[,;\t])"?title"?([,;\t]|$)/i.test(firstLine)) return "csv";
  return null;
}

/** Parses a reference file; `format` defaults to the detected one. Throws ReferenceParseError when it cannot. */
export function parseReferences(text: string, format?: ReferenceFormat): ParseResult {
  const body = text.replace(/^\uFEFF/, "");
  const chosen = format ?? detectFormat(body);
  if (!chosen) throw new ReferenceParseError("File format: not recognised; choose RIS, PubMed (nbib or XML), BibTeX or CSV.");
  const raw = parsers[chosen](body);
  const records: ReferenceRecord[] = [];
  const skipped: ParseResult["skipped"] = [];
  raw.forEach((entry, i) => {
    if ("error" in entry) return skipped.push({ entry: i + 1, reason: entry.error });
    const record = finish(entry);
    const reason = emptyReason(record);
    if (reason) skipped.push({ entry: i + 1, reason });
    else records.push(record);
  });
  if (raw.length === 0) throw new ReferenceParseError(`File: no ${referenceFormatLabels[chosen]} records found.`);
  return { format: chosen, records, skipped };
}

type RawEntry = Partial<ReferenceRecord> | { error: string };
const parsers: Record<ReferenceFormat, (text: string) => RawEntry[]> = { ris: parseCitationJs, bibtex: parseCitationJs, nbib: parseNbib, "pubmed-xml": parsePubmedXml, csv: parseCsv };

// ---- RIS and BibTeX (citation-js → CSL-JSON) ----

type CslName = { family?: string; given?: string; literal?: string };
type CslItem = {
  title?: string;
  abstract?: string;
  author?: CslName[];
  issued?: { "date-parts"?: (number | string)[][]; raw?: string; literal?: string };
  "container-title"?: string;
  "container-title-short"?: string;
  DOI?: string;
  PMID?: string;
  URL?: string;
  keyword?: string;
  volume?: string | number;
  issue?: string | number;
  page?: string;
};

const cslName = (n: CslName) => n.literal ?? [n.family, n.given].filter(Boolean).join(", ");

function parseCitationJs(text: string): RawEntry[] {
  let items: CslItem[];
  try {
    // generateGraph off: no per-record provenance objects (memory at 10 000 records).
    items = plugins.input.chain(text, { target: "@csl/list+object", generateGraph: false }) as CslItem[];
  } catch (error) {
    throw new ReferenceParseError(`File: could not be read (${error instanceof Error ? error.message : String(error)}).`);
  }
  return items.map((item) => {
    const parts = item.issued?.["date-parts"]?.[0];
    return {
      title: item.title,
      abstract: item.abstract,
      authors: (item.author ?? []).map(cslName),
      year: parseYear(parts?.[0] ?? item.issued?.raw ?? item.issued?.literal),
      journal: item["container-title"] ?? item["container-title-short"],
      doi: item.DOI,
      pmid: item.PMID ?? item.URL,
      keywords: splitList(item.keyword, /[,;]/),
      url: item.URL,
      volume: item.volume === undefined ? "" : String(item.volume),
      issue: item.issue === undefined ? "" : String(item.issue),
      pages: item.page,
    };
  });
}

// ---- PubMed MEDLINE (.nbib) ----

function parseNbib(text: string): RawEntry[] {
  const entries: Map<string, string[]>[] = [];
  let current: Map<string, string[]> | null = null;
  let lastTag = "";
  for (const line of text.split(/\r?\n/)) {
    const tagged = /^([A-Z0-9]{2,4})\s*- (.*)$/.exec(line);
    if (tagged) {
      const [, tag, value] = tagged as unknown as [string, string, string];
      if (tag === "PMID" || !current) {
        current = new Map();
        entries.push(current);
      }
      lastTag = tag;
      current.set(tag, [...(current.get(tag) ?? []), value]);
    } else if (/^ {6}\S/.test(line) && current && lastTag) {
      // A continuation line belongs to the last value of the last tag.
      const values = current.get(lastTag)!;
      values[values.length - 1] += ` ${line.trim()}`;
    }
  }
  return entries.map((tags) => {
    const all = (tag: string) => tags.get(tag) ?? [];
    const first = (tag: string) => all(tag)[0] ?? "";
    const doi = [...all("LID"), ...all("AID")].find((v) => /\[doi\]/i.test(v)) ?? "";
    return {
      title: first("TI") || first("BTI"),
      abstract: all("AB").join(" "),
      authors: all("FAU").length ? all("FAU") : all("AU"),
      year: parseYear(first("DP")),
      journal: first("JT") || first("TA"),
      doi: doi.replace(/\s*\[doi\]/i, ""),
      pmid: first("PMID"),
      keywords: [...all("OT"), ...all("MH").map((h) => h.replace(/\*/g, "").split("/")[0]!)],
      url: first("PMID") ? `https://pubmed.ncbi.nlm.nih.gov/${first("PMID").trim()}/` : "",
      volume: first("VI"),
      issue: first("IP"),
      pages: first("PG"),
    };
  });
}

// ---- PubMed XML ----

type XmlNode = Record<string, unknown>;
const child = (node: XmlNode, name: string): XmlNode => (node[name] ?? {}) as XmlNode;
/** A child that fast-xml-parser gives as one node, an array of them, or nothing, as an array. */
const nodes = (value: unknown): XmlNode[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]) as XmlNode[];
/** Text of a node that may carry attributes ("#text") or inline markup (<i>, <sup>: kept raw as stop nodes). */
const xmlText = (node: unknown): string =>
  node === undefined || node === null ? "" : typeof node === "object" ? xmlText((node as XmlNode)["#text"]) : decodeEntities(String(node).replace(/<[^>]+>/g, ""));

const namedEntities: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
/** Stop nodes come back raw: decode XML's five named entities and numeric references (once, &amp; last). */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return namedEntities[ref.toLowerCase()] ?? whole;
  });
}

function parsePubmedXml(text: string): RawEntry[] {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    // Titles and abstracts hold inline markup (<i>, <sub>): read them as raw text, tags stripped above.
    stopNodes: ["*.ArticleTitle", "*.AbstractText", "*.VernacularTitle"],
    isArray: (name) => ["PubmedArticle", "Author", "AbstractText", "ArticleId", "ELocationID", "Keyword", "MeshHeading"].includes(name),
    processEntities: true,
  });
  let doc: XmlNode;
  try {
    doc = parser.parse(text) as XmlNode;
  } catch (error) {
    throw new ReferenceParseError(`File: not well-formed XML (${error instanceof Error ? error.message : String(error)}).`);
  }
  const set = (doc.PubmedArticleSet ?? {}) as XmlNode;
  return nodes(set.PubmedArticle).map((article) => {
    const citation = (article.MedlineCitation ?? {}) as XmlNode;
    const art = (citation.Article ?? {}) as XmlNode;
    const journal = (art.Journal ?? {}) as XmlNode;
    const pubDate = (((journal.JournalIssue ?? {}) as XmlNode).PubDate ?? {}) as XmlNode;
    const ids = nodes(child(article, "PubmedData").ArticleIdList).flatMap((l) => nodes(l.ArticleId));
    const doi = ids.find((i) => i["@IdType"] === "doi") ?? nodes(art.ELocationID).find((e) => e["@EIdType"] === "doi");
    const abstractParts = nodes(child(art, "Abstract").AbstractText).map((part: unknown) => {
      const label = typeof part === "object" && part ? (part as XmlNode)["@Label"] : undefined;
      return label ? `${String(label)}: ${xmlText(part)}` : xmlText(part);
    });
    const authors = nodes(child(art, "AuthorList").Author).map((a) =>
      a.CollectiveName ? xmlText(a.CollectiveName) : [xmlText(a.LastName), xmlText(a.ForeName) || xmlText(a.Initials)].filter(Boolean).join(", "),
    );
    const keywords = [
      ...nodes(citation.KeywordList).flatMap((l) => nodes(l.Keyword).map(xmlText)),
      ...nodes(child(citation, "MeshHeadingList").MeshHeading).map((h) => xmlText(h.DescriptorName)),
    ];
    const pmid = xmlText(citation.PMID);
    const issue = (journal.JournalIssue ?? {}) as XmlNode;
    return {
      title: xmlText(art.ArticleTitle) || xmlText(art.VernacularTitle),
      abstract: abstractParts.join(" "),
      authors,
      year: parseYear(xmlText(pubDate.Year) || xmlText(pubDate.MedlineDate)),
      journal: xmlText(journal.Title) || xmlText(journal.ISOAbbreviation),
      doi: xmlText(doi),
      pmid,
      keywords,
      url: pmid ? `https://pubmed.ncbi.nlm.nih.gov/${pmid}/` : "",
      volume: xmlText(issue.Volume),
      issue: xmlText(issue.Issue),
      pages: xmlText(((art.Pagination ?? {}) as XmlNode).MedlinePgn),
    };
  });
}

// ---- CSV (SyRF, Rayyan and similar) ----

/** Column names seen in SyRF's and Rayyan's exports (and common reference-manager CSVs), lower-cased. */
const csvColumns: Record<keyof ReferenceRecord, string[]> = {
  title: ["title", "article title", "primary title"],
  abstract: ["abstract", "abstract note"],
  authors: ["authors", "author", "author names"],
  year: ["year", "publication year", "publicationyear", "date"],
  journal: ["publicationname", "journal", "source title", "publication title", "secondary title", "journal/book"],
  doi: ["doi"],
  pmid: ["pmid", "pubmed id", "pubmedid"],
  keywords: ["keywords", "author keywords", "manual tags"],
  url: ["url", "link"],
  volume: ["volume"],
  issue: ["issue", "number"],
  pages: ["pages"],
};

function parseCsv(input: string): RawEntry[] {
  // Mixed line endings (a CRLF export edited on another system) would otherwise make papaparse miss rows.
  const text = input.replace(/\r\n?/g, "\n");
  // The header line decides the delimiter: papaparse's guess looks at data rows too, where ";" inside
  // SyRF's author lists outnumbers the commas.
  const header = text.split(/\r?\n/, 1)[0] ?? "";
  const delimiter = [",", ";", "\t"].map((d) => ({ d, n: header.split(d).length })).sort((a, b) => b.n - a.n)[0]!.d;
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, delimiter, skipEmptyLines: "greedy", transformHeader: (h) => h.trim().toLowerCase() });
  const fields = parsed.meta.fields ?? [];
  const column = (key: keyof ReferenceRecord) => csvColumns[key].find((name) => fields.includes(name));
  if (!column("title")) throw new ReferenceParseError(`File: the CSV has no Title column (found ${fields.slice(0, 12).join(", ") || "no header"}).`);
  const get = (row: Record<string, string>, key: keyof ReferenceRecord) => {
    const name = column(key);
    return name ? (row[name] ?? "") : "";
  };
  return parsed.data.map((row) => {
    const authors = get(row, "authors");
    return {
      title: get(row, "title"),
      abstract: get(row, "abstract"),
      // SyRF separates authors with ";", Rayyan with " and "; a lone "," list is ambiguous with "Family, Given".
      authors: splitList(authors, authors.includes(";") ? /;/ : /\s+and\s+/),
      year: parseYear(get(row, "year")),
      journal: get(row, "journal"),
      doi: get(row, "doi"),
      pmid: get(row, "pmid"),
      keywords: splitList(get(row, "keywords"), /[;,]/),
      url: get(row, "url"),
      volume: get(row, "volume"),
      issue: get(row, "issue"),
      pages: get(row, "pages"),
    };
  });
}

/** "Smith, John" / "John Smith" / "Smith J" → "Smith": the first author's family name (for "Smith et al." and matching). */
export function familyName(author: string): string {
  const text = author.trim();
  if (!text) return "";
  if (text.includes(",")) return text.split(",")[0]!.trim();
  const words = text.split(/\s+/);
  // "Smith J" / "Smith JA" (MEDLINE AU): initials after the family name.
  if (words.length > 1 && /^[A-Z]{1,3}$/.test(words[words.length - 1]!)) return words.slice(0, -1).join(" ");
  return words[words.length - 1]!;
}

/** First author as the review cites them: "Smith et al." (or "Smith" alone for a single author). */
export function citationAuthor(authors: readonly string[]): string {
  const first = authors[0] ? familyName(authors[0]) : "";
  if (!first) return "";
  return authors.length > 1 ? `${first} et al.` : first;
}

/** The fields the reference writers need: a record with an id (the BibTeX key). */
export type ExportedReference = Pick<ReferenceRecord, "title" | "authors" | "year" | "journal" | "doi" | "pmid" | "abstract" | "keywords"> & { id: string };

/** Writes records as RIS or BibTeX with citation-js (the same plugins that read them). */
export function formatReferences(records: readonly ExportedReference[], format: "ris" | "bibtex"): string {
  if (records.length === 0) return "";
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
  return new Cite(csl).format(format, { format: "text" }) as string;
}
