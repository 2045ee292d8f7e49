import "server-only";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { Db } from "@/db/client";
import { AppError, toTRPCError } from "@/server/errors";
import { crossOriginRefusal, readBodyCapped } from "@/server/request-safety";
import { createCaller } from "@/server/root";
import { figureDetailsSchema, labelledIssue } from "@/server/schemas/figure";
import { figureImagePolicy, fullTextPolicy, readStoredFile } from "@/server/services/stored-files";
import { createContext, roleInReview } from "@/server/trpc";

/**
 * Binary uploads and downloads, which tRPC's JSON transport cannot carry. Authorization is the same: the
 * upload goes through the `figures.create` procedure (membership and role checked there); a download checks
 * membership of the file's review.
 */

/** Header the upload must carry: a cross-site page cannot add it without a CORS preflight, which we never grant. */
export const UPLOAD_HEADER = "x-workbench-upload";
const FORM_OVERHEAD_BYTES = 64 * 1024;

const json = (status: number, body: unknown) => Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
const refuse = (status: number, message: string, field?: string) => json(status, { error: { message, field } });

function originRefusal(req: Request): Response | null {
  const message = crossOriginRefusal(req.headers);
  return message ? refuse(403, message) : null;
}


/**
 * The checks every upload passes before its form is read: same origin, the upload header (a cross-site page cannot
 * add it without a preflight), multipart, and a body cap counted as it arrives. The form, or the refusal.
 */
async function readUploadForm(req: Request, cap: number, fieldLabel: string): Promise<{ form: FormData } | { response: Response }> {
  const refused = originRefusal(req);
  if (refused) return { response: refused };
  if (req.headers.get(UPLOAD_HEADER) !== "1") return { response: refuse(403, `Uploads must carry the ${UPLOAD_HEADER} header.`) };
  if (!(req.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data")) return { response: refuse(415, "Uploads must be sent as multipart/form-data.") };
  const body = await readBodyCapped(req, cap + FORM_OVERHEAD_BYTES);
  if (body === null) return { response: refuse(413, `${fieldLabel}: the upload is larger than the limit of ${(cap / (1024 * 1024)).toFixed(0)} MB.`, fieldLabel) };
  try {
    return { form: await new Request(req.url, { method: "POST", headers: { "content-type": req.headers.get("content-type")! }, body: new Uint8Array(body) }).formData() };
  } catch {
    return { response: refuse(400, "The upload could not be read as a form.") };
  }
}

/** A procedure's failure as the JSON an upload answers with (status from the tRPC code, the field named). */
async function answer(call: () => Promise<unknown>): Promise<Response> {
  try {
    return json(201, await call());
  } catch (error) {
    const trpcError = error instanceof AppError ? toTRPCError(error) : error instanceof TRPCError ? error : null;
    if (!trpcError) throw error;
    const field = trpcError.cause instanceof AppError ? trpcError.cause.field : undefined;
    return refuse(getHTTPStatusCodeFromError(trpcError), trpcError.message, field);
  }
}

/**
 * POST multipart/form-data: `details` (JSON, figureDetailsSchema) and `image` (the cropped figure).
 * Answers 201 {figureId, readingId, …} or an error naming the field.
 */
export async function handleFigureUpload(req: Request, reviewId: number, db?: Db): Promise<Response> {
  const read = await readUploadForm(req, figureImagePolicy.maxBytes, "Figure image");
  if ("response" in read) return read.response;
  const { form } = read;
  const image = form.get("image");
  if (!(image instanceof Blob)) return refuse(400, "Figure image: choose a file.", "Figure image");
  let details: unknown;
  try {
    details = JSON.parse(String(form.get("details") ?? ""));
  } catch {
    return refuse(400, "Figure details: they are not valid JSON.", "details");
  }
  const parsed = figureDetailsSchema.safeParse(details);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse(400, labelledIssue(issue), issue ? String(issue.path[0] ?? "") : undefined);
  }
  const caller = createCaller(createContext({ headers: req.headers, db }));
  return answer(async () =>
    caller.figures.create({
      reviewId,
      ...parsed.data,
      image: new Uint8Array(await image.arrayBuffer()),
      imageName: image instanceof File ? image.name : "",
    }),
  );
}

/**
 * POST multipart/form-data: `file` (the PDF) and `version` (the record's). Through the `screening.attachFullText`
 * procedure, so the role and the record's review are checked there. Answers 201 {id, version, fullText} or an error.
 */
export async function handleFullTextUpload(req: Request, reviewId: number, recordId: number, db?: Db): Promise<Response> {
  const read = await readUploadForm(req, fullTextPolicy.maxBytes, "Full text");
  if ("response" in read) return read.response;
  const file = read.form.get("file");
  if (!(file instanceof Blob)) return refuse(400, "Full text: choose a PDF file.", "Full text");
  const version = Number(read.form.get("version"));
  const caller = createCaller(createContext({ headers: req.headers, db }));
  return answer(async () =>
    caller.screening.attachFullText({ reviewId, recordId, version, file: new Uint8Array(await file.arrayBuffer()), fileName: file instanceof File ? file.name : "" }),
  );
}

/** GET a stored file: members of its review only, with the media type sniffed at upload and no sniffing by the browser. */
export function serveStoredFile(req: Request, reviewId: number, fileId: number, db?: Db): Response {
  const ctx = createContext({ headers: req.headers, db });
  if (!ctx.user) return refuse(401, "Sign in first.");
  if (!roleInReview(ctx.db, ctx.user, reviewId)) return refuse(403, "You are not a member of this review.");
  let file;
  try {
    file = readStoredFile(ctx.db, reviewId, fileId);
  } catch (error) {
    if (error instanceof AppError && error.kind === "not_found") return refuse(404, error.message);
    throw error;
  }
  const etag = `"${file.sha256}"`;
  const common = {
    ETag: etag,
    // Membership can be withdrawn: the browser revalidates every time (a 304 costs nothing).
    "Cache-Control": "private, no-cache",
    "X-Content-Type-Options": "nosniff",
    // Opened on its own, the file can run nothing and load nothing, whatever it contains.
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
  };
  if (req.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers: common });
  const safeName = file.originalName.replace(/[^\w.\- ]+/g, "_");
  return new Response(new Uint8Array(file.data), {
    status: 200,
    headers: {
      ...common,
      "Content-Type": file.mediaType,
      "Content-Length": String(file.data.length),
      // A PDF is saved, not opened in the browser's viewer (a PDF can carry scripts); images are shown inline.
      "Content-Disposition": `${file.mediaType === "application/pdf" ? "attachment" : "inline"}; filename="${safeName}"; filename*=UTF-8''${encodeURIComponent(file.originalName)}`,
    },
  });
}
