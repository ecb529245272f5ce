// Realistic scan records for store tests: the recorded zoo transcripts run through the real
// fingerprint (observe), then re-addressed and re-timed to make as many endpoints and days as needed.
import { readdirSync, readFileSync } from "node:fs";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { NO_ADVISORIES } from "../../src/scan/assess.ts";
import { observe } from "../../src/scan/engine.ts";
import type { Observation } from "../../src/scan/record.ts";

const ZOO = new URL("../fixtures/zoo/", import.meta.url);

let cached: Observation[] | null = null;

/** One observation per recorded zoo transcript (local and remote). */
export function zooObservations(): Observation[] {
  if (cached) return cached;
  const out: Observation[] = [];
  for (const side of ["local", "remote"]) {
    const dir = new URL(`${side}/`, ZOO);
    for (const f of readdirSync(dir)
      .filter((n) => n.endsWith(".json"))
      .sort())
      out.push(observe(transcriptFromJson(readFileSync(new URL(f, dir), "utf8")), NO_ADVISORIES));
  }
  cached = out;
  return out;
}

/** The i-th synthetic record: a zoo record moved to 10.x.y.z:port and to day `day` after 2026-10-01. */
export function synthetic(i: number, day = 0, advisoryOn?: (o: Observation) => boolean): Observation {
  const zoo = zooObservations();
  const base = zoo[i % zoo.length]!;
  const n = Math.floor(i / zoo.length);
  const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  const port = 18789 + (i % zoo.length);
  const asset = `${ip}:${port}`;
  const o: Observation = {
    ...base,
    host: ip,
    ip,
    port,
    url: `http://${asset}/`,
    exposure: "network",
    scannedAt: new Date(Date.UTC(2026, 9, 1 + day, 0, 0, i % 3600)).toISOString(),
    findings: base.findings.map((f) => ({ ...f, asset })),
  };
  if (advisoryOn?.(o))
    o.advisories = [
      {
        id: "GHSA-test-0001-0001",
        aliases: ["CVE-2026-00001"],
        severity: "high",
        preAuth: true,
        exposure: ["gateway"],
        fixed: "2026.1.29",
        certainty: "affected",
      },
    ];
  return o;
}

export function ndjson(records: Iterable<Observation>): string {
  let s = "";
  for (const r of records) s += `${JSON.stringify(r)}\n`;
  return s;
}
