import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Db } from "../client";
import { arms, auditLog, characteristics, characteristicValues, measurements, outcomes, reviewMembers, reviews, robAssignments, robConsensus, robJudgments, savedAnalyses, studies, users } from "../schema";
import { hashPassword } from "@/lib/password";
import { env } from "@/lib/env";
import { demoAccounts, demoReview, DEMO_PASSWORD } from "./demo-review";
import { exampleOutcomes } from "./example-outcomes";
import { agreedExampleCells, exampleRobJudgments, SEEDED_CONSENSUS_REASON } from "./example-rob";
import { PRECLINICAL_DEMO_TITLE, seedPreclinicalDemo } from "./preclinical-demo";
import { demoCharacteristics, demoSavedAnalyses, demoTable1Columns } from "./demo-characteristics";
import { table1 } from "./table1";

/**
 * Brings an empty database to a usable state: the first administrator and, unless DEMO=off, the demo review
 * with its accounts. Idempotent: it only creates what is missing, so it runs at every start.
 * Returns the administrator's password when it was generated now: the caller shows it, once, where a person
 * will see it (start-up output ends with it; see adminPasswordNotice).
 */
export async function ensureSeeded(db: Db, log: (line: string) => void = console.log): Promise<{ generatedAdminPassword: string | null }> {
  const config = env();
  let generatedAdminPassword: string | null = null;
  if (!db.select({ id: users.id }).from(users).where(eq(users.isAdmin, true)).get()) {
    const password = config.ADMIN_PASSWORD ?? randomBytes(12).toString("base64url");
    const passwordHash = await hashPassword(password);
    db.insert(users).values({ username: "admin", displayName: "Administrator", passwordHash, isAdmin: true }).onConflictDoNothing().run();
    if (!config.ADMIN_PASSWORD) generatedAdminPassword = password;
    log(`[workbench] Created the administrator account "admin"${config.ADMIN_PASSWORD ? " with the password in ADMIN_PASSWORD" : ""}.`);
  }
  if (config.DEMO === "on" && !db.select({ id: reviews.id }).from(reviews).where(eq(reviews.isDemo, true)).get()) {
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    seedDemo(db, passwordHash);
    log(`[workbench] Seeded the demo reviews; demo accounts ${demoAccounts.map((a) => a.username).join(", ")} (password ${DEMO_PASSWORD}).`);
  } else if (config.DEMO === "on" && !db.select({ id: reviews.id }).from(reviews).where(and(eq(reviews.isDemo, true), eq(reviews.title, PRECLINICAL_DEMO_TITLE))).get()) {
    // A demo seeded before the preclinical example existed gets it, with the demo accounts it already has.
    const ids = demoAccounts.map((a) => db.select({ id: users.id }).from(users).where(eq(users.username, a.username)).get()?.id);
    if (ids.every((id): id is number => id !== undefined)) {
      db.transaction((tx) => seedPreclinicalDemo(tx, [ids[0]!, ids[1]!, ids[2]!]), { behavior: "immediate" });
      log("[workbench] Added the preclinical example review to the demo.");
    }
  }
  return { generatedAdminPassword };
}

/** The generated administrator password in a frame, so that it stands out from the lines around it. */
export function adminPasswordNotice(password: string): string {
  const lines = ['The administrator account "admin" was created with the password:', "", `    ${password}`, "", "It is shown only this once: note it now (or set ADMIN_PASSWORD before the first start)."];
  const width = Math.max(...lines.map((l) => l.length));
  const rule = "─".repeat(width + 2);
  return [`┌${rule}┐`, ...lines.map((l) => `│ ${l.padEnd(width)} │`), `└${rule}┘`].join("\n");
}

