// Records scan transcripts of the service zoo (test/support/service-zoo.ts) into
// test/fixtures/products/<case>.json: real n8n and Flowise from npm, scanned with the real CLI
// (`scan --record`) from a second network namespace over a veth, before and after each
// instance's first-run setup. Needs Linux, root and the installs
// (scripts/install-service-zoo.ts).
//   node scripts/record-services.ts [n8n|flowise ...]   (default: both)
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { transcriptFromJson } from "../src/fingerprints/transcript.ts";
import { netnsUnavailable } from "../test/firewall/support/netns.ts";
import {
  FLOWISE,
  installService,
  N8N,
  SERVICE_CASES,
  SERVICE_INSTANCES,
  scanServices,
  setUpPhase,
  startServiceZoo,
} from "../test/support/service-zoo.ts";
import { REPO_ROOT } from "../test/support/zoo.ts";

const why = netnsUnavailable();
if (why) {
  process.stderr.write(`record-services: ${why}\n`);
  process.exit(2);
}
const only = process.argv.slice(2);
const instances = SERVICE_INSTANCES.filter((i) => only.length === 0 || only.includes(i.service.product));
for (const s of [N8N, FLOWISE].filter((s) => instances.some((i) => i.service === s))) {
  const r = installService(s);
  if ("error" in r) {
    process.stderr.write(`record-services: ${r.error}\n`);
    process.exit(3);
  }
}
const out = join(REPO_ROOT, "test/fixtures/products");
const work = mkdtempSync(join(tmpdir(), "clawpatrol-record-services-"));
const zoo = await startServiceZoo(work, instances);
try {
  for (const phase of [1, 2] as const) {
    if (phase === 2) await setUpPhase(zoo, 2);
    const dir = join(work, `scan-${phase}`);
    const r = scanServices(zoo, dir);
    if (r.status !== 0) throw new Error(`scan exited ${r.status}: ${r.stderr}`);
    for (const f of readdirSync(dir)) {
      const text = readFileSync(join(dir, f), "utf8");
      const t = transcriptFromJson(text);
      const c = SERVICE_CASES.find((c) => c.phase === phase && c.instance.port === t.endpoint.port);
      if (!c) continue;
      writeFileSync(join(out, `${c.name}.json`), `${text.trimEnd()}\n`);
      process.stdout.write(`${c.name}: ${t.http.length} http, ${t.ms} ms\n`);
    }
  }
} finally {
  zoo.stop();
  rmSync(work, { recursive: true, force: true });
}
