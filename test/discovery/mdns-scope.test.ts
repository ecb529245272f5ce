// `scan --mdns` scope: which beacon addresses become scan targets. From a real gateway's
// recorded advertisement (openclaw 2026.3.13, full mode: an A record on the link and an IPv6
// link-local AAAA), and from answers that lie (an address off the link, no port). Every address
// left out is returned with its reason; the CLI's flag checks are one-line usage errors.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { explicitScope } from "../../src/cli/scan-mdns.ts";
import { linkScope, type MdnsScope, mdnsEndpoints, refusalLine } from "../../src/discovery/mdns-scope.ts";
import { assembleServices, type RawRecord } from "../../src/discovery/mdns-services.ts";
import { parseCidr } from "../../src/targets/blocklist.ts";
import type { Interval } from "../../src/targets/ip.ts";
import { buildPlan } from "../../src/targets/spec.ts";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";
import { beaconRecords } from "./beacons.ts";

interface Packet {
  from: string;
  answers: RawRecord[];
  additionals: RawRecord[];
}
const recorded = JSON.parse(
  readFileSync(new URL("../fixtures/mdns/openclaw-2026.3.13-full.json", import.meta.url), "utf8"),
).packet as Packet;
const recordedRecords = (): RawRecord[] =>
  [...recorded.answers, ...recorded.additionals].map((r) => ({ ...r, from: recorded.from }));

const cidrs = (...list: string[]): Interval[] => list.map((c) => parseCidr(c)!);
const scope = (allowed: string[], excluded: string[] = []): MdnsScope => ({
  allowed: cidrs(...allowed),
  described: "the test scope",
  excluded: cidrs(...excluded),
});

describe("a real gateway's recorded beacon", () => {
  const services = assembleServices(recordedRecords());
  it("inside the scope: its link address on the SRV port; the link-local AAAA is refused", () => {
    const { endpoints, refused } = mdnsEndpoints(services, scope(["198.18.29.0/24"]));
    expect(endpoints).toEqual([
      {
        ip: "198.18.29.1",
        family: 4,
        port: 18789,
        instance: "vm (OpenClaw)",
        type: "_openclaw-gw._tcp.local",
      },
    ]);
    expect(refused).toEqual([
      {
        address: "fe80::f4b6:f5ff:fede:83b1",
        port: 18789,
        instance: "vm (OpenClaw)",
        reason: "IPv6 link-local (no zone)",
      },
    ]);
  });
  it("outside the scope: nothing scanned, the address listed with the scope it missed", () => {
    const { endpoints, refused } = mdnsEndpoints(services, scope(["10.0.0.0/8"]));
    expect(endpoints).toEqual([]);
    const line = refusalLine(refused.find((r) => r.address === "198.18.29.1")!);
    expect(line).toBe(
      'mdns: not scanning 198.18.29.1 port 18789 (beacon "vm (OpenClaw)"): outside the test scope',
    );
  });
  it("an excluded address is refused even inside the scope", () => {
    const { endpoints, refused } = mdnsEndpoints(services, scope(["198.18.0.0/15"], ["198.18.29.1/32"]));
    expect(endpoints).toEqual([]);
    expect(refused.map((r) => r.reason)).toContain("excluded");
  });
});

describe("beacons that lie", () => {
  it("an A record off the link is refused; the address the answer came from is scanned", () => {
    const records = beaconRecords({ mode: "minimal", address: "198.18.29.7" }).map((r) =>
      r.type === "A" ? { ...r, data: "8.8.8.8" } : r,
    );
    const { endpoints, refused } = mdnsEndpoints(assembleServices(records), scope(["198.18.29.0/24"]));
    expect(endpoints.map((e) => `${e.ip}:${e.port}`)).toEqual(["198.18.29.7:18789"]);
    expect(refused).toEqual([
      { address: "8.8.8.8", port: 18789, instance: "zoo-gw (OpenClaw)", reason: "outside the test scope" },
    ]);
  });
  it("a beacon without a usable port is listed, not scanned", () => {
    const { endpoints, refused } = mdnsEndpoints(
      assembleServices(beaconRecords({ mode: "minimal", port: 0 })),
      scope(["0.0.0.0/0"]),
    );
    expect(endpoints).toEqual([]);
    expect(refused[0]!.reason).toBe("no usable port (SRV missing or out of range)");
  });
  it("one address named twice is one endpoint", () => {
    const twice = [
      ...beaconRecords({ mode: "minimal" }),
      ...beaconRecords({ mode: "minimal", instance: "again (OpenClaw)" }),
    ];
    const { endpoints } = mdnsEndpoints(assembleServices(twice), scope(["198.18.29.0/24"]));
    expect(endpoints.map((e) => `${e.ip}:${e.port}`)).toEqual(["198.18.29.1:18789"]);
  });
});

describe("the scope", () => {
  const interfaces = {
    lo: [
      {
        address: "127.0.0.1",
        netmask: "255.0.0.0",
        family: "IPv4" as const,
        mac: "00:00:00:00:00:00",
        internal: true,
        cidr: "127.0.0.1/8",
      },
    ],
    eth0: [
      {
        address: "192.168.7.20",
        netmask: "255.255.255.0",
        family: "IPv4" as const,
        mac: "02:00:00:00:00:01",
        internal: false,
        cidr: "192.168.7.20/24",
      },
      {
        address: "fe80::1",
        netmask: "ffff:ffff:ffff:ffff::",
        family: "IPv6" as const,
        mac: "02:00:00:00:00:01",
        internal: false,
        cidr: "fe80::1/64",
        scopeid: 2,
      },
    ],
    cpveth1: [
      {
        address: "198.18.29.2",
        netmask: "255.255.255.0",
        family: "IPv4" as const,
        mac: "02:00:00:00:00:02",
        internal: false,
        cidr: "198.18.29.2/24",
      },
    ],
  };
  it("without --interface: the networks of every non-internal interface (no loopback, no link-local)", () => {
    expect(linkScope(undefined, interfaces)).toEqual(cidrs("192.168.7.0/24", "198.18.29.0/24"));
  });
  it("--interface by name or by one of its addresses: that interface's networks only", () => {
    expect(linkScope("cpveth1", interfaces)).toEqual(cidrs("198.18.29.0/24"));
    expect(linkScope("192.168.7.20", interfaces)).toEqual(cidrs("192.168.7.0/24"));
  });
  it("with targets: their addresses, CIDRs and host:port addresses; names are no scope", () => {
    const plan = buildPlan(["198.18.29.0/28", "10.1.2.3:18789", "gw.nonexistent.invalid"], []);
    expect(explicitScope(plan)).toEqual([
      ...cidrs("198.18.29.0/28"),
      { family: 4, start: parseCidr("10.1.2.3")!.start, end: parseCidr("10.1.2.3")!.start },
    ]);
  });
});

describe("scan --mdns flags", () => {
  it("--interface without --mdns is a usage error", async () => {
    const r = await runClawpatrol(["scan", "127.0.0.1", "--interface", "lo"]);
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr)).toBe(true);
    expect(r.stderr).toContain("--interface needs --mdns");
  });
  it("--mdns with --from is a usage error", async () => {
    const r = await runClawpatrol(["scan", "--mdns", "--from", "x.json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("does not take --mdns");
  });
  it("a bad --mdns-timeout is a usage error naming the flag", async () => {
    const r = await runClawpatrol(["scan", "--mdns", "--mdns-timeout", "soon"]);
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr)).toBe(true);
    expect(r.stderr).toContain("--mdns-timeout");
  });
});
