import Link from "next/link";
import type { SessionUser } from "@/server/auth/session";
import { SignOutButton } from "./sign-out-button";

export type ReviewSection = "overview" | "screening" | "studies" | "risk-of-bias" | "analysis" | "report" | "data" | "setup" | "study" | "members";
type Nav = { reviewId: number; title: string; role: string; current: ReviewSection };

/** The review's sections; `leadOnly` ones are hidden from others (their procedures refuse them anyway). */
const tabs: { key: ReviewSection; label: string; suffix: string; leadOnly?: boolean }[] = [
  { key: "overview", label: "Overview", suffix: "" },
  { key: "screening", label: "Screening", suffix: "/screening" },
  { key: "studies", label: "Studies", suffix: "/studies" },
  { key: "risk-of-bias", label: "Risk of bias", suffix: "/risk-of-bias" },
  { key: "analysis", label: "Analysis", suffix: "/analysis" },
  { key: "data", label: "Data", suffix: "/data" },
  { key: "setup", label: "Set-up", suffix: "/setup" },
  { key: "members", label: "Members", suffix: "/members", leadOnly: true },
];

/**
 * The app's header: on a wide screen the review's sections as tabs; on a phone everything folds into one "Menu"
 * (a native <details>, so it works before any script runs and never widens the page).
 */
export function AppHeader({ user, nav }: { user: SessionUser; nav?: Nav }) {
  const visible = nav ? tabs.filter((t) => !t.leadOnly || nav.role === "lead") : [];
  const isCurrent = (key: ReviewSection) => nav?.current === key || (key === "studies" && nav?.current === "study");
  const account = (
    <>
      <span className="text-sm text-slate-300">
        {user.displayName}
        {nav ? ` · ${nav.role}` : user.isAdmin ? " · admin" : ""}
      </span>
      {user.isAdmin && (
        <Link href="/admin/users" className="rounded px-2 py-1 text-sm text-slate-200 hover:bg-slate-700">
          Accounts
        </Link>
      )}
      <SignOutButton />
    </>
  );
  return (
    <header className="no-print bg-slate-800 text-white">
      <div className="mx-auto flex max-w-screen-2xl items-center gap-4 px-4 py-2">
        <Link href="/" className="shrink-0 font-semibold tracking-tight">
          Review workbench
        </Link>
        {nav && (
          <span className="min-w-0 truncate text-sm text-slate-300" title={nav.title}>
            / {nav.title}
          </span>
        )}
        <div className="ml-auto hidden shrink-0 items-center gap-3 md:flex">{account}</div>
        <details className="group relative ml-auto md:hidden">
          <summary className="cursor-pointer list-none rounded border border-slate-500 px-2 py-1 text-sm">Menu</summary>
          <div className="absolute right-0 z-20 mt-1 w-60 space-y-1 rounded border border-slate-600 bg-slate-800 p-2 shadow-lg">
            {nav && (
              <nav aria-label="Review sections (menu)" className="flex flex-col">
                {visible.map((t) => (
                  <Link
                    key={t.key}
                    href={`/reviews/${nav.reviewId}${t.suffix}`}
                    aria-current={isCurrent(t.key) ? "page" : undefined}
                    className={`rounded px-2 py-1.5 text-sm ${isCurrent(t.key) ? "bg-slate-50 text-slate-900" : "text-slate-100 hover:bg-slate-700"}`}
                  >
                    {t.label}
                  </Link>
                ))}
              </nav>
            )}
            <div className="flex flex-col items-start gap-1 border-t border-slate-600 pt-2">{account}</div>
          </div>
        </details>
      </div>
      {nav && (
        <nav aria-label="Review sections" className="mx-auto hidden max-w-screen-2xl gap-1 px-4 md:flex">
          {visible.map((t) => (
            <Link
              key={t.key}
              href={`/reviews/${nav.reviewId}${t.suffix}`}
              aria-current={isCurrent(t.key) ? "page" : undefined}
              className={`rounded-t px-3 py-1.5 text-sm ${isCurrent(t.key) ? "bg-slate-50 text-slate-900" : "text-slate-200 hover:bg-slate-700"}`}
            >
              {t.label}
            </Link>
          ))}
        </nav>
      )}
    </header>
  );
}
