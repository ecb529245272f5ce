// The exposure picture's test store: two scans eight days apart over 10.9.0.0/24 (some gateways
// gone by the second, some new), then an unverified import of four claimed gateways; each record
// placed (country, AS, organisation) as enrichment would place it. The plan's own numbers are
// computed here from the plan alone (no SQL), for the query tests and the browser test.
import type { Observation } from "../../src/scan/record.ts";
import type { ExposureCount } from "../../src/server/exposure.ts";
import type { Store } from "../../src/store/db.ts";
import type { RunScope } from "../../src/store/schema.ts";
import { beginRun, RunWriter } from "../../src/store/write.ts";
import { zooObservations } from "../store/records.ts";
import { DAY_MS, fixtureNow, PREAUTH } from "./fixture.ts";

export const N = 30;
export const PLACES = [
  { country: "DE", asn: 24940, asOrg: "Hetzner Online GmbH" },
  { country: "US", asn: 16509, asOrg: "AMAZON-02" },
  { country: "FR", asn: 16276, asOrg: "OVH SAS" },
  { country: null, asn: null, asOrg: null },
];
export const VERSIONS = ["2026.1.29", "2026.3.13", "2026.3.2", null];
export const SEVERITIES = ["critical", "high", "medium", "low", null] as const;
export const SCOPE: RunScope = { ranges: [["10.9.0.0", "10.9.0.255"]], ports: [18789, 18790] };

export interface Planned {
  i: number;
  ip: string;
  port: number;
  unauth: boolean;
  vulnerable: boolean;
  version: string | null;
  severity: string | null;
  place: (typeof PLACES)[number];
}

export const plan: Planned[] = Array.from({ length: N }, (_, i) => ({
  i,
  ip: `10.9.0.${Math.floor(i / 2)}`,
  port: 18789 + (i % 2),
  unauth: i % 3 === 0,
  vulnerable: i % 5 === 0 || i === 27,
  version: VERSIONS[i % 4]!,
  severity: SEVERITIES[i % 5]!,
  place: PLACES[i % 4]!,
}));
/** Eight days ago: the first 24; today: those not gone (i % 6 === 1) and the 6 new ones. */
export const seenThen = (p: Planned) => p.i < 24;
export const seenNow = (p: Planned) => p.i % 6 !== 1;

/** Unverified claims: an export named these four as OpenClaw gateways. */
export const CLAIMS = [1, 2, 3, 4].map((n) => ({ ip: `10.9.1.${n}`, place: PLACES[n % 2]! }));

export const base = zooObservations().find((o) => o.product === "openclaw")!;

export function record(p: Planned, scannedAt: string): Observation {
  return {
    ...base,
    host: p.ip,
    ip: p.ip,
    port: p.port,
    url: `http://${p.ip}:${p.port}/`,
    reachable: true,
    product: "openclaw",
    version: p.version,
    auth: p.unauth ? "not-required" : "required",
    advisories: p.vulnerable ? [PREAUTH] : [],
    severity: p.severity as Observation["severity"],
    findings: [],
    scannedAt,
    ...p.place,
  };
}

export function claim(c: (typeof CLAIMS)[number], scannedAt: string, line: number): Observation {
  return {
    ...base,
    host: c.ip,
    ip: c.ip,
    port: 18789,
    url: `http://${c.ip}:18789/`,
    product: "openclaw",
    version: "2026.2.1",
    auth: "unknown",
    advisories: [],
    severity: null,
    findings: [],
    scannedAt,
    source: { format: "shodan", file: "shodan.json", line, verified: false },
    ...c.place,
  };
}

export async function write(
  store: Store,
  id: string,
  at: number,
  records: Observation[],
  scope: RunScope | null,
  options: Record<string, unknown> = {},
) {
  await beginRun(store.db, { id, kind: "scan", startedAt: new Date(at).toISOString(), scope, options });
  const w = new RunWriter(store.db, id, 7);
  for (const r of records) await w.add(r);
  await w.finish(new Date(at + 60_000).toISOString());
}

export const NOW = fixtureNow();
export const THEN = NOW - 8 * DAY_MS;

export async function build(store: Store): Promise<void> {
  const thenAt = new Date(THEN + 1000).toISOString();
  const nowAt = new Date(NOW + 1000).toISOString();
  await write(
    store,
    "then",
    THEN,
    plan.filter(seenThen).map((p) => record(p, thenAt)),
    SCOPE,
  );
  await write(
    store,
    "now",
    NOW,
    plan.filter(seenNow).map((p) => record(p, nowAt)),
    SCOPE,
  );
  // The import lands after today's scan (later in the day), so it is today's last run.
  const claims = CLAIMS.map((c, k) => claim(c, new Date(NOW + 3_600_000).toISOString(), k + 1));
  await write(store, "import-shodan", NOW + 3_600_000, claims, null, {
    import: true,
    format: "shodan",
    verified: false,
  });
}

// --- the plan's own numbers -----------------------------------------------------------------

export const live = plan.filter(seenNow);
export const rank = (s: string | null) =>
  s === null ? -1 : ["info", "low", "medium", "high", "critical"].indexOf(s);
export const ipNum = (ip: string) => ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);

export function tally(key: (p: Planned) => string, name: (p: Planned) => string | null = () => null) {
  const m = new Map<string, ExposureCount>();
  for (const p of live) {
    const k = key(p);
    const c = m.get(k) ?? {
      key: k,
      name: name(p),
      live: 0,
      unauthenticated: 0,
      vulnerable: 0,
      unverified: 0,
    };
    c.live++;
    if (p.unauth) c.unauthenticated++;
    if (p.vulnerable) c.vulnerable++;
    m.set(k, c);
  }
  return m;
}

/** A breakdown as a map (order is checked apart). */
export const asMap = (rows: ExposureCount[]) => new Map(rows.map((r) => [r.key, r]));
