import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as XLSX from "@e965/xlsx";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReview } from "@/server/services/reviews";
import { callerFor, demoReviewId, freshDb, userId, type TestDb } from "../support/test-db";

/**
 * Imports of files written for these tests (SyRF's export in both header spellings, a RevMan 5 file, a RevMan Web
 * data-rows.csv, RIS, BibTeX, PubMed) and of malformed ones: every problem is listed by row and column, and a file
 * with any problem writes nothing.
 */
let t: TestDb;
let demo: number;
let admin: ReturnType<typeof callerFor>;
const fixture = (name: string) => readFileSync(join(process.cwd(), "tests", "fixtures", "data-io", name));
const file = (name: string, content: string | Buffer | Uint8Array) => ({ name, base64: Buffer.from(content).toString("base64") });

beforeAll(async () => {
  t = await freshDb();
  demo = demoReviewId(t.db);
  admin = callerFor(t.db, "admin");
}, 60_000);
afterAll(() => t.close());

const emptyReview = (title: string) => createReview(t.db, { id: userId(t.db, "admin"), displayName: "Administrator" }, { title }).id;

/** Rows of the tables an import writes to, to show that a refused import wrote nothing. */
const counts = () => t.db.$client.prepare("select (select count(*) from studies) s, (select count(*) from arms) a, (select count(*) from measurements) m, (select count(*) from audit_log) l, (select count(*) from outcomes) o, (select count(*) from characteristics) c").get();

async function importAll(reviewId: number, upload: { name: string; base64: string }, mapping: Record<string, string> = {}) {
  const preview = await admin.dataIo.previewImport({ reviewId, file: upload, mapping });
  expect(preview.problems).toEqual([]);
  const result = await admin.dataIo.commitImport({ reviewId, file: upload, mapping, fingerprint: preview.fingerprint });
  return { preview, result };
}

function valuesOf(reviewId: number) {
  return t.db.$client
    .prepare(
      `select s.author, s.year, s.doi, s.title, a.label arm, a.kind, c.label control, o.name outcome, m.day, m.mean, m.error_type, m.error_value, m.n
       from measurements m join arms a on a.id = m.arm_id join studies s on s.id = a.study_id join outcomes o on o.id = m.outcome_id left join arms c on c.id = a.control_arm_id
       where s.review_id = ? order by s.author, m.day, a.id`,
    )
    .all(reviewId);
}

