import { describe, expect, it } from "vitest";
import { boundedText, requiredText, TEXT_MESSAGES } from "@/server/schemas/common";

const messagesOf = (schema: ReturnType<typeof boundedText>, value: unknown) => {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => i.message);
};

describe("free text", () => {
  const text = boundedText(20);
  const required = requiredText(20);

  it("normalises to NFC and trims, so one word is stored one way however it was typed", () => {
    const decomposed = "Ce\u0301sar  "; // C, e + combining acute, s, a, r
    expect(text.parse(decomposed)).toBe("C\u00e9sar");
    expect(text.parse(decomposed)).toBe(text.parse("César"));
    // The length limit counts the normalised text.
    expect(boundedText(5).safeParse("Ce\u0301sar").success).toBe(true);
  });

  it("keeps what multi-line text and the world's scripts need", () => {
    for (const ok of ["Line one\nLine two", "tab\tseparated", "CRLF\r\nline", "Zoë Müller-Łukasiewicz", "小鼠 脊髓损伤", "ﻣﺜﺎﻝ عربي", "emoji 🐀 ok", ""]) expect(messagesOf(boundedText(100), ok)).toEqual([]);
  });

  it.each([
    ["NUL", "a\u0000b", "U+0000"],
    ["bell", "alarm\u0007", "U+0007"],
    ["escape (terminal colours)", "\u001b[31mred", "U+001B"],
    ["delete", "x\u007f", "U+007F"],
    ["a C1 control", "next\u0085line", "U+0085"],
  ])("refuses %s, naming the character", (_name, value, found) => {
    expect(messagesOf(text, value)).toEqual([TEXT_MESSAGES.control(found)]);
    expect(TEXT_MESSAGES.control(found)).toBe(`must not contain control characters (found ${found})`);
  });

  it.each([
    ["right-to-left override (\"evil\" displayed as \"live\")", "\u202Eevil", "U+202E"],
    ["left-to-right embedding", "a\u202Ab", "U+202A"],
    ["pop directional formatting", "a\u202Cb", "U+202C"],
    ["first strong isolate", "a\u2068b", "U+2068"],
    ["pop directional isolate", "a\u2069b", "U+2069"],
  ])("refuses a bidirectional control: %s", (_name, value, found) => {
    expect(messagesOf(text, value)).toEqual([`must not contain bidirectional control characters (found ${found}): they make text display in another order than it is stored`]);
  });

  it.each([
    ["zero-width space", "\u200B"],
    ["zero-width joiners", "\u200D\u200C"],
    ["byte-order mark and word joiner", "\uFEFF\u2060"],
    ["Hangul filler", "\u3164"],
    ["Braille blank", "\u2800\u2800"],
    ["soft hyphen", "\u00AD"],
  ])("refuses text with nothing visible: %s", (_name, value) => {
    expect(messagesOf(text, value)).toEqual(["must contain visible characters, not only spaces or invisible ones"]);
    expect(messagesOf(required, value)).toEqual([TEXT_MESSAGES.invisible]);
  });

  it("refuses a lone surrogate (possible in JSON) but keeps proper pairs", () => {
    expect(messagesOf(text, "bad\uD800")).toEqual([TEXT_MESSAGES.loneSurrogate]);
    expect(messagesOf(text, JSON.parse('"x\\udc00y"'))).toEqual(["contains a broken character (half of a surrogate pair); paste the text again"]);
    expect(messagesOf(text, "🐀\uD83D\uDC00")).toEqual([]);
  });

  it("says 'is required' for empty or blank required text, and names the limit when too long", () => {
    expect(messagesOf(required, "")).toEqual(["is required"]);
    expect(messagesOf(required, "   \n ")).toEqual(["is required"]);
    expect(messagesOf(text, "x".repeat(21))).toEqual(["must be at most 20 characters"]);
    // Spaces around a visible word are fine: they are trimmed.
    expect(required.parse("  ok  ")).toBe("ok");
  });
});
