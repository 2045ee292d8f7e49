/**
 * Child process for the crash test: writes rows through the app's store (WAL, synchronous=FULL, BEGIN IMMEDIATE
 * transactions with an audit row each) and prints the id of each row once its transaction has committed.
 * The parent kills it with SIGKILL at a random moment.
 */
import { openDb, writeTransaction } from "@/db/client";
import { recordAudit } from "@/server/services/audit";
import { studies } from "@/db/schema";

const [file, reviewIdText] = process.argv.slice(2);
const db = openDb(file!);
const reviewId = Number(reviewIdText);
const actor = { id: 1, displayName: "crash-writer" };
for (let i = 0; ; i++) {
  const id = writeTransaction(db, (tx) => {
    const row = tx.insert(studies).values({ reviewId, position: 1000 + i, author: `Crash ${i}`, year: 2020 }).returning({ id: studies.id }).get();
    recordAudit(tx, actor, { reviewId, entity: "study", entityId: row.id, action: "create" });
    return row.id;
  });
  process.stdout.write(`${id}\n`);
}
