// The NDJSON line of a scan record. Serialising is a real share of a scan's CPU: an old
// gateway version matches hundreds of advisories, and every gateway of that version repeats
// the list. Gateways of one version share one list object (assess.ts), so its JSON is made
// once, and encoded as UTF-8 once, and spliced in; the line is byte-for-byte what
// JSON.stringify(record) gives.
import { randomUUID } from "node:crypto";
import type { AdvisorySummary, Observation } from "./record.ts";

/** Below this many entries splicing saves nothing worth a cache entry. */
const SPLICE_FROM = 16;

// Stands in for the list while the rest is serialised. Random per process, so no text a
// target sends (it ends up in evidence, before and after the list) can be mistaken for it.
const PLACEHOLDER = `advisories-${randomUUID()}`;
const PLACEHOLDER_JSON = JSON.stringify(PLACEHOLDER);

const listJson = new WeakMap<AdvisorySummary[], Buffer>();

/**
 * The record's NDJSON line (with its newline) in pieces to write one after another: text,
 * and the advisory list as UTF-8 bytes. Kept apart, the list is never copied again; joined,
 * one non-Latin-1 character in the evidence would make the whole line a two-byte string to
 * re-encode.
 */
export function recordLine(o: Observation): (string | Buffer)[] {
  if (o.advisories.length < SPLICE_FROM) return [`${JSON.stringify(o)}\n`];
  let list = listJson.get(o.advisories);
  if (list === undefined) {
    list = Buffer.from(JSON.stringify(o.advisories));
    listJson.set(o.advisories, list);
  }
  // Spreading keeps every key where it was; only the list's value is swapped.
  const json = JSON.stringify({ ...o, advisories: PLACEHOLDER });
  const at = json.indexOf(PLACEHOLDER_JSON);
  return [json.slice(0, at), list, `${json.slice(at + PLACEHOLDER_JSON.length)}\n`];
}
