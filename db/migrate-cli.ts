/**
 * `npm run db:migrate`: applies pending migrations and seeds an empty database (first admin, demo review).
 * `npm start` runs it before serving; the server also does both at startup (instrumentation.ts).
 * With --hand-over-admin-password (npm start), a generated administrator password is written as one
 * machine-readable line for the caller to show at the end of its own output instead of here.
 */
import { closeDbForTests, getDb } from "./client";
import { adminPasswordNotice, ensureSeeded } from "./seed";
import { env } from "@/lib/env";

export const ADMIN_PASSWORD_LINE_PREFIX = "WORKBENCH_GENERATED_ADMIN_PASSWORD=";

const { generatedAdminPassword } = await ensureSeeded(getDb());
closeDbForTests();
console.log(`[workbench] Database ready at ${env().DATABASE_PATH}`);
if (generatedAdminPassword) {
  if (process.argv.includes("--hand-over-admin-password")) console.log(`${ADMIN_PASSWORD_LINE_PREFIX}${generatedAdminPassword}`);
  else console.log(adminPasswordNotice(generatedAdminPassword));
}
