"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/app/_trpc/client";

/** The screening records this study came from (or was linked to by hand), so a decision leads back to its study. */
export function LinkedRecords({ reviewId, studyId }: { reviewId: number; studyId: number }) {
  const trpc = useTRPC();
  const records = useQuery(trpc.screening.studyRecords.queryOptions({ reviewId, studyId }));
  if (!records.data?.length) return null;
  return (
    <p className="text-sm text-slate-700">
      From screening:{" "}
      {records.data.map((r, i) => (
        <span key={r.id}>
          {i > 0 && "; "}
          <Link className="text-blue-800 underline" href={`/reviews/${reviewId}/screening/records?search=${encodeURIComponent(r.doi || r.title.slice(0, 60))}`}>
            record #{r.id}
          </Link>
          {r.pmid && ` (PMID ${r.pmid})`}
        </span>
      ))}
    </p>
  );
}
