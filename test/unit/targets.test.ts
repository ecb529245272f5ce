import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.ts";
import { formatIp, parseIp } from "../../src/targets/ip.ts";
import { Permutation } from "../../src/targets/permutation.ts";
import { PORT_PRESETS, parsePorts } from "../../src/targets/ports.ts";
import { buildPlan, parseTarget, splitTargetText } from "../../src/targets/spec.ts";
import { type Endpoint, streamEndpoints } from "../../src/targets/stream.ts";

async function collect(targets: string[], excludes: string[] = [], ports = [18789]): Promise<Endpoint[]> {
  const out: Endpoint[] = [];
  const plan = buildPlan(targets, excludes);
  const resolve = async (name: string) => {
    if (name === "localhost")
      return [
        { address: "127.0.0.1", family: 4 },
        { address: "::1", family: 6 },
      ];
    throw new Error("ENOTFOUND");
  };
  for await (const item of streamEndpoints(plan, ports, { seed: 7, resolve }))
    if ("endpoint" in item) out.push(item.endpoint);
  return out;
}

describe("target parsing", () => {
  it("accepts addresses, CIDRs, ranges, hostnames and URLs", () => {
    expect(parseTarget("127.0.0.1")).toMatchObject({ kind: "interval" });
    expect(parseTarget("127.0.0.0/30")).toMatchObject({
      kind: "interval",
      interval: { start: 2130706432n, end: 2130706435n },
    });
    expect(parseTarget("127.0.0.1-4")).toMatchObject({ kind: "interval", interval: { end: 2130706436n } });
    expect(parseTarget("::1")).toMatchObject({ kind: "interval", interval: { family: 6, start: 1n } });
    expect(parseTarget("localhost")).toEqual({ kind: "hostname", hostname: "localhost" });
    expect(parseTarget("https://gw.example.test:8443/openclaw/")).toEqual({
      kind: "url",
      url: {
        url: "https://gw.example.test:8443/openclaw/",
        hostname: "gw.example.test",
        port: 8443,
        tls: true,
        basePath: "/openclaw",
      },
    });
  });

  it("rejects bad input with a usage error", () => {
    for (const bad of [
      "",
      "1.2.3.4/33",
      "300.1.1.1",
      "1.2.3.4-1.2.3.1",
      "ftp://x",
      "http://u:p@h/",
      "a..b",
      "1.2.3.4-::1",
      "-x",
    ]) {
      expect(() => parseTarget(bad), bad).toThrow(UsageError);
    }
    expect(() => parsePorts("0")).toThrow(UsageError);
    expect(() => parsePorts("20-10")).toThrow(UsageError);
    expect(() => parsePorts("http")).toThrow(UsageError);
  });

  it("parses ports, ranges and presets", () => {
    expect(parsePorts("18789,80, 18790-18792")).toEqual([18789, 80, 18790, 18791, 18792]);
    expect(parsePorts("extended")).toEqual(PORT_PRESETS.extended);
  });

  it("reads target files with comments", () => {
    expect(splitTargetText("# a\n127.0.0.1 127.0.0.2\n\n127.0.0.3, ::1 # x\r\n")).toEqual([
      "127.0.0.1",
      "127.0.0.2",
      "127.0.0.3",
      "::1",
    ]);
  });

  it("round-trips IPv6 formatting", () => {
    for (const t of ["::1", "2001:db8::1", "fe80::", "::", "2001:db8:0:1:1:1:1:1"]) {
      const p = parseIp(t)!;
      expect(formatIp(6, p.value)).toBe(t);
    }
    expect(formatIp(6, parseIp("::ffff:127.0.0.1")!.value)).toBe("::ffff:7f00:1");
  });
});

describe("endpoint stream", () => {
  it("covers every address × port exactly once, minus excludes", async () => {
    const eps = await collect(["127.0.0.0/28", "127.0.0.8-20"], ["127.0.0.5", "127.0.0.16/30"], [1, 2]);
    const keys = eps.map((e) => `${e.ip}:${e.port}`);
    expect(new Set(keys).size).toBe(keys.length);
    // 127.0.0.0-20 = 21 addresses, minus 1 and 4 excluded = 16, × 2 ports
    expect(keys.length).toBe(32);
    expect(keys).not.toContain("127.0.0.5:1");
    expect(keys).not.toContain("127.0.0.17:2");
  });

  it("permutes the order (neighbours are not consecutive)", async () => {
    const eps = await collect(["127.0.0.0/24"]);
    const order = eps.map((e) => Number(e.ip.split(".")[3]));
    const sequentialSteps = order.slice(1).filter((v, i) => v === order[i]! + 1).length;
    expect(sequentialSteps).toBeLessThan(10);
    expect([...order].sort((a, b) => a - b)).toEqual([...Array(256).keys()]);
  });

  it("counts addresses for the scope guard without materialising them", () => {
    expect(buildPlan(["10.0.0.0/8"], []).addressCount).toBe(16777216n);
    expect(buildPlan(["10.0.0.0/8"], ["10.0.0.0/9"]).addressCount).toBe(8388608n);
  });

  it("resolves hostnames to every address and keeps the name", async () => {
    const eps = await collect(["localhost", "http://127.0.0.1:8080/gw/"]);
    expect(eps.map((e) => [e.host, e.ip, e.port, e.basePath])).toEqual([
      ["127.0.0.1", "127.0.0.1", 8080, "/gw"],
      ["localhost", "127.0.0.1", 18789, ""],
      ["localhost", "::1", 18789, ""],
    ]);
    expect(eps[2]!.hostHeader).toBe("localhost:18789");
  });

  it("permutation past 2^52 (BigInt arithmetic) stays in range and never repeats (sample)", () => {
    const size = 2n ** 60n + 12345n;
    const p = new Permutation(size, 99n);
    expect(p.small).toBe(false);
    const seen = new Set<bigint>();
    for (let i = 0n; i < 3000n; i++) {
      const v = p.at(size - 1n - i * 7919n);
      expect(v >= 0n && v < size).toBe(true);
      seen.add(v);
    }
    expect(seen.size).toBe(3000);
  });

  it("permutation of a number-sized domain spreads neighbours apart", () => {
    const p = new Permutation(65536n, 5n);
    expect(p.small).toBe(true);
    const first = Array.from({ length: 64 }, (_, i) => p.atNumber(i));
    // 64 consecutive positions land in many different /24-sized blocks of the 65,536.
    expect(new Set(first.map((v) => Math.floor(v / 256))).size).toBeGreaterThan(40);
  });

  it("permutation is a bijection for any size (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        (n, seed) => {
          const p = new Permutation(BigInt(n), seed);
          const seen = new Set<bigint>();
          for (let i = 0n; i < BigInt(n); i++) seen.add(p.at(i));
          expect(seen.size).toBe(n);
          for (const v of seen) expect(v < BigInt(n)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });
});
