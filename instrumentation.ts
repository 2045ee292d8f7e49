/**
 * Runs once when the server starts, before it takes requests: applies migrations and seeds an empty database.
 * Skipped while `next build` runs, which must never open the database.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { getDb } = await import("./db/client");
  const { adminPasswordNotice, ensureSeeded } = await import("./db/seed");
  const { generatedAdminPassword } = await ensureSeeded(getDb());
  // Only when the server itself created the database (npm start prepares it first and shows the password).
  if (generatedAdminPassword) console.log(adminPasswordNotice(generatedAdminPassword));
}
