/**
 * The PRISMA 2020 flow diagram ("new systematic reviews which included searches of databases and registers only",
 * Page MJ et al. BMJ 2021;372:n71, Figure 1): its numbers in one shape, drawn as SVG and written as the CSV the
 * PRISMA2020 R package reads (`PRISMA_data(read.csv(file))`; its template's columns and node names).
 *
 * Pure (no I/O, no React): the report page embeds the same SVG text the download serves, so the two cannot differ.
 */

export type PrismaFlow = {
  /** Where the numbers come from: screening in the workbench (counted), or the counts typed on the review. */
  source: "screening" | "stored" | "none";
  identified: number | null;
  bySource: { source: string; records: number }[];
  duplicatesRemoved: number | null;
  automation: number | null;
  otherRemoved: number | null;
  screened: number | null;
  screenedExcluded: number | null;
  sought: number | null;
  notRetrieved: number | null;
  assessed: number | null;
  reportsExcluded: number | null;
  exclusionReasons: { reason: string; count: number }[];
  studiesIncluded: number | null;
  reportsIncluded: number | null;
  /** Studies in at least one of the report's meta-analyses (not a template box; drawn beneath "included"). */
  inMetaAnalysis: number | null;
  /** Said under the diagram: how numbers were derived, what is still open. */
  notes: string[];
};

/** The screening counts as `computePrismaCounts` returns them (only the fields the diagram needs). */
export type ScreeningCounts = {
  identified: { total: number; bySource: { source: string; records: number }[] };
  duplicatesRemoved: number;
  markedIneligibleByAutomation: number;
  removedForOtherReasons: number;
  screened: number;
  screenedExcluded: number;
  reportsSought: number;
  reportsNotRetrieved: number;
  reportsAssessed: number;
  reportsExcluded: number;
  exclusionReasons: { reason: string; count: number }[];
  studiesIncluded: number;
  reportsIncluded: number;
  pending: { titleAbstract: number; fullText: number; conflicts: number };
  complete: boolean;
};

/**
 * The counts a review stores when its screening happened elsewhere: the four of the seed paper (276 → 217 → 45 → 21)
 * and, where the team has them, records per source, reports not retrieved and full-text exclusions by reason.
 */
export type StoredCounts = {
  prismaIdentified: number | null;
  prismaAfterDuplicates: number | null;
  prismaFullText: number | null;
  prismaIncluded: number | null;
  prismaSources?: { source: string; records: number }[];
  prismaNotRetrieved?: number | null;
  prismaExclusionReasons?: { reason: string; reports: number }[];
};

const minus = (a: number | null, b: number | null) => (a === null || b === null || a < b ? null : a - b);

export function prismaFromScreening(c: ScreeningCounts, inMetaAnalysis: number | null): PrismaFlow {
  const notes = ["Counted from the searches imported and the screening decisions recorded in the workbench."];
  if (!c.complete)
    notes.push(
      `Screening is not finished: ${c.pending.titleAbstract} records await a title/abstract decision and ${c.pending.fullText} a full-text decision (${c.pending.conflicts} conflicts); the numbers will change.`,
    );
  return {
    source: "screening",
    identified: c.identified.total,
    bySource: c.identified.bySource,
    duplicatesRemoved: c.duplicatesRemoved,
    automation: c.markedIneligibleByAutomation,
    otherRemoved: c.removedForOtherReasons,
    screened: c.screened,
    screenedExcluded: c.screenedExcluded,
    sought: c.reportsSought,
    notRetrieved: c.reportsNotRetrieved,
    assessed: c.reportsAssessed,
    reportsExcluded: c.reportsExcluded,
    exclusionReasons: c.exclusionReasons.map(({ reason, count }) => ({ reason, count })),
    studiesIncluded: c.studiesIncluded,
    reportsIncluded: c.reportsIncluded,
    inMetaAnalysis,
    notes,
  };
}

