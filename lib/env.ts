import { accessSync, constants } from "node:fs";
import path from "node:path";
import proxyaddr from "proxy-addr";
import { z } from "zod";

/**
 * The one place that reads the environment. Everything else imports `env`.
 * Parsed lazily so that `next build` (which imports route modules) needs no runtime configuration.
 */
const envSchema = z.object({
  DATABASE_PATH: z.string().min(1).default(path.join("data", "workbench.sqlite")),
  /** "off" leaves the demo review and its accounts out of a real install. */
  DEMO: z.enum(["on", "off"]).default("on"),
  /** Password for the first admin account; when unset, one is generated and printed once at first start. */
  ADMIN_PASSWORD: z.string().min(8).max(256).optional(),
  /** Send the session cookie with `Secure` (set when served behind HTTPS). */
  COOKIE_SECURE: z.enum(["true", "false"]).default("false"),
  /** Origins allowed to send mutations besides the request's own host (comma separated). */
  ALLOWED_ORIGINS: z.string().default(""),
  /**
   * The reverse proxies in front of the app (comma-separated addresses, CIDR ranges, or `loopback`,
   * `linklocal`, `uniquelocal`). Only a request arriving from one of them has its X-Forwarded-For and
   * X-Forwarded-Host believed; unset, the client is the TCP peer and the host is the Host header.
   */
  TRUST_PROXY: z
    .string()
    .default("")
    .refine((value) => {
      try {
        proxyaddr.compile(value.split(",").map((v) => v.trim()).filter(Boolean));
        return true;
      } catch {
        return false;
      }
    }, "must list addresses, CIDR ranges or loopback / linklocal / uniquelocal, comma separated"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** The Chromium that renders the report's "Download PDF" (Debian's package by default); absent: the button explains. */
  CHROMIUM_PATH: z.string().min(1).default("/usr/bin/chromium"),
  /**
   * Where the PDF renderer reaches this server (it loads the report page with the requester's session): never taken
   * from the request's Host header, which a client chooses. Default: this machine, on PORT (as scripts/server.mjs).
   */
  REPORT_ORIGIN: z.url().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
});

export type Env = z.infer<typeof envSchema>;

let parsed: Env | undefined;

export function env(): Env {
  if (!parsed) {
    const result = envSchema.safeParse(process.env);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new Error(`Invalid environment variable ${issue?.path.join(".")}: ${issue?.message}`);
    }
    parsed = result.data;
  }
  return parsed;
}

let chromium: { path: string; found: boolean } | undefined;

/**
 * The Chromium executable for server-side PDFs, or null when there is none: looked up once (at the first report
 * after start) and remembered, so the report page does not touch the disk on every request.
 */
export function chromiumPath(): string | null {
  const wanted = env().CHROMIUM_PATH;
  if (!chromium || chromium.path !== wanted) {
    let found = true;
    try {
      accessSync(wanted, constants.X_OK);
    } catch {
      found = false;
    }
    chromium = { path: wanted, found };
  }
  return chromium.found ? chromium.path : null;
}

/** The origin the PDF renderer loads the report from. */
export function reportOrigin(): string {
  const { REPORT_ORIGIN, HOST, PORT } = env();
  if (REPORT_ORIGIN) return REPORT_ORIGIN.replace(/\/$/, "");
  // A server listening on every address is reached on loopback; one bound to a single address, there.
  const host = HOST === "0.0.0.0" || HOST === "::" || HOST === "" ? "127.0.0.1" : HOST;
  return `http://${host.includes(":") ? `[${host}]` : host}:${PORT}`;
}

/** Tests point the app at a fresh database by changing the environment; this forgets the parsed copy. */
export function resetEnvForTests(): void {
  parsed = undefined;
  chromium = undefined;
}
