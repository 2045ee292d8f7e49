import { checkDatabaseHealth } from "@/server/db-health";

export const dynamic = "force-dynamic";

/**
 * `{"ok":true}` once the database is open, migrated and can be written; otherwise 503 with
 * `{"ok":false,"reason":…}` in words (busy, read-only, disk full, disk error), so that a load balancer or a
 * person knows the app cannot save anything now.
 */
export async function GET(): Promise<Response> {
  const health = await checkDatabaseHealth();
  if (health.ok) return Response.json(health, { headers: { "cache-control": "no-store" } });
  return Response.json({ ok: false, reason: health.reason, fault: health.fault }, { status: 503, headers: { "cache-control": "no-store" } });
}
