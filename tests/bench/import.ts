/**
 * Import benchmark: `npm run bench:import`. Times the preview and the all-or-nothing commit of a 50 000-row CSV
 * (the cap) into an empty review on a fresh temporary database: 5 000 studies × 2 arms × 5 time points. The commit
 * holds SQLite's write lock for its whole duration, so it is also how long other writers wait (busy_timeout 5 s).
 */
import { performance } from "node:perf_hooks";
import { createReview } from "@/server/services/reviews";
import { callerFor, freshDb, userId } from "../support/test-db";

const t = await freshDb({ demo: false });
const admin = callerFor(t.db, "admin");
const reviewId = createReview(t.db, { id: userId(t.db, "admin"), displayName: "Administrator" }, { title: "Bench" }).id;
const lines = ["Study,First author,Year,Arm,Treated or control,Outcome,Day,Mean,SD,n"];
for (let s = 1; lines.length <= 50_000; s++)
  for (const [arm, kind] of [
    ["Exosomes", "treated"],
    ["Vehicle", "control"],
  ])
    for (const day of [1, 7, 14, 28, 42]) lines.push(`S${s} ${2000 + (s % 25)},Author${s} et al.,${2000 + (s % 25)},${arm},${kind},BBB,${day},${(5 + ((s * day) % 13) / 2).toFixed(2)},1.5,10`);
const csv = lines.slice(0, 50_001).join("\n");
const file = { name: "bench.csv", base64: Buffer.from(csv).toString("base64") };
console.log(`file: ${(csv.length / 1024 / 1024).toFixed(1)} MB, ${lines.length - 1 > 50_000 ? 50_000 : lines.length - 1} rows`);

let started = performance.now();
const preview = await admin.dataIo.previewImport({ reviewId, file, mapping: {} });
const previewMs = performance.now() - started;
console.log(`preview: ${previewMs.toFixed(0)} ms (${preview.problemCount} problems, ${preview.totals.studiesCreated} studies, ${preview.totals.valuesCreated} values)`);
started = performance.now();
const result = await admin.dataIo.commitImport({ reviewId, file, mapping: {}, fingerprint: preview.fingerprint });
const commitMs = performance.now() - started;
console.log(`commit: ${commitMs.toFixed(0)} ms, of which ${result.writeMs} ms holding the write lock (${result.valuesCreated} values, ${t.db.$client.prepare("select count(*) from audit_log").pluck().get()} audit rows)`);
started = performance.now();
const again = await admin.dataIo.previewImport({ reviewId, file, mapping: {} });
console.log(`re-import preview (everything matches): ${(performance.now() - started).toFixed(0)} ms (${again.totals.valuesUnchanged} unchanged)`);
t.close();
