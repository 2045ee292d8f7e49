"use client";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";

export function NewReviewForm() {
  const trpc = useTRPC();
  const [title, setTitle] = useState("");
  const create = useMutation(trpc.reviews.create.mutationOptions({ onSuccess: (review) => window.location.assign(`/reviews/${review.id}`) }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ title });
  };
  return (
    <form onSubmit={submit} className="mt-6 flex flex-wrap items-end gap-2" aria-label="New review">
      <div className="grow">
        <label htmlFor="new-review-title" className="block text-sm font-medium">
          New review title
        </label>
        <input id="new-review-title" className="mt-1 w-full rounded border border-slate-300 px-2 py-1" value={title} onChange={(e) => setTitle(e.target.value)} />
      </div>
      <button type="submit" className="rounded bg-blue-700 px-3 py-1.5 text-white" disabled={create.isPending}>
        Create review
      </button>
      {create.error && (
        <p role="alert" className="w-full text-sm text-red-700">
          {errorMessage(create.error)}
        </p>
      )}
    </form>
  );
}
