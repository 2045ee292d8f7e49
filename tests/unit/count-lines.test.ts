import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatCountLines, parseCountLines } from "@/app/_lib/count-lines";

describe("PRISMA count lines", () => {
  it("reads 'name: number' lines, skipping blank ones, splitting at the last colon", () => {
    expect(parseCountLines("PubMed: 120\n\n  Embase : 80 \r\nWeb of Science: Core Collection: 3")).toEqual({
      lines: [
        { name: "PubMed", count: 120 },
        { name: "Embase", count: 80 },
        { name: "Web of Science: Core Collection", count: 3 },
      ],
    });
  });

  it("names the first line that is not 'name: whole number'", () => {
    expect(parseCountLines("PubMed: 120\nEmbase 80")).toEqual({ badLine: 2 });
    expect(parseCountLines(": 4")).toEqual({ badLine: 1 });
    expect(parseCountLines("Wrong population: 2.5")).toEqual({ badLine: 1 });
    expect(parseCountLines("Wrong population: -1")).toEqual({ badLine: 1 });
    expect(parseCountLines("Wrong population:")).toEqual({ badLine: 1 });
  });

  it("reads back what it writes", () => {
    const name = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() === s && s !== "" && !/[\r\n]/.test(s));
    fc.assert(fc.property(fc.array(fc.record({ name, count: fc.nat() }), { maxLength: 10 }), (lines) => {
        expect(parseCountLines(formatCountLines(lines))).toEqual({ lines });
      }),
    );
  });
});
