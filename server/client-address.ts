import "server-only";
import type { IncomingMessage } from "node:http";
import proxyaddr from "proxy-addr";
import { env } from "@/lib/env";

/**
 * The client's address and the request's host, for sign-in throttling and the Origin check.
 *
 * A Next.js route handler gets a Web `Request`, which carries no socket, and `next start` only *adds*
 * X-Forwarded-For when a request lacks one (`??=` in next/dist/server/base-server.js), so a client can name any
 * address it likes. Next's documented way to reach the Node request is a custom server
 * (https://nextjs.org/docs/app/guides/custom-server): scripts/server.mjs writes the TCP peer address into
 * PEER_ADDRESS_HEADER on every request, replacing whatever a client sent under that name, and marks the
 * process so that the header is believed only when that server is the one running.
 */
export const PEER_ADDRESS_HEADER = "x-workbench-peer-address";
const SERVER_MARK = Symbol.for("workbench.peerAddressHeader");

/** Used when the peer is not known (the app served by plain `next start`, or an in-process call). */
export const UNKNOWN_ADDRESS = "unknown";

function peerAddress(headers: Headers): string | null {
  const markedByServer = (globalThis as Record<symbol, unknown>)[SERVER_MARK] === PEER_ADDRESS_HEADER;
  return markedByServer ? headers.get(PEER_ADDRESS_HEADER) || null : null;
}

let compiled: { source: string; trust: ((address: string, hop: number) => boolean) | null } | undefined;

function trustedProxy(): ((address: string, hop: number) => boolean) | null {
  const source = env().TRUST_PROXY;
  if (compiled?.source !== source) {
    const list = source.split(",").map((v) => v.trim()).filter(Boolean);
    compiled = { source, trust: list.length ? proxyaddr.compile(list) : null };
  }
  return compiled.trust;
}

/** "::ffff:10.0.0.1" and "10.0.0.1" are one client. */
const canonical = (address: string) => address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, "$1");

/**
 * The client: the TCP peer, or, when the peer is a configured proxy (TRUST_PROXY), the right-most address in
 * X-Forwarded-For that is not itself a trusted proxy (proxy-addr's rule, as Express applies it), so that
 * addresses a client prepends to the header are never the one chosen.
 */
export function clientAddress(headers: Headers): string {
  const peer = peerAddress(headers);
  if (!peer) return UNKNOWN_ADDRESS;
  const trust = trustedProxy();
  if (!trust) return canonical(peer);
  const forwarded = headers.get("x-forwarded-for") ?? undefined;
  const request = { socket: { remoteAddress: peer }, connection: { remoteAddress: peer }, headers: { "x-forwarded-for": forwarded } };
  return canonical(proxyaddr(request as unknown as IncomingMessage, trust));
}

/** The host the browser addressed: X-Forwarded-Host only from a trusted proxy, else the Host header. */
export function requestHost(headers: Headers): string | null {
  const peer = peerAddress(headers);
  const trust = trustedProxy();
  const forwardedHost = headers.get("x-forwarded-host")?.split(",")[0]?.trim();
  if (peer && trust && forwardedHost && trust(peer, 0)) return forwardedHost;
  return headers.get("host");
}
