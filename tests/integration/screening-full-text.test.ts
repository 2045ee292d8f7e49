import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSession } from "@/server/auth/session";
import { handleFullTextUpload, serveStoredFile, UPLOAD_HEADER } from "@/server/http/files";
import { createUser } from "@/server/services/auth";
import { setMember } from "@/server/services/reviews";
import { whitePng } from "../support/images";
import { rejection } from "../support/rejection";
import { importRecords, ref } from "../support/screening";
import { callerFor, demoReviewId, freshDb, userId, type TestDb } from "../support/test-db";

/** Full-text PDFs of screening records, kept in the review's file store (the digitiser's). */
let t: TestDb;
let reviewId: number;
let recordId: number;
beforeEach(async () => {
  t = await freshDb();
  reviewId = demoReviewId(t.db);
  await createUser(t.db, { username: "viewer1", displayName: "Viewer", password: "viewer-password" });
  setMember(t.db, { id: userId(t.db, "admin"), displayName: "Administrator" }, reviewId, "viewer1", "viewer");
  await importRecords(callerFor(t.db, "reviewer1"), reviewId, [ref({ title: "Exosomes for contusion injury", doi: "10.1000/ft1", authors: ["Li, Wei"], year: 2020 })], "PubMed");
  recordId = t.db.$client.prepare("select id from screening_records where review_id = ?").pluck().get(reviewId) as number;
}, 60_000);
afterEach(() => t.close());

const pdf = (body = "Full text of the paper") =>
  Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% ${body}\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
const version = () => t.db.$client.prepare("select version from screening_records where id = ?").pluck().get(recordId) as number;
const fileOf = () => t.db.$client.prepare("select full_text_file_id from screening_records where id = ?").pluck().get(recordId) as number | null;

async function upload(username: string | null, bytes: Buffer, name = "paper.pdf", headers: Record<string, string> = {}) {
  const form = new FormData();
  form.set("file", new Blob([new Uint8Array(bytes)]), name);
  form.set("version", String(version()));
  const all = new Headers({ host: "localhost", origin: "http://localhost", [UPLOAD_HEADER]: "1", ...headers });
  if (username) all.set("cookie", `wb_session=${createSession(t.db, userId(t.db, username)).token}`);
  const response = await handleFullTextUpload(new Request(`http://localhost/api/reviews/${reviewId}/screening/records/${recordId}/full-text`, { method: "POST", headers: all, body: form }), reviewId, recordId, t.db);
  return { status: response.status, body: (await response.json()) as { fullText?: { fileId: number }; error?: { message: string } } };
}

describe("full texts of screening records", () => {
  it("attaches a PDF (stored once, audited), serves it to members as a download, and detaches it", async () => {
    const attached = await upload("reviewer1", pdf());
    expect(attached.status).toBe(201);
    const fileId = attached.body.fullText!.fileId;
    expect(fileOf()).toBe(fileId);
    const audit = t.db.$client.prepare("select field, new_value from audit_log where entity = 'screeningRecord' and entity_id = ? order by id desc").get(recordId);
    expect(audit).toEqual({ field: "fullTextFileId", new_value: String(fileId) });
    const view = await callerFor(t.db, "reviewer2").screening.record({ reviewId, recordId });
    expect(view.record.fullTextFileId).toBe(fileId);

    const headers = new Headers({ cookie: `wb_session=${createSession(t.db, userId(t.db, "viewer1")).token}` });
    const served = serveStoredFile(new Request(`http://localhost/api/reviews/${reviewId}/files/${fileId}`, { headers }), reviewId, fileId, t.db);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("application/pdf");
    expect(served.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(Buffer.from(await served.arrayBuffer()).toString()).toContain("Full text of the paper");

    // The same bytes again are stored once; a new file replaces the link.
    expect((await upload("reviewer2", pdf())).body.fullText!.fileId).toBe(fileId);
    const replaced = await upload("reviewer2", pdf("second version"));
    expect(replaced.body.fullText!.fileId).not.toBe(fileId);
    expect(t.db.$client.prepare("select count(*) from stored_files where media_type = 'application/pdf'").pluck().get()).toBe(2);

    await callerFor(t.db, "reviewer1").screening.detachFullText({ reviewId, recordId, version: version() });
    expect(fileOf()).toBeNull();
    expect((await rejection(callerFor(t.db, "reviewer1").screening.detachFullText({ reviewId, recordId, version: version() }))).message).toMatch(/no full text attached/);
  });

  it("refuses what is not a PDF, a truncated PDF, a viewer, a forged origin and a stale version; nothing is written", async () => {
    const files = () => t.db.$client.prepare("select count(*) from stored_files").pluck().get() as number;
    const before = files();
    const png = await upload("reviewer1", whitePng(20, 20), "paper.pdf");
    expect(png.status).toBe(400);
    expect(png.body.error!.message).toBe("Full text: PNG files are not accepted here. Accepted: PDF.");
    const truncated = await upload("reviewer1", pdf().subarray(0, 60));
    expect(truncated.body.error!.message).toMatch(/^Full text: the PDF file does not decode/);
    expect((await upload("viewer1", pdf())).status).toBe(403);
    expect((await upload(null, pdf())).status).toBe(401);
    expect((await upload("reviewer1", pdf(), "paper.pdf", { origin: "http://evil.example" })).status).toBe(403);
    const form = new FormData();
    form.set("file", new Blob([new Uint8Array(pdf())]), "p.pdf");
    form.set("version", String(version() + 7));
    const stale = await handleFullTextUpload(
      new Request(`http://localhost/x`, { method: "POST", headers: { host: "localhost", [UPLOAD_HEADER]: "1", cookie: `wb_session=${createSession(t.db, userId(t.db, "reviewer1")).token}` }, body: form }),
      reviewId,
      recordId,
      t.db,
    );
    expect(stale.status).toBe(409);
    expect(files()).toBe(before);
    expect(fileOf()).toBeNull();
  });

  it("refuses a file over 25 MB before reading it all", async () => {
    const big = Buffer.concat([pdf(), Buffer.alloc(26 * 1024 * 1024, 0x20)]);
    const response = await upload("reviewer1", big);
    expect(response.status).toBe(413);
    expect(response.body.error!.message).toBe("Full text: the upload is larger than the limit of 25 MB.");
  });
});
