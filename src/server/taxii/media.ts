// TAXII 2.1 media types and content negotiation (TAXII 2.1 §1.6.8, §3.2). Every TAXII resource,
// the envelope of objects included, is `application/taxii+json;version=2.1`; the STIX objects in
// it are `application/stix+json;version=2.1`, which the collection and its manifest name.
export const TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1";
export const STIX_MEDIA_TYPE = "application/stix+json;version=2.1";

/**
 * Whether an Accept header lets us answer with TAXII 2.1: no header, a wildcard, or
 * application/taxii+json without a version or with version 2.1. Anything else is a 406.
 */
export function acceptsTaxii(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === "") return true;
  for (const range of accept.split(",")) {
    const [type = "", ...params] = range.split(";").map((p) => p.trim().toLowerCase());
    const named = new Map(
      params.map((p) => {
        const eq = p.indexOf("=");
        return eq < 0
          ? [p, ""]
          : [
              p.slice(0, eq).trim(),
              p
                .slice(eq + 1)
                .trim()
                .replace(/^"(.*)"$/, "$1"),
            ];
      }),
    );
    if (named.get("q") === "0" || named.get("q") === "0.0") continue;
    if (type === "*/*" || type === "application/*") return true;
    if (type === "application/taxii+json") {
      const version = named.get("version");
      if (version === undefined || version === "2.1") return true;
    }
  }
  return false;
}
