"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback, useEffect, useEffectEvent, useMemo, useState } from "react";
import { fmt } from "@/app/_lib/format";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useLiveReview } from "@/app/_lib/use-live-review";
import { useTRPC } from "@/app/_trpc/client";
import type { ScreeningOrder, ScreeningStage } from "@/db/schema/screening";
import type { AppRouter } from "@/server/root";
import { stageLabels } from "@/server/schemas/screening";
import type { inferRouterOutputs } from "@trpc/server";
import { FullTextAttachment } from "../full-text";
import { HighlightedText } from "./highlighted-text";

type Queue = inferRouterOutputs<AppRouter>["screening"]["queue"];
type QueueRecord = Queue["records"][number];
type Decision = "include" | "exclude" | "maybe";
type Done = { record: QueueRecord; decision: Decision; reasonId: number | null; version: number | null };

const decisionWords: Record<Decision, string> = { include: "Included", exclude: "Excluded", maybe: "Marked maybe" };

/**
 * Keyboard-first screening (I include, E exclude, M maybe, N next, U undo). The next record is already in
 * hand when a key is pressed, so it shows at once; the decision is saved and the ranking retrained behind it.
 */
export function ScreenWorkbench({ reviewId, stage }: { reviewId: number; stage: ScreeningStage }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useLiveReview(reviewId);
  const overview = useQuery(trpc.screening.overview.queryOptions({ reviewId }));
  const [chosenOrder, setOrder] = useState<ScreeningOrder | null>(null);
  const order: ScreeningOrder = chosenOrder ?? overview.data?.settings.order ?? "prioritised";
  const queue = useQuery({ ...trpc.screening.queue.queryOptions({ reviewId, stage, order, limit: 25 }), enabled: !!overview.data, placeholderData: (previous) => previous });
  const decide = useMutation(trpc.screening.decide.mutationOptions());
  const undo = useMutation(trpc.screening.undo.mutationOptions());

  /** Records decided here whose decision the queue may not reflect yet; and records passed over with "next". */
  const [localDone, setLocalDone] = useState<Set<number>>(() => new Set());
  const [skipped, setSkipped] = useState<number[]>([]);
  const [history, setHistory] = useState<Done[]>([]);
  /** The record on screen, held so that a retrained ranking never swaps it under the reader's eyes. */
  const [pinned, setPinned] = useState<QueueRecord | null>(null);
  const [choosingReason, setChoosingReason] = useState(false);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [showHelp, setShowHelp] = useState(false);

  const reasons = overview.data?.reasons ?? [];
  const terms = overview.data?.settings ?? { includeTerms: [], excludeTerms: [] };
  const candidates = useMemo(() => {
    const list = (queue.data?.records ?? []).filter((r) => !localDone.has(r.id));
    const fresh = list.filter((r) => !skipped.includes(r.id));
    const passed = skipped.map((id) => list.find((r) => r.id === id)).filter((r): r is QueueRecord => !!r);
    return [...fresh, ...passed];
  }, [queue.data, localDone, skipped]);
  const current = pinned && !localDone.has(pinned.id) ? pinned : candidates[0];

  const show = useCallback((record: QueueRecord | undefined) => {
    setPinned(record ?? null);
    setChoosingReason(false);
  }, []);

  const nextAfter = (id: number) => candidates.find((r) => r.id !== id);

  const record = async (decision: Decision, reasonId: number | null = null) => {
    if (!current) return;
    if (stage === "full_text" && decision === "maybe") return setStatus({ ok: false, text: "At full text, decide include or exclude (with a reason)." });
    if (stage === "full_text" && decision === "exclude" && reasonId === null) return setChoosingReason(true);
    const decided = current;
    setLocalDone((prev) => new Set(prev).add(decided.id));
    setSkipped((prev) => prev.filter((id) => id !== decided.id));
    show(nextAfter(decided.id));
    setStatus({ ok: true, text: `${decisionWords[decision]}: ${decided.title || `record ${decided.id}`}` });
    try {
      const saved = await decide.mutateAsync({ reviewId, recordId: decided.id, stage, decision, reasonId, note: "", order, version: null });
      setHistory((prev) => [...prev, { record: decided, decision, reasonId, version: saved.version }]);
      void queryClient.invalidateQueries({ queryKey: trpc.screening.pathKey() });
    } catch (err) {
      setLocalDone((prev) => {
        const next = new Set(prev);
        next.delete(decided.id);
        return next;
      });
      setStatus({ ok: false, text: `Not saved (${decided.title || decided.id}): ${errorMessage(err)}` });
    }
  };

  const takeBack = async () => {
    const last = history[history.length - 1];
    if (!last || last.version === null) return setStatus({ ok: false, text: "Nothing to undo in this session." });
    try {
      await undo.mutateAsync({ reviewId, recordId: last.record.id, stage, version: last.version });
      setHistory((prev) => prev.slice(0, -1));
      setLocalDone((prev) => {
        const next = new Set(prev);
        next.delete(last.record.id);
        return next;
      });
      show(last.record);
      setStatus({ ok: true, text: `Undone: ${last.record.title || `record ${last.record.id}`} is back for a decision.` });
      void queryClient.invalidateQueries({ queryKey: trpc.screening.pathKey() });
    } catch (err) {
      setStatus({ ok: false, text: `Cannot undo: ${errorMessage(err)}` });
    }
  };

  const skip = () => {
    if (!current) return;
    setSkipped((prev) => [...prev.filter((id) => id !== current.id), current.id]);
    show(nextAfter(current.id));
    setStatus({ ok: true, text: `Passed over for now: ${current.title || current.id}` });
  };

  // The keys, for the whole page (not while typing in a field).
  const onKey = useEffectEvent((e: KeyboardEvent) => {
    const target = e.target as HTMLElement | null;
    if (e.ctrlKey || e.metaKey || e.altKey || (target && ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
    const key = e.key.toLowerCase();
    if (choosingReason) {
      const index = Number(key) - 1;
      if (Number.isInteger(index) && index >= 0 && index < reasons.length) {
        e.preventDefault();
        void record("exclude", reasons[index]!.id);
      } else if (key === "escape") {
        e.preventDefault();
        setChoosingReason(false);
      }
      return;
    }
    const actions: Record<string, () => void> = {
      i: () => void record("include"),
      e: () => void record("exclude"),
      m: () => void record("maybe"),
      n: skip,
      arrowright: skip,
      u: () => void takeBack(),
      backspace: () => void takeBack(),
      "?": () => setShowHelp((v) => !v),
    };
    const action = actions[key];
    if (action) {
      e.preventDefault();
      action();
    }
  });
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  if (overview.error) return <p role="alert">{errorMessage(overview.error)}</p>;
  if (queue.error) return <p role="alert">{errorMessage(queue.error)}</p>;
  if (!queue.data || !overview.data) return <p>Loading…</p>;
  const q = queue.data;
  const otherStage: ScreeningStage = stage === "title_abstract" ? "full_text" : "title_abstract";
  const stageSwitch = (
    <Link className="text-blue-800 underline" href={`/reviews/${reviewId}/screening/screen${otherStage === "full_text" ? "?stage=full_text" : ""}`}>
      Switch to {stageLabels[otherStage].toLowerCase()}
    </Link>
  );
  if (!q.assigned)
    return (
      <p>
        You are not one of the two screeners of this review; the lead assigns them on the <Link href={`/reviews/${reviewId}/screening`} className="text-blue-800 underline">overview</Link>. {stageSwitch}
      </p>
    );
  // The queue counts what the server had when it answered; decisions made since are still in its records.
  const remaining = Math.max(q.remaining - [...localDone].filter((id) => q.records.some((r) => r.id === id)).length, 0);
  const done = q.total - remaining;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-x-6 gap-y-2 text-sm">
        <div className="flex items-center gap-2">
          <span>
            You have screened <span className="tabular font-medium" data-testid="screened-count">{done}</span> of <span className="tabular">{q.total}</span>
          </span>
          <progress className="h-2 w-32" max={Math.max(q.total, 1)} value={done} aria-label="Your screening progress" />
        </div>
        <div role="group" aria-label="Order" className="flex overflow-hidden rounded border border-slate-400">
          {(["prioritised", "original"] as const).map((o) => (
            <button key={o} type="button" aria-pressed={order === o} onClick={() => setOrder(o)} className={`px-3 py-1 ${order === o ? "bg-slate-800 text-white" : "bg-white"}`}>
              {o === "prioritised" ? "Most relevant first" : "Original order"}
            </button>
          ))}
        </div>
        {stageSwitch}
      </div>
      {order === "prioritised" && q.model && (
        <p className="text-sm text-slate-600">
          {q.model.trained
            ? `Ranked by predicted relevance, learned from your ${q.model.labelled} decisions (${q.model.relevant} relevant); retrained after each decision.`
            : q.model.note}
        </p>
      )}
      <p role={status?.ok === false ? "alert" : "status"} aria-live="polite" className={`min-h-5 text-sm ${status?.ok === false ? "font-medium text-red-700" : "text-slate-700"}`}>
        {status?.text}
      </p>
      {current ? (
        <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_18rem]">
          <article aria-labelledby="screen-record-title" data-record-id={current.id} className="min-w-0 rounded border border-slate-300 bg-white p-4">
            <div className="mb-1 flex flex-wrap gap-x-3 text-xs text-slate-500">
              <span>Record #{current.id}</span>
              <span>{current.source}</span>
              {current.relevance !== null && <span>Predicted relevance {fmt(current.relevance * 100, 0)}%</span>}
            </div>
            <h2 id="screen-record-title" className="text-lg leading-snug font-semibold break-words">
              <HighlightedText text={current.title || "(no title)"} include={terms.includeTerms} exclude={terms.excludeTerms} />
            </h2>
            <p className="mt-1 text-sm text-slate-700">
              {current.authors.slice(0, 6).join("; ")}
              {current.authors.length > 6 ? `; … (${current.authors.length} authors)` : ""}
            </p>
            <p className="text-sm text-slate-700">
              {[current.journal, current.year].filter(Boolean).join(", ") || "No journal or year"}
              {current.doi && (
                <>
                  {" · "}
                  <a className="break-all text-blue-800 underline" href={`https://doi.org/${current.doi}`} target="_blank" rel="noreferrer noopener">
                    doi:{current.doi}
                  </a>
                </>
              )}
              {current.pmid && ` · PMID ${current.pmid}`}
            </p>
            <div className="mt-3 text-[0.95rem] leading-relaxed break-words whitespace-pre-line">
              {current.abstract ? <HighlightedText text={current.abstract} include={terms.includeTerms} exclude={terms.excludeTerms} /> : <em className="text-slate-500">No abstract in the record.</em>}
            </div>
            {current.keywords.length > 0 && (
              <p className="mt-3 text-xs text-slate-600">
                Keywords: <HighlightedText text={current.keywords.join("; ")} include={terms.includeTerms} exclude={terms.excludeTerms} />
              </p>
            )}
            {stage === "full_text" && (
              <FullTextAttachment reviewId={reviewId} record={current} canEdit onChanged={() => queryClient.invalidateQueries({ queryKey: trpc.screening.pathKey() })} />
            )}
          </article>
          <aside aria-label="Decide" className="space-y-2">
            <div className="grid grid-cols-3 gap-2 lg:grid-cols-1">
              <button type="button" aria-keyshortcuts="I" className="rounded bg-green-700 px-3 py-2 font-medium text-white" onClick={() => void record("include")}>
                Include <kbd className="ml-1 rounded bg-green-900 px-1 text-xs">I</kbd>
              </button>
              <button type="button" aria-keyshortcuts="E" className="rounded bg-red-700 px-3 py-2 font-medium text-white" onClick={() => void record("exclude")}>
                Exclude <kbd className="ml-1 rounded bg-red-900 px-1 text-xs">E</kbd>
              </button>
              {stage === "title_abstract" && (
                <button type="button" aria-keyshortcuts="M" className="rounded bg-amber-600 px-3 py-2 font-medium text-black" onClick={() => void record("maybe")}>
                  Maybe <kbd className="ml-1 rounded bg-amber-800 px-1 text-xs text-white">M</kbd>
                </button>
              )}
            </div>
            {choosingReason && (
              <fieldset className="rounded border border-red-700 bg-red-50 p-2 text-sm">
                <legend className="px-1 font-medium">Exclusion reason (press its number, Esc to cancel)</legend>
                <ol className="space-y-1">
                  {reasons.map((r, i) => (
                    <li key={r.id}>
                      <button type="button" className="w-full rounded border border-red-300 bg-white px-2 py-1 text-left" onClick={() => void record("exclude", r.id)}>
                        <kbd className="mr-1 rounded bg-slate-200 px-1">{i + 1}</kbd> {r.label}
                      </button>
                    </li>
                  ))}
                </ol>
              </fieldset>
            )}
            <div className="flex gap-2">
              <button type="button" aria-keyshortcuts="N" className="flex-1 rounded border border-slate-500 bg-white px-3 py-1.5" onClick={skip}>
                Next <kbd className="ml-1 rounded bg-slate-200 px-1 text-xs">N</kbd>
              </button>
              <button type="button" aria-keyshortcuts="U" className="flex-1 rounded border border-slate-500 bg-white px-3 py-1.5 disabled:opacity-50" onClick={() => void takeBack()} disabled={!history.length}>
                Undo <kbd className="ml-1 rounded bg-slate-200 px-1 text-xs">U</kbd>
              </button>
            </div>
            <button type="button" className="text-sm text-blue-800 underline" onClick={() => setShowHelp((v) => !v)} aria-expanded={showHelp}>
              Keyboard help (?)
            </button>
            {showHelp && (
              <dl className="grid grid-cols-[auto_1fr] gap-x-2 text-sm">
                <dt><kbd>I</kbd></dt>
                <dd>include</dd>
                <dt><kbd>E</kbd></dt>
                <dd>exclude{stage === "full_text" ? ", then the reason's number" : ""}</dd>
                {stage === "title_abstract" && (
                  <>
                    <dt><kbd>M</kbd></dt>
                    <dd>maybe (goes on to full text)</dd>
                  </>
                )}
                <dt><kbd>N</kbd> / <kbd>→</kbd></dt>
                <dd>next without deciding</dd>
                <dt><kbd>U</kbd> / <kbd>⌫</kbd></dt>
                <dd>undo your last decision</dd>
              </dl>
            )}
            <p className="text-xs text-slate-600">Your decisions stay hidden from the other screener until you have both decided a record.</p>
          </aside>
        </div>
      ) : (
        <p className="rounded border border-green-700 bg-green-50 p-3" role="status">
          {q.total === 0
            ? stage === "full_text"
              ? "No records have reached full text yet."
              : "No records to screen yet: import a search first."
            : `You have screened every record at ${stageLabels[stage].toLowerCase()}.`}{" "}
          {history.length > 0 && "Press U to undo your last decision."}
        </p>
      )}
    </div>
  );
}
