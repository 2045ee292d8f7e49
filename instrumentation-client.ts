import { config } from "zod/v4/core";

/**
 * Runs in the browser before the app becomes interactive. Zod 4 compiles fast object parsers with
 * `new Function` and probes for it on the first parse; under the app's CSP (no 'unsafe-eval', proxy.ts) the
 * probe fails quietly but still raises a CSP violation on every page that validates input. Jitless mode skips
 * both; it parses the same way, a little slower.
 */
config({ jitless: true });
