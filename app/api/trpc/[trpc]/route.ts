import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/root";
import { createContext } from "@/server/trpc";
import { checkMutationRequest } from "@/server/request-safety";

export const dynamic = "force-dynamic";

async function handler(req: Request): Promise<Response> {
  const checked = await checkMutationRequest(req);
  if ("response" in checked) return checked.response;
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: checked.request,
    router: appRouter,
    createContext: ({ req: request, resHeaders }) => createContext({ headers: request.headers, resHeaders }),
  });
}

export { handler as GET, handler as POST };
