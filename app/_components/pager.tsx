"use client";

/** The slice of `items` on page `page` (clamped); pageSize 0 means everything on one page. */
export function pageSlice<T>(items: readonly T[], pageSize: number, page: number): { items: T[]; pageCount: number; current: number } {
  if (pageSize <= 0 || items.length <= pageSize) return { items: [...items], pageCount: 1, current: 0 };
  const pageCount = Math.ceil(items.length / pageSize);
  const current = Math.min(Math.max(page, 0), pageCount - 1);
  return { items: items.slice(current * pageSize, (current + 1) * pageSize), pageCount, current };
}

/** Previous / next and "page i of n" for a paginated chart or table. */
export function Pager({ label, page, pageCount, onPage }: { label: string; page: number; pageCount: number; onPage: (page: number) => void }) {
  return (
    <nav aria-label={label} className="no-print flex items-center gap-2 text-sm">
      <button type="button" className="rounded border border-slate-300 bg-white px-2 py-0.5 disabled:opacity-50" disabled={page === 0} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span>
        Page {page + 1} of {pageCount}
      </span>
      <button type="button" className="rounded border border-slate-300 bg-white px-2 py-0.5 disabled:opacity-50" disabled={page >= pageCount - 1} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  );
}
