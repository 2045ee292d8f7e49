"use client";
import { useEffect } from "react";

export const UNSAVED_MESSAGE = "You have outcome values that are not saved yet. Leave this page and lose them?";

// Every component with unsaved input registers here; one set of listeners guards the whole page.
const dirty = new Set<symbol>();

function onBeforeUnload(e: BeforeUnloadEvent) {
  e.preventDefault();
}

/**
 * Links inside the app navigate without unloading the page, so `beforeunload` does not see them: a click on any link
 * is caught first (capture phase, before Next's own handler) and confirmed.
 */
function onClickCapture(e: MouseEvent) {
  const link = (e.target as Element | null)?.closest?.("a[href]");
  if (!link || e.defaultPrevented || link.getAttribute("target") === "_blank" || (link.getAttribute("href") ?? "").startsWith("#")) return;
  if (!window.confirm(UNSAVED_MESSAGE)) {
    e.preventDefault();
    e.stopPropagation();
  }
}

function sync() {
  if (dirty.size > 0) {
    window.addEventListener("beforeunload", onBeforeUnload);
    document.addEventListener("click", onClickCapture, true);
  } else {
    window.removeEventListener("beforeunload", onBeforeUnload);
    document.removeEventListener("click", onClickCapture, true);
  }
}

/** While `isDirty`, leaving the page (a link, reload, closing the tab) asks for confirmation first. */
export function useUnsavedChanges(isDirty: boolean): void {
  useEffect(() => {
    if (!isDirty) return;
    const token = Symbol("unsaved");
    dirty.add(token);
    sync();
    return () => {
      dirty.delete(token);
      sync();
    };
  }, [isDirty]);
}
