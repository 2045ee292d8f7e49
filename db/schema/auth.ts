import { sqliteTable, integer, text, index } from "drizzle-orm/sqlite-core";
import { createdAt } from "./columns";

export const users = sqliteTable("users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  username: text("username").notNull().unique(),
  displayName: text("display_name").notNull(),
  /** scrypt hash in PHC-like form: scrypt$N$r$p$salt$hash (base64). */
  passwordHash: text("password_hash").notNull(),
  isAdmin: integer("is_admin", { mode: "boolean" }).notNull().default(false),
  /** Demo accounts exist only while the demo review is enabled. */
  isDemo: integer("is_demo", { mode: "boolean" }).notNull().default(false),
  createdAt: createdAt(),
});

export const sessions = sqliteTable(
  "sessions",
  {
    /** SHA-256 of the cookie token: a leaked database does not leak usable sessions. */
    tokenHash: text("token_hash").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: text("expires_at").notNull(),
    revokedAt: text("revoked_at"),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/**
 * Browsers in which a user has signed in before (OWASP "device cookies"): a guesser elsewhere who slows down
 * the account's sign-ins from unknown browsers does not slow down its owner's known browser.
 */
export const trustedDevices = sqliteTable(
  "trusted_devices",
  {
    /** SHA-256 of the cookie token, as for sessions. */
    tokenHash: text("token_hash").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    lastUsedAt: text("last_used_at").notNull(),
  },
  (t) => [index("trusted_devices_user_idx").on(t.userId, t.lastUsedAt)],
);

/**
 * Every sign-in attempt, written BEFORE the password is checked (as a failure, turned into a success once the
 * password matched), so that attempts running at the same time count each other.
 */
export const loginAttempts = sqliteTable(
  "login_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    username: text("username").notNull(),
    address: text("address").notNull(),
    succeeded: integer("succeeded", { mode: "boolean" }).notNull(),
    at: text("at").notNull(),
    /** The trusted device (its token hash) the attempt came from; null from a browser not known for this account. */
    deviceHash: text("device_hash"),
  },
  (t) => [
    index("login_attempts_user_idx").on(t.username, t.at),
    index("login_attempts_addr_idx").on(t.address, t.at),
    index("login_attempts_device_idx").on(t.deviceHash, t.at),
  ],
);
