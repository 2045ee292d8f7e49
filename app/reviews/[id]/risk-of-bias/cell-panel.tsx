"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { ExampleBadge } from "@/app/_components/example-badge";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import { robJudgmentValues } from "@/db/schema/risk-of-bias";
import { judgmentLabels, robDomains } from "@/server/schemas/risk-of-bias";
import { judgmentSymbol, type GridData, type GridIndex, type Judgment, type Slot } from "./rob-model";
import type { useJudgmentSaver } from "./use-judgment-saver";

export const PANEL_ID = "rob-cell-panel";

type Props = {
  reviewId: number;
  data: GridData;
  index: GridIndex;
  studyId: number;
  domain: number;
  mode: "mine" | "consensus";
  saver: ReturnType<typeof useJudgmentSaver>;
  /** A judgment key pressed on the cell in the consensus view: preselects the consensus form. */
  draftJudgment: Judgment | null;
  /** Escape: back to the grid cell. */
  onEscape: () => void;
};

/** The side panel of one cell: the domain's signalling question, the supporting quote and reasoning, both reviewers' judgments once unblinded, the consensus, the history. */
export function CellPanel({ reviewId, data, index, studyId, domain, mode, saver, draftJudgment, onEscape }: Props) {
  const study = data.studies.find((s) => s.id === studyId);
  const d = robDomains[domain - 1]!;
  const unblinded = index.unblinded(studyId);
  const slot = data.me.slot;
  const other: Slot | null = slot === 1 ? 2 : slot === 2 ? 1 : null;
  const status = data.status.find((s) => s.studyId === studyId);
  const consensus = index.consensus(studyId, domain);
  const first = index.judgment(1, studyId, domain);
  const second = index.judgment(2, studyId, domain);
  const agreed = first?.judgment && first.judgment === second?.judgment ? first.judgment : null;
  return (
    <aside
      id={PANEL_ID}
      tabIndex={-1}
      aria-labelledby={`${PANEL_ID}-title`}
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-sm"
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          onEscape();
        }
      }}
    >
      <div>
        <h2 id={`${PANEL_ID}-title`} className="text-base font-semibold">
          {study ? `${study.position}. ${study.label}` : "Study"} · {d.code} {d.name}
        </h2>
        <p className="text-xs text-slate-600">{d.biasType} bias · Escape returns to the grid</p>
        <p className="mt-2 rounded bg-slate-50 p-2 text-slate-800">
          <span className="font-medium">Signalling question: </span>
          {d.help}
        </p>
      </div>

      {mode === "mine" && slot && (
        <OwnJudgment key={`${studyId}:${domain}`} studyId={studyId} domain={domain} slot={slot} index={index} saver={saver} locked={unblinded} />
      )}

      {data.me.seesIndividual && unblinded ? (
        <section aria-labelledby={`${PANEL_ID}-both`}>
          <h3 id={`${PANEL_ID}-both`} className="font-semibold">
            Both reviewers&apos; judgments
          </h3>
          {([1, 2] as const).map((s) => {
            const j = s === 1 ? first : second;
            return (
              <div key={s} className="mt-1 border-l-2 border-slate-200 pl-2">
                <p>
                  <span className="font-medium">{index.reviewerName(s)}:</span> {j?.judgment ? `${judgmentSymbol[j.judgment]} ${judgmentLabels[j.judgment]}` : "—"}
                  {j?.isExampleData && <ExampleBadge title="Example judgment invented for the demo" />}
                </p>
                {j?.quote && <blockquote className="text-slate-700 italic">“{j.quote}”</blockquote>}
                {j?.reasoning && <p className="text-slate-700">{j.reasoning}</p>}
              </div>
            );
          })}
          {first?.judgment !== second?.judgment && <p className="mt-1 font-medium text-red-800">The reviewers disagree on this domain.</p>}
        </section>
      ) : (
        mode === "mine" &&
        other && (
          <p className="text-slate-700">
            {index.reviewerName(other)}&apos;s judgment stays hidden until you have both completed this study (you: {status?.done[slot! - 1] ?? 0}/10
            {typeof status?.done[other - 1] === "number" && (
              <>
                , {index.reviewerName(other)}: {status.done[other - 1]}/10
              </>
            )}
            ).
          </p>
        )
      )}

      <section aria-labelledby={`${PANEL_ID}-consensus`}>
        <h3 id={`${PANEL_ID}-consensus`} className="font-semibold">
          Consensus
        </h3>
        {consensus ? (
          <p>
            {judgmentSymbol[consensus.judgment]} {judgmentLabels[consensus.judgment]}, decided by {consensus.decidedByName} ({consensus.updatedAt.slice(0, 10)})
            {consensus.reason && (
              <>
                : <q>{consensus.reason}</q>
              </>
            )}
          </p>
        ) : (
          <p className="text-slate-700">{unblinded ? "Not recorded yet." : "Possible once both reviewers have completed this study."}</p>
        )}
        {data.me.canDecide && unblinded && (
          <ConsensusForm
            key={`${studyId}:${domain}:${draftJudgment ?? ""}`}
            reviewId={reviewId}
            studyId={studyId}
            domain={domain}
            current={consensus ?? null}
            agreed={agreed}
            initial={draftJudgment ?? consensus?.judgment ?? agreed}
          />
        )}
      </section>

      <CellHistory reviewId={reviewId} studyId={studyId} domain={domain} index={index} />
    </aside>
  );
}

