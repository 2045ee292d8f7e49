"use client";
import { useQuery } from "@tanstack/react-query";
import { ScrollBox } from "@/app/_components/scroll-box";
import { fmt, fmtPercent } from "@/app/_lib/format";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";

const undefinedNote = { "no items": "no study to compare yet", "one category only": "not defined: every judgment in one category" } as const;

/** Percent agreement and Cohen's κ per domain and overall, over the studies both reviewers completed, before consensus. */
export function AgreementTable({ reviewId }: { reviewId: number }) {
  const trpc = useTRPC();
  const agreement = useQuery(trpc.riskOfBias.agreement.queryOptions({ reviewId }));
  if (agreement.error) return <p role="alert">{errorMessage(agreement.error)}</p>;
  const a = agreement.data;
  if (!a) return <p>Loading agreement…</p>;
  const rows = [...a.domains.map((d) => ({ key: d.code, label: `${d.code} ${d.name}`, ...d })), { key: "overall", label: "Overall (all cells pooled)", ...a.overall }];
  return (
    <div>
      <p className="text-sm text-slate-700">
        Before consensus, over the {a.studiesAssessed} of {a.studiesTotal} studies that both reviewers ({a.reviewers.map((r) => r?.name ?? "not assigned").join(" and ")}) have
        completed, each blind to the other&apos;s judgments. Cohen&apos;s κ (Cohen 1960) over the three categories low / unclear / high.
      </p>
      <ScrollBox label="Agreement between the two reviewers" className="mt-2">
        <table className="text-sm" aria-label="Agreement between the two reviewers">
          <thead className="bg-slate-100 text-left">
            <tr>
              <th scope="col" className="px-2 py-1">
                Domain
              </th>
              <th scope="col" className="px-2 py-1 text-right">
                Studies compared
              </th>
              <th scope="col" className="px-2 py-1 text-right">
                Agreement
              </th>
              <th scope="col" className="px-2 py-1 text-right">
                Cohen&apos;s κ
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} className={`border-t border-slate-100 ${r.key === "overall" ? "font-semibold" : ""}`}>
                <th scope="row" className="px-2 py-0.5 text-left font-normal">
                  {r.label}
                </th>
                <td className="tabular px-2 py-0.5 text-right">{r.key === "overall" ? `${r.n} cells` : r.n}</td>
                <td className="tabular px-2 py-0.5 text-right">{r.observed === null ? "—" : fmtPercent(r.observed * 100, 1)}</td>
                <td className="tabular px-2 py-0.5 text-right">{r.kappa === null ? (r.undefinedBecause ? undefinedNote[r.undefinedBecause] : "—") : fmt(r.kappa, 2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      <p className="mt-1 max-w-3xl text-xs text-slate-600">
        κ corrects agreement for chance. It can be low even when agreement is high, when nearly all judgments of a domain fall in one category (the
        &ldquo;kappa paradox&rdquo;), so read it beside the percentage.
      </p>
    </div>
  );
}
