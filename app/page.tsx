import Link from "next/link";
import { AppHeader } from "./_components/app-header";
import { NewReviewForm } from "./_components/new-review-form";
import { requireUser, serverCaller } from "./_lib/server-session";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  const user = await requireUser("/");
  const reviews = await (await serverCaller()).reviews.list();
  return (
    <>
      <AppHeader user={user} />
      <main className="mx-auto max-w-4xl p-4 sm:p-6">
        <h1 className="text-2xl font-semibold">Your reviews</h1>
        {reviews.length === 0 ? (
          <p className="mt-4 text-slate-700">You are not a member of any review yet. Ask a review lead or the administrator to add you.</p>
        ) : (
          <ul className="mt-4 space-y-3">
            {reviews.map((r) => (
              <li key={r.id} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
                <Link href={`/reviews/${r.id}`} className="text-lg font-medium text-blue-800 hover:underline">
                  {r.title}
                </Link>
                {r.isDemo && <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900">demo</span>}
                <p className="mt-1 text-sm text-slate-700">{r.question}</p>
                <p className="mt-1 text-sm text-slate-600">{r.studies} studies</p>
              </li>
            ))}
          </ul>
        )}
        {user.isAdmin && <NewReviewForm />}
      </main>
    </>
  );
}