function OwnJudgment({ studyId, domain, slot, index, saver, locked }: { studyId: number; domain: number; slot: Slot; index: GridIndex; saver: Props["saver"]; locked: boolean }) {
  const mine = index.judgment(slot, studyId, domain);
  const pending = saver.pending.get(`${studyId}:${domain}`);
  const shown = pending?.judgment !== undefined ? pending.judgment : (mine?.judgment ?? null);
  return (
    <section aria-labelledby={`${PANEL_ID}-mine`} className="space-y-2">
      <h3 id={`${PANEL_ID}-mine`} className="font-semibold">
        Your judgment {mine?.isExampleData && <ExampleBadge title="Example judgment invented for the demo: change it to make it yours" />}
      </h3>
      {locked && <p className="text-slate-700">Locked: both reviewers have completed this study. Differences are settled in the consensus.</p>}
      <JudgmentRadios legend={<span className="sr-only">Your judgment</span>} name="own-judgment" disabled={locked} value={shown} onChange={(value) => void saver.save(studyId, domain, { judgment: value })} />
      <AutosaveText key={`quote:${mine?.quote ?? ""}`} id={`${PANEL_ID}-quote`} label="Supporting quote (from the paper)" value={mine?.quote ?? ""} disabled={locked} autoFocusTarget onSave={(quote) => saver.save(studyId, domain, { quote })} />
      <AutosaveText key={`reasoning:${mine?.reasoning ?? ""}`} id={`${PANEL_ID}-reasoning`} label="Your reasoning" value={mine?.reasoning ?? ""} disabled={locked} onSave={(reasoning) => saver.save(studyId, domain, { reasoning })} />
      {pending?.state === "failed" && (
        <p role="alert" className="text-red-800">
          Not saved: {pending.message}
        </p>
      )}
    </section>
  );
}

/** Low / High / Unclear as radio buttons, in the tool's words with the figure symbols. */
function JudgmentRadios({ legend, name, value, disabled, onChange }: { legend: ReactNode; name: string; value: Judgment | null; disabled?: boolean; onChange: (value: Judgment) => void }) {
  return (
    <fieldset disabled={disabled} className="flex flex-wrap gap-x-3">
      <legend>{legend}</legend>
      {robJudgmentValues.map((option) => (
        <label key={option} className="flex items-center gap-1">
          <input type="radio" name={name} checked={value === option} onChange={() => onChange(option)} />
          {judgmentSymbol[option]} {judgmentLabels[option]}
        </label>
      ))}
    </fieldset>
  );
}

/** A text area that saves when it loses focus, if its text changed. */
function AutosaveText({ id, label, value, disabled, autoFocusTarget, onSave }: { id: string; label: string; value: string; disabled: boolean; autoFocusTarget?: boolean; onSave: (text: string) => Promise<void> }) {
  const [draft, setDraft] = useState(value);
  return (
    <div>
      <label htmlFor={id} className="block font-medium">
        {label}
      </label>
      <textarea
        id={id}
        data-autofocus={autoFocusTarget || undefined}
        rows={3}
        maxLength={id.endsWith("quote") ? 2000 : 4000}
        disabled={disabled}
        className="mt-1 w-full rounded border border-slate-400 px-2 py-1 disabled:bg-slate-100"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => {
          if (draft.trim() !== value) void onSave(draft);
        }}
      />
    </div>
  );
}

