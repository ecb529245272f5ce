// Records the real probe against each source-derived variant (source-server.ts) into
// test/fixtures/products/source-derived/<variant>.json. The transcript's endpoint is then
// rewritten to a non-loopback test address (198.18.28.1, RFC 2544 benchmarking space) and the
// product's default port, as a scan from another host would see it; every byte of every
// answer is what the spec says the product's source sends. Loopback only.
//   node test/products/record-source-derived.ts [product...]   (default: every spec)
import { writeFileSync } from "node:fs";
import { probeEndpoint } from "../../src/fingerprints/probe-endpoint.ts";
import { fingerprinterOf } from "../../src/fingerprints/registry.ts";
import { transcriptToJson } from "../../src/fingerprints/transcript.ts";
import { limitsForTimeout } from "../../src/net/limits.ts";
import { loadSpecs, SOURCE_FIXTURE_DIR, startSourceServer } from "./source-server.ts";

export const RECORDED_ADDRESS = "198.18.28.1";

const only = process.argv.slice(2);
for (const spec of loadSpecs().filter((s) => only.length === 0 || only.includes(s.product))) {
  const port = fingerprinterOf(spec.product).meta.defaultPorts[0]!;
  for (const variant of spec.variants) {
    const server = await startSourceServer(spec, variant);
    try {
      const t = await probeEndpoint(
        {
          host: server.host,
          ip: server.host,
          family: 4,
          port: server.port,
          tls: null,
          basePath: "",
          hostHeader: `${RECORDED_ADDRESS}:${port}`,
          servername: null,
        },
        { limits: limitsForTimeout(3000), beforeConnect: async () => {} },
        false,
      );
      t.endpoint = { ...t.endpoint, host: RECORDED_ADDRESS, ip: RECORDED_ADDRESS, port };
      writeFileSync(new URL(`${variant.name}.json`, SOURCE_FIXTURE_DIR), `${transcriptToJson(t)}\n`);
      process.stdout.write(
        `${variant.name}: ${t.http.map((x) => `${x.request.method} ${x.request.path}`).join(", ")}\n`,
      );
    } finally {
      await server.close();
    }
  }
}