describe("importing other tools' files", () => {
  it("reads SyRF's quantitative export: cohorts become arms sharing their control, minutes become days, shams are skipped", async () => {
    const reviewId = emptyReview("SyRF");
    const { preview, result } = await importAll(reviewId, file("syrf.csv", fixture("syrf-quantitative.csv")));
    expect(preview.layout).toBe("syrf");
    expect(preview.notes.join(" ")).toContain("1 sham");
    expect(result).toMatchObject({ studiesCreated: 1, armsCreated: 3, valuesCreated: 5, outcomesCreated: 1 });
    expect(valuesOf(reviewId)).toEqual([
      { author: "Li et al.", year: 2022, doi: "10.5555/syrf.li.2022", title: "Exosomes after contusion", arm: "Vehicle", kind: "control", control: null, outcome: "BBB", day: 7, mean: 4.2, error_type: "SD", error_value: 1.6, n: 10 },
      { author: "Li et al.", year: 2022, doi: "10.5555/syrf.li.2022", title: "Exosomes after contusion", arm: "Exosomes 50 ug", kind: "treated", control: "Vehicle", outcome: "BBB", day: 7, mean: 5.9, error_type: "SD", error_value: 1.9, n: 10 },
      { author: "Li et al.", year: 2022, doi: "10.5555/syrf.li.2022", title: "Exosomes after contusion", arm: "Vehicle", kind: "control", control: null, outcome: "BBB", day: 28, mean: 9.1, error_type: "SEM", error_value: 0.5, n: 10 },
      { author: "Li et al.", year: 2022, doi: "10.5555/syrf.li.2022", title: "Exosomes after contusion", arm: "Exosomes 50 ug", kind: "treated", control: "Vehicle", outcome: "BBB", day: 28, mean: 11.4, error_type: "SEM", error_value: 0.6, n: 10 },
      { author: "Li et al.", year: 2022, doi: "10.5555/syrf.li.2022", title: "Exosomes after contusion", arm: "Exosomes 100 ug", kind: "treated", control: "Vehicle", outcome: "BBB", day: 28, mean: 12.2, error_type: "SEM", error_value: 0.7, n: 9 },
    ]);
    // The other spelling of the headers (TimeInMinute, ErrorType, Doi), and a greater-is-worse outcome.
    const { result: second } = await importAll(reviewId, file("syrf2.csv", fixture("syrf-example-spelling.csv")));
    expect(second).toMatchObject({ studiesCreated: 1, valuesCreated: 2 });
    const lesion = (await admin.outcomes.list({ reviewId })).find((o) => o.name === "Lesion volume");
    expect(lesion?.higherIsBetter).toBe(false);
    expect(valuesOf(reviewId).filter((v) => (v as { outcome: string }).outcome === "Lesion volume")).toEqual([
      expect.objectContaining({ author: "Okafor", year: 2021, doi: "10.5555/syrf.okafor.2021", arm: "Saline", kind: "control", day: 14, mean: 4.4, error_type: "SD", error_value: 0.9, n: 8 }),
      expect.objectContaining({ arm: "Exosomes", kind: "treated", control: "Saline", day: 14, mean: 3.1 }),
    ]);
  });

  it("reads a RevMan 5 file's continuous outcomes, subgroups included, and RevMan Web's data rows", async () => {
    const reviewId = emptyReview("RevMan 5");
    const { preview, result } = await importAll(reviewId, file("review.rm5", fixture("review.rm5")));
    expect(preview.layout).toBe("rm5");
    expect(result).toMatchObject({ studiesCreated: 2, armsCreated: 4, valuesCreated: 4 });
    const values = valuesOf(reviewId);
    expect(values).toEqual([
      { author: "Garcia et al.", year: 2020, doi: "10.5555/rm5.garcia.2020", title: "Exosomes & recovery after contusion", arm: "Exosomes", kind: "treated", control: "Vehicle", outcome: "BBB score", day: 0, mean: 12.4, error_type: "SD", error_value: 1.8, n: 12 },
      { author: "Garcia et al.", year: 2020, doi: "10.5555/rm5.garcia.2020", title: "Exosomes & recovery after contusion", arm: "Vehicle", kind: "control", control: null, outcome: "BBB score", day: 0, mean: 10.4, error_type: "SD", error_value: 2.1, n: 11 },
      { author: "Ito et al.", year: 2019, doi: "", title: "MSC vesicles in rats", arm: "Exosomes", kind: "treated", control: "Vehicle", outcome: "BBB score", day: 0, mean: 11, error_type: "SD", error_value: 1.5, n: 10 },
      { author: "Ito et al.", year: 2019, doi: "", title: "MSC vesicles in rats", arm: "Vehicle", kind: "control", control: null, outcome: "BBB score", day: 0, mean: 10, error_type: "SD", error_value: 1.7, n: 10 },
    ]);
    // The same data from RevMan Web updates nothing: studies match by first author and year, arms by their role.
    const web = await admin.dataIo.previewImport({ reviewId, file: file("CD000000-data-rows.csv", fixture("CD000000-data-rows.csv")), mapping: {} });
    expect(web.layout).toBe("revman-web");
    expect(web.problems).toEqual([]);
    expect(web.notes.join(" ")).toContain("1 rows without means");
    expect(web.totals).toMatchObject({ studiesCreated: 0, valuesCreated: 4 });
    // (RevMan Web names its arms "Experimental" and "Control", so they come in as arms of their own.)
    expect(web.studies.flatMap((s) => s.armsCreated)).toEqual(["Experimental", "Control", "Experimental", "Control"]);
  });

  it("imports RIS, BibTeX and PubMed references: fills the matching study, creates the others", async () => {
    const lead = callerFor(t.db, "lead");
    const before = (await lead.studies.list({ reviewId: demo })).find((s) => s.doi === "10.1016/j.brainresbull.2021.02.015")!;
    expect(before.title).toBe("");
    const ris = file("refs.ris", fixture("references.ris"));
    const preview = await lead.dataIo.previewReferences({ reviewId: demo, file: ris, createMissing: true });
    expect(preview.format).toBe("ris");
    expect(preview.plans.map((p) => [p.label, p.action])).toEqual([
      ["Chang 2021", "fill"],
      ["Quinn 2024", "create"],
    ]);
    expect(await lead.dataIo.commitReferences({ reviewId: demo, file: ris, createMissing: true, fingerprint: preview.fingerprint })).toEqual({ created: 1, filled: 1 });
    const studies = await lead.studies.list({ reviewId: demo });
    expect(studies.find((s) => s.id === before.id)).toMatchObject({ title: "Exosomes from bone marrow mesenchymal stem cells after spinal cord injury", journal: "Brain Research Bulletin", author: before.author });
    expect(studies.find((s) => s.doi === "10.5555/ris.quinn.2024")).toMatchObject({ author: "Quinn et al.", year: 2024, title: "A new study of exosomes after contusion", journal: "Journal of Neurotrauma" });

    // BibTeX: Quinn is there now (nothing to fill); Solo (one author) becomes a study.
    const bib = file("refs.bib", fixture("references.bib"));
    const bibPreview = await lead.dataIo.previewReferences({ reviewId: demo, file: bib, createMissing: true });
    expect(bibPreview.format).toBe("bibtex");
    expect(bibPreview.plans.map((p) => [p.label, p.action])).toEqual([
      ["Quinn 2024", "unchanged"],
      ["Solo 2023", "create"],
    ]);
    await lead.dataIo.commitReferences({ reviewId: demo, file: bib, createMissing: true, fingerprint: bibPreview.fingerprint });
    const nbib = file("pubmed.nbib", fixture("pubmed.nbib"));
    const pubmed = await lead.dataIo.previewReferences({ reviewId: demo, file: nbib, createMissing: true });
    expect(pubmed.format).toBe("nbib");
    await lead.dataIo.commitReferences({ reviewId: demo, file: nbib, createMissing: true, fingerprint: pubmed.fingerprint });
    const all = await lead.studies.list({ reviewId: demo });
    expect(all.find((s) => s.author === "Solo")).toMatchObject({ year: 2023, title: "Single-author exosome paper", journal: "Spine" });
    expect(all.find((s) => s.author === "Mbeki et al.")).toMatchObject({ year: 2023, doi: "10.5555/nbib.mbeki.2023", title: "Umbilical cord exosomes improve locomotion after spinal cord contusion in rats.", journal: "Neural regeneration research" });

    // Export: every included study, readable again.
    const exported = await lead.dataIo.download({ reviewId: demo, file: "references.ris" });
    expect(exported.content.match(/^TY {2}- /gm)).toHaveLength(all.length);
    expect(exported.content).toContain("DO  - 10.5555/nbib.mbeki.2023");
    const bibtex = await lead.dataIo.download({ reviewId: demo, file: "references.bib" });
    expect(bibtex.content.match(/^@article\{/gm)).toHaveLength(all.length);
    const again = await lead.dataIo.previewReferences({ reviewId: demo, file: file("again.ris", exported.content), createMissing: true });
    expect(again.plans.filter((p) => p.action === "create")).toEqual([]);
  });
});

describe("malformed files", () => {
  const header = "Study,First author,Year,Arm,Treated or control,Outcome,Day,Mean,SD,n";
  const row = (over: Partial<Record<"mean" | "sd" | "n" | "kind" | "day", string>> = {}) =>
    `Bad 2024,Bad et al.,2024,Drug,${over.kind ?? "treated"},BBB locomotor score,${over.day ?? "7"},${over.mean ?? "5"},${over.sd ?? "1"},${over.n ?? "8"}`;

  async function refused(upload: { name: string; base64: string }) {
    const before = counts();
    const preview = await admin.dataIo.previewImport({ reviewId: demo, file: upload, mapping: {} });
    expect(preview.problemCount).toBeGreaterThan(0);
    await expect(admin.dataIo.commitImport({ reviewId: demo, file: upload, mapping: {}, fingerprint: preview.fingerprint })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(counts()).toEqual(before);
    return preview.problems.map((p) => `${p.row ?? "-"}|${p.column ?? "-"}|${p.message}`);
  }

  it("lists wrong types, negative SD, n = 0, an unknown category and a mean off the scale by row and column", async () => {
    const problems = await refused(file("bad.csv", [header, row({ mean: "five" }), row({ sd: "-1", day: "8" }), row({ n: "0", day: "9" }), row({ kind: "sham", day: "10" }), row({ mean: "22", day: "11" })].join("\n")));
    expect(problems).toEqual([
      "2|Mean|Mean must be a number (not five)",
      "3|SD|SD must be 0 or more",
      "4|n|n must be at least 1",
      "5|Treated or control|Treated or control must be treated or control (not sham).",
      "6|Mean|Mean 22 is outside the scale (BBB locomotor score runs from 0 to 21).",
    ]);
  });

  it("names missing columns and files that map to nothing", async () => {
    expect(await refused(file("no-n.csv", "Study,First author,Year,Arm,Treated or control,Day,Mean,SD\nX 2020,X et al.,2020,A,treated,1,5,1\n"))).toEqual(["2|n|n is required for an outcome value (the file has no such column)."]);
    expect(await refused(file("no-error.csv", "Study,First author,Year,Arm,Treated or control,Day,Mean,n\nX 2020,X et al.,2020,A,treated,1,5,9\n"))).toEqual(["2|SD|SD, SEM or a 95% CI is required for an outcome value."]);
    const nothing = await refused(file("other.csv", "Foo,Bar\n1,2\n"));
    expect(nothing[0]).toContain("None of the file's columns is imported");
  });

  it("refuses formulas in CSV and XLSX cells instead of storing them", async () => {
    expect(await refused(file("formula.csv", `${header}\n${row({ mean: "=1+2" })}\nBad 2024,Bad et al.,2024,"=HYPERLINK(""http://x"")",control,BBB locomotor score,7,5,1,8\n`))).toEqual([
      "2|Mean|Mean holds a spreadsheet formula (=1+2); enter the value itself.",
      '3|Arm|Arm holds a spreadsheet formula (=HYPERLINK("http://x")); enter the value itself.',
    ]);
    const sheet = XLSX.utils.aoa_to_sheet([header.split(","), ["Bad 2024", "Bad et al.", 2024, "Drug", "treated", "BBB locomotor score", 7, 5, 1, 8]]);
    sheet.H2 = { t: "n", v: 3, f: "1+2" };
    const book = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(book, sheet, "Outcome data");
    const problems = await refused(file("formula.xlsx", XLSX.write(book, { type: "buffer", bookType: "xlsx" }) as Buffer));
    expect(problems).toEqual(["2|Mean|Mean holds a spreadsheet formula (=1+2); enter the value itself."]);
  });

  it("reads a CSV with a BOM and ; delimiters (decimal commas), naming its columns correctly in messages", async () => {
    const text = `\ufeff${["Study;First author;Year;Arm;Treated or control;Outcome;Day;Mean;SD;n", "Semi 2020;Semi et al.;2020;A;treated;BBB locomotor score;7;5,5;1,25;8", "Semi 2020;Semi et al.;2020;B;control;BBB locomotor score;7;4;-1;8"].join("\r\n")}`;
    expect(await refused(file("semicolon.csv", text))).toEqual(["3|SD|SD must be 0 or more"]);
    const fixed = text.replace(";-1;", ";1,5;");
    const preview = await admin.dataIo.previewImport({ reviewId: demo, file: file("semicolon.csv", fixed), mapping: {} });
    expect(preview.problems).toEqual([]);
    expect(preview.columns[0]).toMatchObject({ header: "Study", target: "study" });
    expect(preview.totals).toMatchObject({ studiesCreated: 1, valuesCreated: 2 });
  });

  it("keeps row numbers right across quoted line breaks and blank lines", async () => {
    const text = [header, 'Q 2020,Q et al.,2020,"Two-line\narm",treated,BBB locomotor score,7,5,1,8', "", row({ n: "0" })].join("\n");
    expect(await refused(file("multiline.csv", text))).toEqual(["5|n|n must be at least 1"]);
  });

  it("refuses files over 10 MB or 50 000 rows, junk, and a zip bomb disguised as XLSX, before parsing them", async () => {
    const refusedWith = async (upload: { name: string; base64: string }, message: RegExp) => {
      const before = counts();
      await expect(admin.dataIo.previewImport({ reviewId: demo, file: upload, mapping: {} })).rejects.toThrow(message);
      expect(counts()).toEqual(before);
    };
    await refusedWith(file("big.csv", Buffer.alloc(10 * 1024 * 1024 + 1, 0x41)), /File: is 10\.0 MB; at most 10 MB/);
    const many = [header, ...Array.from({ length: 50_001 }, (_, i) => row({ day: String(i % 3000) }))].join("\n");
    await refusedWith(file("many.csv", many), /50,001 data rows; at most 50,000/);
    await refusedWith(file("junk.csv", Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))), /not a text, CSV or XLSX file/);
    // 300 MB of zeros compress to a few hundred kilobytes.
    const bomb = zipSync({ "[Content_Types].xml": new TextEncoder().encode("<Types/>"), "xl/worksheets/sheet1.xml": new Uint8Array(300 * 1024 * 1024) }, { level: 9 });
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    await refusedWith(file("bomb.xlsx", bomb), /unpacks to more than .* zip bomb/);
    // The same bomb with its declared sizes forged small: the inflated bytes are counted, not believed.
    const forged = Buffer.from(bomb);
    for (let i = 0; i + 30 < forged.length; i++) {
      const local = forged.readUInt32LE(i) === 0x04034b50;
      const central = forged.readUInt32LE(i) === 0x02014b50;
      if (local) forged.writeUInt32LE(1000, i + 22);
      if (central) forged.writeUInt32LE(1000, i + 24);
    }
    await refusedWith(file("forged.xlsx", forged), /unpacks to more than|not a readable XLSX/);
  }, 120_000);
});

