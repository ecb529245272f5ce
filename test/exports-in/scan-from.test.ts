// `scan --from FILE` through the real CLI against replayed gateways on 127.0.0.1: exactly the
// listed host:port pairs are probed, excludes hold, and each record carries the source's claim
// with its outcome (confirmed, changed, gone).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import type { Observation } from "../../src/scan/record.ts";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";
import { type ReplayServer, startReplayServer } from "../support/replay-server.ts";

const dir = mkdtempSync(join(tmpdir(), "clawpatrol-scan-from-"));
const zoo = (name: string) =>
  transcriptFromJson(readFileSync(new URL(`../fixtures/zoo/local/${name}`, import.meta.url), "utf8"));

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const banner = (ip: string, port: number, product: string | null) =>
  JSON.stringify({
    ip_str: ip,
    port,
    transport: "tcp",
    ...(product ? { product } : {}),
    timestamp: "2026-11-28T07:21:33.444507",
    data: "",
    asn: "AS64500",
    location: { country_code: "DE" },
  });

let openclaw: ReplayServer;
let clawdbot: ReplayServer;
let unlisted: ReplayServer;
let gonePort: number;

beforeAll(async () => {
  openclaw = await startReplayServer(zoo("oc415-loopback-noauth.json"));
  clawdbot = await startReplayServer(zoo("cb124-loopback-noauth.json"));
  unlisted = await startReplayServer(zoo("oc415-loopback-noauth.json"));
  gonePort = await freePort();
});
afterAll(async () => {
  await Promise.all([openclaw?.close(), clawdbot?.close(), unlisted?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const records = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Observation);

describe("scan --from", { timeout: 120_000 }, () => {
  it("probes exactly the listed pairs and says what each claim came to", async () => {
    const file = join(dir, "shodan.json");
    const blocklist = join(dir, "blocklist.txt");
    writeFileSync(blocklist, "127.0.0.10/32\n");
    writeFileSync(
      file,
      [
        banner("127.0.0.1", openclaw.port, "OpenClaw"),
        banner("127.0.0.1", clawdbot.port, "OpenClaw"),
        banner("127.0.0.1", gonePort, null),
        banner("127.0.0.9", 80, null),
        banner("127.0.0.10", 80, null),
        "{not json",
      ].join("\n"),
    );
    const r = await runClawpatrol([
      "scan",
      "--from",
      file,
      "--exclude",
      "127.0.0.9",
      "--blocklist",
      blocklist,
      "--format",
      "json",
      "--timeout",
      "3s",
      "--fail-on",
      "none",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = records(r.stdout);
    const by = new Map(out.map((o) => [o.port, o]));
    expect([...by.keys()].sort()).toEqual([openclaw.port, clawdbot.port, gonePort].sort());
    expect(by.get(openclaw.port)).toMatchObject({
      product: "openclaw",
      reachable: true,
      source: { format: "shodan", file: "shodan.json", line: 1, verified: true },
      sourceClaim: { product: "OpenClaw", asn: 64500, country: "DE", outcome: "confirmed" },
      asn: null,
      country: null,
      specialUse: "loopback (RFC 1122)",
    });
    expect(by.get(clawdbot.port)).toMatchObject({
      product: "clawdbot",
      sourceClaim: { product: "OpenClaw", outcome: "changed" },
    });
    expect(by.get(gonePort)).toMatchObject({ reachable: false, sourceClaim: { outcome: "gone" } });
    // Nothing that the file does not list was touched, and the excluded pair was not probed.
    expect(unlisted.connections()).toBe(0);
    expect(out.some((o) => o.ip === "127.0.0.9" || o.ip === "127.0.0.10")).toBe(false);
    expect(r.stderr).toMatch(/shodan\.json:6: skipped: not JSON/);
    expect(r.stderr).toMatch(
      /shodan\.json \(shodan\): 6 lines read, 5 endpoints used, 0 skipped, 1 malformed/,
    );
    expect(r.stderr).toMatch(/from: 1 confirmed, 1 changed, 1 gone, 2 excluded, 1 malformed lines/);
  });

  it("a masscan list file is read the same way (past 1 MiB, in a child with the scan's heap flags)", async () => {
    const file = join(dir, "sweep.list");
    const padding = "# padding past the relaunch size\n".repeat(40_000);
    writeFileSync(file, `#masscan\nopen tcp ${openclaw.port} 127.0.0.1 1796669546\n${padding}# end\n`);
    const r = await runClawpatrol(["scan", "--from", file, "--format", "json", "--fail-on", "none"]);
    expect(r.code, r.stderr).toBe(0);
    const [o] = records(r.stdout);
    expect(o).toMatchObject({
      port: openclaw.port,
      product: "openclaw",
      source: { format: "masscan-list", line: 2, verified: true },
      sourceClaim: { product: null, seenAt: "2026-12-07T18:52:26.000Z", outcome: "confirmed" },
    });
  });

  it("keeps the scan's guards: the target cap needs --allow-large, other targets are refused", async () => {
    const big = join(dir, "big.list");
    const lines = ["#masscan"];
    for (let i = 0; i < 65_537; i++)
      lines.push(`open tcp ${(i % 60_000) + 1} 127.0.0.${1 + Math.floor(i / 60_000)} 1`);
    writeFileSync(big, lines.join("\n"));
    const capped = await runClawpatrol(["scan", "--from", big]);
    expect(capped.code).toBe(2);
    expect(isOneLineError(capped.stderr)).toBe(true);
    expect(capped.stderr).toMatch(/more than 65536 endpoints; that needs --allow-large/);
    const mixed = await runClawpatrol(["scan", "--from", big, "127.0.0.1"]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/give no other targets/);
    const unknown = await runClawpatrol(["scan", "--from", big, "--input-format", "pcap"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--input-format: "pcap"/);
  });
});
