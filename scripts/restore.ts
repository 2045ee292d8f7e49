// `npm run restore -- FILE`: replaces the database (DATABASE_PATH) with a backup, with the server stopped. Checks the
// file first and refuses while the database is in use; the current database is kept beside it.
import { restoreDatabase } from "@/db/backup";
import { env } from "@/lib/env";

const file = process.argv[2];
if (!file) {
  console.error("Usage: npm run restore -- BACKUP_FILE   (with the server stopped)");
  process.exit(2);
}
try {
  const { restored, previous } = await restoreDatabase(file, env().DATABASE_PATH);
  console.error(`[workbench] Restored ${file}${previous ? `; the previous database is kept at ${previous}` : ""}.`);
  console.log(restored);
} catch (error) {
  console.error(`[workbench] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
