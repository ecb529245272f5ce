// --country and --asn, shared by `inventory` and `export`: checked here, matched in the store
// against the asn/country the offline enrichment put on each record (src/enrich/).
import { UsageError } from "../core/errors.ts";

export interface PlaceFlags {
  country?: string;
  asn?: string;
}

/** The filter fields for the store: country upper-cased, the AS number without "AS". */
export function placeFilter(flags: PlaceFlags): { country?: string; asn?: string } {
  if (flags.country !== undefined && !/^[A-Za-z]{2}$/.test(flags.country))
    throw new UsageError(`--country: a two-letter ISO 3166-1 code such as DE (got "${flags.country}")`);
  const asn = flags.asn?.replace(/^AS/i, "");
  if (asn !== undefined && !/^\d{1,10}$/.test(asn))
    throw new UsageError(`--asn: an AS number such as 24940 or AS24940 (got "${flags.asn}")`);
  return {
    ...(flags.country ? { country: flags.country.toUpperCase() } : {}),
    ...(asn !== undefined ? { asn: String(Number(asn)) } : {}),
  };
}
