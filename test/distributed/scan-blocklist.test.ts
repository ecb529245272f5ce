// The default blocklist and --blocklist FILE on a plain `scan`: reserved ranges inside a broad
// target are left out, a range the user names stays scannable. Every scan here connects to
// 127.0.0.0/8 only: broad targets are cut down with --exclude to loopback before they run.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyBlocklists,
  namedIntervals,
  parseBlocklist,
  skippedRangesLine,
} from "../../src/targets/blocklist.ts";
import { planTargets } from "../../src/targets/spec.ts";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";

describe("applyBlocklists", () => {
  const planOf = (targets: string[], excludes: string[] = []) => {
    const { plan } = planTargets(targets, excludes);
    return applyBlocklists(plan, namedIntervals(targets), []);
  };

  it("cuts the reserved ranges out of a broad CIDR and counts what each removed", () => {
    const { plan, skipped } = planOf(["0.0.0.0/0"]);
    expect(plan.addressCount).toBeLessThan(2n ** 32n);
    const byCidr = new Map(skipped.map((s) => [s.range.cidr, s.addresses]));
    expect(byCidr.get("10.0.0.0/8")).toBe(2n ** 24n);
    expect(byCidr.get("127.0.0.0/8")).toBe(2n ** 24n);
    expect(byCidr.get("192.168.0.0/16")).toBe(2n ** 16n);
    const removed = skipped.reduce((n, s) => n + s.addresses, 0n);
    expect(plan.addressCount + removed).toBe(2n ** 32n);
    expect(plan.intervals.some((i) => i.start <= 0x7f000001n && 0x7f000001n <= i.end)).toBe(false);
  });

  it("keeps a reserved range the user named, and addresses, names and URLs typed as such", () => {
    const loop = planOf(["127.1.0.0/20"]);
    expect(loop.skipped).toEqual([]);
    expect(loop.plan.addressCount).toBe(4096n);
    // 126.0.0.0/7 spans 127.0.0.0/8 without lying in it: the loopback half goes.
    const span = planOf(["126.0.0.0/7", "127.0.0.9:8080", "gw.nonexistent.invalid"]);
    expect(span.plan.addressCount).toBe(2n ** 24n);
    expect(span.skipped.map((s) => s.range.cidr)).toEqual(["127.0.0.0/8"]);
    expect(span.plan.endpoints.map((e) => e.host)).toEqual(["127.0.0.9"]);
    expect(span.plan.hostnames).toEqual(["gw.nonexistent.invalid"]);
    expect(skippedRangesLine(span.skipped)).toBe(
      "skipped 16777216 addresses in reserved ranges (127.0.0.0/8 loopback (RFC 1122)); name a range to scan it",
    );
  });

  it("applies the user's list to everything, endpoints and excludes included", () => {
    const targets = ["127.0.0.0/30", "127.0.0.9:8080", "127.0.0.10:8080"];
    const { plan } = planTargets(targets, []);
    const user = parseBlocklist("127.0.0.1\n127.0.0.9/32 # theirs\n", "bl.txt");
    const out = applyBlocklists(plan, namedIntervals(targets), user);
    expect(out.skipped).toEqual([]);
    expect(out.plan.addressCount).toBe(3n);
    expect(out.plan.endpoints.map((e) => e.host)).toEqual(["127.0.0.10"]);
    // Resolved names and URLs are checked against plan.excludes as they stream.
    expect(out.plan.excludes.some((e) => e.start === 0x7f000009n && e.end === 0x7f000009n)).toBe(true);
  });
});

describe("scan with the default blocklist and --blocklist", () => {
  let closedPort = 0;
  let server: Server;
  const dir = mkdtempSync(join(tmpdir(), "clawpatrol-blocklist-"));

  beforeAll(async () => {
    // A port bound then released: nothing listens there, so every endpoint is closed at once.
    server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    closedPort = (server.address() as { port: number }).port;
    await new Promise<void>((r) => server.close(() => r()));
  });
  afterAll(() => undefined);

  const hosts = (stdout: string) =>
    stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { host: string }).host)
      .sort();

  it("scans a loopback range it is named, every address of it", async () => {
    const r = await runClawpatrol([
      "scan",
      "127.0.0.0/30",
      "-p",
      String(closedPort),
      "--all",
      "--json",
      "--no-progress",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(hosts(r.stdout)).toEqual(["127.0.0.0", "127.0.0.1", "127.0.0.2", "127.0.0.3"]);
    expect(r.stderr).not.toMatch(/reserved ranges/);
  });

  it("leaves loopback out of a range that only spans it, and says so", async () => {
    // 126.0.0.0/7 less 126.0.0.0/8 and most of 127/8 leaves 127.0.0.0-127.0.0.3: reserved, not named.
    const r = await runClawpatrol([
      "scan",
      "126.0.0.0/7",
      "--exclude",
      "126.0.0.0/8,127.0.0.4-127.255.255.255",
      "-p",
      String(closedPort),
      "--all",
      "--json",
      "--no-progress",
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(
      /nothing left to scan: skipped 4 addresses in reserved ranges \(127\.0\.0\.0\/8 loopback/,
    );
  });

  it("never scans what --blocklist FILE lists, and names a bad line", async () => {
    const file = join(dir, "blocklist.txt");
    writeFileSync(file, "# ours\n127.0.0.2\n127.0.0.9/32\n");
    const r = await runClawpatrol([
      "scan",
      "127.0.0.1-127.0.0.3",
      "127.0.0.9:1",
      "-p",
      String(closedPort),
      "--blocklist",
      file,
      "--all",
      "--json",
      "--no-progress",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(hosts(r.stdout)).toEqual(["127.0.0.1", "127.0.0.3"]);
    writeFileSync(file, "127.0.0.2\nlocalhost\n");
    const bad = await runClawpatrol(["scan", "127.0.0.1", "--blocklist", file, "--no-progress"]);
    expect(bad.code).toBe(2);
    expect(isOneLineError(bad.stderr), bad.stderr).toBe(true);
    expect(bad.stderr).toContain(`${file}:2: not an address or CIDR`);
  });
});
