"use client";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState } from "react";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import { readUpload } from "./read-file";

/** An administrator recreates a review exported from another install ("Whole review (JSON)") as a new review. */
export function ArchiveImport() {
  const trpc = useTRPC();
  const inputId = useId();
  const [readError, setReadError] = useState<string | null>(null);
  const importReview = useMutation(trpc.dataIo.importReview.mutationOptions());
  const choose = async (file: File | undefined) => {
    setReadError(null);
    importReview.reset();
    if (!file) return;
    try {
      importReview.mutate({ file: await readUpload(file) });
    } catch (error) {
      setReadError(error instanceof Error ? error.message : String(error));
    }
  };
  const result = importReview.data;
  return (
    <section aria-labelledby="archive-heading" className="space-y-3">
      <h2 id="archive-heading" className="text-xl font-semibold">
        Import a whole review
      </h2>
      <p className="text-sm text-slate-600" id={`${inputId}-help`}>
        A &quot;Whole review (JSON)&quot; export from this or another install becomes a new review (administrators only). Members are matched by username.
      </p>
      <div>
        <label htmlFor={inputId} className="block text-sm font-medium">
          Review archive (JSON)
        </label>
        <input
          id={inputId}
          type="file"
          aria-describedby={`${inputId}-help`}
          accept=".json,application/json"
          className="mt-1 block w-full max-w-md text-sm file:mr-3 file:rounded file:border file:border-slate-300 file:bg-white file:px-3 file:py-1"
          onChange={(e) => void choose(e.target.files?.[0])}
        />
      </div>
      {(readError || importReview.error) && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800">
          {readError ?? errorMessage(importReview.error)}
        </p>
      )}
      {result && (
        <div role="status" className="rounded border border-green-300 bg-green-50 p-2 text-sm text-green-900">
          <p>
            Created{" "}
            <Link className="underline" href={`/reviews/${result.reviewId}`}>
              {result.title}
            </Link>{" "}
            with {result.studies} studies and {result.values} outcome values; members: {result.membersAdded.join(", ") || "none"}.
          </p>
          {result.missingUsers.length > 0 && <p>No account here for: {result.missingUsers.join(", ")} (not added).</p>}
          {result.notes.map((n) => (
            <p key={n}>{n}</p>
          ))}
        </div>
      )}
    </section>
  );
}
