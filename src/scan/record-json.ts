// The NDJSON line of a scan record. Serialising is a real share of a scan's CPU: an old
// gateway version matches hundreds of advisories, and every gateway of that version repeats
// the list. Gateways of one version share one list object (assess.ts), so its JSON is made
// once and spliced in; the line is byte-for-byte what JSON.stringify(record) gives.
import { randomUUID } from "node:crypto";
import type { AdvisorySummary, Observation } from "../fingerprints/observation.ts";

/** Below this many entries splicing saves nothing worth a cache entry. */
const SPLICE_FROM = 16;

// Stands in for the list while the rest is serialised. Random per process, so no text a
// target sends (it ends up in evidence, before and after the list) can be mistaken for it.
const PLACEHOLDER = `advisories-${randomUUID()}`;
const PLACEHOLDER_JSON = JSON.stringify(PLACEHOLDER);

const listJson = new WeakMap<AdvisorySummary[], string>();

export function recordJson(o: Observation): string {
  if (o.advisories.length < SPLICE_FROM) return JSON.stringify(o);
  let list = listJson.get(o.advisories);
  if (list === undefined) {
    list = JSON.stringify(o.advisories);
    listJson.set(o.advisories, list);
  }
  // Spreading keeps every key where it was; only the list's value is swapped.
  const json = JSON.stringify({ ...o, advisories: PLACEHOLDER });
  const at = json.indexOf(PLACEHOLDER_JSON);
  return `${json.slice(0, at)}${list}${json.slice(at + PLACEHOLDER_JSON.length)}`;
}
