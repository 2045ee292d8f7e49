import { z } from "zod";

/**
 * What free text may hold. The app renders text as text (React escapes it), so these are not about markup:
 * they keep out characters that make stored text misleading or unusable when shown, exported or compared.
 */
/** C0 and C1 controls (NUL, BEL, ESC, …), except tab, line feed and carriage return, which multi-line fields need. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
/**
 * Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they reorder how the text
 * around them displays, so that "\u202Eevil" reads as "live" (the "Trojan Source" trick, CVE-2021-42574).
 */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;
/** Half of a UTF-16 surrogate pair on its own (possible in JSON, "\ud800"): no character at all. With /u, a proper pair does not match. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
/** Text that shows nothing: white space, format characters (zero-width space and joiners, BOM, …) and blank fillers. */
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]+$/u;

const codePoint = (match: RegExpExecArray | null) => `U+${(match?.[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;

export const TEXT_MESSAGES = {
  loneSurrogate: "contains a broken character (half of a surrogate pair); paste the text again",
  control: (found: string) => `must not contain control characters (found ${found})`,
  bidi: (found: string) => `must not contain bidirectional control characters (found ${found}): they make text display in another order than it is stored`,
  invisible: "must contain visible characters, not only spaces or invisible ones",
  tooLong: (max: number) => `must be at most ${max} characters`,
  required: "is required",
} as const;

/**
 * Bounded free text, as every text input of the app takes it: normalised to NFC (one form for "é" typed or
 * pasted two ways), trimmed, at most `max` characters, and refused when it holds control characters,
 * bidirectional controls, a broken surrogate, or nothing visible. May be empty.
 */
export const boundedText = (max: number) =>
  z
    .string()
    .refine((s) => !LONE_SURROGATE.test(s), TEXT_MESSAGES.loneSurrogate)
    .normalize("NFC")
    .trim()
    .max(max, TEXT_MESSAGES.tooLong(max))
    .superRefine((s, ctx) => {
      const control = CONTROL.exec(s);
      if (control) ctx.addIssue({ code: "custom", message: TEXT_MESSAGES.control(codePoint(control)) });
      const bidi = BIDI_CONTROL.exec(s);
      if (bidi) ctx.addIssue({ code: "custom", message: TEXT_MESSAGES.bidi(codePoint(bidi)) });
      if (INVISIBLE_ONLY.test(s)) ctx.addIssue({ code: "custom", message: TEXT_MESSAGES.invisible });
    });
/** As boundedText, and not empty. */
export const requiredText = (max: number) => boundedText(max).min(1, TEXT_MESSAGES.required);
export const finiteNumber = z.number({ error: "must be a number" }).finite("must be a finite number");
export const id = z.number().int().positive();
export const version = z.number().int().positive();