describe("commit safety", () => {
  const newStudy = (mean: string) => file("one.csv", `Study,First author,Year,DOI,Arm,Treated or control,Outcome,Day,Mean,SD,n\nRace 2020,Race et al.,2020,10.5555/race,A,treated,BBB locomotor score,7,${mean},1,8\n`);

  it("re-imports a changed file as updates of the matching study, showing the differences first", async () => {
    const reviewId = emptyReview("Update");
    const header = "Study,First author,Year,DOI,Title,Arm,Treated or control,Outcome,Day,Mean,SD,n";
    await importAll(reviewId, file("v1.csv", `${header}
U 2020,U et al.,2020,10.5555/u,Old title,T,treated,Score,7,5,1,8
U 2020,U et al.,2020,10.5555/u,Old title,C,control,Score,7,4,1,8
`));
    // The same study (by DOI, though the first author was corrected), a new title, one changed mean, one new day.
    const v2 = file("v2.csv", `${header}
U 2020,Ü et al.,2020,10.5555/U,New title,T,treated,Score,7,5.5,1,8
U 2020,Ü et al.,2020,10.5555/U,New title,C,control,Score,7,4,1,8
U 2020,Ü et al.,2020,10.5555/U,,T,treated,Score,14,6,1,8
`);
    const preview = await admin.dataIo.previewImport({ reviewId, file: v2, mapping: {} });
    expect(preview.totals).toMatchObject({ studiesCreated: 0, studiesUpdated: 1, valuesCreated: 1, valuesUpdated: 1, valuesUnchanged: 1 });
    expect(preview.studies[0]!.changes).toEqual([
      { field: "First author", from: "U et al.", to: "Ü et al." },
      { field: "Title", from: "Old title", to: "New title" },
      { field: "DOI", from: "10.5555/u", to: "10.5555/U" },
      { field: "Score, T, day 7", from: "5 (SD 1), n 8", to: "5.5 (SD 1), n 8" },
    ]);
    const result = await admin.dataIo.commitImport({ reviewId, file: v2, mapping: {}, fingerprint: preview.fingerprint });
    expect(result).toMatchObject({ studiesUpdated: 1, valuesCreated: 1, valuesUpdated: 1 });
    expect(valuesOf(reviewId).map((v) => [(v as { arm: string }).arm, (v as { day: number }).day, (v as { mean: number }).mean])).toEqual([
      ["T", 7, 5.5],
      ["C", 7, 4],
      ["T", 14, 6],
    ]);
    const [study] = await admin.studies.list({ reviewId });
    expect(study).toMatchObject({ author: "Ü et al.", title: "New title", version: 2 });
    const updates = t.db.$client.prepare("select field, old_value, new_value from audit_log where review_id = ? and action = 'update' and entity = 'measurement'").all(reviewId);
    expect(updates).toEqual([{ field: "mean", old_value: "5", new_value: "5.5" }]);
  });

  it("writes one audit entry per imported row, naming the file and row", async () => {
    const reviewId = emptyReview("Audit");
    await importAll(reviewId, file("audit.csv", "Study,First author,Year,Arm,Treated or control,Outcome,Day,Mean,SD,n\nA 2020,A et al.,2020,T,treated,Score,1,5,1,8\nA 2020,A et al.,2020,C,control,Score,1,4,1,8\n"));
    const entries = t.db.$client.prepare("select entity_id, reason, new_value from audit_log where review_id = ? and entity = 'measurement' order by id").all(reviewId) as { entity_id: number; reason: string; new_value: string }[];
    expect(entries.map((e) => e.reason)).toEqual(["imported from audit.csv, CSV row 2", "imported from audit.csv, CSV row 3"]);
    expect(JSON.parse(entries[0]!.new_value)).toMatchObject({ arm: "T", day: 1, mean: 5, errorType: "SD", errorValue: 1, n: 8 });
    // The study's history lists the imported values (and so can offer them back after a deletion).
    const [study] = await admin.studies.list({ reviewId });
    const history = await admin.studies.history({ reviewId, studyId: study!.id });
    expect(history.filter((h) => h.entity === "measurement").map((h) => h.entityId).sort()).toEqual(entries.map((e) => e.entity_id).sort());
  });

  it("lets only one of two commits of the same preview through, and refuses a commit after the review changed", async () => {
    const reviewId = emptyReview("Race");
    const upload = newStudy("5");
    const preview = await admin.dataIo.previewImport({ reviewId, file: upload, mapping: {} });
    const outcomes = await Promise.allSettled([0, 1].map(() => admin.dataIo.commitImport({ reviewId, file: upload, mapping: {}, fingerprint: preview.fingerprint })));
    expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect((outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult).reason).toMatchObject({ code: "CONFLICT" });
    expect(t.db.$client.prepare("select count(*) from studies where review_id = ?").pluck().get(reviewId)).toBe(1);

    // Previewed, then someone edits the value the file changes: the commit is refused, the edit kept.
    const update = newStudy("6");
    const second = await admin.dataIo.previewImport({ reviewId, file: update, mapping: {} });
    expect(second.totals).toMatchObject({ valuesUpdated: 1 });
    t.db.$client.prepare("update measurements set mean = 7, version = version + 1").run();
    await expect(admin.dataIo.commitImport({ reviewId, file: update, mapping: {}, fingerprint: second.fingerprint })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(t.db.$client.prepare("select mean from measurements m join arms a on a.id = m.arm_id join studies s on s.id = a.study_id where s.review_id = ?").pluck().get(reviewId)).toBe(7);
  });

  it("remembers a column mapping for the next file of the same layout", async () => {
    const reviewId = emptyReview("Mapping");
    // With one outcome defined, a file without an outcome column puts its values there.
    await admin.outcomes.create({ reviewId, outcome: { name: "Open field", scaleMin: 0 } });
    const other = file("lab.csv", "Paper,Erstautor,Jahr,Gruppe,Typ,Tag,Mittelwert,SD,Tiere\nP1,Weber et al.,2019,Exo,treated,14,8.5,1.2,7\n");
    const mapping = { paper: "study", erstautor: "author", jahr: "year", gruppe: "arm", typ: "armKind", tag: "day", mittelwert: "mean", tiere: "n" };
    const first = await admin.dataIo.previewImport({ reviewId, file: other, mapping: {} });
    expect(first.layout).toBe("other");
    expect(first.problemCount).toBeGreaterThan(0);
    await importAll(reviewId, other, mapping);
    const next = await admin.dataIo.previewImport({ reviewId, file: file("lab2.csv", "Paper,Erstautor,Jahr,Gruppe,Typ,Tag,Mittelwert,SD,Tiere\nP2,Kim et al.,2020,Exo,treated,14,9,1,6\n"), mapping: {} });
    expect(next.columns.filter((c) => c.how === "remembered").map((c) => c.header)).toEqual(["Paper", "Erstautor", "Jahr", "Gruppe", "Typ", "Tag", "Mittelwert", "SD", "Tiere"]);
    expect(next.problems).toEqual([]);
  });
});
