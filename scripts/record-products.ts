// Records scan transcripts of the project's product zoo (test/support/product-zoo.ts) into
// test/fixtures/products/<instance>.json: real servers from npm, scanned with the real CLI
// (`scan --record`) from a second network namespace over a veth. Needs Linux, root, npm.
//   node scripts/record-products.ts
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { transcriptFromJson } from "../src/fingerprints/transcript.ts";
import {
  clawpatrolInScanNs,
  installMcp,
  PRODUCT_ZOO,
  productZooUnavailable,
  startProductZoo,
} from "../test/support/product-zoo.ts";
import { REPO_ROOT } from "../test/support/zoo.ts";

const why = productZooUnavailable();
if (why) {
  process.stderr.write(`record-products: ${why}\n`);
  process.exit(2);
}
const install = installMcp();
if ("error" in install) {
  process.stderr.write(`record-products: ${install.error}\n`);
  process.exit(3);
}
const out = join(REPO_ROOT, "test/fixtures/products");
const work = mkdtempSync(join(tmpdir(), "clawpatrol-record-"));
const zoo = await startProductZoo(install.dir);
try {
  const ports = PRODUCT_ZOO.map((z) => z.port).join(",");
  const r = clawpatrolInScanNs(zoo.pair, [
    "scan",
    zoo.address,
    "-p",
    ports,
    "--record",
    work,
    "--fail-on",
    "none",
    "--json",
  ]);
  if (r.status !== 0) throw new Error(`scan exited ${r.status}: ${r.stderr}`);
  for (const f of readdirSync(work)) {
    const t = transcriptFromJson(readFileSync(join(work, f), "utf8"));
    const z = PRODUCT_ZOO.find((z) => z.port === t.endpoint.port);
    if (!z) continue;
    writeFileSync(join(out, `${z.name}.json`), readFileSync(join(work, f), "utf8").trimEnd() + "\n");
    process.stdout.write(`${z.name}: ${t.http.length} http, ${t.ws.length} ws, ${t.ms} ms\n`);
  }
} finally {
  zoo.stop();
  rmSync(work, { recursive: true, force: true });
}
