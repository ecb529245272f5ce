// Benchmark: `scan --from` re-verifying a 100,000-line masscan -oL file against 127.2.0.0/16
// with 1,000 replayed gateways (real zoo transcripts) on port 18789, against a plain `scan` of
// the same /16 on the same two ports (131,072 endpoints). Both tuned the same way for loopback.
// Reports wall time, endpoints per second, peak RSS and gateways found.
//   node bench/ingest/reverify.ts
// Connects only to 127.2.0.0/16.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { type ReplayServer, startReplayServer } from "../../test/support/replay-server.ts";
import { REPO_ROOT } from "../../test/support/zoo.ts";

const BIN = join(REPO_ROOT, "bin/clawpatrol.mjs");
const LINES = 100_000;
const GATEWAYS = 1_000;
const work = mkdtempSync(join(tmpdir(), "clawpatrol-bench-reverify-"));
const fixtureDir = join(REPO_ROOT, "test/fixtures/zoo/local");
const fixtures = readdirSync(fixtureDir)
  .filter((f) => !f.startsWith("side-"))
  .map((f) => transcriptFromJson(readFileSync(join(fixtureDir, f), "utf8")));

const addr = (n: number) => `127.2.${Math.floor(n / 256)}.${n % 256}`;

function timed(args: string[]): Promise<{ seconds: number; peakMb: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn("/usr/bin/time", ["-f", "BENCH %M", process.execPath, BIN, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", () => {
      const m = /BENCH (\d+)/.exec(stderr);
      if (!m) return reject(new Error(`no timing: ${stderr.slice(-500)}`));
      resolve({ seconds: (performance.now() - t0) / 1000, peakMb: Number(m[1]) / 1024, stdout });
    });
  });
}

const gatewaysIn = (text: string) =>
  text.split("\n").filter((l) => /"product":"(openclaw|clawdbot|moltbot)"/.test(l)).length;

const servers: ReplayServer[] = [];
try {
  // Gateways on every 65th address (1,000 of them), all on 18789.
  const gatewayHosts = Array.from({ length: GATEWAYS }, (_, i) => 1 + i * 65);
  for (const [i, n] of gatewayHosts.entries())
    servers.push(await startReplayServer(fixtures[i % fixtures.length]!, addr(n), 18789));
  // The export: every gateway, then other pairs of the /16 on 18789 and 18790, 100,000 lines.
  const lines = ["#masscan"];
  const listed = new Set(gatewayHosts.map((n) => `${n}|18789`));
  for (const n of gatewayHosts) lines.push(`open tcp 18789 ${addr(n)} 1796669546`);
  for (let n = 1; lines.length <= LINES; n++)
    for (const port of [18789, 18790])
      if (!listed.has(`${n}|${port}`) && lines.length <= LINES)
        lines.push(`open tcp ${port} ${addr(n)} 1796669546`);
  const file = join(work, "sweep.list");
  writeFileSync(file, `${lines.join("\n")}\n`);
  const tuned = ["--rate", "0", "--concurrency", "128", "--probe-concurrency", "128", "--timeout", "3000"];
  const common = ["--format", "json", "--fail-on", "none", "--no-progress", ...tuned];
  const from = await timed(["scan", "--from", file, "--allow-large", ...common]);
  const sweep = await timed(["scan", "127.2.0.0/16", "-p", "18789,18790", "--allow-large", ...common]);
  const rate = (n: number, s: number) => Math.round(n / s).toLocaleString("en");
  process.stdout.write(
    `scan --from ${LINES.toLocaleString("en")} lines: ${from.seconds.toFixed(1)} s (${rate(LINES, from.seconds)} endpoints/s), peak ${from.peakMb.toFixed(0)} MB, ${gatewaysIn(from.stdout)} gateways\n`,
  );
  process.stdout.write(
    `scan 127.2.0.0/16 -p 18789,18790 (131,072 endpoints): ${sweep.seconds.toFixed(1)} s (${rate(131_072, sweep.seconds)} endpoints/s), peak ${sweep.peakMb.toFixed(0)} MB, ${gatewaysIn(sweep.stdout)} gateways\n`,
  );
} finally {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(work, { recursive: true, force: true });
}
