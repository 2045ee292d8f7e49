import "server-only";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { retryAfterOf } from "@/server/errors";
import { checkMutationRequest } from "@/server/request-safety";
import { appRouter } from "@/server/root";
import { createContext } from "@/server/trpc";

/**
 * tRPC over HTTP (app/api/trpc/[trpc]/route.ts): the request checks of server/request-safety.ts first, then
 * the router; batches are checked in createContext, and a refusal that says when to come back (rate limit,
 * busy database, hashing queue full) carries Retry-After.
 */
export async function handleTrpcHttp(req: Request): Promise<Response> {
  const checked = await checkMutationRequest(req);
  if ("response" in checked) return checked.response;
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: checked.request,
    router: appRouter,
    createContext: ({ req: request, resHeaders, info }) => createContext({ headers: request.headers, resHeaders, info }),
    responseMeta: ({ errors }) => {
      const retryAfter = retryAfterOf(errors);
      return retryAfter === null ? {} : { headers: new Headers({ "retry-after": String(retryAfter) }) };
    },
    onError: ({ error, path }) => {
      // Unexpected failures reach the client as a generic message (server/trpc.ts); their detail goes to the log.
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`[workbench] ${path ?? "request"} failed:`, error.cause ?? error);
    },
  });
}
