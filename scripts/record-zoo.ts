// Records probe transcripts from every zoo gateway into test/fixtures/zoo/<vantage>/.
// Run inside a zoo vantage:
//   ../shared/zoo/zoo.sh exec      node scripts/record-zoo.ts local
//   ../shared/zoo/zoo.sh scan-exec node scripts/record-zoo.ts remote
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { probeOpenClaw } from "../src/fingerprints/openclaw/probe.ts";
import { transcriptToJson } from "../src/fingerprints/transcript.ts";
import { limitsForTimeout } from "../src/net/limits.ts";
import { isLoopbackAddress } from "../src/scan/engine.ts";
import { ZOO, ZOO_EXTRA, ZOO_SIDE_PORTS } from "../test/support/zoo.ts";

const vantage = process.argv[2];
if (vantage !== "local" && vantage !== "remote") {
  process.stderr.write("usage: node scripts/record-zoo.ts local|remote\n");
  process.exit(2);
}
const dir = new URL(`../test/fixtures/zoo/${vantage}/`, import.meta.url).pathname;
mkdirSync(dir, { recursive: true });
const targets: { name: string; host: string; port: number }[] = [];
for (const z of [...ZOO, ...ZOO_EXTRA]) {
  const where = vantage === "local" ? z.local : z.remote;
  if (where) targets.push({ name: z.name, ...where });
}
if (vantage === "local")
  for (const port of ZOO_SIDE_PORTS) targets.push({ name: `side-${port}`, host: "127.0.0.1", port });

for (const t of targets) {
  const endpoint = {
    host: t.host,
    ip: t.host,
    family: 4 as const,
    port: t.port,
    tls: null,
    basePath: "",
    hostHeader: `${t.host}:${t.port}`,
    servername: null,
  };
  let connections = 0;
  const transcript = await probeOpenClaw(
    endpoint,
    {
      limits: limitsForTimeout(5000),
      beforeConnect: async () => {
        connections++;
      },
    },
    isLoopbackAddress(t.host),
  );
  writeFileSync(join(dir, `${t.name}.json`), `${transcriptToJson(transcript)}\n`);
  process.stdout.write(
    `${t.name} ${t.host}:${t.port} ${transcript.http.length} http, ${transcript.ws.length} ws, ${connections} connections, ${transcript.ms} ms\n`,
  );
}
