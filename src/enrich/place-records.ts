// Enrichment at store time: every record the store takes (a plain scan's, a campaign worker's,
// one sent to serve's store API, an imported clawpatrol NDJSON line) gets its address's AS
// number, AS organisation and country, and the special-purpose range it lies in, unless it was
// placed already (scan --from and import of third-party exports place theirs as they read them).
// Without the data packages a public address stays unknown (null), said once per process.
import type { Observation } from "../scan/record.ts";
import { type PlaceDb, placeDb } from "./place.ts";

let told = false;

/** The one-line notice when public addresses meet a missing database (stderr by default). */
export function missingDataNotice(): string {
  return "clawpatrol: the ASN/country data (npm packages @ip-location-db/asn, @ip-location-db/geo-whois-asn-country) is not installed: public addresses are stored without asn, asOrg and country";
}

/** A record with its place, or the record itself when it has one already or no address. */
export function placeRecord(
  o: Observation,
  db: PlaceDb = placeDb(),
  notice: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Observation {
  if (o.asn !== undefined || o.ip === "") return o;
  const placed = db.enrich(o);
  if (placed.specialUse === null && !told && !db.available) {
    told = true;
    notice(missingDataNotice());
  }
  return placed;
}

/** Records of a batch placed (the same array when none needed it). */
export function placeBatch<T extends { observation: Observation }>(
  batch: readonly T[],
  db?: PlaceDb,
): readonly T[] {
  if (batch.every((b) => b.observation.asn !== undefined || b.observation.ip === "")) return batch;
  return batch.map((b) => ({ ...b, observation: placeRecord(b.observation, db) }));
}

/** For tests: say the notice again. */
export function resetNotice(): void {
  told = false;
}
