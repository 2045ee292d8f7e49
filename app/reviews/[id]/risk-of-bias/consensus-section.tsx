"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ScrollBox } from "@/app/_components/scroll-box";
import { useState } from "react";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import { robDomains } from "@/server/schemas/risk-of-bias";
import { comparedCells, judgmentShort, judgmentSymbol, type GridData, type GridIndex } from "./rob-model";

/**
 * The lead's work list: how far the reviewers are, the agreed cells to accept in bulk, and every disagreement
 * with both judgments and its consensus (or a button to settle it in the cell panel).
 */
export function ConsensusSection({ reviewId, data, index, onOpenCell }: { reviewId: number; data: GridData; index: GridIndex; onOpenCell: (studyId: number, domain: number) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const accept = useMutation(trpc.riskOfBias.acceptAgreed.mutationOptions());
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const cells = comparedCells(data, index);
  const disagreements = cells.filter((c) => c.first.judgment !== c.second.judgment);
  const agreedPending = cells.filter((c) => c.first.judgment === c.second.judgment && !c.consensus).length;
  const unblinded = data.status.filter((s) => s.unblinded).length;
  const studyById = new Map(data.studies.map((s) => [s.id, s]));
  const acceptAll = async () => {
    try {
      const { accepted } = await accept.mutateAsync({ reviewId });
      await queryClient.invalidateQueries({ queryKey: trpc.riskOfBias.pathKey() });
      setNotice({ ok: true, text: `Accepted ${accepted} agreed cell${accepted === 1 ? "" : "s"} as the consensus.` });
    } catch (error) {
      setNotice({ ok: false, text: errorMessage(error) });
    }
  };
  return (
    <div className="space-y-2 text-sm">
      <p>
        {unblinded} of {data.studies.length} studies completed by both reviewers. {data.consensus.length} of {data.studies.length * robDomains.length} cells have a consensus.
        {data.me.seesIndividual && (
          <>
            {" "}
            {agreedPending} agreed cells await acceptance; {disagreements.length} disagreements, {disagreements.filter((c) => c.consensus).length} settled.
          </>
        )}
      </p>
      {data.me.canDecide && agreedPending > 0 && (
        <button type="button" className="rounded bg-blue-700 px-3 py-1 text-white disabled:opacity-60" disabled={accept.isPending} onClick={acceptAll}>
          Accept {agreedPending} agreed cells as the consensus
        </button>
      )}
      {notice && (
        <p role={notice.ok ? "status" : "alert"} className={notice.ok ? "text-green-800" : "text-red-800"}>
          {notice.text}
        </p>
      )}
      {data.me.seesIndividual && disagreements.length > 0 && (
        <ScrollBox label="Disagreements between the reviewers">
          <table className="text-sm" aria-label="Disagreements between the reviewers">
            <thead className="bg-slate-100 text-left">
              <tr>
                <th scope="col" className="px-2 py-1">
                  Study
                </th>
                <th scope="col" className="px-2 py-1">
                  Domain
                </th>
                <th scope="col" className="px-2 py-1">
                  {index.reviewerName(1)}
                </th>
                <th scope="col" className="px-2 py-1">
                  {index.reviewerName(2)}
                </th>
                <th scope="col" className="px-2 py-1">
                  Consensus
                </th>
                <th scope="col" className="px-2 py-1">
                  <span className="sr-only">Open</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {disagreements.map((c) => {
                const study = studyById.get(c.studyId);
                const d = robDomains[c.domain - 1]!;
                const action = data.me.canDecide && !c.consensus ? "Settle" : "Open";
                return (
                  <tr key={`${c.studyId}:${c.domain}`} className="border-t border-slate-100" data-disagreement={`${study?.position}:${d.code}`}>
                    <td className="px-2 py-0.5">
                      {study?.position}. {study?.label}
                    </td>
                    <td className="px-2 py-0.5">
                      {d.code} {d.name}
                    </td>
                    <td className="px-2 py-0.5">{c.first.judgment && `${judgmentSymbol[c.first.judgment]} ${judgmentShort[c.first.judgment]}`}</td>
                    <td className="px-2 py-0.5">{c.second.judgment && `${judgmentSymbol[c.second.judgment]} ${judgmentShort[c.second.judgment]}`}</td>
                    <td className="px-2 py-0.5">
                      {c.consensus ? (
                        <>
                          {judgmentSymbol[c.consensus.judgment]} {judgmentShort[c.consensus.judgment]} <span className="text-slate-600">by {c.consensus.decidedByName}: {c.consensus.reason}</span>
                        </>
                      ) : (
                        <span className="font-medium text-red-800">to settle</span>
                      )}
                    </td>
                    <td className="px-2 py-0.5">
                      <button type="button" className="text-blue-800 underline" onClick={() => onOpenCell(c.studyId, c.domain)} aria-label={`${action} study ${study?.position} ${d.code}`}>
                        {action}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </ScrollBox>
      )}
    </div>
  );
}
