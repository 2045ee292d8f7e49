import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detectFormat, familyName, normaliseDoi, parseReferences, ReferenceParseError } from "@/server/screening/references";

const fixture = (name: string) => readFileSync(join(process.cwd(), "tests", "fixtures", "references", name), "utf8");

describe("reference import: one parser for RIS, PubMed nbib and XML, BibTeX and CSV", () => {
  it("reads RIS with continuation lines, a resolver-prefixed upper-case DOI, non-ASCII names and a record without DOI", () => {
    const { format, records, skipped } = parseReferences(fixture("search.ris"));
    expect(format).toBe("ris");
    expect(records).toHaveLength(3);
    expect(skipped).toEqual([]);
    const [first, second, third] = records;
    expect(first).toMatchObject({
      title: "Exosomes derived from miR-126-modified MSCs promote angiogenesis and neurogenesis and attenuate apoptosis after spinal cord injury in rats",
      authors: ["Huang, Jiang-Hu", "Xu, Yan", "Yin, Xiao-Ming"],
      year: 2020,
      journal: "Neuroscience",
      doi: "10.1016/j.neuroscience.2019.10.043",
      volume: "424",
      pages: "133-145",
    });
    expect(first!.abstract).toContain("Exosomes from");
    expect(first!.abstract).toContain("mesenchymal stem cells were injected into rats.");
    expect(first!.keywords).toEqual(["Exosomes", "Spinal cord injury"]);
    expect(second).toMatchObject({ authors: ["Müller, Zoë", "Ødegård, Øystein"], year: 2018, journal: "Journal of Neurotrauma", doi: "" });
    expect(third).toMatchObject({ title: "A record with a title only", authors: [], year: null, doi: "", abstract: "" });
  });

  it("reads PubMed MEDLINE (.nbib): wrapped title and abstract, FAU names, the DOI among the LIDs, the PMID", () => {
    const { format, records } = parseReferences(fixture("pubmed.nbib"));
    expect(format).toBe("nbib");
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      pmid: "31786171",
      title: "Exosomes derived from miR-126-modified MSCs promote angiogenesis and neurogenesis and attenuate apoptosis after spinal cord injury in rats.",
      abstract: "Spinal cord injury (SCI) is a devastating condition. Exosomes from mesenchymal stem cells were injected into rats.",
      authors: ["Huang, Jiang-Hu", "Xu, Yan"],
      year: 2020,
      journal: "Neuroscience",
      doi: "10.1016/j.neuroscience.2019.10.043",
      url: "https://pubmed.ncbi.nlm.nih.gov/31786171/",
    });
    expect(records[0]!.keywords).toEqual(expect.arrayContaining(["angiogenesis", "Exosomes", "Animals"]));
    expect(records[1]).toMatchObject({ pmid: "30000001", authors: ["Çelik, Ayşe"], year: 2019, doi: "", journal: "Stem Cell Research & Therapy" });
  });

  it("reads PubMed XML: inline markup and entities in titles, labelled abstract sections, collective authors, MedlineDate years", () => {
    const { format, records } = parseReferences(fixture("pubmed.xml"));
    expect(format).toBe("pubmed-xml");
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      pmid: "31786171",
      title: "Exosomes derived from miR-126-modified MSCs promote angiogenesis & neurogenesis.",
      abstract: "BACKGROUND: Spinal cord injury is devastating. RESULTS: BBB scores improved (P<0.05).",
      authors: ["Huang, Jiang-Hu", "SCI Study Group"],
      year: 2020,
      journal: "Neuroscience",
      doi: "10.1016/j.neuroscience.2019.10.043",
    });
    expect(records[0]!.keywords).toEqual(expect.arrayContaining(["exosomes", "angiogenesis", "Animals"]));
    expect(records[1]).toMatchObject({ pmid: "30000002", year: 1998, authors: ["Østergaard, Søren"], abstract: "", doi: "" });
  });

  it("reads BibTeX with LaTeX accents, braces kept for case, a corporate author and a proceedings entry", () => {
    const { format, records } = parseReferences(fixture("library.bib"));
    expect(format).toBe("bibtex");
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      title: "Exosomes Derived from Bone Mesenchymal Stem Cells Repair Traumatic Spinal Cord Injury",
      authors: ["Liu, Wei", "Wang, Yi", "Gong, Feng"],
      year: 2019,
      journal: "Journal of Neuroinflammation",
      doi: "10.1186/s12974-019-1434-5",
    });
    expect(records[1]!.authors[0]).toBe("Sjöberg, Anna");
    expect(records[1]!.year).toBe(2021);
  });

  it("reads SyRF's bibliographic CSV: BOM, quoted commas, quotes and newlines, ';'-separated non-ASCII authors, missing DOIs; an empty row is skipped", () => {
    const { format, records, skipped } = parseReferences(fixture("syrf.csv"));
    expect(format).toBe("csv");
    expect(records).toHaveLength(2);
    expect(skipped).toEqual([{ entry: 3, reason: "no title, abstract, DOI or PMID" }]);
    expect(records[0]).toMatchObject({
      title: 'Exosomes from human umbilical cord MSCs, given "early", improve BBB scores',
      authors: ["Zhou, Xiao", "García-López, José", "Nguyễn, Văn An"],
      journal: "Stem Cell Research & Therapy",
      abstract: "Line one of the abstract. Line two, after a newline.",
      year: 2021,
      doi: "10.1186/s13287-021-02153-8",
      keywords: ["exosomes", "BBB"],
    });
    expect(records[1]).toMatchObject({ title: "Placental exosomes in rats", authors: ["Kowalski, Łukasz"], doi: "", year: 2019 });
  });

  it("reads Rayyan's CSV export (' and '-separated authors)", () => {
    const { records } = parseReferences(fixture("rayyan.csv"), "csv");
    expect(records[0]).toMatchObject({ authors: ["Smith J", "Brown A"], journal: "Exp Neurol", year: 2022, doi: "10.1016/j.expneurol.2022.1", keywords: ["exosome", "adipose"] });
  });

  it("refuses text in no known format, and a CSV without a title column, with a message naming the file", () => {
    expect(detectFormat("hello world")).toBeNull();
    expect(() => parseReferences("hello world")).toThrow(ReferenceParseError);
    expect(() => parseReferences("name,doi\nx,10.1/2\n", "csv")).toThrow(/no Title column/);
  });

  it("normalises DOIs and first-author family names", () => {
    expect(normaliseDoi("doi:10.1000/ABC.def.")).toBe("10.1000/abc.def");
    expect(normaliseDoi("https://dx.doi.org/10.1186/s13287-021-02153-8")).toBe("10.1186/s13287-021-02153-8");
    expect(normaliseDoi("not a doi")).toBe("");
    expect(familyName("Smith, John")).toBe("Smith");
    expect(familyName("Huang JH")).toBe("Huang");
    expect(familyName("John Smith")).toBe("Smith");
    expect(familyName("van der Berg, Anna")).toBe("van der Berg");
  });

  it("parses a 10 000-record RIS file, every record with its own DOI", () => {
    const entry = (i: number) =>
      `TY  - JOUR\nAU  - Author${i}, A.\nTI  - Record number ${i} about exosomes\nPY  - ${2000 + (i % 25)}\nDO  - 10.5555/rec.${i}\nAB  - Abstract ${i}.\nER  - \n`;
    const text = Array.from({ length: 10_000 }, (_, i) => entry(i)).join("\n");
    const { records } = parseReferences(text);
    expect(records).toHaveLength(10_000);
    expect(new Set(records.map((r) => r.doi)).size).toBe(10_000);
    expect(records[9_999]).toMatchObject({ title: "Record number 9999 about exosomes", year: 2024, doi: "10.5555/rec.9999" });
  }, 30_000);
});
