// Scan-export readers on real tool output (recorded with masscan, nmap and ZMap; see
// fixtures/README.md) and on vendor-documented Shodan and Censys layouts: what each yields,
// how a file's format is detected, and that bad lines are counted with their line numbers.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.ts";
import { splitLines, TOO_LONG } from "../../src/targets/exports/lines.ts";
import { detectFormat, openExport, tallyLine } from "../../src/targets/exports/registry.ts";
import type { ExportEntry, ExportFormat } from "../../src/targets/exports/types.ts";
import { ndjson, synthetic } from "../store/records.ts";

const FIX = new URL("./fixtures/", import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "cp-exports-in-"));

async function readAll(path: string, format?: ExportFormat) {
  const r = await openExport(path, format);
  const entries: ExportEntry[] = [];
  for await (const e of r.entries) entries.push(e);
  return { format: r.format, entries, tally: r.tally };
}

const pairs = (es: ExportEntry[]) => es.map((e) => `${e.ip}:${e.port}`).sort();

describe("recorded tool output", () => {
  it.each([
    ["masscan.json", "masscan-json"],
    ["masscan.list", "masscan-list"],
    ["masscan.xml", "masscan-xml"],
    ["masscan.grep", "masscan-grep"],
  ] as const)("%s is detected as %s and lists both open ports", async (file, format) => {
    const r = await readAll(FIX + file);
    expect(r.format).toBe(format);
    expect(pairs(r.entries)).toEqual(["10.77.0.2:18789", "10.77.0.2:18790"]);
    expect(r.tally.malformed).toBe(0);
    // masscan stamps each result with the second it saw it (1796669541 = 2026-12-07T18:52:21Z).
    for (const e of r.entries) {
      expect(e.claim.format).toBe(format);
      expect(e.claim.seenAt).toMatch(/^2026-12-07T18:5\d:\d\d\.000Z$/);
    }
  });

  it("nmap XML: open ports with nmap's service guess; closed ones skipped with their state", async () => {
    const r = await readAll(`${FIX}nmap.xml`);
    expect(r.format).toBe("nmap-xml");
    expect(pairs(r.entries)).toEqual(["10.77.0.2:18789", "10.77.0.2:18790"]);
    expect(r.entries[0]!.claim).toMatchObject({
      product: "SimpleHTTPServer",
      version: "0.6",
      service: "http",
      seenAt: "2026-12-07T18:53:42.000Z",
    });
    expect(r.tally.skipped).toBe(19);
    expect(r.tally.skippedWhy.get("port closed")).toBe(19);
    // <hosthint> carries the same address but is not a host: it is not read twice.
    expect(r.tally.entries).toBe(2);
  });

  it("nmap grepable: one line lists every port; the status line is skipped", async () => {
    const r = await readAll(`${FIX}nmap.gnmap`);
    expect(r.format).toBe("nmap-grep");
    expect(pairs(r.entries)).toEqual(["10.77.0.2:18789", "10.77.0.2:18790"]);
    expect(r.entries[0]!.claim.service).toBe("http");
    expect(r.entries[0]!.claim.product).toBe("SimpleHTTPServer 0.6 (Python 3.11.7)");
    expect(r.tally.skippedWhy.get("port closed")).toBe(19);
    expect(r.tally.skippedWhy.get("host status line")).toBe(1);
    expect(r.tally.lines).toBe(4);
  });

  it("ZMap CSV and JSON: successes are entries, ZMap's own RST rows are skipped", async () => {
    const csv = await readAll(`${FIX}zmap.csv`);
    expect(csv.format).toBe("zmap-csv");
    expect(pairs(csv.entries)).toEqual(["10.77.0.2:18790"]);
    expect(csv.entries[0]!.claim.seenAt).toBe("2026-12-07T18:54:13.408Z");
    const rst = await readAll(`${FIX}zmap-rst.csv`);
    expect(rst.entries).toEqual([]);
    expect([...rst.tally.skippedWhy]).toEqual([["not a success (rst)", 1]]);
    const json = await readAll(`${FIX}zmap.json`);
    expect(json.format).toBe("zmap-json");
    expect(pairs(json.entries)).toEqual(["10.77.0.2:18790"]);
  });

  it("a ZMap CSV without sport is refused whole, naming the flag that adds it", async () => {
    const f = join(tmp, "zmap-saddr-only.csv");
    writeFileSync(f, "saddr\n192.0.2.1\n");
    await expect(readAll(f, "zmap-csv")).rejects.toThrow(UsageError);
    await expect(readAll(f, "zmap-csv")).rejects.toThrow(/-f saddr,sport/);
  });
});

