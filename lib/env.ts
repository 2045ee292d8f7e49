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

/** Tests point the app at a fresh database by changing the environment; this forgets the parsed copy. */
export function resetEnvForTests(): void {
  parsed = undefined;
}
