import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="mx-auto max-w-xl p-8">
      <h1 className="text-2xl font-semibold">403 — Not allowed</h1>
      <p className="mt-3">Your account has no access to this page. Ask the review&apos;s lead to add you as a member.</p>
      <Link className="mt-4 inline-block text-blue-700 underline" href="/">
        Back to your reviews
      </Link>
    </main>
  );
}
