import Link from "next/link";
import type { SessionUser } from "@/server/auth/session";
import { SignOutButton } from "./sign-out-button";

type Nav = { reviewId: number; title: string; role: string; current: "overview" | "screening" | "studies" | "risk-of-bias" | "analysis" | "report" | "study" | "members" };

const tabs = [
  ["overview", "Overview", ""],
  ["screening", "Screening", "/screening"],
  ["studies", "Studies", "/studies"],
  ["risk-of-bias", "Risk of bias", "/risk-of-bias"],
  ["analysis", "Analysis", "/analysis"],
  ["members", "Members", "/members"],
] as const;

export function AppHeader({ user, nav }: { user: SessionUser; nav?: Nav }) {
  return (
    <header className="no-print bg-slate-800 text-white">
      <div className="mx-auto flex max-w-screen-2xl flex-wrap items-center gap-x-4 gap-y-1 px-4 py-2">
        <Link href="/" className="font-semibold tracking-tight">
          Review workbench
        </Link>
        {nav && (
          <span className="truncate text-sm text-slate-300" title={nav.title}>
            / {nav.title}
          </span>
        )}
        <span className="ml-auto text-sm text-slate-300">
          {user.displayName}
          {nav ? ` · ${nav.role}` : user.isAdmin ? " · admin" : ""}
        </span>
        {user.isAdmin && (
          <Link href="/admin/users" className="rounded px-2 py-1 text-sm text-slate-200 hover:bg-slate-700">
            Accounts
          </Link>
        )}
        <SignOutButton />
      </div>
      {nav && (
        <nav aria-label="Review sections" className="mx-auto flex max-w-screen-2xl gap-1 overflow-x-auto px-4">
          {tabs.filter(([key]) => key !== "members" || nav.role === "lead").map(([key, label, suffix]) => (
            <Link
              key={key}
              href={`/reviews/${nav.reviewId}${suffix}`}
              aria-current={nav.current === key || (key === "studies" && nav.current === "study") ? "page" : undefined}
              className={`shrink-0 rounded-t px-3 py-1.5 text-sm whitespace-nowrap ${nav.current === key || (key === "studies" && nav.current === "study") ? "bg-slate-50 text-slate-900" : "text-slate-200 hover:bg-slate-700"}`}
            >
              {label}
            </Link>
          ))}
        </nav>
      )}
    </header>
  );
}
