import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-xl p-8">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="mt-3">There is nothing at this address.</p>
      <Link className="mt-4 inline-block text-blue-700 underline" href="/">
        Back to your reviews
      </Link>
    </main>
  );
}
