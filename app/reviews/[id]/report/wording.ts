import { heterogeneityMethods, NMD_METHOD, SHARED_CONTROL_METHOD, significanceChange } from "@/app/_lib/analysis-methods";
import { fmt, fmtP, fmtPercent } from "@/app/_lib/format";
import { fmtEffect, measureInfo } from "@/app/_components/charts/effect-scale";
import type { ReviewAnalysis } from "@/server/services/analysis";
import type { ReviewReport } from "@/server/services/report";

/**
 * The report's sentences, written from the services' numbers (nothing is recomputed here: counts of studies and
 * animals are sums over the rows the analysis used, as the forest plot's Total row is).
 */

const levelText = (level: number) => `${fmt(level * 100, level * 100 === Math.round(level * 100) ? 0 : 1)}%`;
const pClause = (p: number | null | undefined) => (fmtP(p).startsWith("<") ? `p ${fmtP(p)}` : `p = ${fmtP(p)}`);

/** Studies, comparisons and animals behind a pooled result (a control shared by c comparisons counted once). */
export function analysedCounts(run: ReviewAnalysis): { studies: number; comparisons: number; animals: number } {
  const inputs = new Map(run.inputs.map((i) => [i.id, i]));
  const rows = run.result.studies.map((s) => ({ input: inputs.get(s.id), shared: s.sharedControl }));
  const studies = new Set(rows.map((r) => r.input?.studyId ?? -1)).size;
  const animals = rows.reduce((sum, r) => sum + (r.input?.n1 ?? 0) + (r.shared?.n2Used ?? r.input?.n2 ?? 0), 0);
  return { studies, comparisons: rows.length, animals: Math.round(animals) };
}

/** "MD 1.56, 95% CI 1.18 to 1.93; p < 0.001; I² = 3%; 21 studies, 464 animals"; null when nothing was pooled. */
export function resultSentence(run: ReviewAnalysis): string | null {
  const pooled = run.result.pooled;
  if (!pooled) return null;
  const measure = run.settings.measure;
  const { studies, comparisons, animals } = analysedCounts(run);
  const het = run.result.heterogeneity;
  const i2 = het && het.I2 !== null ? `; I² = ${fmtPercent(het.I2, 0)}` : "";
  const units = `${studies} ${studies === 1 ? "study" : "studies"}${comparisons !== studies ? ` (${comparisons} comparisons)` : ""}, ${animals} animals`;
  return `${measureInfo[measure].short} ${fmtEffect(pooled.estimate, measure)}, ${levelText(run.settings.level)} CI ${fmtEffect(pooled.ciLower, measure)} to ${fmtEffect(pooled.ciUpper, measure)}; ${pClause(pooled.pValue)}${i2}; ${units}`;
}

/** The model in words, e.g. "a random-effects model (REML τ², Hartung–Knapp CIs)". */
const tau2Names: Record<string, string> = {
  DL: "DerSimonian–Laird",
  REML: "restricted maximum likelihood (REML)",
  PM: "Paule–Mandel",
  HS: "Hunter–Schmidt",
  SJ: "Sidik–Jonkman",
  ML: "maximum likelihood",
  EB: "empirical Bayes",
};

function modelWords(settings: ReviewAnalysis["settings"]): string {
  const ci = settings.ciMethod === "hk" ? ", with Hartung–Knapp confidence intervals" : ", with Wald-type (z) confidence intervals";
  const random = `a random-effects model with τ² estimated by ${tau2Names[settings.tau2Method] ?? settings.tau2Method}${ci}`;
  if (settings.model === "fixed") return "a fixed-effect (inverse-variance) model";
  if (settings.model === "random") return random;
  return `a fixed-effect model, or ${random}, as chosen by the rule below`;
}

const timepointWords = (s: ReviewAnalysis["settings"]) => (s.timepoint === "first" ? "first time point reported" : s.timepoint === "last" ? "last time point reported" : `day ${s.day}`);

