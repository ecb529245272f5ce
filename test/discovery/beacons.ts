// The records an OpenClaw gateway's Bonjour advertiser publishes, built from its own service
// definition (openclaw 2026.9.6 dist/advertiser-*.mjs, extensions/bonjour/src/advertiser.ts:
// createService({name: "<host> (OpenClaw)", type: "openclaw-gw", port, domain: "local",
// hostname, txt}) with TXT role=gateway, gatewayPort, lanHost=<host>.local, displayName,
// transport=gateway; full mode adds cliPath and sshPort (default 22)), in the decoded form
// multicast-dns hands over.
import type { RawRecord } from "../../src/discovery/mdns-services.ts";

export interface BeaconOptions {
  mode: "minimal" | "full";
  type?: string;
  instance?: string;
  host?: string;
  address?: string;
  port?: number;
  /** Replace the TXT entries entirely. */
  txt?: string[];
}

export function beaconTxt(mode: "minimal" | "full", host = "zoo-gw", port = 18789): string[] {
  const base = [
    `role=gateway`,
    `gatewayPort=${port}`,
    `lanHost=${host}.local`,
    `displayName=${host}`,
    "transport=gateway",
  ];
  return mode === "full" ? [...base, "cliPath=/usr/local/bin/openclaw", "sshPort=22"] : base;
}

export function beaconRecords(o: BeaconOptions): RawRecord[] {
  const type = o.type ?? "_openclaw-gw._tcp.local";
  const host = o.host ?? "zoo-gw";
  const instance = o.instance ?? `${host} (OpenClaw)`;
  const full = `${instance}.${type}`;
  const from = o.address ?? "198.18.29.1";
  const port = o.port ?? 18789;
  return [
    { name: type, type: "PTR", data: full, from },
    { name: full, type: "SRV", data: { priority: 0, weight: 0, port, target: `${host}.local` }, from },
    {
      name: full,
      type: "TXT",
      data: (o.txt ?? beaconTxt(o.mode, host, port)).map((t) => Buffer.from(t)),
      from,
    },
    { name: `${host}.local`, type: "A", data: from, from },
  ];
}
