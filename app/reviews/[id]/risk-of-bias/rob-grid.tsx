"use client";
import { Fragment, useEffect, useRef, type KeyboardEvent, type ReactNode } from "react";
import { ScrollBox } from "@/app/_components/scroll-box";
import { robDomains } from "@/server/schemas/risk-of-bias";
import { judgmentKeys, type GridData, type Judgment } from "./rob-model";

export type GridCellView = {
  content: ReactNode;
  className: string;
  readOnly: boolean;
};
export type Position = { row: number; col: number };

type Props = {
  id: string;
  label: string;
  /** Id of the element that lists the keys (the grid's description). */
  describedBy: string;
  studies: GridData["studies"];
  rowBadge?: (studyId: number) => ReactNode;
  cell: (studyId: number, domain: number) => GridCellView;
  active: Position;
  onActive: (position: Position) => void;
  /** A judgment key (or Delete: null) on a cell; returns whether to move on to the next cell. */
  onJudgmentKey?: (studyId: number, domain: number, value: Judgment | null) => boolean;
  /** Enter or F2: open the side panel of the active cell. */
  onOpen: () => void;
};

export const cellId = (gridId: string, { row, col }: Position) => `${gridId}-r${row}-c${col}`;

/**
 * An ARIA grid (studies × SYRCLE domains) with one tab stop: arrows, Home/End, PageUp/PageDown and Tab move
 * between cells (Tab leaves the grid after its last cell), single keys set a judgment and move on, Enter opens
 * the cell's panel. The parent decides what a cell shows and what a key does.
 */
export function RobGrid({ id, label, describedBy, studies, rowBadge, cell, active, onActive, onJudgmentKey, onOpen }: Props) {
  const cols = robDomains.length;
  const rows = studies.length;
  // Focus follows the active cell only after a key in the grid moved it, never on a re-render or refetch.
  const focusPending = useRef(false);
  useEffect(() => {
    if (!focusPending.current) return;
    focusPending.current = false;
    document.getElementById(cellId(id, active))?.focus();
  }, [id, active]);

  const clampRow = (row: number) => Math.min(Math.max(row, 0), rows - 1);
  const clampCol = (col: number) => Math.min(Math.max(col, 0), cols - 1);

  const onKeyDown = (e: KeyboardEvent<HTMLTableElement>) => {
    if (!(e.target instanceof HTMLElement) || e.target.getAttribute("role") !== "gridcell" || rows === 0) return;
    const { row, col } = active;
    const move = (to: Position) => {
      e.preventDefault();
      focusPending.current = true;
      onActive({ row: clampRow(to.row), col: clampCol(to.col) });
    };
    const linear = row * cols + col;
    const step = (delta: number) => move({ row: Math.floor((linear + delta) / cols), col: (linear + delta) % cols });
    switch (e.key) {
      case "ArrowRight":
        return move({ row, col: col + 1 });
      case "ArrowLeft":
        return move({ row, col: col - 1 });
      case "ArrowDown":
        return move({ row: row + 1, col });
      case "ArrowUp":
        return move({ row: row - 1, col });
      case "Home":
        return move(e.ctrlKey ? { row: 0, col: 0 } : { row, col: 0 });
      case "End":
        return move(e.ctrlKey ? { row: rows - 1, col: cols - 1 } : { row, col: cols - 1 });
      case "PageDown":
        return move({ row: row + 10, col });
      case "PageUp":
        return move({ row: row - 10, col });
      case "Tab": {
        const next = linear + (e.shiftKey ? -1 : 1);
        // Past the first or last cell, Tab leaves the grid as usual.
        if (next < 0 || next >= rows * cols) return;
        return step(e.shiftKey ? -1 : 1);
      }
      case "Enter":
      case "F2":
        e.preventDefault();
        return onOpen();
    }
    if (!onJudgmentKey || e.ctrlKey || e.metaKey || e.altKey) return;
    const key = e.key.toLowerCase();
    const value = key in judgmentKeys ? judgmentKeys[key]! : e.key === "Delete" || e.key === "Backspace" ? null : undefined;
    if (value === undefined) return;
    e.preventDefault();
    const study = studies[row];
    if (study && onJudgmentKey(study.id, col + 1, value) && value !== null && linear + 1 < rows * cols) step(1);
  };

  return (
    <ScrollBox label={label}>
      <table id={id} role="grid" aria-label={label} aria-describedby={describedBy} className="border-collapse text-sm" onKeyDown={onKeyDown}>
        <thead className="bg-slate-100">
          <tr>
            <th scope="col" role="columnheader" className="sticky left-0 z-10 bg-slate-100 px-2 py-1 text-left align-bottom sm:w-52">
              Study
            </th>
            {robDomains.map((d) => (
              <th key={d.code} scope="col" role="columnheader" title={d.help} className="w-[4.5rem] px-0.5 py-1 text-center align-bottom">
                <span className="block font-semibold">{d.code}</span>
                {/* A break opportunity after "/" (<wbr>, not a character), so "caregivers/investigators" does not widen its column. */}
                <span className="block text-[11px] leading-tight font-normal text-slate-700">
                  {d.name.split("/").map((part, i) => (
                    <Fragment key={i}>
                      {i > 0 && (
                        <>
                          /<wbr />
                        </>
                      )}
                      {part}
                    </Fragment>
                  ))}
                </span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {studies.map((s, row) => (
            <tr key={s.id} data-study-id={s.id} className="border-t border-slate-100">
              <th scope="row" role="rowheader" className="sticky left-0 z-10 min-w-28 bg-white px-2 py-0.5 text-left font-normal sm:whitespace-nowrap">
                <span className="tabular text-slate-600">{s.position}.</span> {s.label}
                {rowBadge?.(s.id)}
              </th>
              {robDomains.map((_, col) => {
                const view = cell(s.id, col + 1);
                const isActive = active.row === row && active.col === col;
                return (
                  <td
                    key={col}
                    id={cellId(id, { row, col })}
                    role="gridcell"
                    tabIndex={isActive ? 0 : -1}
                    aria-readonly={view.readOnly || undefined}
                    aria-selected={isActive}
                    onFocus={() => {
                      if (!isActive) onActive({ row, col });
                    }}
                    className={`h-8 w-[4.5rem] cursor-pointer border border-slate-100 px-0.5 text-center text-[13px] whitespace-nowrap ${view.className} ${isActive ? "outline-2 -outline-offset-2 outline-blue-700" : "outline-none"}`}
                  >
                    {view.content}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}
