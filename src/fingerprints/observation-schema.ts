// Moved to src/scan/record-schema.ts (the scan layer owns the record); kept for older imports.
export * from "../scan/record-schema.ts";
