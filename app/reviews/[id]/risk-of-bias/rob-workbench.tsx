"use client";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { ExampleBadge } from "@/app/_components/example-badge";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useLiveReview } from "@/app/_lib/use-live-review";
import { useTRPC } from "@/app/_trpc/client";
import { judgmentLabels } from "@/server/schemas/risk-of-bias";
import { AgreementTable } from "./agreement-table";
import { AssignmentForm } from "./assignment-form";
import { CellPanel, PANEL_ID } from "./cell-panel";
import { ConsensusSection } from "./consensus-section";
import { FiguresSection } from "./figures-section";
import { cellId, RobGrid, type GridCellView, type Position } from "./rob-grid";
import { indexGrid, judgmentInk, judgmentShort, judgmentSymbol, judgmentTone, type GridData, type GridIndex, type Judgment } from "./rob-model";
import { useJudgmentSaver, type SaveStatus } from "./use-judgment-saver";

type View = "mine" | "consensus";
const GRID_ID = "rob-grid";
const KEYS_ID = "rob-grid-keys";

export function RobWorkbench({ reviewId }: { reviewId: number }) {
  const trpc = useTRPC();
  useLiveReview(reviewId);
  const grid = useQuery(trpc.riskOfBias.grid.queryOptions({ reviewId }));
  const data = grid.data;
  const saver = useJudgmentSaver(reviewId, data);
  const [chosenView, setView] = useState<View | null>(null);
  const [active, setActive] = useState<Position>({ row: 0, col: 0 });
  const [draftJudgment, setDraftJudgment] = useState<{ key: string; value: Judgment } | null>(null);
  /** Why a key did nothing (a locked cell, no right to decide), so that a key press never fails silently. */
  const [notice, setNotice] = useState<string | null>(null);
  const index = useMemo(() => (data ? indexGrid(data) : null), [data]);

  if (grid.error) return <p role="alert">{errorMessage(grid.error)}</p>;
  if (!data || !index) return <p>Loading…</p>;

  const view: View = chosenView ?? (data.me.slot ? "mine" : "consensus");
  const safeActive = { row: Math.min(active.row, Math.max(data.studies.length - 1, 0)), col: active.col };
  const activeStudy = data.studies[safeActive.row];
  const activeKey = activeStudy ? `${activeStudy.id}:${safeActive.col + 1}` : "";
  const focusPanel = () => {
    const panel = document.getElementById(PANEL_ID);
    // The quote (own judgments) or the reason (consensus form); the panel itself when it has neither.
    const target = panel?.querySelector<HTMLElement>("[data-autofocus]:not([disabled])") ?? panel;
    target?.focus();
  };
  const focusCell = () => document.getElementById(cellId(GRID_ID, safeActive))?.focus();
  const openCell = (studyId: number, domain: number) => {
    const row = data.studies.findIndex((s) => s.id === studyId);
    if (row < 0) return;
    setView("consensus");
    setActive({ row, col: domain - 1 });
    // The panel re-renders for the new cell first; focus it on the next frame.
    requestAnimationFrame(focusPanel);
  };
  const hasExample = data.judgments.some((j) => j.isExampleData);

  return (
    <div className="space-y-6">
      <section aria-labelledby="rob-progress-title" className="space-y-2">
        <h2 id="rob-progress-title" className="sr-only">
          Reviewers and progress
        </h2>
        <AssignmentForm key={data.assignment.version ?? 0} reviewId={reviewId} assignment={data.assignment} canAssign={data.me.canAssign} />
        <Progress data={data} />
        {hasExample && (
          <p className="text-sm text-amber-900">
            <ExampleBadge title="Judgments invented for the demo" /> The demo&apos;s seeded judgments are example data, not an assessment of the real studies. A judgment you change
            becomes yours.
          </p>
        )}
      </section>

      <section aria-labelledby="rob-grid-title" className="space-y-2">
        <div className="flex flex-wrap items-center gap-3">
          <h2 id="rob-grid-title" className="text-lg font-semibold">
            {view === "mine" ? "Your judgments" : "Consensus"}
          </h2>
          {data.me.slot && (
            <div role="group" aria-label="Grid view" className="flex overflow-hidden rounded border border-slate-400 text-sm">
              {(["mine", "consensus"] as const).map((v) => (
                <button key={v} type="button" aria-pressed={view === v} onClick={() => setView(v)} className={`px-3 py-1 ${view === v ? "bg-slate-800 text-white" : "bg-white"}`}>
                  {v === "mine" ? "Your judgments" : "Consensus view"}
                </button>
              ))}
            </div>
          )}
          {view === "mine" && <SaveIndicator status={saver.status} />}
          <p role="status" className="text-sm font-medium text-amber-900">
            {notice}
          </p>
        </div>
        <Legend view={view} canDecide={data.me.canDecide} />
        <div className="grid grid-cols-1 gap-4 xl:grid-cols-[minmax(0,1fr)_22rem]">
          <RobGrid
            id={GRID_ID}
            label={view === "mine" ? "Your SYRCLE judgments: studies by domain" : "Consensus judgments: studies by domain"}
            describedBy={KEYS_ID}
            studies={data.studies}
            rowBadge={(studyId) => rowBadge(data, studyId, view)}
            cell={(studyId, domain) => (view === "mine" ? mineCell(data, index, saver.pending, studyId, domain) : consensusCell(data, index, studyId, domain))}
            active={safeActive}
            onActive={(p) => {
              setActive(p);
              setDraftJudgment(null);
              setNotice(null);
            }}
            onJudgmentKey={(studyId, domain, value) => {
              const position = data.studies.find((s) => s.id === studyId)?.position;
              if (view === "mine") {
                if (!data.me.slot) return false;
                if (index.unblinded(studyId)) {
                  setNotice(`Study ${position} is locked: both reviewers have completed it, and differences are settled in the consensus.`);
                  return false;
                }
                void saver.save(studyId, domain, { judgment: value });
                return true;
              }
              // In the consensus view a key preselects the consensus form (a reason may be needed), it does not save.
              if (value === null) return false;
              if (!data.me.canDecide) {
                setNotice("Only the lead, or the arbiter the lead names, records the consensus.");
                return false;
              }
              if (!index.unblinded(studyId)) {
                setNotice(`Study ${position}: both reviewers must complete it before the consensus.`);
                return false;
              }
              setDraftJudgment({ key: `${studyId}:${domain}`, value });
              requestAnimationFrame(focusPanel);
              return false;
            }}
            onOpen={focusPanel}
          />
          {activeStudy && (
            <div className="no-print">
            <CellPanel
              key={activeKey}
              reviewId={reviewId}
              data={data}
              index={index}
              studyId={activeStudy.id}
              domain={safeActive.col + 1}
              mode={view}
              saver={saver}
              draftJudgment={draftJudgment?.key === activeKey ? draftJudgment.value : null}
              onEscape={focusCell}
            />
            </div>
          )}
        </div>
      </section>

      <section aria-labelledby="rob-consensus-title" className="space-y-2">
        <h2 id="rob-consensus-title" className="text-lg font-semibold">
          Disagreements and consensus
        </h2>
        <ConsensusSection reviewId={reviewId} data={data} index={index} onOpenCell={openCell} />
      </section>

      <section aria-labelledby="rob-agreement-title" className="space-y-2">
        <h2 id="rob-agreement-title" className="text-lg font-semibold">
          Agreement between reviewers
        </h2>
        <AgreementTable reviewId={reviewId} />
      </section>

      <section aria-labelledby="rob-figures-title" className="space-y-2">
        <h2 id="rob-figures-title" className="text-lg font-semibold">
          Figures
        </h2>
        <FiguresSection reviewId={reviewId} data={data} />
      </section>
    </div>
  );
}

