// Moved: the scan record is the scan layer's (src/scan/record.ts), the verdict a
// fingerprinter returns is src/fingerprints/verdict.ts. This re-export keeps older imports
// working until every caller imports from there; add no new imports of it.
export * from "../scan/record.ts";
