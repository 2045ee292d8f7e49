/** Reference formats and field limits: a module without the parsers, so that forms can import it cheaply. */

export const referenceFormatList = ["ris", "nbib", "pubmed-xml", "bibtex", "csv"] as const;
export type ReferenceFormat = (typeof referenceFormatList)[number];

export const referenceFormatLabels: Record<ReferenceFormat, string> = {
  ris: "RIS (.ris)",
  nbib: "PubMed MEDLINE (.nbib / .txt)",
  "pubmed-xml": "PubMed XML (.xml)",
  bibtex: "BibTeX (.bib)",
  csv: "CSV (SyRF or Rayyan export)",
};

/** Field lengths: generous for real records, bounded so that one odd entry cannot bloat a request. */
export const REFERENCE_LIMITS = { title: 2000, abstract: 20_000, author: 300, authors: 500, journal: 500, keyword: 200, keywords: 100, url: 2000, short: 100 } as const;