describe("vendor exports", () => {
  it("Shodan: banners with the source's product, version, time and place; UDP skipped; bad lines numbered", async () => {
    const r = await readAll(`${FIX}shodan.json`);
    expect(r.format).toBe("shodan");
    expect(pairs(r.entries)).toEqual(["192.0.2.45:18789", "2001:db8::7:8080"]);
    const gw = r.entries.find((e) => e.port === 18789)!;
    expect(gw.claim).toEqual({
      format: "shodan",
      product: "OpenClaw",
      version: "2026.1.29",
      service: "https",
      seenAt: "2026-11-28T07:21:33.444Z",
    });
    expect(gw.hostname).toBe("gw.example.net");
    expect(gw.place).toEqual({ asn: 64500, org: "Example Hosting", country: "DE" });
    expect(r.entries.find((e) => e.port === 8080)!.place!.country).toBe("US");
    expect(r.tally.skippedWhy.get("udp banner")).toBe(1);
    expect(r.tally.malformed).toBe(2);
    expect(r.tally.malformedLines.map((m) => m.line)).toEqual([4, 5]);
    expect(r.tally.malformedLines[0]!.reason).toMatch(/needs ip_str and port/);
    expect(r.tally.malformedLines[1]!.reason).toMatch(/not JSON/);
    expect(r.tally.lines).toBe(5);
  });

  it("Censys Search 2.0 array: TCP services are entries, QUIC skipped, AS and country kept", async () => {
    const r = await readAll(`${FIX}censys-search.json`);
    expect(r.format).toBe("censys");
    expect(pairs(r.entries)).toEqual(["198.51.100.20:18789", "198.51.100.21:80"]);
    const gw = r.entries.find((e) => e.port === 18789)!;
    expect(gw.line).toBe(2);
    expect(gw.claim).toMatchObject({ product: "openclaw", version: "2026.1.30", service: "HTTP" });
    expect(gw.claim.seenAt).toBe("2026-11-30T12:00:00.123Z");
    expect(gw.place).toEqual({ asn: 64502, org: "EXAMPLE-AS", country: "FR" });
    expect(r.entries.find((e) => e.port === 80)!.claim.seenAt).toBe("2026-11-29T08:00:00.000Z");
    expect(r.tally.skippedWhy.get("quic service")).toBe(1);
  });

  it("Censys Platform NDJSON: host under `host`, names from dns.names", async () => {
    const r = await readAll(`${FIX}censys-platform.ndjson`);
    expect(r.format).toBe("censys");
    expect(r.entries).toHaveLength(1);
    expect(r.entries[0]).toMatchObject({
      ip: "203.0.113.9",
      port: 18789,
      hostname: "claw.example.org",
      place: { asn: 64504, country: "NL" },
    });
    expect(r.tally.skippedWhy.get("host without services")).toBe(1);
  });
});

describe("clawpatrol NDJSON", () => {
  it("keeps each valid record whole and numbers the invalid ones", async () => {
    const f = join(tmp, "records.ndjson");
    const text = ndjson([synthetic(0), synthetic(1)]);
    writeFileSync(f, `${text}{"schema":"clawpatrol.scan/v1","host":"x"}\n`);
    const r = await readAll(f);
    expect(r.format).toBe("clawpatrol");
    expect(r.entries.map((e) => e.record)).toEqual([synthetic(0), synthetic(1)]);
    expect(r.entries[0]!.claim.product).toBe(synthetic(0).product);
    expect(r.tally.malformedLines).toEqual([
      { line: 3, reason: expect.stringMatching(/clawpatrol\.scan\/v1/) },
    ]);
  });
});

describe("robustness", () => {
  it("a gzip file (shodan download writes .json.gz) is read as its content", async () => {
    const f = join(tmp, "masscan.list.gz");
    writeFileSync(f, gzipSync("#masscan\nopen tcp 18789 192.0.2.9 1796669546\n# end\n"));
    const r = await readAll(f);
    expect(r.format).toBe("masscan-list");
    expect(pairs(r.entries)).toEqual(["192.0.2.9:18789"]);
  });

  it("masscan list: each bad line counted with its number, the rest read", async () => {
    const f = join(tmp, "bad.list");
    writeFileSync(
      f,
      [
        "#masscan",
        "open tcp 18789 192.0.2.1 1796669546",
        "open tcp 99999 192.0.2.2 1796669546",
        "garbage",
        "open udp 53 192.0.2.3 1796669546",
        "open tcp 18789 not-an-ip 1796669546",
        "banner tcp 80 192.0.2.4 1796669546 http Server: x",
        "open tcp 80 192.0.2.5 1796669546",
      ].join("\n"),
    );
    const r = await readAll(f);
    expect(pairs(r.entries)).toEqual(["192.0.2.1:18789", "192.0.2.5:80"]);
    expect(r.tally.malformedLines.map((m) => m.line)).toEqual([3, 4, 6]);
    expect(r.tally.skipped).toBe(2);
    expect(r.tally.lines).toBe(8);
    expect(tallyLine("bad.list", r.tally)).toBe(
      "bad.list (masscan-list): 8 lines read, 2 endpoints used, 2 skipped (1 udp port, 1 banner line), 3 malformed",
    );
  });

  it("a masscan -oJ cut off mid-element reports the element's line; earlier elements are kept", async () => {
    const f = join(tmp, "cut.json");
    writeFileSync(
      f,
      '[\n{   "ip": "192.0.2.1",   "timestamp": "1796669541", "ports": [ {"port": 18789, "proto": "tcp", "status": "open", "reason": "syn-ack", "ttl": 64} ] }\n,\n{   "ip": "192.0.2.2",   "timestamp": "1796669541", "ports": [ {"port": 1',
    );
    const r = await readAll(f);
    expect(pairs(r.entries)).toEqual(["192.0.2.1:18789"]);
    expect(r.tally.malformedLines).toEqual([{ line: 4, reason: "element cut off at end of file" }]);
  });

  it("an over-long line is reported, not buffered, and reading goes on after it", async () => {
    async function* chunks() {
      yield "short\n";
      for (let i = 0; i < 50; i++) yield "x".repeat(100);
      yield "\nafter\n";
    }
    const out = [];
    for await (const l of splitLines(chunks(), 1000)) out.push(l);
    expect(out).toEqual([
      { n: 1, text: "short" },
      { n: 2, text: TOO_LONG },
      { n: 3, text: "after" },
    ]);
  });

  it("a file in no known format is a UsageError naming it and --input-format", async () => {
    const f = join(tmp, "unknown.txt");
    writeFileSync(f, "hello world\n");
    await expect(openExport(f)).rejects.toThrow(UsageError);
    await expect(openExport(f)).rejects.toThrow(/unknown\.txt.*--input-format/);
    expect(detectFormat("# Nmap 7.93 scan initiated\nNmap scan report for x\n")).toBeNull();
  });
});