/** Inserts the demo review in one transaction, so a crash mid-seed leaves nothing half-written. */
export function seedDemo(db: Db, passwordHash: string): number {
  return db.transaction(
    (tx) => {
      const accountIds = demoAccounts.map(
        (a) =>
          tx.insert(users).values({ username: a.username, displayName: a.displayName, passwordHash, isDemo: true }).onConflictDoNothing().run() &&
          tx.select({ id: users.id }).from(users).where(eq(users.username, a.username)).get()!.id,
      );
      const review = tx.insert(reviews).values(demoReview).returning().get();
      demoAccounts.forEach((a, i) => tx.insert(reviewMembers).values({ reviewId: review.id, userId: accountIds[i]!, role: a.role }).run());
      const outcome = tx
        .insert(outcomes)
        .values({ reviewId: review.id, name: "BBB locomotor score", unit: "points", scaleMin: 0, scaleMax: 21, higherIsBetter: true, normalValue: 21, position: 1 })
        .returning()
        .get();
      // The seed paper's topic-specific columns are the demo review's own characteristics.
      const characteristicIdByKey = new Map(
        demoCharacteristics.map((c, i) => {
          const { key: _key, ...definition } = c;
          return [c.key, tx.insert(characteristics).values({ ...definition, reviewId: review.id, position: i + 1 }).returning().get().id] as const;
        }),
      );
      const keyToColumn = (key: string) => (characteristicIdByKey.has(key) ? `c:${characteristicIdByKey.get(key)}` : key);
      tx.update(reviews).set({ table1Columns: demoTable1Columns.map(keyToColumn) }).where(eq(reviews.id, review.id)).run();
      demoSavedAnalyses.forEach((a, i) =>
        tx
          .insert(savedAnalyses)
          .values({ reviewId: review.id, position: i + 1, title: a.title, settings: { ...a.settings, outcomeId: outcome.id, subgroupField: a.settings.subgroupField ? keyToColumn(a.settings.subgroupField) : "" } })
          .run(),
      );
      const studyIdByPosition = new Map<number, number>();
      for (const row of table1) {
        const study = tx
          .insert(studies)
          .values({
            reviewId: review.id,
            position: row.position,
            author: row.author,
            year: row.year,
            doi: row.doi,
            species: "Rat",
            diseaseModel: "Spinal cord injury",
            modelInduction: row.modelingMethod,
            intervention: "Stem cell-derived exosomes",
            administrationRoute: row.administrationRoute,
            notes: "Outcome values and risk-of-bias judgments are EXAMPLE data for the demo.",
          })
          .returning()
          .get();
        studyIdByPosition.set(row.position, study.id);
        const values: [string, string][] = [
          ["exosomeSource", row.exosomeSource],
          ["exosomeSourceDetail", row.exosomeSourceDetail],
          ["injuredSite", row.injuredSite],
          ["possibleMechanism", row.possibleMechanism],
          ["reference", row.reference],
        ];
        for (const [key, value] of values)
          if (value !== "") tx.insert(characteristicValues).values({ studyId: study.id, characteristicId: characteristicIdByKey.get(key)!, value }).run();
        const [treated, control] = tx
          .insert(arms)
          .values([
            { studyId: study.id, kind: "treated", label: "Exosomes" },
            { studyId: study.id, kind: "control", label: "Control" },
          ])
          .returning()
          .all();
        tx.update(arms).set({ controlArmId: control!.id }).where(eq(arms.id, treated!.id)).run();
        for (const value of exampleOutcomes.filter((o) => o.position === row.position)) {
          for (const [arm, data] of [
            [treated!, value.treated],
            [control!, value.control],
          ] as const) {
            tx.insert(measurements)
              .values({
                armId: arm.id,
                outcomeId: outcome.id,
                day: value.day,
                mean: data.mean,
                errorType: data.errorType,
                errorValue: data.errorValue ?? null,
                ciLower: data.ciLower ?? null,
                ciUpper: data.ciUpper ?? null,
                n: data.n,
                dataSource: "figure",
                sourceDetail: "example value (not extracted)",
                isExampleData: true,
              })
              .run();
          }
        }
      }
      const [leadId, reviewer1, reviewer2] = accountIds;
      tx.insert(robAssignments).values({ reviewId: review.id, reviewer1Id: reviewer1!, reviewer2Id: reviewer2! }).run();
      const judgments = exampleRobJudgments().map((j) => ({
        reviewId: review.id,
        studyId: studyIdByPosition.get(j.position)!,
        reviewerId: j.reviewer === 1 ? reviewer1! : reviewer2!,
        domain: j.domain,
        judgment: j.judgment,
        reasoning: j.reasoning,
        isExampleData: true,
      }));
      for (let i = 0; i < judgments.length; i += 200) tx.insert(robJudgments).values(judgments.slice(i, i + 200)).run();
      // The lead has accepted what both reviewers agreed on, as a team would before settling the rest: the
      // figures then look like the paper's Figure 4, with the disagreements left for the lead to settle.
      const consensus = agreedExampleCells().map((c) => ({
        reviewId: review.id,
        studyId: studyIdByPosition.get(c.position)!,
        domain: c.domain,
        judgment: c.judgment,
        reason: SEEDED_CONSENSUS_REASON,
        decidedBy: leadId!,
      }));
      for (let i = 0; i < consensus.length; i += 200) tx.insert(robConsensus).values(consensus.slice(i, i + 200)).run();
      tx.insert(auditLog)
        .values({
          at: new Date().toISOString(),
          userId: null,
          userName: "system (seed)",
          reviewId: review.id,
          entity: "review",
          entityId: review.id,
          action: "create",
          field: null,
          oldValue: null,
          newValue: "demo review seeded: seed paper Table 1, example outcome values, example risk-of-bias judgments and the consensus of the cells both reviewers agreed on",
          reason: null,
        })
        .run();
      // The second demo review: invented data showing the preclinical analyses (see preclinical-demo.ts).
      seedPreclinicalDemo(tx, [leadId!, reviewer1!, reviewer2!]);
      return review.id;
    },
    { behavior: "immediate" },
  );
}
