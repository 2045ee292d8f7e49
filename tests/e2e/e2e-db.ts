import Database from "better-sqlite3";

/**
 * The database scripts/e2e.mjs gave the server (E2E_DB), opened read-only: the browser tests compute what the
 * page must show from the stored values themselves, independently of the page and of its service.
 */
export function openE2eDb(): Database.Database {
  const file = process.env.E2E_DB;
  if (!file) throw new Error("E2E_DB is not set: run the browser tests through scripts/e2e.mjs");
  return new Database(file, { readonly: true, fileMustExist: true });
}

/** Runs `read` on a read-only connection and closes it. */
export function readE2eDb<T>(read: (db: Database.Database) => T): T {
  const db = openE2eDb();
  try {
    return read(db);
  } finally {
    db.close();
  }
}