/** The methods paragraphs: one sentence per saved analysis, then what they share, with citations. */
export function methodsParagraphs(report: ReviewReport): string[] {
  const out: string[] = [];
  const s = report.screening;
  if (s) {
    const searches = s.searches.map((x) => `${x.source}${x.searchedOn ? ` (searched ${x.searchedOn})` : ""}, ${x.records} records`).join("; ");
    out.push(
      `Searches: ${searches || "none recorded"}. Duplicates were removed by exact DOI/PMID match and, for likely duplicates, by a person. Titles and abstracts, then full texts, were screened by ${s.reviewersPerRecord} reviewers independently, each blind to the other's decisions; conflicts were settled by the team lead or a named third reviewer.`,
    );
  }
  const analyses = report.analyses;
  if (analyses.length === 0) {
    out.push("No saved analysis: the review has no meta-analysis to report yet.");
    return out;
  }
  for (const a of analyses) {
    const st = a.run.settings;
    const outcome = a.run.outcome?.name ?? "no outcome";
    out.push(
      `Analysis ${a.number} (${a.title}): ${measureInfo[st.measure].name.toLowerCase()} of ${outcome} (treated minus control) at the ${timepointWords(st)}, pooled with ${modelWords(st)}, at the ${levelText(st.level)} level${a.run.subgroupLabel ? `, with subgroups by ${a.run.subgroupLabel.toLowerCase()} and a test for subgroup differences` : ""}.`,
    );
  }
  const settings = analyses.map((a) => a.run.settings);
  if (settings.some((x) => x.model === "auto"))
    out.push(
      "Where the model was chosen by rule (the seed paper's, Mou et al. 2025), a random-effects model was used when I² > 50% or the p-value of Cochran's Q was ≤ 0.05, and a fixed-effect model otherwise; each result states which model the rule chose and why.",
    );
  out.push(heterogeneityMethods(levelText(settings[0]!.level)));
  out.push(
    "Standard deviations were used as reported, or converted from the standard error of the mean (SD = SEM × √n) or from a 95% confidence interval (SD = √n × (upper − lower) / (2 × t₀.₉₇₅, n−1)) (Cochrane Handbook 6.5.2.2).",
  );
  if (analyses.some((a) => a.run.result.studies.some((x) => x.sharedControl))) out.push(SHARED_CONTROL_METHOD);
  if (settings.some((x) => x.measure === "NMD")) out.push(NMD_METHOD);
  out.push(
    "Small-study effects were examined with a funnel plot, Egger's regression test (Egger et al. 1997), Begg's rank correlation test (Begg & Mazumdar 1994) and trim-and-fill (Duval & Tweedie 2000); with fewer than 10 studies these tests have too little power to tell chance from asymmetry (Cochrane Handbook 13.3.5.4). A leave-one-out analysis refitted each model without each study in turn.",
  );
  out.push(
    `Analyses were run in the ${report.software.name} ${report.software.version}, whose analysis module is checked number by number against ${report.software.checkedAgainst} (Viechtbauer 2010).`,
  );
  return out;
}

export const methodsReferences = [
  "Begg CB, Mazumdar M. Operating characteristics of a rank correlation test for publication bias. Biometrics 1994;50:1088–101.",
  "Duval S, Tweedie R. Trim and fill: a simple funnel-plot-based method of testing and adjusting for publication bias in meta-analysis. Biometrics 2000;56:455–63.",
  "Egger M, Davey Smith G, Schneider M, Minder C. Bias in meta-analysis detected by a simple, graphical test. BMJ 1997;315:629–34.",
  "Higgins JPT, Thompson SG. Quantifying heterogeneity in a meta-analysis. Stat Med 2002;21:1539–58.",
  "Higgins JPT, Thompson SG, Spiegelhalter DJ. A re-evaluation of random-effects meta-analysis. J R Stat Soc A 2009;172:137–59.",
  "Higgins JPT et al. (eds). Cochrane Handbook for Systematic Reviews of Interventions, version 6.4. Cochrane, 2023.",
  "Hooijmans CR et al. SYRCLE's risk of bias tool for animal studies. BMC Med Res Methodol 2014;14:43.",
  "Page MJ et al. The PRISMA 2020 statement: an updated guideline for reporting systematic reviews. BMJ 2021;372:n71.",
  "Vesterinen HM et al. Meta-analysis of data from animal studies: a practical guide. J Neurosci Methods 2014;221:92–102.",
  "Viechtbauer W. Conducting meta-analyses in R with the metafor package. J Stat Softw 2010;36(3):1–48.",
];

/** The leave-one-out summary: range of the refitted estimates, and any study whose removal changes significance. */
export function leaveOneOutSummary(run: ReviewAnalysis): { range: string; changes: { label: string; change: string }[] } | null {
  const loo = run.result.leaveOneOut;
  if (!run.result.pooled || loo.length < 2) return null;
  const measure = run.settings.measure;
  const alpha = 1 - run.settings.level;
  const estimates = loo.map((l) => l.estimate).filter(Number.isFinite);
  if (estimates.length === 0) return null;
  const low = loo.find((l) => l.estimate === Math.min(...estimates))!;
  const high = loo.find((l) => l.estimate === Math.max(...estimates))!;
  const label = (id: string) => run.labels[id] ?? id;
  return {
    range: `Leaving out one study at a time, the pooled ${measureInfo[measure].short} ranged from ${fmtEffect(low.estimate, measure)} (without ${label(low.id)}) to ${fmtEffect(high.estimate, measure)} (without ${label(high.id)}).`,
    changes: loo.flatMap((l) => {
      const change = significanceChange(run.result.pooled?.pValue, l.pValue, alpha);
      return change ? [{ label: label(l.id), change }] : [];
    }),
  };
}
