import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { callerFor, demoReviewId, freshDb, type TestDb } from "../support/test-db";

let t: TestDb;
let reviewId: number;
beforeEach(async () => {
  t = await freshDb();
  reviewId = demoReviewId(t.db);
});
afterEach(() => t.close());

type AuditRow = { entity: string; action: string; field: string | null; old_value: string | null; new_value: string | null; user_name: string; at: string };
const auditSince = (id: number) => t.db.$client.prepare("select * from audit_log where id > ? order by id").all(id) as AuditRow[];
const lastAuditId = () => (t.db.$client.prepare("select coalesce(max(id), 0) from audit_log").pluck().get() as number);

describe("audit trail", () => {
  it("records each research-data mutation with who, when (UTC), field, old and new value", async () => {
    const lead = callerFor(t.db, "lead");
    const r1 = callerFor(t.db, "reviewer1");
    const [study] = await r1.studies.list({ reviewId });
    const [outcome] = await r1.outcomes.list({ reviewId });
    const [saved] = await lead.analyses.list({ reviewId });
    const { review } = await lead.reviews.get({ reviewId });
    const detail = await r1.studies.get({ reviewId, studyId: study!.id });
    const control = detail.arms.find((a) => a.kind === "control")!.id;
    const [source] = await lead.characteristics.list({ reviewId });

    const cases: [string, () => Promise<unknown>, Partial<AuditRow>][] = [
      ["study update", () => r1.studies.update({ reviewId, studyId: study!.id, field: "sex", value: "Female", version: study!.version }), { entity: "study", action: "update", field: "sex", old_value: "", new_value: "Female" }],
      ["study create", () => r1.studies.create({ reviewId, author: "New et al.", year: 2020 }), { entity: "study", action: "create", field: "author", new_value: "New et al." }],
      ["measurement", () => r1.measurements.save({ reviewId, studyId: study!.id, outcomeId: outcome!.id, armId: control, day: 90, mean: 9, errorType: "SD", errorValue: 2, n: 9 }), { entity: "measurement", action: "create" }],
      [
        "saved analysis",
        () => lead.analyses.update({ reviewId, analysisId: saved!.id, version: saved!.version, title: saved!.title, settings: { ...saved!.settings, model: "random" } }),
        { entity: "savedAnalysis", action: "update", field: "model", old_value: "fixed", new_value: "random" },
      ],
      ["outcome", () => lead.outcomes.create({ reviewId, outcome: { name: "Forelimb score", scaleMin: 0, scaleMax: 10 } }), { entity: "outcome", action: "create", field: "name", new_value: "Forelimb score" }],
      [
        "characteristic",
        () => lead.characteristics.create({ reviewId, definition: { label: "Dose regimen", type: "single", options: [{ label: "Single" }, { label: "Repeated" }] } }),
        { entity: "characteristic", action: "create", field: "label", new_value: "Dose regimen" },
      ],
      [
        "characteristic value",
        () => r1.studies.update({ reviewId, studyId: study!.id, field: `c:${source!.id}`, value: "other", version: study!.version + 1 }),
        { entity: "study", action: "update", field: `Exosome source (c:${source!.id})`, old_value: "adipose", new_value: "other" },
      ],
      ["review", () => lead.reviews.update({ reviewId, patch: { prismaIncluded: 22 }, version: review.version }), { entity: "review", action: "update", field: "prismaIncluded", old_value: "21", new_value: "22" }],
    ];
    for (const [, run, expected] of cases) {
      const before = lastAuditId();
      await run();
      const rows = auditSince(before);
      expect(rows.length).toBeGreaterThanOrEqual(1);
      expect(rows[0]).toMatchObject(expected);
      expect(rows[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it("is append-only: the database refuses UPDATE and DELETE", () => {
    expect(() => t.db.$client.prepare("update audit_log set new_value = 'x'").run()).toThrow(/append-only/);
    expect(() => t.db.$client.prepare("delete from audit_log").run()).toThrow(/append-only/);
    expect(lastAuditId()).toBeGreaterThan(0);
  });

  it("rolls back the change when its audit row cannot be written (one transaction)", async () => {
    const r1 = callerFor(t.db, "reviewer1");
    const [study] = await r1.studies.list({ reviewId });
    t.db.$client.exec("create trigger block_audit before insert on audit_log begin select raise(abort, 'audit unavailable'); end;");
    await expect(r1.studies.update({ reviewId, studyId: study!.id, field: "sex", value: "Male", version: study!.version })).rejects.toThrow();
    const [after] = await r1.studies.list({ reviewId });
    expect(after!.sex).toBe(study!.sex);
    expect(after!.version).toBe(study!.version);
  });
});