function ConsensusForm({ reviewId, studyId, domain, current, agreed, initial }: { reviewId: number; studyId: number; domain: number; current: GridData["consensus"][number] | null; agreed: Judgment | null; initial: Judgment | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const record = useMutation(trpc.riskOfBias.recordConsensus.mutationOptions());
  const [judgment, setJudgment] = useState<Judgment | null>(initial);
  const [reason, setReason] = useState(current?.reason ?? "");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!judgment) return setMessage({ ok: false, text: "Judgment: choose Low, High or Unclear." });
    if (judgment !== agreed && !reason.trim()) return setMessage({ ok: false, text: agreed ? "Reason: is required when the consensus differs from what both reviewers judged." : "Reason: is required to settle a disagreement." });
    try {
      await record.mutateAsync({ reviewId, studyId, domain, judgment, reason, version: current?.version ?? null });
      await queryClient.invalidateQueries({ queryKey: trpc.riskOfBias.pathKey() });
      setMessage({ ok: true, text: "Consensus recorded." });
    } catch (error) {
      setMessage({ ok: false, text: errorMessage(error) });
    }
  };
  return (
    <form onSubmit={submit} aria-label="Record the consensus" className="mt-2 space-y-2 rounded border border-slate-200 p-2">
      <JudgmentRadios legend={<span className="font-medium">Consensus judgment</span>} name="consensus-judgment" value={judgment} onChange={setJudgment} />
      <div>
        <label htmlFor={`${PANEL_ID}-reason`} className="block font-medium">
          Reason {judgment !== agreed ? "(required)" : "(optional: both reviewers agreed)"}
        </label>
        <textarea
          id={`${PANEL_ID}-reason`}
          data-autofocus
          rows={3}
          maxLength={2000}
          className="mt-1 w-full rounded border border-slate-400 px-2 py-1"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </div>
      <button type="submit" disabled={record.isPending} className="rounded bg-blue-700 px-3 py-1 text-white disabled:opacity-60">
        {current ? "Update consensus" : "Record consensus"}
      </button>
      {message && (
        <p role={message.ok ? "status" : "alert"} className={message.ok ? "text-green-800" : "text-red-800"}>
          {message.text}
        </p>
      )}
    </form>
  );
}

function CellHistory({ reviewId, studyId, domain, index }: { reviewId: number; studyId: number; domain: number; index: GridIndex }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const history = useQuery({ ...trpc.riskOfBias.history.queryOptions({ reviewId, studyId, domain }), enabled: open });
  const groups = history.data
    ? [
        { title: "Consensus", entries: history.data.consensus },
        ...history.data.judgments.map((j) => ({ title: index.reviewerName(j.slot as Slot), entries: j.entries })),
      ]
    : [];
  return (
    <section>
      <button type="button" className="font-semibold" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "▾" : "▸"} History of this cell
      </button>
      {open && history.error && <p role="alert">{errorMessage(history.error)}</p>}
      {open &&
        groups.map((g) => (
          <div key={g.title} className="mt-1">
            <h4 className="font-medium">{g.title}</h4>
            {g.entries.length === 0 ? (
              <p className="text-slate-600">No changes recorded{g.title === "Consensus" ? "" : " (example data is seeded without history)"}.</p>
            ) : (
              <ul className="space-y-0.5 text-xs">
                {g.entries.map((h) => (
                  <li key={h.id}>
                    <span className="tabular text-slate-600">{h.at.replace("T", " ").slice(0, 19)} UTC</span> {h.userName}:{" "}
                    {h.field === "originals" ? `originals: ${describeOriginals(h.newValue)}` : `${h.field ?? h.action} ${h.oldValue ?? "—"} → ${h.newValue ?? "—"}`}
                    {h.reason && <> (reason: {h.reason})</>}
                  </li>
                ))}
              </ul>
            )}
          </div>
        ))}
    </section>
  );
}

/** The consensus audit row's "originals" (JSON of both reviewers' judgments) as a sentence. */
function describeOriginals(json: string | null): string {
  try {
    const parsed = JSON.parse(json ?? "") as Record<string, { name?: string; judgment?: string | null }>;
    return Object.values(parsed)
      .map((o) => `${o.name ?? "reviewer"} ${o.judgment ?? "—"}`)
      .join(", ");
  } catch {
    return json ?? "—";
  }
}
