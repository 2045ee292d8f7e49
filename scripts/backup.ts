// `npm run backup [-- FILE]`: an online backup of the database (the app may keep running and writing), checked
// with PRAGMA integrity_check; prints the backup file's path on the last line.
import { backupDatabase } from "@/db/backup";
import { env } from "@/lib/env";

try {
  const result = await backupDatabase(env().DATABASE_PATH, process.argv[2]);
  console.error(`[workbench] Backup of ${env().DATABASE_PATH}: ${(result.bytes / 1024 / 1024).toFixed(2)} MB, integrity_check ok.`);
  console.log(result.path);
} catch (error) {
  console.error(`[workbench] Backup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
