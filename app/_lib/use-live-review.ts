"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "@/app/_trpc/client";

/**
 * Keeps a page in step with everyone's edits: the server pushes "review changed" over SSE after each commit,
 * and the page re-queries what it shows (no reload, no polling).
 */
export function useLiveReview(reviewId: number, onChange?: (by: string) => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useSubscription(
    trpc.analysis.changes.subscriptionOptions(
      { reviewId },
      {
        onData: (change) => {
          void queryClient.invalidateQueries();
          onChange?.(change.by);
        },
      },
    ),
  );
}
