// DNS-SD answers assembled into gateway beacons: the records an OpenClaw gateway's Bonjour
// advertiser publishes (extensions/bonjour advertiser: PTR, SRV, TXT role/gatewayPort/lanHost/
// displayName/transport, plus cliPath/sshPort in full mode) and the legacy Clawdbot bridge's,
// read exactly; findings per mode; and hostile answers (huge, control bytes, lies, floods)
// survived with everything capped.
import { describe, expect, it } from "vitest";
import { describe as describeGateways, renderText } from "../../src/cli/discover.ts";
import { mdnsFindings } from "../../src/discovery/mdns-findings.ts";
import {
  assembleServices,
  MAX_SERVICES,
  MAX_TXT_KEYS,
  type RawRecord,
} from "../../src/discovery/mdns-services.ts";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";
import { beaconRecords } from "./beacons.ts";

describe("an OpenClaw gateway's beacon", () => {
  it("minimal mode: TXT hints read, one low finding", () => {
    const [s, ...rest] = assembleServices(beaconRecords({ mode: "minimal" }));
    expect(rest).toEqual([]);
    expect(s!.type).toBe("_openclaw-gw._tcp.local");
    expect(s!.instance).toBe("zoo-gw (OpenClaw)");
    expect(s!.host).toBe("zoo-gw.local");
    expect(s!.port).toBe(18789);
    expect(s!.addresses[0]).toBe("198.18.29.1");
    expect(s!.txt).toEqual({
      role: "gateway",
      gatewayport: "18789",
      lanhost: "zoo-gw.local",
      displayname: "zoo-gw",
      transport: "gateway",
    });
    expect(mdnsFindings(s!).map((f) => [f.ruleId, f.severity])).toEqual([["CP-MDNS-001", "low"]]);
  });
  it("full mode: cliPath and sshPort are a medium finding naming both", () => {
    const [s] = assembleServices(beaconRecords({ mode: "full" }));
    expect(s!.txt.clipath).toBe("/usr/local/bin/openclaw");
    expect(s!.txt.sshport).toBe("22");
    const full = mdnsFindings(s!).find((f) => f.ruleId === "CP-MDNS-002");
    expect(full?.severity).toBe("medium");
    expect(full?.evidence.map((e) => e.excerpt)).toEqual(["clipath=/usr/local/bin/openclaw", "sshport=22"]);
  });
  it("the legacy Clawdbot bridge type is read as clawdbot; other service types are ignored", () => {
    const records: RawRecord[] = [
      ...beaconRecords({ mode: "full", type: "_clawdbot-bridge._tcp.local", instance: "mac (Clawdbot)" }),
      { name: "_http._tcp.local", type: "PTR", data: "printer._http._tcp.local" },
      { name: "printer._http._tcp.local", type: "SRV", data: { target: "printer.local", port: 80 } },
    ];
    const gateways = describeGateways(assembleServices(records));
    expect(gateways.map((g) => [g.product, g.instance])).toEqual([["clawdbot", "mac (Clawdbot)"]]);
    const text = renderText(gateways, 1234, 3);
    expect(text).toContain("1 gateway beacons (1 in full mode) from 3 mDNS answers in 1.2 s");
  });
});

describe("hostile answers", () => {
  it("control bytes, ANSI escapes and huge values are stripped and capped; lies are flagged", () => {
    const records = beaconRecords({
      mode: "full",
      txt: [
        `displayName=\u001b[2J\u001b[31mEVIL\u0007${"A".repeat(5000)}`,
        "gatewayPort=99999",
        "sshPort=22; rm -rf /",
        "role=gateway",
        "role=duplicate",
      ],
      port: 70000,
    });
    const [s] = assembleServices(records);
    expect(s!.txt.displayname).not.toMatch(/[\u0000-\u001f]/);
    expect(s!.txt.displayname!.length).toBeLessThan(300);
    expect(s!.txt.role).toBe("gateway");
    expect(s!.port).toBeNull();
    expect(s!.anomalies).toEqual(
      expect.arrayContaining([
        "SRV port out of range",
        "TXT gatewayPort is not a port number",
        "TXT sshPort is not a port number",
        "TXT displayname: control bytes or oversize value",
      ]),
    );
    const text = renderText(describeGateways([s!]), 10, 1);
    expect(text).not.toMatch(/\u001b/);
  });
  it("a flood of instances and TXT keys is bounded", () => {
    const records: RawRecord[] = [];
    for (let i = 0; i < MAX_SERVICES + 500; i++)
      records.push({ name: "_openclaw-gw._tcp.local", type: "PTR", data: `gw${i}._openclaw-gw._tcp.local` });
    records.push({
      name: "gw0._openclaw-gw._tcp.local",
      type: "TXT",
      data: Array.from({ length: 1000 }, (_, i) => Buffer.from(`k${i}=v`)),
    });
    const services = assembleServices(records);
    expect(services.length).toBe(MAX_SERVICES);
    expect(Object.keys(services[0]!.txt).length).toBe(MAX_TXT_KEYS);
    expect(services[0]!.anomalies).toContain(
      `${1000 - MAX_TXT_KEYS} TXT entries beyond ${MAX_TXT_KEYS} dropped`,
    );
  });
  it("records of the wrong shape are skipped, not thrown on", () => {
    const records = [
      { name: "_openclaw-gw._tcp.local", type: "PTR", data: 42 },
      { name: "_openclaw-gw._tcp.local", type: "PTR", data: "elsewhere._http._tcp.local" },
      { name: "x._openclaw-gw._tcp.local", type: "SRV", data: null },
      { name: "x._openclaw-gw._tcp.local", type: "TXT", data: { not: "a list" } },
    ] as RawRecord[];
    expect(assembleServices(records)).toEqual([]);
  });
});

describe("discover on the command line", () => {
  it("without a method, and with a bad --timeout or --interface, is a one-line usage error (exit 2)", async () => {
    for (const args of [
      ["discover"],
      ["discover", "--mdns", "--timeout", "soon"],
      ["discover", "--mdns", "--interface", "no-such-if0"],
    ]) {
      const r = await runClawpatrol(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    }
  });
});
