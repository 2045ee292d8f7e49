import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import {
  classifyDbFault,
  DB_BUSY_MESSAGE,
  DB_DISK_ERROR_MESSAGE,
  DB_DISK_FULL_MESSAGE,
  DB_READ_ONLY_MESSAGE,
  dbFaultError,
  retryWhileBusy,
} from "@/server/db-faults";

const sqliteError = (code: string, message = "sqlite says so") => new Database.SqliteError(message, code);

describe("database faults in words", () => {
  it.each([
    ["SQLITE_BUSY", "busy", DB_BUSY_MESSAGE],
    ["SQLITE_BUSY_SNAPSHOT", "busy", DB_BUSY_MESSAGE],
    ["SQLITE_LOCKED", "busy", DB_BUSY_MESSAGE],
    ["SQLITE_READONLY", "read_only", DB_READ_ONLY_MESSAGE],
    ["SQLITE_READONLY_DBMOVED", "read_only", DB_READ_ONLY_MESSAGE],
    ["SQLITE_FULL", "disk_full", DB_DISK_FULL_MESSAGE],
    ["SQLITE_IOERR_WRITE", "disk_error", DB_DISK_ERROR_MESSAGE],
    ["SQLITE_IOERR_FSYNC", "disk_error", DB_DISK_ERROR_MESSAGE],
    ["SQLITE_CANTOPEN", "disk_error", DB_DISK_ERROR_MESSAGE],
    ["SQLITE_CORRUPT", "disk_error", DB_DISK_ERROR_MESSAGE],
  ])("%s is %s", (code, reason, message) => {
    expect(classifyDbFault(sqliteError(code))).toEqual({ reason, message });
  });

  it("leaves the app's own mistakes alone (they are bugs, not states of the disk)", () => {
    for (const error of [sqliteError("SQLITE_ERROR", "no such table: x"), sqliteError("SQLITE_CONSTRAINT_UNIQUE"), sqliteError("SQLITE_BUSYNESS"), new Error("database is locked")])
      expect(classifyDbFault(error)).toBeNull();
  });

  it("answers busy with 503 and Retry-After, the rest with 503 alone", () => {
    expect(dbFaultError({ reason: "busy", message: DB_BUSY_MESSAGE })).toMatchObject({ kind: "busy", retryAfterSeconds: 2 });
    expect(dbFaultError({ reason: "read_only", message: DB_READ_ONLY_MESSAGE })).toMatchObject({ kind: "unavailable", retryAfterSeconds: undefined });
  });

  it("retries a busy transaction until it goes through, and gives up in words", async () => {
    let calls = 0;
    expect(await retryWhileBusy(() => (++calls < 3 ? (() => { throw sqliteError("SQLITE_BUSY"); })() : "done"))).toBe("done");
    expect(calls).toBe(3);
    await expect(retryWhileBusy(() => { throw sqliteError("SQLITE_BUSY"); })).rejects.toMatchObject({ kind: "busy", message: DB_BUSY_MESSAGE });
    await expect(retryWhileBusy(() => { throw sqliteError("SQLITE_FULL"); })).rejects.toMatchObject({ code: "SQLITE_FULL" });
  });
});