function Progress({ data }: { data: GridData }) {
  return (
    <ul className="flex flex-wrap gap-6 text-sm">
      {data.progress.map((p) => (
        <li key={p.slot} className="flex items-center gap-2">
          <span>
            {p.reviewer?.name ?? `Reviewer ${p.slot} (not assigned)`}: <span className="tabular font-medium">{p.done}</span> / <span className="tabular">{p.total}</span> cells
          </span>
          <progress className="h-2 w-32" max={Math.max(p.total, 1)} value={p.done} aria-label={`Progress of ${p.reviewer?.name ?? `reviewer ${p.slot}`}`} />
        </li>
      ))}
    </ul>
  );
}

function SaveIndicator({ status }: { status: SaveStatus }) {
  const text =
    status.kind === "saving" ? "Saving…" : status.kind === "saved" ? `All changes saved (${status.at})` : status.kind === "failed" ? `Save failed: ${status.message}` : "Changes save as you type";
  return (
    <p role="status" aria-live="polite" data-saves={status.kind === "saved" ? status.count : undefined} className={`text-sm ${status.kind === "failed" ? "font-medium text-red-800" : "text-slate-700"}`}>
      {status.kind === "saved" && "✓ "}
      {text}
    </p>
  );
}

function Legend({ view, canDecide }: { view: View; canDecide: boolean }) {
  return (
    <div id={KEYS_ID} className="no-print flex flex-wrap gap-x-4 gap-y-1 rounded bg-slate-100 px-3 py-1.5 text-sm text-slate-800">
      {view === "mine" ? (
        <>
          <span>
            <kbd className="font-semibold">L</kbd> or <kbd className="font-semibold">1</kbd>: {judgmentLabels.low}
          </span>
          <span>
            <kbd className="font-semibold">H</kbd> or <kbd className="font-semibold">2</kbd>: {judgmentLabels.high}
          </span>
          <span>
            <kbd className="font-semibold">U</kbd> or <kbd className="font-semibold">3</kbd>: {judgmentLabels.unclear}
          </span>
          <span>
            <kbd className="font-semibold">Delete</kbd>: clear
          </span>
        </>
      ) : (
        <>
          <span>Solid: consensus</span>
          <span>Dashed outline: both reviewers agree, not yet accepted</span>
          <span className="text-red-800">Red outline: disagreement to settle</span>
          <span>—: reviewers still judging</span>
          {canDecide && (
            <span>
              <kbd className="font-semibold">L</kbd>/<kbd className="font-semibold">H</kbd>/<kbd className="font-semibold">U</kbd>: choose the consensus in the panel
            </span>
          )}
        </>
      )}
      <span>Arrows or Tab: move (Ctrl+End, then Tab, leaves the grid)</span>
      <span>
        <kbd className="font-semibold">Enter</kbd>: {view === "mine" ? "quote and reasoning" : "open the cell"}
      </span>
    </div>
  );
}

