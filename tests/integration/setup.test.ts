import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createReview } from "@/server/services/reviews";
import { callerFor, demoReviewId, freshDb, userId, type TestDb } from "../support/test-db";
import { rejection } from "../support/rejection";

let t: TestDb;
let reviewId: number;
beforeEach(async () => {
  t = await freshDb();
  reviewId = demoReviewId(t.db);
});
afterEach(() => t.close());

const auditCount = () => t.db.$client.prepare("select count(*) from audit_log").pluck().get() as number;

function newReview(title: string): number {
  const admin = { id: userId(t.db, "admin"), displayName: "Administrator" };
  const review = createReview(t.db, admin, { title });
  return review.id;
}

describe("a new review", () => {
  it("starts clean: no outcome, no characteristic, no saved analysis, no subgroups, Table 1 of fixed fields", async () => {
    const id = newReview("Curcumin for spinal cord injury");
    const admin = callerFor(t.db, "admin");
    expect(await admin.outcomes.list({ reviewId: id })).toEqual([]);
    expect(await admin.characteristics.list({ reviewId: id })).toEqual([]);
    expect(await admin.analyses.list({ reviewId: id })).toEqual([]);
    const { review } = await admin.reviews.get({ reviewId: id });
    expect(review.table1Columns).toEqual(["species", "diseaseModel", "intervention", "dose", "administrationRoute"]);
    const run = await admin.analysis.run({ reviewId: id });
    expect(run.settings.subgroupField).toBe("");
    expect(run.outcome).toBeNull();
  });

  it("takes the lead's own characteristics and a lower-is-better outcome, and groups by a list characteristic", async () => {
    const id = newReview("Curcumin");
    const admin = callerFor(t.db, "admin");
    const formulation = await admin.characteristics.create({ reviewId: id, definition: { label: "Formulation", type: "single", options: [{ label: "Nanoparticle" }, { label: "Free curcumin" }], inTable1: true } });
    expect(formulation.options).toEqual([
      { value: "nanoparticle", label: "Nanoparticle" },
      { value: "free_curcumin", label: "Free curcumin" },
    ]);
    const dose = await admin.characteristics.create({ reviewId: id, definition: { label: "Daily dose", type: "number", unit: "mg/kg" } });
    const outcome = await admin.outcomes.create({ reviewId: id, outcome: { name: "Lesion volume", unit: "mm³", scaleMin: 0, scaleMax: null, higherIsBetter: false } });
    expect((await admin.reviews.get({ reviewId: id })).review.table1Columns).toContain(`c:${formulation.id}`);
    expect((await admin.reviews.get({ reviewId: id })).review.table1Columns).not.toContain(`c:${dose.id}`);

    const groups = ["nanoparticle", "nanoparticle", "free_curcumin", "free_curcumin"];
    for (const [i, group] of groups.entries()) {
      const study = await admin.studies.create({ reviewId: id, author: `Author${i} et al.`, year: 2020 + i });
      const withGroup = await admin.studies.update({ reviewId: id, studyId: study.id, field: `c:${formulation.id}`, value: group, version: study.version });
      await admin.studies.update({ reviewId: id, studyId: study.id, field: `c:${dose.id}`, value: 50 + i * 10, version: withGroup.version });
      const detail = await admin.studies.get({ reviewId: id, studyId: study.id });
      for (const arm of detail.arms)
        await admin.measurements.save({ reviewId: id, studyId: study.id, outcomeId: outcome.id, armId: arm.id, day: 28, mean: arm.kind === "treated" ? 2 + i * 0.1 : 3 + i * 0.2, errorType: "SD", errorValue: 0.6, n: 8 });
    }
    const run = await admin.analysis.run({ reviewId: id, settings: { outcomeId: outcome.id, timepoint: "last", day: null, measure: "MD", model: "random", tau2Method: "REML", ciMethod: "z", level: 0.95, subgroupField: `c:${formulation.id}` } });
    expect(run.result.k).toBe(4);
    expect(run.outcome?.higherIsBetter).toBe(false);
    expect(run.subgroupLabel).toBe("Formulation");
    expect(run.result.subgroups!.groups.map((g) => [g.name, g.k])).toEqual([
      ["Free curcumin", 2],
      ["Nanoparticle", 2],
    ]);
    const negative = await rejection(admin.measurements.save({ reviewId: id, studyId: run.inputs[0]!.studyId, outcomeId: outcome.id, armId: (await admin.studies.get({ reviewId: id, studyId: run.inputs[0]!.studyId })).arms[0]!.id, day: 7, mean: -1, errorType: "SD", errorValue: 1, n: 8 }));
    expect(negative.message).toBe("Mean -1 is outside the scale (Lesion volume runs from 0 to ∞).");
  });
});

