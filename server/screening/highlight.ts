/**
 * Highlighted terms in titles and abstracts (the lead's inclusion and exclusion terms, as Rayyan's keyword
 * highlighting): the text split into plain and highlighted segments, rendered by React as text (never HTML).
 * A term matches whole words, case- and accent-insensitively; a trailing "*" matches any ending
 * ("rat*" → rat, rats, rattus). Where an inclusion and an exclusion term overlap, the longer match wins.
 */

export type Segment = { text: string; kind: "include" | "exclude" | null };

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Accent-insensitive folding that keeps string length, so that match offsets map back onto the original text. */
function fold(text: string): string {
  let out = "";
  for (const ch of text) {
    const base = ch.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    out += base.length === ch.length ? base : ch;
  }
  return out;
}

function termPattern(term: string): string | null {
  const cleaned = fold(term.trim());
  if (!cleaned) return null;
  const wildcard = cleaned.endsWith("*");
  const core = escapeRegExp(wildcard ? cleaned.slice(0, -1) : cleaned).replace(/\s+/g, "\\s+");
  return core ? `${core}${wildcard ? "[\\p{L}\\p{N}]*" : ""}` : null;
}

export function highlightSegments(text: string, includeTerms: readonly string[], excludeTerms: readonly string[]): Segment[] {
  const folded = fold(text);
  const marks: { start: number; end: number; kind: "include" | "exclude" }[] = [];
  for (const [kind, terms] of [["include", includeTerms], ["exclude", excludeTerms]] as const) {
    const patterns = terms.map(termPattern).filter((p): p is string => p !== null);
    if (!patterns.length) continue;
    const regex = new RegExp(`(?<![\\p{L}\\p{N}])(?:${patterns.join("|")})(?![\\p{L}\\p{N}])`, "gu");
    for (const match of folded.matchAll(regex)) if (match[0].length) marks.push({ start: match.index, end: match.index + match[0].length, kind });
  }
  marks.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
  const segments: Segment[] = [];
  let at = 0;
  for (const mark of marks) {
    if (mark.start < at) continue; // overlaps a longer/earlier mark
    if (mark.start > at) segments.push({ text: text.slice(at, mark.start), kind: null });
    segments.push({ text: text.slice(mark.start, mark.end), kind: mark.kind });
    at = mark.end;
  }
  if (at < text.length) segments.push({ text: text.slice(at), kind: null });
  return segments;
}
