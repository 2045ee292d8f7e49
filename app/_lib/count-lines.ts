/**
 * "PubMed: 120" lines ⇄ [{ name: "PubMed", count: 120 }]: how the review details form lets a lead type PRISMA
 * records per source and full-text exclusions by reason. The last colon splits, so a name may hold colons itself.
 * A line that does not parse is reported by its number, for a message naming the field.
 */
export type CountLine = { name: string; count: number };

export function parseCountLines(text: string): { lines: CountLine[] } | { badLine: number } {
  const lines: CountLine[] = [];
  const rows = text.split(/\r?\n/);
  for (const [index, row] of rows.entries()) {
    if (row.trim() === "") continue;
    const colon = row.lastIndexOf(":");
    const name = row.slice(0, colon).trim();
    const count = Number(row.slice(colon + 1).trim());
    if (colon < 0 || name === "" || row.slice(colon + 1).trim() === "" || !Number.isInteger(count) || count < 0) return { badLine: index + 1 };
    lines.push({ name, count });
  }
  return { lines };
}

export const formatCountLines = (lines: readonly CountLine[]): string => lines.map((l) => `${l.name}: ${l.count}`).join("\n");
