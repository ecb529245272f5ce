// Installs the service zoo's pinned n8n and Flowise (test/support/service-zoo.ts) into the
// test cache, once; says how long each took and how big it is. Run by .ci/run before the
// tests; needs the npm registry and a C/C++ toolchain (n8n's sqlite3 is built from source).
//   node scripts/install-service-zoo.ts
import { spawnSync } from "node:child_process";
import { FLOWISE, installDir, installService, N8N } from "../test/support/service-zoo.ts";

let failed = false;
for (const s of [N8N, FLOWISE]) {
  const r = installService(s);
  if ("error" in r) {
    process.stderr.write(`install-service-zoo: ${r.error}\n`);
    failed = true;
    continue;
  }
  const du = spawnSync("du", ["-sh", installDir(s)], { encoding: "utf8" }).stdout.split("\t")[0];
  process.stdout.write(
    `${s.pkg}@${s.version}: ${r.ms === 0 ? "cached" : `installed in ${(r.ms / 1000).toFixed(0)} s`}, ${du} in ${installDir(s)}\n`,
  );
}
process.exit(failed ? 3 : 0);
