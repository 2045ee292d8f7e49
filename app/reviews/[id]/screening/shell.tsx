import Link from "next/link";
import type { ReactNode } from "react";
import { AppHeader } from "@/app/_components/app-header";
import { loadReviewPage } from "../review-context";

export const screeningSections = [
  ["overview", "Overview", ""],
  ["import", "Import", "/import"],
  ["duplicates", "Duplicates", "/duplicates"],
  ["screen", "Screen", "/screen"],
  ["conflicts", "Conflicts", "/conflicts"],
  ["records", "Records", "/records"],
] as const;
export type ScreeningSection = (typeof screeningSections)[number][0];

/** Every screening page: membership check, the review header, the screening sub-navigation. */
export async function screeningPage(params: Promise<{ id: string }>, section: ScreeningSection) {
  const suffix = screeningSections.find(([key]) => key === section)![2];
  const context = await loadReviewPage(params, `/screening${suffix}`);
  const { user, role, review, reviewId } = context;
  const Shell = ({ title, intro, children }: { title: string; intro?: ReactNode; children: ReactNode }) => (
    <>
      <AppHeader user={user} nav={{ reviewId, title: review.title, role, current: "screening" }} />
      <main className="mx-auto max-w-screen-2xl p-4 sm:p-6">
        <nav aria-label="Screening steps" className="no-print mb-4 flex flex-wrap gap-1 border-b border-slate-300 text-sm">
          {screeningSections.map(([key, label, href]) => (
            <Link
              key={key}
              href={`/reviews/${reviewId}/screening${href}`}
              aria-current={key === section ? "page" : undefined}
              className={`-mb-px rounded-t border px-3 py-1.5 ${key === section ? "border-slate-300 border-b-white bg-white font-medium" : "border-transparent text-blue-800 hover:bg-slate-100"}`}
            >
              {label}
            </Link>
          ))}
        </nav>
        <h1 className="text-2xl font-semibold">{title}</h1>
        {intro && <div className="mt-1 max-w-4xl text-sm text-slate-600">{intro}</div>}
        <div className="mt-4">{children}</div>
      </main>
    </>
  );
  return { ...context, Shell };
}
