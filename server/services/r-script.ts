import "server-only";
import type { DbOrTx } from "@/db/client";
import { describeScale } from "@/server/schemas/outcomes";
import { getReview } from "./reviews";
import { metaforSheet } from "./data-export";

/*
 * A saved analysis as an R script with its data embedded: escalc, rma with the same estimator, test and level,
 * confint, predict, regtest, ranktest, trimfill, leave1out, forest and funnel (metafor, Viechtbauer 2010, J Stat
 * Softw 36(3)). It ends by printing the numbers the workbench reports, computed as ../shared/reference/CONTRACT.md
 * defines them, so that a journal or a co-author can check them line by line
 * (tests/integration/r-script.test.ts runs it with Rscript and compares).
 */

/** An R string literal. */
const rString = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")}"`;
/** An R number at full precision (JavaScript prints the shortest decimal that reads back as the same double). */
const rNumber = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? "NA" : String(n));
const rVector = (values: string[], perLine = 6) => {
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += perLine) lines.push(values.slice(i, i + perLine).join(", "));
  return `c(${lines.join(",\n    ")})`;
};
/** A comment line: no line break can end the comment early and let text run as code. */
const comment = (text: string) => `# ${text.replace(/[\r\n]+/g, " ")}`;

export function analysisRScript(db: DbOrTx, reviewId: number, analysisId: number): { filename: string; text: string } {
  const review = getReview(db, reviewId);
  const { analysis, run, sheet } = metaforSheet(db, reviewId, analysisId);
  const { settings, result } = run;
  const model = result.modelSelection?.chosen ?? (settings.model === "auto" ? "fixed" : settings.model);
  const random = model === "random";
  const hk = random && settings.ciMethod === "hk";
  const grouped = Boolean(settings.subgroupField);
  const base = `analysis-${analysis.number}`;
  const rows = sheet.rows;
  const col = (name: string) => sheet.header.indexOf(name);
  const values = (name: string) => rows.map((r) => r[col(name)]);
  const numbers = (name: string) => values(name).map((v) => rNumber(typeof v === "number" ? v : null));
  const timepoint = settings.timepoint === "day" ? `day ${settings.day}` : `${settings.timepoint} time point of each study`;
  const fitArgs = random
    ? `method = ${rString(settings.tau2Method)}, test = ${rString(hk ? "knha" : "z")}, level = level * 100,\n      control = list(maxiter = 10000, threshold = 1e-10, tol = 1e-10)`
    : `method = "EE", level = level * 100`;

  const lines: string[] = [
    comment(`${review.title}`),
    comment(`Analysis ${analysis.number}: ${analysis.title}`),
    comment(`Exported by the review workbench on ${new Date().toISOString().slice(0, 10)}. Run it with: Rscript ${base}.R`),
    comment(`It needs R and the metafor package (install.packages("metafor")); it writes ${base}-forest.pdf and ${base}-funnel.pdf.`),
    "#",
    comment(`Outcome: ${run.outcome ? `${run.outcome.name} (${describeScale(run.outcome)})` : "none defined"}; ${timepoint}.`),
    comment(`Effect measure ${settings.measure}; ${random ? `random effects, tau^2 by ${settings.tau2Method}, ${hk ? "Hartung-Knapp" : "z"} test` : "fixed (common) effect"}; level ${settings.level}.`),
    ...(result.modelSelection ? [comment(`Model chosen by the rule "${result.modelSelection.rule}": ${result.modelSelection.reason}`)] : []),
    comment("Arm 1 = treated, arm 2 = control. SDs as analysed: SEM and 95% CI were converted with SD = SEM * sqrt(n) and"),
    comment("SD = sqrt(n) * (upper - lower) / (2 * qt(0.975, n - 1)) (Cochrane Handbook 6.5.2.2)."),
    ...run.excluded.map((e) => comment(`Not analysed: ${run.labels[e.id] ?? e.id}: ${e.reason}.`)),
    "",
    "suppressMessages(library(metafor))",
    `level <- ${rNumber(settings.level)}`,
    "dat <- data.frame(",
    `  study = ${rVector(values("study").map((v) => rString(String(v))), 4)},`,
    ...(grouped ? [`  group = ${rVector(values("group").map((v) => (v === null || v === undefined ? "NA" : rString(String(v)))), 4)},`] : []),
    ...["m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"].map((name) => `  ${name} = ${rVector(numbers(name))},`),
    "  stringsAsFactors = FALSE)",
    `dat <- escalc(measure = ${rString(settings.measure)}, m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = dat, slab = study)`,
    "",
    comment("The same model for every fit below (subgroups, leave-one-out, trim-and-fill); iterations converged tightly, as the workbench does."),
    `fit <- function(d) rma(yi, vi, data = d, ${fitArgs})`,
    "res <- fit(dat)",
    "print(res)",
    ...(random ? ["print(confint(res, type = \"QP\", control = list(tau2.max = 1e8)))"] : []),
    "print(predict(res))",
    "",
    comment("I^2 as the workbench (and RevMan, R meta) report it: (Q - df) / Q (Higgins & Thompson 2002), for any model;"),
    comment("metafor's own I^2 for a random-effects model is based on tau^2 and can differ."),
    "i2 <- function(r) if (r$k < 2) NA else if (r$QE > r$k - 1) 100 * (r$QE - (r$k - 1)) / r$QE else 0",
    comment("Prediction interval as the workbench computes it: estimate +/- t(k - 2) * sqrt(tau^2 + se^2)"),
    comment("(Higgins, Thompson & Spiegelhalter 2009); predict() above uses a normal quantile instead."),
    random
      ? "pi <- if (res$k >= 3) as.numeric(res$b[1]) + c(-1, 1) * qt(1 - (1 - level) / 2, res$k - 2) * sqrt(res$tau2 + res$se^2) else c(NA, NA)"
      : "pi <- c(NA, NA)  # fixed-effect model: no prediction interval",
    "",
    "egger <- if (res$k >= 3) regtest(res, model = \"lm\", predictor = \"sei\") else NULL",
    "begg <- if (res$k >= 3) ranktest(res, exact = res$k < 50) else NULL",
    "tf <- if (res$k >= 3) tryCatch(trimfill(res), error = function(e) NULL) else NULL",
    "if (!is.null(egger)) print(egger)",
    "if (!is.null(begg)) print(begg)",
    "if (!is.null(tf)) print(tf)",
    "if (res$k >= 2) print(leave1out(res))",
  ];
  if (grouped)
    lines.push(
      "",
      comment('Subgroups: each fitted on its own (separate tau^2); studies without a value form "Unspecified".'),
      'dat$group[is.na(dat$group)] <- "Unspecified"',
      'groups <- sort(unique(dat$group), method = "radix")',
      "sub <- lapply(groups, function(g) fit(dat[dat$group == g, ]))",
      "names(sub) <- groups",
      "for (g in groups) { cat(\"\\nSubgroup\", g, \"\\n\"); print(sub[[g]]) }",
      "est <- sapply(sub, function(r) as.numeric(r$b[1])); w <- 1 / sapply(sub, function(r) r$se)^2",
      "qb <- sum(w * (est - sum(w * est) / sum(w))^2)",
      'cat(sprintf("Test for subgroup differences: Q = %.4f, df = %d, p = %.4g\\n", qb, length(groups) - 1, pchisq(qb, length(groups) - 1, lower.tail = FALSE)))',
    );
  lines.push(
    "",
    `pdf(${rString(`${base}-forest.pdf`)}, width = 8, height = 2 + 0.3 * res$k)`,
    "forest(res, header = TRUE)",
    "invisible(dev.off())",
    `pdf(${rString(`${base}-funnel.pdf`)})`,
    "funnel(res)",
    "invisible(dev.off())",
    "",
    comment("The numbers the workbench reports for this analysis, recomputed here:"),
    "out <- list(k = res$k, estimate = as.numeric(res$b[1]), se = res$se, ci.lb = res$ci.lb, ci.ub = res$ci.ub, pval = res$pval,",
    `  Q = res$QE, I2 = i2(res), tau2 = ${random ? "res$tau2" : "0"}, pi.lb = pi[1], pi.ub = pi[2],`,
    "  egger.bias = if (is.null(egger)) NA else coef(summary(egger$fit))[2, 1], egger.p = if (is.null(egger)) NA else egger$pval,",
    "  begg.tau = if (is.null(begg)) NA else begg$tau, begg.p = if (is.null(begg)) NA else begg$pval,",
    "  trimfill.k0 = if (is.null(tf)) NA else tf$k0)",
    'cat("\\n== Workbench numbers ==\\n")',
    'for (nm in names(out)) cat(sprintf("%-12s %s\\n", nm, format(out[[nm]], digits = 15)))',
    "",
  );
  return { filename: `${base}.R`, text: lines.join("\n") };
}
