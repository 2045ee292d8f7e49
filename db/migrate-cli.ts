/**
 * `npm run db:migrate`: applies pending migrations and seeds an empty database (first admin, demo review).
 * `npm start` runs it before serving; the server also does both at startup (instrumentation.ts).
 */
import { closeDbForTests, getDb } from "./client";
import { ensureSeeded } from "./seed";
import { env } from "@/server/env";

await ensureSeeded(getDb());
closeDbForTests();
console.log(`[workbench] Database ready at ${env().DATABASE_PATH}`);
