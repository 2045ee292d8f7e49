import "server-only";
import { asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { writeTransaction, type Db, type DbOrTx } from "@/db/client";
import {
  arms,
  auditLog,
  characteristics,
  characteristicTypes,
  characteristicValues,
  measurements,
  memberRoles,
  outcomes,
  reviewMembers,
  reviews,
  robAssignments,
  robConsensus,
  robJudgments,
  savedAnalyses,
  studies,
  users,
} from "@/db/schema";
import { armKinds, dataSources, errorTypes } from "@/db/schema/studies";
import { robJudgmentValues } from "@/db/schema/risk-of-bias";
import { AppError } from "@/server/errors";
import { assertFileSize } from "@/server/io/spreadsheet";
import { settingsOrDefaults } from "@/server/schemas/analysis-settings";
import { parseCharacteristicValue } from "@/server/schemas/characteristics";
import { humanMessage } from "@/server/schemas/messages";
import { parseColumnKey, studyFields } from "@/server/schemas/study";
import { recordAudit, type Actor } from "./audit";

/*
 * A whole review as one JSON document: its details, members (by username), outcomes, characteristics, studies (with
 * removed ones) with their values, arms and outcome data, saved analyses, risk-of-bias assignment, judgments and
 * consensus, and its audit trail. Objects refer to each other by archive references ("o1", "c2", "s3", "a4"), not by
 * database ids, so that another install recreates the review with its own ids.
 */
export const ARCHIVE_FORMAT = "review-workbench/review";
export const ARCHIVE_SCHEMA_VERSION = 1;

const ref = (prefix: string, id: number) => `${prefix}${id}`;

export function exportReviewArchive(db: DbOrTx, reviewId: number) {
  const review = db.select().from(reviews).where(eq(reviews.id, reviewId)).get();
  if (!review) throw new AppError("not_found", `Review ${reviewId} was not found.`);
  const userRows = db.select({ id: users.id, username: users.username, displayName: users.displayName }).from(users).all();
  const username = (id: number | null) => (id === null ? null : (userRows.find((u) => u.id === id)?.username ?? null));
  const outcomeRows = db.select().from(outcomes).where(eq(outcomes.reviewId, reviewId)).orderBy(asc(outcomes.position), asc(outcomes.id)).all();
  const characteristicRows = db.select().from(characteristics).where(eq(characteristics.reviewId, reviewId)).orderBy(asc(characteristics.position), asc(characteristics.id)).all();
  const studyRows = db.select().from(studies).where(eq(studies.reviewId, reviewId)).orderBy(asc(studies.position), asc(studies.id)).all();
  const studyIds = studyRows.map((s) => s.id);
  const armRows = studyIds.length ? db.select().from(arms).where(inArray(arms.studyId, studyIds)).orderBy(asc(arms.id)).all() : [];
  const armIds = armRows.map((a) => a.id);
  const valueRows = armIds.length ? db.select().from(measurements).where(inArray(measurements.armId, armIds)).orderBy(asc(measurements.id)).all() : [];
  const charValues = studyIds.length ? db.select().from(characteristicValues).where(inArray(characteristicValues.studyId, studyIds)).all() : [];
  const columnRef = (key: string) => {
    const parsed = parseColumnKey(key);
    return parsed?.kind === "characteristic" ? ref("c", parsed.id) : key;
  };
  const assignment = db.select().from(robAssignments).where(eq(robAssignments.reviewId, reviewId)).get();
  return {
    format: ARCHIVE_FORMAT,
    schemaVersion: ARCHIVE_SCHEMA_VERSION,
    exportedAt: new Date().toISOString(),
    review: {
      title: review.title,
      question: review.question,
      population: review.population,
      intervention: review.intervention,
      comparison: review.comparison,
      outcomeDescription: review.outcomeDescription,
      studyDesign: review.studyDesign,
      inclusionCriteria: review.inclusionCriteria,
      exclusionCriteria: review.exclusionCriteria,
      prismaIdentified: review.prismaIdentified,
      prismaAfterDuplicates: review.prismaAfterDuplicates,
      prismaFullText: review.prismaFullText,
      prismaIncluded: review.prismaIncluded,
      prismaSources: review.prismaSources,
      prismaNotRetrieved: review.prismaNotRetrieved,
      prismaExclusionReasons: review.prismaExclusionReasons,
      table1Columns: review.table1Columns.map(columnRef),
      importMapping: Object.fromEntries(Object.entries(review.importMapping ?? {}).map(([k, v]) => [k, columnRef(v)])),
      isDemo: review.isDemo,
      createdAt: review.createdAt,
    },
    members: db
      .select({ username: users.username, displayName: users.displayName, role: reviewMembers.role })
      .from(reviewMembers)
      .innerJoin(users, eq(users.id, reviewMembers.userId))
      .where(eq(reviewMembers.reviewId, reviewId))
      .orderBy(asc(users.username))
      .all(),
    outcomes: outcomeRows.map((o) => ({ ref: ref("o", o.id), name: o.name, unit: o.unit, scaleMin: o.scaleMin, scaleMax: o.scaleMax, higherIsBetter: o.higherIsBetter, normalValue: o.normalValue })),
    characteristics: characteristicRows.map((c) => ({ ref: ref("c", c.id), label: c.label, type: c.type, unit: c.unit, options: c.options, helpText: c.helpText })),
    studies: studyRows.map((s) => ({
      ref: ref("s", s.id),
      position: s.position,
      ...Object.fromEntries(studyFields.map((f) => [f, s[f]])),
      deletedAt: s.deletedAt,
      deletedBy: username(s.deletedBy),
      createdAt: s.createdAt,
      characteristics: Object.fromEntries(charValues.filter((v) => v.studyId === s.id).map((v) => [ref("c", v.characteristicId), v.value])),
      arms: armRows
        .filter((a) => a.studyId === s.id)
        .map((a) => ({
          ref: ref("a", a.id),
          kind: a.kind,
          label: a.label,
          controlArm: a.controlArmId === null ? null : ref("a", a.controlArmId),
          values: valueRows
            .filter((m) => m.armId === a.id)
            .map((m) => ({
              outcome: ref("o", m.outcomeId),
              day: m.day,
              mean: m.mean,
              errorType: m.errorType,
              errorValue: m.errorValue,
              ciLower: m.ciLower,
              ciUpper: m.ciUpper,
              n: m.n,
              dataSource: m.dataSource,
              sourceDetail: m.sourceDetail,
              isExampleData: m.isExampleData,
            })),
        })),
    })),
    savedAnalyses: db
      .select()
      .from(savedAnalyses)
      .where(eq(savedAnalyses.reviewId, reviewId))
      .orderBy(asc(savedAnalyses.position), asc(savedAnalyses.id))
      .all()
      .map((a) => {
        const settings = settingsOrDefaults(a.settings);
        return { title: a.title, settings: { ...settings, outcomeId: settings.outcomeId === null ? null : ref("o", settings.outcomeId), subgroupField: settings.subgroupField ? columnRef(settings.subgroupField) : "" } };
      }),
    riskOfBias: {
      assignment: assignment ? { reviewer1: username(assignment.reviewer1Id), reviewer2: username(assignment.reviewer2Id), arbiter: username(assignment.arbiterId) } : null,
      judgments: db
        .select()
        .from(robJudgments)
        .where(eq(robJudgments.reviewId, reviewId))
        .orderBy(asc(robJudgments.id))
        .all()
        .map((j) => ({ study: ref("s", j.studyId), reviewer: username(j.reviewerId), domain: j.domain, judgment: j.judgment, quote: j.quote, reasoning: j.reasoning, isExampleData: j.isExampleData })),
      consensus: db
        .select()
        .from(robConsensus)
        .where(eq(robConsensus.reviewId, reviewId))
        .orderBy(asc(robConsensus.id))
        .all()
        .map((c) => ({ study: ref("s", c.studyId), domain: c.domain, judgment: c.judgment, reason: c.reason, decidedBy: username(c.decidedBy) })),
    },
    audit: db
      .select()
      .from(auditLog)
      .where(eq(auditLog.reviewId, reviewId))
      .orderBy(asc(auditLog.id))
      .all()
      .map((e) => ({ at: e.at, user: username(e.userId), userName: e.userName, entity: e.entity, entityId: e.entityId, action: e.action, field: e.field, oldValue: e.oldValue, newValue: e.newValue, reason: e.reason })),
  };
}

export type ReviewArchive = ReturnType<typeof exportReviewArchive>;

// --- import -----------------------------------------------------------------------------------------------------

const text = (max: number) => z.string().max(max);
const nullableNumber = z.number().finite().nullable();
const archiveSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT, { error: `must be "${ARCHIVE_FORMAT}" (this is not a review exported by the workbench)` }),
  schemaVersion: z.literal(ARCHIVE_SCHEMA_VERSION, { error: `must be ${ARCHIVE_SCHEMA_VERSION} (the version this install reads)` }),
  review: z.object({
    title: text(300).min(1),
    question: text(2000),
    population: text(2000),
    intervention: text(2000),
    comparison: text(2000),
    outcomeDescription: text(2000),
    studyDesign: text(2000),
    inclusionCriteria: text(10_000),
    exclusionCriteria: text(10_000),
    prismaIdentified: z.number().int().nullable(),
    prismaAfterDuplicates: z.number().int().nullable(),
    prismaFullText: z.number().int().nullable(),
    prismaIncluded: z.number().int().nullable(),
    // Archives written before PRISMA details were stored have none.
    prismaSources: z.array(z.object({ source: text(200), records: z.number().int().min(0) })).max(30).default([]),
    prismaNotRetrieved: z.number().int().min(0).nullable().default(null),
    prismaExclusionReasons: z.array(z.object({ reason: text(300), reports: z.number().int().min(0) })).max(30).default([]),
    table1Columns: z.array(text(40)).max(200),
    importMapping: z.record(text(300), text(40)).default({}),
  }),
  members: z.array(z.object({ username: text(100), displayName: text(100).optional(), role: z.enum(memberRoles) })).max(1000),
  outcomes: z
    .array(z.object({ ref: text(20), name: text(200).min(1), unit: text(50), scaleMin: nullableNumber, scaleMax: nullableNumber, higherIsBetter: z.boolean(), normalValue: nullableNumber }))
    .max(1000),
  characteristics: z
    .array(z.object({ ref: text(20), label: text(200).min(1), type: z.enum(characteristicTypes), unit: text(50), options: z.array(z.object({ value: text(50), label: text(200) })).max(100), helpText: text(1000) }))
    .max(1000),
  studies: z
    .array(
      z
        .object({
          ref: text(20),
          position: z.number().int(),
          deletedAt: z.string().nullable().optional(),
          deletedBy: z.string().nullable().optional(),
          characteristics: z.record(text(20), z.unknown()).default({}),
          arms: z
            .array(
              z.object({
                ref: text(20),
                kind: z.enum(armKinds),
                label: text(200).min(1),
                controlArm: text(20).nullable().default(null),
                values: z
                  .array(
                    z.object({
                      outcome: text(20),
                      day: z.number().finite().min(0),
                      mean: z.number().finite(),
                      errorType: z.enum(errorTypes),
                      errorValue: nullableNumber,
                      ciLower: nullableNumber,
                      ciUpper: nullableNumber,
                      n: z.number().int().min(1),
                      dataSource: z.enum(dataSources),
                      sourceDetail: text(200),
                      isExampleData: z.boolean(),
                    }),
                  )
                  .max(100_000),
              }),
            )
            .max(1000),
        })
        .passthrough(),
    )
    .max(100_000),
  savedAnalyses: z.array(z.object({ title: text(300).min(1), settings: z.record(z.string(), z.unknown()) })).max(1000),
  riskOfBias: z.object({
    assignment: z.object({ reviewer1: z.string().nullable(), reviewer2: z.string().nullable(), arbiter: z.string().nullable() }).nullable(),
    judgments: z
      .array(z.object({ study: text(20), reviewer: z.string().nullable(), domain: z.number().int().min(1).max(10), judgment: z.enum(robJudgmentValues).nullable(), quote: text(2000), reasoning: text(4000), isExampleData: z.boolean() }))
      .max(1_000_000),
    consensus: z.array(z.object({ study: text(20), domain: z.number().int().min(1).max(10), judgment: z.enum(robJudgmentValues), reason: text(2000), decidedBy: z.string().nullable() })).max(1_000_000),
  }),
  audit: z
    .array(
      z.object({
        at: z.string(),
        user: z.string().nullable(),
        userName: z.string(),
        entity: z.string(),
        entityId: z.number().int().nullable(),
        action: z.enum(["create", "update", "delete"]),
        field: z.string().nullable(),
        oldValue: z.string().nullable(),
        newValue: z.string().nullable(),
        reason: z.string().nullable(),
      }),
    )
    .max(5_000_000),
});

