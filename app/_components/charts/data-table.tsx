"use client";
import { useState, type ReactNode } from "react";
import { CsvDownload } from "./download-buttons";
import type { CsvCell } from "./download";
import { Pager, pageSlice } from "@/app/_components/pager";
import { ScrollBox } from "@/app/_components/scroll-box";

export type TableColumn<T> = {
  key: string;
  header: string;
  /** What the page shows (formatted with app/_lib/format). */
  cell: (row: T) => ReactNode;
  /** What the CSV holds (raw numbers at full precision). */
  csv: (row: T) => CsvCell;
  numeric?: boolean;
  /** In the CSV only (e.g. the CI bounds as separate numbers). */
  csvOnly?: boolean;
};

/** A paginated table of all `rows`, with a CSV download of every row. */
export function DataTable<T>({
  label,
  basename,
  columns,
  rows,
  rowKey,
  highlight,
  pageSize = 50,
}: {
  label: string;
  basename: string;
  columns: TableColumn<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  highlight?: (row: T) => boolean;
  pageSize?: number;
}) {
  const [page, setPage] = useState(0);
  const { items, pageCount, current } = pageSlice(rows, pageSize, page);
  const shown = columns.filter((c) => !c.csvOnly);
  return (
    <div className="space-y-1">
      <div className="flex items-center gap-2">
        <span className="text-sm font-medium">{label}</span>
        <span className="ml-auto">
          <CsvDownload tableLabel={label} basename={basename} header={columns.map((c) => c.key)} rows={() => rows.map((r) => columns.map((c) => c.csv(r)))} />
        </span>
      </div>
      <ScrollBox label={label}>
        <table className="tabular min-w-full text-sm" aria-label={label}>
          <thead className="bg-slate-100 text-left">
            <tr>
              {shown.map((c) => (
                <th key={c.key} scope="col" className={`px-2 py-1 font-semibold ${c.numeric ? "text-right" : ""}`}>
                  {c.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {items.map((row) => (
              <tr key={rowKey(row)} className={`border-t border-slate-100 ${highlight?.(row) ? "bg-amber-50" : ""}`}>
                {shown.map((c) => (
                  <td key={c.key} className={`px-2 py-0.5 ${c.numeric ? "text-right whitespace-nowrap" : ""}`}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {pageCount > 1 && <Pager label={`${label} pages`} page={current} pageCount={pageCount} onPage={setPage} />}
    </div>
  );
}
