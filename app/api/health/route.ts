import { getDb } from "@/db/client";

export const dynamic = "force-dynamic";

/** `{"ok":true}` once the database is open and its migrations have run (getDb applies them). */
export function GET(): Response {
  try {
    getDb().$client.prepare("select 1").get();
    return Response.json({ ok: true });
  } catch (error) {
    return Response.json({ ok: false, error: error instanceof Error ? error.message : String(error) }, { status: 503 });
  }
}