export type ArchiveImportResult = { reviewId: number; title: string; studies: number; values: number; membersAdded: string[]; missingUsers: string[]; notes: string[] };

/**
 * Recreates an exported review in this install, with new ids, in one transaction. Members are matched by username;
 * usernames this install lacks are listed (their own judgments cannot be kept without the account and are counted
 * in the notes). The importing administrator becomes a lead of the new review.
 */
export function importReviewArchive(db: Db, actor: Actor, file: { name: string; base64: string }): ArchiveImportResult {
  const bytes = Buffer.from(file.base64, "base64");
  assertFileSize(bytes.length);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8").replace(/^\ufeff/, ""));
  } catch {
    throw new AppError("invalid", "File: is not JSON (a whole-review export is a .json file).", "file");
  }
  const parsed = archiveSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("invalid", `File: ${humanMessage(issue.path.join(".") || "the document", issue.message)}`, "file");
  }
  const archive = parsed.data;
  return writeTransaction(db, (tx) => {
    const userByName = new Map(tx.select({ id: users.id, username: users.username }).from(users).all().map((u) => [u.username, u.id]));
    const missing = new Set<string>();
    const userId = (name: string | null | undefined) => {
      if (!name) return null;
      const id = userByName.get(name);
      if (id === undefined) missing.add(name);
      return id ?? null;
    };
    const notes: string[] = [];
    const refs = new Map<string, number>();
    const idOf = (r: string, what: string) => {
      const id = refs.get(r);
      if (id === undefined) throw new AppError("invalid", `File: ${what} refers to "${r}", which the archive does not define.`, "file");
      return id;
    };
    const mapColumn = (key: string) => (/^c\d+$/.test(key) ? `c:${idOf(key, "a column")}` : key);

    const review = tx
      .insert(reviews)
      .values({ ...archive.review, table1Columns: [], importMapping: {}, isDemo: false })
      .returning()
      .get();
    archive.outcomes.forEach((o, i) => {
      const { ref: r, ...values } = o;
      refs.set(r, tx.insert(outcomes).values({ ...values, reviewId: review.id, position: i + 1 }).returning().get().id);
    });
    archive.characteristics.forEach((c, i) => {
      const { ref: r, ...values } = c;
      refs.set(r, tx.insert(characteristics).values({ ...values, reviewId: review.id, position: i + 1 }).returning().get().id);
    });
    tx.update(reviews)
      .set({
        table1Columns: archive.review.table1Columns.map(mapColumn),
        importMapping: Object.fromEntries(Object.entries(archive.review.importMapping).map(([k, v]) => [k, mapColumn(v)])),
      })
      .where(eq(reviews.id, review.id))
      .run();

    const membersAdded: string[] = [];
    for (const m of archive.members) {
      const id = userId(m.username);
      if (id === null || id === actor.id) continue;
      tx.insert(reviewMembers).values({ reviewId: review.id, userId: id, role: m.role }).run();
      membersAdded.push(m.username);
    }
    tx.insert(reviewMembers).values({ reviewId: review.id, userId: actor.id, role: "lead" }).onConflictDoNothing().run();

    let valueCount = 0;
    const controlLinks: [number, string][] = [];
    for (const s of archive.studies) {
      const fields = Object.fromEntries(studyFields.map((f) => [f, (s as Record<string, unknown>)[f]]));
      const row = tx
        .insert(studies)
        .values({ ...(fields as { author: string; year: number }), reviewId: review.id, position: s.position, deletedAt: s.deletedAt ?? null, deletedBy: userId(s.deletedBy) })
        .returning()
        .get();
      refs.set(s.ref, row.id);
      for (const [cRef, value] of Object.entries(s.characteristics)) {
        const characteristicId = idOf(cRef, `study ${s.ref}`);
        const definition = archive.characteristics.find((c) => c.ref === cRef)!;
        const checked = parseCharacteristicValue({ id: characteristicId, ...definition }, value);
        if (!checked.ok) throw new AppError("invalid", `File: study ${s.ref}: ${checked.message}`, "file");
        if (checked.value !== null) tx.insert(characteristicValues).values({ studyId: row.id, characteristicId, value: checked.value }).run();
      }
      for (const a of s.arms) {
        const arm = tx.insert(arms).values({ studyId: row.id, kind: a.kind, label: a.label }).returning().get();
        refs.set(a.ref, arm.id);
        if (a.controlArm) controlLinks.push([arm.id, a.controlArm]);
        for (const v of a.values) {
          const { outcome, ...values } = v;
          tx.insert(measurements)
            .values({ ...values, armId: arm.id, outcomeId: idOf(outcome, `arm ${a.ref}`) })
            .run();
          valueCount += 1;
        }
      }
    }
    for (const [armId, controlRef] of controlLinks) tx.update(arms).set({ controlArmId: idOf(controlRef, "an arm") }).where(eq(arms.id, armId)).run();

    archive.savedAnalyses.forEach((a, i) => {
      const settings = { ...a.settings };
      if (typeof settings.outcomeId === "string") settings.outcomeId = idOf(settings.outcomeId, `analysis "${a.title}"`);
      if (typeof settings.subgroupField === "string" && settings.subgroupField) settings.subgroupField = mapColumn(settings.subgroupField);
      tx.insert(savedAnalyses).values({ reviewId: review.id, position: i + 1, title: a.title, settings: settingsOrDefaults(settings) }).run();
    });

    const rob = archive.riskOfBias;
    if (rob.assignment)
      tx.insert(robAssignments).values({ reviewId: review.id, reviewer1Id: userId(rob.assignment.reviewer1), reviewer2Id: userId(rob.assignment.reviewer2), arbiterId: userId(rob.assignment.arbiter) }).run();
    let skippedJudgments = 0;
    for (const j of rob.judgments) {
      const reviewerId = userId(j.reviewer);
      if (reviewerId === null) {
        skippedJudgments += 1;
        continue;
      }
      const { study, reviewer: _reviewer, ...values } = j;
      tx.insert(robJudgments).values({ ...values, reviewId: review.id, studyId: idOf(study, "a judgment"), reviewerId }).run();
    }
    if (skippedJudgments) notes.push(`${skippedJudgments} risk-of-bias judgments by reviewers without an account here were not imported.`);
    let reassigned = 0;
    for (const c of rob.consensus) {
      const { study, decidedBy, ...values } = c;
      const by = userId(decidedBy);
      if (by === null) reassigned += 1;
      tx.insert(robConsensus).values({ ...values, reviewId: review.id, studyId: idOf(study, "a consensus"), decidedBy: by ?? actor.id }).run();
    }
    if (reassigned) notes.push(`${reassigned} consensus judgments were decided by someone without an account here; they are recorded as decided by you (their reasons are kept).`);

    // The audit trail comes along as it was (entity ids become this install's where the object came along too).
    const entityPrefix: Record<string, string> = { study: "s", measurement: "", outcome: "o", characteristic: "c", arm: "a", review: "" };
    const batch = archive.audit.map((e) => {
      const prefix = entityPrefix[e.entity];
      const mapped = e.entity === "review" ? review.id : prefix && e.entityId !== null ? (refs.get(`${prefix}${e.entityId}`) ?? null) : null;
      return { ...e, user: undefined, userId: userByName.get(e.user ?? "") ?? null, reviewId: review.id, entityId: mapped, reason: e.reason ? `${e.reason} (original install)` : "original install" };
    });
    for (let i = 0; i < batch.length; i += 500)
      tx.insert(auditLog)
        .values(batch.slice(i, i + 500).map(({ user: _u, ...e }) => e))
        .run();
    recordAudit(tx, actor, { reviewId: review.id, entity: "review", entityId: review.id, action: "create", changes: [{ field: null, oldValue: null, newValue: `imported from ${file.name}` }], reason: "whole-review import" });
    const missingUsers = [...missing].sort();
    return { reviewId: review.id, title: review.title, studies: archive.studies.length, values: valueCount, membersAdded, missingUsers, notes };
  });
}
