// Shodan's JSON export: one banner object per line, as `shodan download` writes it (gunzipped)
// and as its REST and streaming APIs return it. Fields used: ip_str, port, transport, product,
// version, timestamp, hostnames, asn ("AS15169"), org, location.country_code.
import {
  address,
  asnOf,
  claim,
  countryOf,
  entry,
  isObject,
  malformed,
  portOf,
  skipped,
  text,
  timeOf,
} from "./fields.ts";
import { jsonValues } from "./json-values.ts";
import type { ExportItem, NumberedLine } from "./types.ts";

export async function* shodanJson(lines: AsyncIterable<NumberedLine>): AsyncGenerator<ExportItem> {
  for await (const v of jsonValues(lines)) {
    if ("malformed" in v) {
      yield v;
      continue;
    }
    const o = v.value;
    if (!isObject(o)) {
      yield malformed(v.line, "not a JSON object");
      continue;
    }
    const ip = address(o.ip_str);
    const port = portOf(o.port);
    if (!ip || port === null) {
      yield malformed(v.line, "not a Shodan banner (needs ip_str and port)");
      continue;
    }
    if (o.transport !== undefined && o.transport !== "tcp") {
      yield skipped(v.line, `${String(o.transport)} banner`);
      continue;
    }
    const hostnames = Array.isArray(o.hostnames) ? o.hostnames : [];
    const location = isObject(o.location) ? o.location : {};
    yield entry(
      v.line,
      ip,
      port,
      claim("shodan", {
        product: text(o.product),
        version: text(o.version),
        service: isObject(o._shodan) ? text(o._shodan.module) : null,
        seenAt: timeOf(o.timestamp),
      }),
      {
        hostname: text(hostnames[0]),
        place: { asn: asnOf(o.asn), org: text(o.org), country: countryOf(location.country_code) },
      },
    );
  }
}