/**
 * From the stored counts: duplicates = identified − after duplicates, excluded on title/abstract = screened − full
 * texts sought, reports sought = assessed + not retrieved, excluded full texts = assessed − included. Records per
 * source and the reasons for exclusion are drawn when the team entered them, and said to be missing otherwise.
 */
export function prismaFromStored(r: StoredCounts, inMetaAnalysis: number | null): PrismaFlow {
  const any = [r.prismaIdentified, r.prismaAfterDuplicates, r.prismaFullText, r.prismaIncluded].some((v) => v !== null);
  const notRetrieved = r.prismaNotRetrieved ?? null;
  const sought = r.prismaFullText === null ? null : r.prismaFullText + (notRetrieved ?? 0);
  const reasons = (r.prismaExclusionReasons ?? []).map(({ reason, reports }) => ({ reason, count: reports }));
  const missing = [
    ...(notRetrieved === null ? ["reports not retrieved (taken as 0)"] : []),
    ...(reasons.length === 0 ? ["the reasons for excluding full texts"] : []),
  ];
  return {
    source: any ? "stored" : "none",
    identified: r.prismaIdentified,
    bySource: r.prismaSources ?? [],
    duplicatesRemoved: minus(r.prismaIdentified, r.prismaAfterDuplicates),
    automation: null,
    otherRemoved: null,
    screened: r.prismaAfterDuplicates,
    screenedExcluded: minus(r.prismaAfterDuplicates, sought),
    sought,
    notRetrieved: r.prismaFullText === null ? null : (notRetrieved ?? 0),
    assessed: r.prismaFullText,
    reportsExcluded: minus(r.prismaFullText, r.prismaIncluded),
    exclusionReasons: reasons,
    studiesIncluded: r.prismaIncluded,
    reportsIncluded: r.prismaIncluded,
    inMetaAnalysis,
    notes: any
      ? [
          `From the counts entered on the review (its screening was not done in the workbench); duplicates and exclusions are the differences between them.${missing.length ? ` Not recorded: ${missing.join("; ")}.` : ""}`,
        ]
      : ["No PRISMA counts yet: the review has no screening in the workbench and no counts entered on its overview."],
  };
}

const n = (value: number | null) => (value === null ? "n = not reported" : `n = ${value}`);

