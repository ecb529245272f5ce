// Shards, blocklists and the rate share: pure functions, no database.
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.ts";
import { canonicalCidr } from "../../src/distributed/optouts.ts";
import { parseShardSize, planShards } from "../../src/distributed/shards.ts";
import { rateShare } from "../../src/distributed/worker.ts";
import { defaultBlocklistFor, parseBlocklist, parseCidr } from "../../src/targets/blocklist.ts";
import { normalise, parseIp, subtract } from "../../src/targets/ip.ts";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";

const cidr = (t: string) => parseCidr(t)!;
const v4 = (t: string) => parseIp(t)!.value;

describe("planShards", () => {
  it("covers every in-scope endpoint exactly once, in aligned blocks, excludes left out", () => {
    const scope = subtract(normalise([cidr("10.0.0.0/22"), cidr("10.0.8.5/32")]), [cidr("10.0.1.0/25")]);
    const shards = planShards(scope, [18789, 80], 24, 7);
    // 4 /24 blocks + the single address's block, x 1 port group.
    expect(shards).toHaveLength(5);
    const seen = new Set<string>();
    for (const s of shards) {
      const block = v4(s.ranges[0]![0]) >> 8n;
      for (const [a, b] of s.ranges) {
        expect(v4(a) >> 8n).toBe(block);
        expect(v4(b) >> 8n).toBe(block);
        for (let x = v4(a); x <= v4(b); x++) for (const p of s.ports) seen.add(`${x}|${p}`);
      }
    }
    expect(seen.size).toBe((1024 - 128 + 1) * 2);
    expect(seen.has(`${v4("10.0.1.5")}|80`)).toBe(false);
    expect(shards.reduce((n, s) => n + s.endpoints, 0)).toBe(seen.size);
    expect(shards.map((s) => s.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it("orders blocks by a seeded permutation, not by address", () => {
    const shards = planShards([cidr("10.0.0.0/16")], [18789], 24, 42);
    const order = shards.map((s) => Number(v4(s.ranges[0]![0]) >> 8n) & 255);
    expect(new Set(order).size).toBe(256);
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
    // Consecutive shards are far apart on average (a sequential order would give 1).
    let gap = 0;
    for (let i = 1; i < order.length; i++) gap += Math.abs(order[i]! - order[i - 1]!);
    expect(gap / (order.length - 1)).toBeGreaterThan(40);
    expect(planShards([cidr("10.0.0.0/16")], [18789], 24, 42)).toEqual(shards);
    expect(planShards([cidr("10.0.0.0/16")], [18789], 24, 43)).not.toEqual(shards);
  });

  it("splits a wide port list into groups of 64", () => {
    const ports = Array.from({ length: 100 }, (_, i) => 18700 + i);
    const shards = planShards([cidr("10.0.0.0/24")], ports, 24, 1);
    expect(shards.map((s) => s.ports.length).sort()).toEqual([36, 64]);
  });

  it("reads --shard-size and refuses nonsense", () => {
    expect(parseShardSize("/20")).toBe(20);
    expect(parseShardSize("16")).toBe(16);
    expect(() => parseShardSize("/4")).toThrow(UsageError);
    expect(() => parseShardSize("big")).toThrow(UsageError);
  });
});

describe("blocklist", () => {
  it("skips reserved ranges inside a broad target, keeps the ones a target lies in", () => {
    const broad = defaultBlocklistFor([cidr("0.0.0.0/0")]);
    expect(broad.waived).toEqual([]);
    expect(broad.applied.map((b) => b.cidr)).toContain("10.0.0.0/8");
    expect(broad.applied.map((b) => b.cidr)).toContain("127.0.0.0/8");
    const named = defaultBlocklistFor([cidr("127.0.0.0/24"), cidr("10.1.0.0/16")]);
    expect(named.waived.map((b) => b.cidr).sort()).toEqual(["10.0.0.0/8", "127.0.0.0/8"]);
    expect(named.applied.map((b) => b.cidr)).toContain("192.168.0.0/16");
    // A public /8 that only overlaps nothing reserved waives nothing.
    expect(defaultBlocklistFor([cidr("8.0.0.0/8")]).waived).toEqual([]);
  });

  it("reads a ZMap-style file and names file and line of a bad entry", () => {
    const list = parseBlocklist(
      "# operators\n203.0.113.0/24  # docs\n\n2001:db8::/32\n198.51.100.7\n",
      "bl.txt",
    );
    expect(list.map((b) => b.cidr)).toEqual(["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"]);
    expect(list[0]!.reason).toBe("bl.txt:2");
    expect(() => parseBlocklist("10.0.0.0/8\nexample.com\n", "bl.txt")).toThrow(/bl\.txt:2: not an address/);
    expect(() => parseBlocklist("10.0.0.0/33\n", "bl.txt")).toThrow(/bl\.txt:1/);
  });

  it("canonicalises opt-out networks", () => {
    expect(canonicalCidr("10.0.5.7/24")).toBe("10.0.5.0/24");
    expect(canonicalCidr("192.0.2.1")).toBe("192.0.2.1/32");
    expect(canonicalCidr("2001:db8::1/64")).toBe("2001:db8::/64");
    expect(() => canonicalCidr("nope")).toThrow(UsageError);
  });
});

describe("rate share", () => {
  it("divides the campaign's rate between live workers, unlimited stays unlimited", () => {
    expect(rateShare(1000, 4)).toBe(250);
    expect(rateShare(1000, 0)).toBe(1000);
    expect(rateShare(0, 3)).toBe(0);
    expect(rateShare(2, 8)).toBe(1);
  });
});

describe("campaign without DATABASE_URL", () => {
  it("is one line naming the reason, exit 2", async () => {
    const r = await runClawpatrol(["campaign", "create", "x", "127.0.0.1"], { env: { DATABASE_URL: "" } });
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(/DATABASE_URL.*PGlite/);
    const w = await runClawpatrol(["worker", "--until-idle"], { env: { DATABASE_URL: "" } });
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/DATABASE_URL/);
  });
});
