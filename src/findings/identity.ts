// The stable identity of a finding: the same finding seen in two runs (or by a one-off
// `scan --format ocsf` and by the store) gets the same id. Kept here, not in the store, so
// output code can name findings without loading the database layer.
import { createHash } from "node:crypto";
import type { Finding } from "./model.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * Hash of a finding's evidence by what and where, not by the raw bytes: excerpts carry
 * nonces and timestamps that change on every probe, which would make every run a "new" finding.
 */
export function evidenceHash(f: Finding): string {
  return sha256(
    JSON.stringify(
      f.evidence.map((e) => [e.source, e.detail, e.location ?? null, e.path ?? null, e.line ?? null]),
    ),
  );
}

/** The stable identity of a finding across runs: sha256(rule id, asset, evidence hash). */
export function findingId(f: Finding): string {
  return sha256(`${f.ruleId}\u0000${f.asset}\u0000${evidenceHash(f)}`);
}
