import type { ReferenceRecord } from "@/server/screening/references";
import { IMPORT_CHUNK_RECORDS } from "@/server/schemas/screening";
import type { callerFor } from "./test-db";

type Caller = ReturnType<typeof callerFor>;

export const ref = (partial: Partial<ReferenceRecord>): ReferenceRecord => ({
  title: "",
  abstract: "",
  authors: [],
  year: null,
  journal: "",
  doi: "",
  pmid: "",
  keywords: [],
  url: "",
  volume: "",
  issue: "",
  pages: "",
  ...partial,
});

/** Imports records as the page does: start, bounded chunks, finish. */
export async function importRecords(caller: Caller, reviewId: number, records: ReferenceRecord[], source = "PubMed", chunk = IMPORT_CHUNK_RECORDS) {
  const search = await caller.screening.startImport({ reviewId, source, searchedOn: "2024-03-01", query: "exosome* AND spinal cord injury", fileName: "search.ris", format: "ris", expectedRecords: records.length });
  for (let offset = 0; offset < records.length; offset += chunk) {
    await caller.screening.importChunk({ reviewId, searchId: search.id, offset, records: records.slice(offset, offset + chunk) });
  }
  const finished = await caller.screening.finishImport({ reviewId, searchId: search.id });
  return { searchId: search.id, ...finished };
}
