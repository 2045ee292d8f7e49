/**
 * The browser's own fetch, in place of node-fetch (which citation-js imports for fetching URLs, a feature the
 * reference parser never uses): node-fetch pulls Node built-ins that a browser bundle cannot hold.
 * Wired in next.config.js (turbopack.resolveAlias, browser only).
 */
const browserFetch: typeof fetch = (...args) => fetch(...args);
export default browserFetch;
export const Headers = globalThis.Headers;
