"use client";
import { useEffect, useRef, useState, type ReactNode } from "react";

/**
 * A wide table or plot that scrolls inside its own box (the page itself never scrolls sideways on a phone), with a
 * visible cue while more lies to the right: a shadow at the edge and a "scroll →" hint.
 */
export function ScrollBox({ label, children, className = "", plain = false }: { label: string; children: ReactNode; className?: string; /** Fixed-size print layouts: the content as it is, no scrolling box. */ plain?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const [more, setMore] = useState(false);
  useEffect(() => {
    const box = ref.current;
    if (!box) return;
    const update = () => setMore(box.scrollLeft + box.clientWidth < box.scrollWidth - 2);
    update();
    box.addEventListener("scroll", update, { passive: true });
    const observer = new ResizeObserver(update);
    observer.observe(box);
    if (box.firstElementChild) observer.observe(box.firstElementChild);
    return () => {
      box.removeEventListener("scroll", update);
      observer.disconnect();
    };
  }, []);
  if (plain) return <div className={className}>{children}</div>;
  return (
    <div className={`relative max-w-full min-w-0 ${className}`}>
      {/* Focusable so that keyboard users can scroll it too. Positioned, so that absolutely placed content inside
          (screen-reader-only labels, popovers) is clipped by this box instead of widening the page. */}
      <div ref={ref} role="region" aria-label={`${label} (scrolls sideways)`} tabIndex={0} className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm focus:outline-2 focus:outline-blue-600">
        {children}
      </div>
      {more && (
        <div aria-hidden="true" className="no-print pointer-events-none absolute inset-y-0 right-0 flex w-10 items-start justify-end rounded-r-lg bg-gradient-to-l from-slate-300/70 to-transparent">
          <span className="mt-1 mr-1 rounded bg-slate-700 px-1 text-[10px] text-white">scroll →</span>
        </div>
      )}
    </div>
  );
}