const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Greedy word wrap at about `max` characters a line (the diagram's boxes have a fixed width). */
function wrap(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

type Box = { x: number; y: number; w: number; lines: string[]; id: string };
const LINE = 15;
const PAD = 8;
const boxHeight = (b: { lines: string[] }) => b.lines.length * LINE + 2 * PAD;

/**
 * The diagram as a standalone SVG document (fixed size 760 px wide, height from the text): the template's three
 * phases down the left, the main boxes in the middle column, the removals and exclusions on the right.
 */
export function prismaSvg(flow: PrismaFlow, title = "PRISMA 2020 flow diagram"): string {
  const mainX = 60;
  const mainW = 300;
  const sideX = 420;
  const sideW = 320;
  const width = 760;
  const gap = 26;
  const wrapMain = (t: string) => wrap(t, 46);
  const wrapSide = (t: string) => wrap(t, 50);
  const identified = [
    "Records identified from databases and registers:",
    ...(flow.bySource.length ? flow.bySource.map((s) => `${s.source} (n = ${s.records})`) : []),
    `Total (${n(flow.identified)})`,
  ];
  const removed = [
    "Records removed before screening:",
    `Duplicate records removed (${n(flow.duplicatesRemoved)})`,
    `Marked as ineligible by automation tools (${n(flow.automation)})`,
    `Removed for other reasons (${n(flow.otherRemoved)})`,
  ];
  const reasons = flow.exclusionReasons.length ? flow.exclusionReasons.map((r) => `${r.reason} (n = ${r.count})`) : [flow.reportsExcluded ? "Reasons not recorded" : ""].filter(Boolean);
  const rows: { main: string[]; side: string[] | null; phase: "Identification" | "Screening" | "Included" }[] = [
    { main: identified.flatMap(wrapMain), side: removed.flatMap(wrapSide), phase: "Identification" },
    { main: wrapMain(`Records screened (${n(flow.screened)})`), side: wrapSide(`Records excluded (${n(flow.screenedExcluded)})`), phase: "Screening" },
    { main: wrapMain(`Reports sought for retrieval (${n(flow.sought)})`), side: wrapSide(`Reports not retrieved (${n(flow.notRetrieved)})`), phase: "Screening" },
    { main: wrapMain(`Reports assessed for eligibility (${n(flow.assessed)})`), side: [...wrapSide(`Reports excluded (${n(flow.reportsExcluded)})`), ...reasons.flatMap((r) => wrapSide(`• ${r}`))], phase: "Screening" },
    {
      main: [...wrapMain(`Studies included in review (${n(flow.studiesIncluded)})`), ...wrapMain(`Reports of included studies (${n(flow.reportsIncluded)})`)],
      side: null,
      phase: "Included",
    },
    { main: wrapMain(`Studies included in meta-analysis (${n(flow.inMetaAnalysis)})`), side: null, phase: "Included" },
  ];
  let y = 56;
  const main: Box[] = [];
  const side: (Box | null)[] = [];
  const phaseSpan = new Map<string, { from: number; to: number }>();
  rows.forEach((row, i) => {
    const m: Box = { x: mainX, y, w: mainW, lines: row.main, id: `main${i}` };
    const s: Box | null = row.side ? { x: sideX, y, w: sideW, lines: row.side, id: `side${i}` } : null;
    const h = Math.max(boxHeight(m), s ? boxHeight(s) : 0);
    main.push(m);
    side.push(s);
    const span = phaseSpan.get(row.phase);
    phaseSpan.set(row.phase, { from: span?.from ?? y, to: y + h });
    y += h + gap;
  });
  const height = y - gap + 16;
  const rect = (b: Box, h: number) =>
    `<g data-box="${b.id}"><rect x="${b.x}" y="${b.y}" width="${b.w}" height="${h}" fill="#ffffff" stroke="#111827" stroke-width="1"/>${b.lines
      .map((l, i) => `<text x="${b.x + PAD}" y="${b.y + PAD + (i + 0.75) * LINE}" font-size="12">${escapeXml(l)}</text>`)
      .join("")}</g>`;
  const parts: string[] = [];
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${mainX}" y="30" font-size="14" font-weight="bold">${escapeXml("Identification of studies via databases and registers")}</text>`);
  for (const [phase, span] of phaseSpan) {
    const cy = (span.from + span.to) / 2;
    parts.push(
      `<g data-phase="${phase}"><rect x="8" y="${span.from}" width="26" height="${span.to - span.from}" fill="#dbeafe" stroke="#1e3a8a" stroke-width="0.75"/><text x="21" y="${cy}" font-size="12" font-weight="bold" text-anchor="middle" dominant-baseline="central" transform="rotate(-90 21 ${cy})">${phase}</text></g>`,
    );
  }
  const marker = `<defs><marker id="prisma-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#111827"/></marker></defs>`;
  main.forEach((m, i) => {
    const s = side[i] ?? null;
    const h = Math.max(boxHeight(m), s ? boxHeight(s) : 0);
    parts.push(rect(m, h));
    if (s) {
      parts.push(rect(s, h));
      parts.push(`<line x1="${m.x + m.w}" y1="${m.y + h / 2}" x2="${s.x}" y2="${m.y + h / 2}" stroke="#111827" marker-end="url(#prisma-arrow)"/>`);
    }
    const next = main[i + 1];
    if (next) parts.push(`<line x1="${m.x + m.w / 2}" y1="${m.y + h}" x2="${m.x + m.w / 2}" y2="${next.y}" stroke="#111827" marker-end="url(#prisma-arrow)"/>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeXml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Arial, Helvetica, sans-serif" fill="#111827"><title>${escapeXml(title)}</title>${marker}${parts.join("")}</svg>`;
}

const csvField = (value: string) => {
  // A leading = + - @ is defused so that a spreadsheet does not run it (the project's rule for every CSV).
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/**
 * The PRISMA2020 R package's template (inst/extdata/PRISMA.csv): columns data,node,box,description,boxtext,tooltips,url,n;
 * one row per box, "n" the number, or for exclusions "Reason1, 12; Reason2, 3". Boxes the workbench has no number
 * for (previous studies, other methods) are 0, as in the template; a count not reported is left empty.
 */
export function prismaCsv(flow: PrismaFlow): string {
  const num = (v: number | null) => (v === null ? "" : String(v));
  // The package splits "name, n; name, n" lists itself, so a name may hold neither separator.
  const countList = (items: { name: string; n: number }[]) => items.map((i) => `${i.name.replace(/[;,]/g, " ")}, ${i.n}`).join("; ");
  const reasons = flow.exclusionReasons.length ? countList(flow.exclusionReasons.map((r) => ({ name: r.reason, n: r.count }))) : flow.reportsExcluded === null ? "" : `Reasons not recorded, ${flow.reportsExcluded}`;
  const rows: [string, string, string, string, string][] = [
    // data, node, box, description/boxtext, n
    ["previous_studies", "node5", "box1", "Studies included in previous version of review", "0"],
    ["previous_reports", "NA", "box1", "Reports of studies included in previous version of review", "0"],
    ["database_results", "node7", "box2", "Databases", num(flow.identified)],
    ...(flow.bySource.length ? [["database_specific_results", "NA", "box2", "Databases", countList(flow.bySource.map((s) => ({ name: s.source, n: s.records })))] as [string, string, string, string, string]] : []),
    ["register_results", "NA", "box2", "Registers", "0"],
    ["website_results", "node17", "box11", "Websites", "0"],
    ["organisation_results", "NA", "box11", "Organisations", "0"],
    ["citations_results", "NA", "box11", "Citation searching", "0"],
    ["duplicates", "node8", "box3", "Duplicate records", num(flow.duplicatesRemoved)],
    ["excluded_automatic", "NA", "box3", "Records marked as ineligible by automation tools", num(flow.automation ?? 0)],
    ["excluded_other", "NA", "box3", "Records removed for other reasons", num(flow.otherRemoved ?? 0)],
    ["records_screened", "node9", "box4", "Records screened", num(flow.screened)],
    ["records_excluded", "node10", "box5", "Records excluded", num(flow.screenedExcluded)],
    ["dbr_sought_reports", "node11", "box6", "Reports sought for retrieval", num(flow.sought)],
    ["dbr_notretrieved_reports", "node12", "box7", "Reports not retrieved", num(flow.notRetrieved)],
    ["other_sought_reports", "node18", "box12", "Reports sought for retrieval", "0"],
    ["other_notretrieved_reports", "node19", "box13", "Reports not retrieved", "0"],
    ["dbr_assessed", "node13", "box8", "Reports assessed for eligibility", num(flow.assessed)],
    ["dbr_excluded", "node14", "box9", "Reports excluded", reasons],
    ["other_assessed", "node20", "box14", "Reports assessed for eligibility", "0"],
    ["other_excluded", "node21", "box15", "Reports excluded", ""],
    ["new_studies", "node15", "box10", "New studies included in review", num(flow.studiesIncluded)],
    ["new_reports", "NA", "box10", "Reports of new included studies", num(flow.reportsIncluded)],
    ["total_studies", "node22", "box16", "Total studies included in review", num(flow.studiesIncluded)],
    ["total_reports", "NA", "box16", "Reports of total included studies", num(flow.reportsIncluded)],
    ["identification", "node1", "identification", "Identification", "0"],
    ["screening", "node2", "screening", "Screening", "0"],
    ["included", "node3", "included", "Included", "0"],
  ];
  const header = "data,node,box,description,boxtext,tooltips,url,n";
  const lines = rows.map(([data, node, box, text, value]) => [data, node, box, text, text, text, "NA", value].map(csvField).join(","));
  return `${header}\n${lines.join("\n")}\n`;
}