function rowBadge(data: GridData, studyId: number, view: View) {
  const example = data.judgments.some((j) => j.studyId === studyId && j.isExampleData && (view === "consensus" || j.slot === data.me.slot));
  return example ? <ExampleBadge title="This study's risk-of-bias judgments are example data invented for the demo" /> : null;
}

const judged = (value: Judgment) => (
  <>
    <span aria-hidden="true" className="font-bold">
      {judgmentSymbol[value]}
    </span>{" "}
    {judgmentShort[value]}
  </>
);

/** An empty cell: a dash for the eye, words for screen readers. */
const dash = (spoken: string) => (
  <>
    <span aria-hidden="true">—</span>
    <span className="sr-only">{spoken}</span>
  </>
);

function mineCell(data: GridData, index: GridIndex, pending: ReturnType<typeof useJudgmentSaver>["pending"], studyId: number, domain: number): GridCellView {
  const slot = data.me.slot!;
  const other = slot === 1 ? 2 : 1;
  const saved = index.judgment(slot, studyId, domain);
  const state = pending.get(`${studyId}:${domain}`);
  const value = state?.judgment !== undefined ? state.judgment : (saved?.judgment ?? null);
  const theirs = index.unblinded(studyId) ? index.judgment(other, studyId, domain)?.judgment : undefined;
  const differs = theirs !== undefined && theirs !== value;
  return {
    readOnly: index.unblinded(studyId),
    className: `${value ? judgmentTone[value] : "bg-white text-slate-500"} ${differs ? "ring-2 ring-inset ring-red-700" : ""} ${state?.state === "saving" ? "opacity-70" : ""}`,
    content: (
      <>
        {value ? judged(value) : dash("not judged")}
        {differs && (
          <span className="ml-0.5 font-bold text-red-800">
            <span aria-hidden="true">≠</span>
            <span className="sr-only">, {index.reviewerName(other)} judged {theirs ? judgmentShort[theirs] : "nothing"}</span>
          </span>
        )}
        {state?.state === "failed" && (
          <span className="ml-0.5 font-bold text-red-800">
            <span aria-hidden="true">!</span>
            <span className="sr-only">, not saved</span>
          </span>
        )}
      </>
    ),
  };
}

function consensusCell(data: GridData, index: GridIndex, studyId: number, domain: number): GridCellView {
  const consensus = index.consensus(studyId, domain);
  const first = index.judgment(1, studyId, domain)?.judgment;
  const second = index.judgment(2, studyId, domain)?.judgment;
  const compared = data.me.seesIndividual && index.unblinded(studyId) && first && second;
  if (consensus)
    return {
      readOnly: !data.me.canDecide,
      className: judgmentTone[consensus.judgment],
      content: (
        <>
          {judged(consensus.judgment)}
          {compared && first !== second && (
            <span className="ml-0.5 text-xs" title="Settled disagreement">
              <span aria-hidden="true">*</span>
              <span className="sr-only">, settled disagreement</span>
            </span>
          )}
        </>
      ),
    };
  if (compared && first === second)
    return {
      readOnly: !data.me.canDecide,
      className: `bg-white ${judgmentInk[first]} border-dashed !border-slate-500`,
      content: (
        <>
          {judged(first)}
          <span className="sr-only">, agreed, not yet accepted</span>
        </>
      ),
    };
  if (compared)
    return {
      readOnly: !data.me.canDecide,
      className: "bg-white text-red-900 ring-2 ring-inset ring-red-700",
      content: (
        <>
          <span aria-hidden="true">
            {judgmentSymbol[first]}≠{judgmentSymbol[second]}
          </span>
          <span className="sr-only">
            Disagreement: {index.reviewerName(1)} {judgmentShort[first]}, {index.reviewerName(2)} {judgmentShort[second]}
          </span>
        </>
      ),
    };
  return { readOnly: true, className: "bg-white text-slate-500", content: dash(index.unblinded(studyId) ? "no consensus yet" : "reviewers still judging") };
}
