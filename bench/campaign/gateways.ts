// Gateways for the campaign benchmark, run inside its gateway network namespace (run.ts starts
// it with `ip netns exec`): `--count` replay servers on addresses spread over 198.18.0.0/16
// (RFC 2544 benchmarking space, routed to this namespace's loopback), port 18789, each
// replaying a real zoo transcript. Every accepted connection is held `--delay` ms before it is
// read: the per-connection latency of a gateway far away (tc netem is not in every kernel).
// Prints "ready N" once all listen, and the connection count on SIGTERM.
import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { handleReplayConnection } from "../../test/support/replay-server.ts";
import { REPO_ROOT } from "../../test/support/zoo.ts";
import { gatewayAddresses } from "./addresses.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
const count = flag("--count", 1000);
const delayMs = flag("--delay", 50);

const dir = join(REPO_ROOT, "test/fixtures/zoo/local");
const transcripts = readdirSync(dir)
  .filter((f) => !f.startsWith("side-"))
  .map((f) => transcriptFromJson(readFileSync(join(dir, f), "utf8")));

let accepted = 0;
const servers: net.Server[] = [];
for (const [i, ip] of gatewayAddresses(count).entries()) {
  const t = transcripts[i % transcripts.length]!;
  const counters = new Map<string, number>();
  const server = net.createServer((socket) => {
    accepted++;
    socket.pause();
    socket.on("error", () => {});
    setTimeout(() => {
      handleReplayConnection(t, socket, counters);
      socket.resume();
    }, delayMs);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(18789, ip, () => resolve());
  });
  servers.push(server);
}
process.stdout.write(`ready ${servers.length}\n`);
process.on("SIGTERM", () => {
  process.stdout.write(`connections ${accepted}\n`);
  for (const s of servers) s.close();
  process.exit(0);
});