describe("characteristics", () => {
  it("refuses bad definitions by field, and duplicate labels", async () => {
    const lead = callerFor(t.db, "lead");
    const before = auditCount();
    expect((await rejection(lead.characteristics.create({ reviewId, definition: { label: "", type: "text" } }))).message).toBe("Label is required");
    expect((await rejection(lead.characteristics.create({ reviewId, definition: { label: "Cell line", type: "single", options: [{ label: "A" }] } }))).message).toBe(
      "Choices need at least two entries for a list",
    );
    expect((await rejection(lead.characteristics.create({ reviewId, definition: { label: "exosome SOURCE", type: "text" } }))).message).toBe('Label "exosome SOURCE" is already a characteristic of this review.');
    expect(auditCount()).toBe(before);
  });

  it("renames a choice without touching the studies, refuses removing a used choice or changing the type of a used characteristic", async () => {
    const lead = callerFor(t.db, "lead");
    const [source] = await lead.characteristics.list({ reviewId });
    const renamed = source!.options.map((o) => (o.value === "bone_marrow" ? { ...o, label: "Bone marrow MSC" } : o));
    const updated = await lead.characteristics.update({ reviewId, characteristicId: source!.id, version: source!.version, definition: { label: source!.label, type: "single", options: renamed, inTable1: true } });
    expect(updated.options.find((o) => o.value === "bone_marrow")!.label).toBe("Bone marrow MSC");
    const run = await lead.analysis.run({ reviewId, settings: { ...(await lead.analyses.list({ reviewId }))[2]!.settings } });
    expect(run.result.subgroups!.groups.map((g) => g.name)).toContain("Bone marrow MSC");

    const withoutPlacenta = updated.options.filter((o) => o.value !== "placenta");
    const removeUsed = await rejection(lead.characteristics.update({ reviewId, characteristicId: source!.id, version: updated.version, definition: { label: source!.label, type: "single", options: withoutPlacenta, inTable1: true } }));
    expect(removeUsed.message).toMatch(/Choices "Placenta" are used by studies/);
    const retype = await rejection(lead.characteristics.update({ reviewId, characteristicId: source!.id, version: updated.version, definition: { label: source!.label, type: "text", inTable1: true } }));
    expect(retype.message).toBe('Type cannot change: 21 studies have a value for "Exosome source". Clear them first.');
  });

  it("removes a characteristic with its values (kept in the audit row) and from Table 1", async () => {
    const lead = callerFor(t.db, "lead");
    const list = await lead.characteristics.list({ reviewId });
    const site = list.find((c) => c.label === "Injured site")!;
    expect(site.studiesWithValue).toBe(21);
    await lead.characteristics.delete({ reviewId, characteristicId: site.id, version: site.version });
    expect((await lead.characteristics.list({ reviewId })).map((c) => c.label)).not.toContain("Injured site");
    expect((await lead.reviews.get({ reviewId })).review.table1Columns).not.toContain(`c:${site.id}`);
    const audit = JSON.parse(t.db.$client.prepare("select old_value from audit_log where entity = 'characteristic' and action = 'delete'").pluck().get() as string) as { values: { value: string }[] };
    expect(audit.values).toHaveLength(21);
    expect(audit.values.map((v) => v.value)).toContain("T11");
  });

  it("reorders characteristics and Table 1 columns; only known columns are accepted", async () => {
    const lead = callerFor(t.db, "lead");
    const list = await lead.characteristics.list({ reviewId });
    await lead.characteristics.move({ reviewId, characteristicId: list[1]!.id, direction: "up" });
    expect((await lead.characteristics.list({ reviewId })).slice(0, 2).map((c) => c.id)).toEqual([list[1]!.id, list[0]!.id]);
    const { review } = await lead.reviews.get({ reviewId });
    await lead.characteristics.setTable1Columns({ reviewId, columns: ["strain", `c:${list[0]!.id}`], version: review.version });
    expect((await lead.reviews.get({ reviewId })).review.table1Columns).toEqual(["strain", `c:${list[0]!.id}`]);
    const bad = await rejection(lead.characteristics.setTable1Columns({ reviewId, columns: ["author"], version: review.version + 1 }));
    expect(bad.message).toBe('Table 1 columns: "author" is not a field or characteristic of this review.');
    const stale = await rejection(lead.characteristics.setTable1Columns({ reviewId, columns: [], version: review.version }));
    expect(stale.code).toBe("CONFLICT");
  });

  it("lets only the lead define characteristics", async () => {
    const error = await rejection(callerFor(t.db, "reviewer1").characteristics.create({ reviewId, definition: { label: "X", type: "text" } }));
    expect(error.code).toBe("FORBIDDEN");
  });
});

describe("outcomes", () => {
  it("refuses a scale that values already break, and removing an outcome with values", async () => {
    const lead = callerFor(t.db, "lead");
    const [bbb] = await lead.outcomes.list({ reviewId });
    const narrow = await rejection(lead.outcomes.update({ reviewId, outcomeId: bbb!.id, version: bbb!.version, outcome: { name: bbb!.name, scaleMin: 0, scaleMax: 5, normalValue: 5 } }));
    expect(narrow.message).toMatch(/^Scale: \d+ entered means lie outside 0 to 5\. Correct them first\.$/);
    const gone = await rejection(lead.outcomes.delete({ reviewId, outcomeId: bbb!.id, version: bbb!.version }));
    expect(gone.message).toBe('"BBB locomotor score" has 84 outcome values; delete them first.');
    const normal = await rejection(lead.outcomes.create({ reviewId, outcome: { name: "BMS", scaleMin: 0, scaleMax: 9, normalValue: 12 } }));
    expect(normal.message).toBe("Normal value must lie on the scale");
    const renamed = await lead.outcomes.update({ reviewId, outcomeId: bbb!.id, version: bbb!.version, outcome: { name: "BBB score", unit: "points", scaleMin: 0, scaleMax: 21, normalValue: 21 } });
    expect(renamed).toMatchObject({ name: "BBB score", version: bbb!.version + 1 });
    const created = await lead.outcomes.create({ reviewId, outcome: { name: "Lesion volume", unit: "mm³", scaleMin: 0, higherIsBetter: false } });
    await lead.outcomes.delete({ reviewId, outcomeId: created.id, version: created.version });
    expect((await lead.outcomes.list({ reviewId })).map((o) => o.name)).toEqual(["BBB score"]);
  });
});
