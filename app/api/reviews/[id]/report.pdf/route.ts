import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { NextRequest } from "next/server";
import { SESSION_COOKIE } from "@/server/auth/session";
import { AppError, toTRPCError } from "@/server/errors";
import { createCaller } from "@/server/root";
import { queryRecord, reportOptionsSchema, reportQuery } from "@/server/schemas/report";
import { renderReportPdf } from "@/server/services/report-pdf";
import { createContext } from "@/server/trpc";

export const dynamic = "force-dynamic";

const text = (message: string, status: number, extra: Record<string, string> = {}) =>
  new Response(message, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...extra } });

/**
 * GET /api/reviews/:id/report.pdf?paper=a4|letter&sections=…&analyses=… — the report page as a PDF. Membership is
 * checked here first (reviews.get, as every review page), so that no Chromium starts for a stranger; the page is
 * then loaded with the requester's own session and checks it again.
 */
export async function GET(req: NextRequest, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const reviewId = Number((await params).id);
  if (!Number.isInteger(reviewId) || reviewId <= 0) return text("No such review.", 404);
  const parsed = reportOptionsSchema.safeParse(queryRecord(req.nextUrl.searchParams));
  if (!parsed.success) return text(`Report options: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, 400);
  const options = { ...parsed.data, render: undefined };
  // A link on another site would otherwise make a signed-in member's browser start a Chromium here (the session
  // cookie is SameSite=Lax, so it travels with a top-level GET). Browsers say where a request comes from.
  if (req.headers.get("sec-fetch-site") === "cross-site") return text("Open the report and use its Download PDF button.", 403);
  try {
    const caller = createCaller(createContext({ headers: req.headers }));
    await caller.reviews.get({ reviewId }); // FORBIDDEN / UNAUTHORIZED before any Chromium work
    const { pdf, timings } = await renderReportPdf({ reviewId, query: reportQuery(options), sessionToken: req.cookies.get(SESSION_COOKIE)?.value ?? "", paper: options.paper });
    const name = `review-${reviewId}-report-${options.paper}.pdf`;
    return new Response(Buffer.from(pdf), {
      headers: {
        "content-type": "application/pdf",
        "content-disposition": `attachment; filename="${name}"`,
        "cache-control": "no-store",
        // Where the time went (the browser's developer tools and bench:report read it).
        "server-timing": Object.entries(timings)
          .map(([part, ms]) => `${part};dur=${ms.toFixed(0)}`)
          .join(", "),
      },
    });
  } catch (error) {
    if (error instanceof AppError) {
      // The one AppError → tRPC code mapping, then tRPC's own code → HTTP status.
      const status = getHTTPStatusCodeFromError(toTRPCError(error));
      return text(error.message, status, error.retryAfterSeconds ? { "retry-after": String(error.retryAfterSeconds) } : {});
    }
    if (error instanceof TRPCError) return text(error.message, getHTTPStatusCodeFromError(error));
    return text(`The PDF could not be made: ${error instanceof Error ? error.message : String(error)}`, 500);
  }
}
