import { analyze, type AnalysisResult } from "@/server/analysis";
import { settingsOrDefaults, type AnalysisSettings } from "@/server/schemas/analysis-settings";
import { toStandardDeviation } from "@/server/services/outcome-data";
import { readE2eDb } from "./e2e-db";

/**
 * What the analysis page must show, computed here from the stored rows (E2E_DB, read-only) and the analysis module's
 * `analyze()`, without the page's service: the saved analysis's settings JSON, the review's studies (removed ones
 * left out), their arms' values paired per study at the first / last / given day with both a treated and a control
 * value, and the subgroup of each study read from its characteristic value (the option's label) or fixed field.
 */

type SavedRow = { id: number; title: string; settings: string };
type ValueRow = {
  study_id: number;
  year: number;
  kind: "treated" | "control";
  day: number;
  mean: number;
  error_type: "SD" | "SEM" | "CI95";
  error_value: number | null;
  ci_lower: number | null;
  ci_upper: number | null;
  n: number;
};

/** The review's saved analyses in order, with their settings as stored (read leniently, as the app does). */
export function savedAnalyses(reviewId: number): { id: number; title: string; settings: AnalysisSettings }[] {
  return readE2eDb((db) =>
    (db.prepare("select id, title, settings from saved_analyses where review_id = ? order by position, id").all(reviewId) as SavedRow[]).map((r) => ({
      id: r.id,
      title: r.title,
      settings: settingsOrDefaults(JSON.parse(r.settings)),
    })),
  );
}

/** Each study's subgroup name under `field` (a fixed field or "c:<id>"); studies without a value have none. */
function groupsOf(reviewId: number, field: string): Map<number, string> {
  return readE2eDb((db) => {
    const groups = new Map<number, string>();
    if (!field) return groups;
    if (field.startsWith("c:")) {
      const id = Number(field.slice(2));
      const definition = db.prepare("select type, options from characteristics where id = ? and review_id = ?").get(id, reviewId) as { type: string; options: string };
      const labels = new Map((JSON.parse(definition.options) as { value: string; label: string }[]).map((o) => [o.value, o.label]));
      for (const row of db.prepare("select study_id, value from characteristic_values where characteristic_id = ?").all(id) as { study_id: number; value: string }[]) {
        const value = JSON.parse(row.value) as unknown;
        const text =
          definition.type === "boolean"
            ? value
              ? "Yes"
              : "No"
            : Array.isArray(value)
              ? value.map((v) => labels.get(String(v)) ?? String(v)).join("; ")
              : (labels.get(String(value)) ?? String(value));
        if (text.trim() !== "") groups.set(row.study_id, text);
      }
      return groups;
    }
    const column = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    for (const row of db.prepare(`select id, ${column} as value from studies where review_id = ?`).all(reviewId) as { id: number; value: unknown }[])
      if (row.value !== null && String(row.value).trim() !== "") groups.set(row.id, String(row.value));
    return groups;
  });
}

/** The analysis module's result on the review's stored values with `settings`. */
export function expectedAnalysis(reviewId: number, settings: AnalysisSettings): AnalysisResult & { studyCount: number; days: Map<number, number> } {
  const outcomeId =
    settings.outcomeId ?? readE2eDb((db) => db.prepare("select id from outcomes where review_id = ? order by position, id limit 1").pluck().get(reviewId) as number);
  const rows = readE2eDb(
    (db) =>
      db
        .prepare(
          `select s.id as study_id, s.year, a.kind, m.day, m.mean, m.error_type, m.error_value, m.ci_lower, m.ci_upper, m.n
           from studies s join arms a on a.study_id = s.id join measurements m on m.arm_id = a.id
           where s.review_id = ? and s.deleted_at is null and m.outcome_id = ? order by s.position, s.id`,
        )
        .all(reviewId, outcomeId) as ValueRow[],
  );
  const groups = groupsOf(reviewId, settings.subgroupField);
  const days = new Map<number, number>();
  const studyIds = [...new Set(rows.map((r) => r.study_id))];
  const studies = studyIds.flatMap((id) => {
    const mine = rows.filter((r) => r.study_id === id);
    const both = [...new Set(mine.map((r) => r.day))].filter((d) => mine.some((r) => r.day === d && r.kind === "treated") && mine.some((r) => r.day === d && r.kind === "control")).sort((a, b) => a - b);
    const day = settings.timepoint === "first" ? both[0] : settings.timepoint === "last" ? both[both.length - 1] : both.find((d) => d === settings.day);
    if (day === undefined) return [];
    days.set(id, day);
    const arm = (kind: "treated" | "control") => {
      const r = mine.find((v) => v.day === day && v.kind === kind)!;
      return { mean: r.mean, sd: toStandardDeviation({ errorType: r.error_type, errorValue: r.error_value, ciLower: r.ci_lower, ciUpper: r.ci_upper, n: r.n }).sd, n: r.n };
    };
    const t = arm("treated");
    const c = arm("control");
    const group = groups.get(id);
    return [{ id: String(id), m1: t.mean, sd1: t.sd, n1: t.n, m2: c.mean, sd2: c.sd, n2: c.n, year: mine[0]!.year, ...(settings.subgroupField && group !== undefined ? { group } : {}) }];
  });
  const result = analyze({ measure: settings.measure, model: settings.model, tau2Method: settings.tau2Method, ciMethod: settings.ciMethod, level: settings.level, studies } as Parameters<typeof analyze>[0]);
  return { ...result, studyCount: studies.length, days };
}
