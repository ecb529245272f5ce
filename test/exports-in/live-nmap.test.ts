// Live: the real nmap (Debian package `nmap`) scans replayed gateways on 127.0.0.1, and
// clawpatrol re-verifies its XML and grepable output with `scan --from`: the open gateway is
// confirmed, the port nmap found closed is skipped, and a gateway that went away after nmap's
// run is gone. Skips when nmap is not installed (fails under CLAWPATROL_REQUIRE_LIVE=1).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import type { Observation } from "../../src/scan/record.ts";
import { runClawpatrol } from "../support/cli.ts";
import { describeLive } from "../support/live.ts";
import { type ReplayServer, startReplayServer } from "../support/replay-server.ts";

const nmap = spawnSync("nmap", ["--version"], { encoding: "utf8" });
const reason = nmap.status === 0 ? null : "nmap is not installed (apt-get install nmap)";

describeLive("scan --from on real nmap output", reason, () => {
  const dir = mkdtempSync(join(tmpdir(), "clawpatrol-live-nmap-"));
  const zoo = (name: string) =>
    transcriptFromJson(readFileSync(new URL(`../fixtures/zoo/local/${name}`, import.meta.url), "utf8"));
  let staying: ReplayServer;
  let leaving: ReplayServer;
  let closedPort: number;
  beforeAll(async () => {
    staying = await startReplayServer(zoo("oc415-loopback-noauth.json"));
    leaving = await startReplayServer(zoo("cb124-loopback-noauth.json"));
    const probe = await startReplayServer(zoo("oc415-loopback-noauth.json"));
    closedPort = probe.port;
    await probe.close();
  });
  afterAll(async () => {
    await staying?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("confirms what is still there and says gone for what left", { timeout: 120_000 }, async () => {
    const xml = join(dir, "nmap.xml");
    const grep = join(dir, "nmap.gnmap");
    // A connect scan (no raw sockets) of exactly these three loopback ports.
    execFileSync("nmap", [
      "-sT",
      "-Pn",
      "-n",
      "-p",
      `${staying.port},${leaving.port},${closedPort}`,
      "127.0.0.1",
      "-oX",
      xml,
      "-oG",
      grep,
    ]);
    await leaving.close();
    for (const [file, format] of [
      [xml, "nmap-xml"],
      [grep, "nmap-grep"],
    ] as const) {
      const r = await runClawpatrol(["scan", "--from", file, "--format", "json", "--fail-on", "none"]);
      expect(r.code, r.stderr).toBe(0);
      const out = r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Observation);
      const by = new Map(out.map((o) => [o.port, o]));
      expect([...by.keys()].sort()).toEqual([staying.port, leaving.port].sort());
      expect(by.get(staying.port)).toMatchObject({
        product: "openclaw",
        source: { format, verified: true },
        sourceClaim: { outcome: "confirmed" },
      });
      expect(by.get(leaving.port)).toMatchObject({ reachable: false, sourceClaim: { outcome: "gone" } });
      expect(r.stderr).toMatch(/skipped \((1 host status line, )?1 port closed\)/);
    }
  });
});
