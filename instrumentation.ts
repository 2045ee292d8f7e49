/**
 * Runs once when the server starts, before it takes requests: applies migrations and seeds an empty database.
 * Skipped while `next build` runs, which must never open the database.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { getDb } = await import("./db/client");
  const { ensureSeeded } = await import("./db/seed");
  await ensureSeeded(getDb());
}
