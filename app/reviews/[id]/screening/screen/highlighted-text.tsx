import { highlightSegments } from "@/server/screening/highlight";

/** Text with the lead's inclusion (green) and exclusion (red) terms marked; rendered as text, never as HTML. */
export function HighlightedText({ text, include, exclude }: { text: string; include: readonly string[]; exclude: readonly string[] }) {
  return (
    <>
      {highlightSegments(text, include, exclude).map((s, i) =>
        s.kind ? (
          <mark key={i} data-term={s.kind} className={s.kind === "include" ? "rounded-sm bg-green-200 px-0.5 text-green-950" : "rounded-sm bg-red-200 px-0.5 text-red-950"}>
            {s.text}
          </mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  );
}
