"use client";
import { useEffect, useId, useRef, useState, type FocusEvent, type KeyboardEvent } from "react";

export type CellKind = "text" | "number" | "select" | "textarea" | "multiselect";
export type SaveOutcome = { ok: true } | { ok: false; message: string; conflict?: { by: string; retry: () => Promise<SaveOutcome> } };

type Props = {
  label: string;
  value: string | number | null;
  display?: string;
  kind: CellKind;
  options?: readonly { value: string; label: string }[];
  readOnly?: boolean;
  /** The row version the shown value belongs to. */
  version: number;
  /**
   * Validates and saves against the version that was shown when editing began (so that a change by someone
   * else meanwhile is reported as a conflict, not overwritten); resolves with an error to keep the editor open.
   */
  onSave: (raw: string, version: number) => Promise<SaveOutcome>;
};

/**
 * A grid cell that edits in place: Enter or a click opens it, Enter or leaving it saves (autosave), Escape
 * cancels. An invalid value stays in the editor with the message beside it and is not saved.
 */
export function EditableCell({ label, value, display, kind, options, readOnly, version, onSave }: Props) {
  const [editing, setEditing] = useState(false);
  const [versionAtOpen, setVersionAtOpen] = useState(version);
  const [draft, setDraft] = useState("");
  const [state, setState] = useState<{ status: "idle" | "saving" | "saved" } | { status: "error"; message: string; conflict?: Extract<SaveOutcome, { ok: false }>["conflict"] }>({ status: "idle" });
  const inputRef = useRef<HTMLInputElement & HTMLSelectElement & HTMLTextAreaElement>(null);
  const groupRef = useRef<HTMLFieldSetElement>(null);
  const messageId = useId();
  const shown = display ?? (value === null || value === "" ? "" : String(value));

  useEffect(() => {
    if (editing) (kind === "multiselect" ? groupRef.current?.querySelector("input") : inputRef.current)?.focus();
  }, [editing, kind]);

  const open = () => {
    if (readOnly) return;
    setDraft(value === null ? "" : String(value));
    setVersionAtOpen(version);
    setEditing(true);
    setState({ status: "idle" });
  };

  // The draft whose save just failed: leaving the cell (e.g. to click "Reapply mine") must not resend it.
  const [failedDraft, setFailedDraft] = useState<string | null>(null);

  const finish = async (outcomePromise: Promise<SaveOutcome>) => {
    setState({ status: "saving" });
    const outcome = await outcomePromise;
    setFailedDraft(outcome.ok ? null : draft);
    if (outcome.ok) {
      setEditing(false);
      setState({ status: "saved" });
    } else {
      setState({ status: "error", message: outcome.message, conflict: outcome.conflict });
    }
  };

  const commit = () => {
    if (state.status === "saving" || (state.status === "error" && draft === failedDraft)) return;
    if (draft === (value === null ? "" : String(value)) && version === versionAtOpen) {
      setEditing(false);
      setState({ status: "idle" });
      return;
    }
    void finish(onSave(draft, versionAtOpen));
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      setEditing(false);
      setState({ status: "idle" });
    } else if (e.key === "Enter" && (kind !== "textarea" || !e.shiftKey)) {
      e.preventDefault();
      commit();
    }
  };

  const error = state.status === "error" ? state : null;
  const invalidProps = { "aria-invalid": error ? true : undefined, "aria-describedby": error ? messageId : undefined } as const;
  // A multi-choice cell saves when focus leaves the whole group, not each checkbox.
  const leaveGroup = (e: FocusEvent<HTMLFieldSetElement>) => {
    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) commit();
  };
  const picked: string[] = kind === "multiselect" ? parseList(draft) : [];
  return (
    <div className="relative min-h-7">
      {editing ? (
        <>
          {kind === "multiselect" ? (
            <fieldset ref={groupRef} aria-label={label} aria-describedby={error ? messageId : undefined} className="space-y-0.5 rounded border border-blue-500 bg-white p-1" onBlur={leaveGroup} onKeyDown={onKeyDown}>
              {options?.map((o) => (
                <label key={o.value} className="flex items-center gap-1 text-sm">
                  <input
                    type="checkbox"
                    checked={picked.includes(o.value)}
                    onChange={(e) => setDraft(JSON.stringify(e.target.checked ? [...picked, o.value] : picked.filter((v) => v !== o.value)))}
                  />
                  {o.label}
                </label>
              ))}
            </fieldset>
          ) : kind === "select" ? (
            <select
              ref={inputRef}
              aria-label={label}
              {...invalidProps}
              className="w-full rounded border border-blue-500 bg-white px-1 py-0.5"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              onBlur={commit}
              onKeyDown={onKeyDown}
            >
              {options?.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          ) : kind === "textarea" ? (
            <textarea
              ref={inputRef}
              aria-label={label}
              {...invalidProps}
              className="w-full rounded border border-blue-500 bg-white px-1 py-0.5"
              rows={3}
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              onBlur={commit}
              onKeyDown={onKeyDown}
            />
          ) : (
            <input
              ref={inputRef}
              aria-label={label}
              {...invalidProps}
              inputMode={kind === "number" ? "decimal" : undefined}
              className={`w-full rounded border bg-white px-1 py-0.5 ${error ? "border-red-600" : "border-blue-500"}`}
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              onBlur={commit}
              onKeyDown={onKeyDown}
            />
          )}
        </>
      ) : (
        <button
          type="button"
          className={`block w-full rounded px-1 py-0.5 text-left ${readOnly ? "cursor-default" : "hover:bg-blue-50 focus:bg-blue-50"}`}
          onClick={open}
          aria-label={`${label}: ${shown || "empty"}${readOnly ? "" : " (press Enter to edit)"}`}
        >
          {shown || <span className="text-slate-400">—</span>}
        </button>
      )}
      {state.status === "saving" && <span className="text-xs text-slate-500">saving…</span>}
      {state.status === "saved" && (
        <span className="sr-only" role="status">
          saved
        </span>
      )}
      {error && (
        <div role="alert" id={messageId} className="mt-1 rounded border border-red-300 bg-red-50 p-1 text-xs text-red-800">
          {error.message}
          {error.conflict && (
            <span className="mt-1 flex gap-2">
              <button type="button" className="rounded bg-red-700 px-1.5 py-0.5 text-white" onClick={() => void finish(error.conflict!.retry())}>
                Reapply mine
              </button>
              <button
                type="button"
                className="rounded border border-red-700 px-1.5 py-0.5"
                onClick={() => {
                  setEditing(false);
                  setState({ status: "idle" });
                }}
              >
                Keep theirs
              </button>
            </span>
          )}
        </div>
      )}
    </div>
  );
}

function parseList(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}
