import type { ReactNode } from "react";
import { ScrollBox } from "@/app/_components/scroll-box";

/** Padding of every cell of the import previews. */
export const previewCell = "px-3 py-1.5";

/**
 * One table of an import preview (columns of the file, problems by row and column, what happens to each study or
 * reference): scrolls inside its own box on a phone, with a caption for screen readers and a header row.
 */
export function PreviewTable({ label, caption, headers, children }: { label: string; caption: string; headers: string[]; children: ReactNode }) {
  return (
    <ScrollBox label={label}>
      <table className="w-full text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-100 text-left">
          <tr>
            {headers.map((header) => (
              <th key={header} scope="col" className={previewCell}>
                {header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </ScrollBox>
  );
}
