// Benchmark: `import` of a Shodan export. Writes N banner lines (default 1,000,000) in the shape
// of the real Shodan fixture (test/exports-in/fixtures/shodan.json: `_shodan`, ip/ip_str, port,
// transport, product, version, data, timestamp, hostnames, domains, org, isp, asn, location),
// varied: OpenClaw, Clawdbot and Moltbot gateways at real release versions, other services, four
// ports, thirty days of timestamps, HTTP and TLS modules, and public addresses spread over the
// whole IPv4 space (nothing is contacted: an import reads the file only). Then measures, each in a
// fresh process with the heap flags `import` relaunches itself with: reading it as `import` does
// (records built, enriched with ASN/country, serialised and hashed), and the real import into a
// fresh PGlite store (or PostgreSQL when CLAWPATROL_BENCH_DATABASE_URL names a database whose name
// contains "bench"; it is emptied first). Prints rate, peak RSS and the machine load.
//   npm run bench:ingest:shodan
//   CLAWPATROL_BENCH_LINES=100000 npm run bench:ingest:shodan
//   CLAWPATROL_BENCH_IMPORT=200000 npm run bench:ingest:shodan   (read all, import the first 200,000)
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { SCAN_HEAP_FLAGS } from "../../src/scan/relaunch.ts";
import { prng } from "../store/population.ts";

const LINES = Number(process.env.CLAWPATROL_BENCH_LINES ?? "1000000");
/** Lines imported into the store (the first of the same lines); all by default. */
const IMPORT = Math.min(LINES, Number(process.env.CLAWPATROL_BENCH_IMPORT ?? String(LINES)));
const PG = process.env.CLAWPATROL_BENCH_DATABASE_URL ?? "";
const dir = mkdtempSync(join(tmpdir(), "clawpatrol-bench-shodan-"));
const child = new URL("./child.ts", import.meta.url).pathname;

// The real fixture's first line is the template every generated line follows.
const FIXTURE = new URL("../../test/exports-in/fixtures/shodan.json", import.meta.url);
const template = JSON.parse(readFileSync(FIXTURE, "utf8").split("\n")[0]!) as Record<string, unknown>;

const PRODUCTS: [string | null, string[]][] = [
  ["OpenClaw", ["2026.1.29", "2026.2.14", "2026.2.26", "2026.3.13", "2026.4.21", "2026.6.9"]],
  ["Clawdbot", ["2026.1.16", "2026.1.24"]],
  ["Moltbot", ["2026.1.27-beta.1"]],
  [null, []],
];
const SERVICES = ["nginx", "Apache httpd", "OpenSSH", null];
const PORTS = [18789, 18790, 443, 8080];
const PLACES = [
  ["DE", "Germany", "Hetzner Online GmbH", "AS24940"],
  ["US", "United States", "Amazon.com, Inc.", "AS16509"],
  ["FR", "France", "OVH SAS", "AS16276"],
  ["SG", "Singapore", "DigitalOcean, LLC", "AS14061"],
  ["CN", "China", "Hangzhou Alibaba Advertising Co.,Ltd.", "AS37963"],
  ["BR", "Brazil", "Claro NXT Telecomunicacoes Ltda", "AS28573"],
];

/** A public-looking address for line i (never contacted; special-purpose first octets skipped). */
function address(r: () => number): { n: number; text: string } {
  for (;;) {
    const n = Math.floor(r() * 2 ** 32) >>> 0;
    const a = n >>> 24;
    if (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      a >= 224 ||
      a === 100 ||
      a === 169 ||
      a === 172 ||
      a === 192 ||
      a === 198
    )
      continue;
    return { n, text: `${a}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}` };
  }
}

function line(i: number, r: () => number): string {
  const [product, versions] = PRODUCTS[Math.floor(r() * PRODUCTS.length)]!;
  const service = product ?? SERVICES[Math.floor(r() * SERVICES.length)]!;
  const version = product ? versions[Math.floor(r() * versions.length)]! : null;
  const place = PLACES[Math.floor(r() * PLACES.length)]!;
  const ip = address(r);
  const port = product ? PORTS[Math.floor(r() * 2)]! : PORTS[Math.floor(r() * PORTS.length)]!;
  const tls = port === 443 || r() < 0.2;
  const title = product ? `<title>${product} Control</title>` : "<title>Welcome</title>";
  const seen = new Date(Date.UTC(2026, 10, 1) + Math.floor(r() * 30 * 86_400_000));
  const banner: Record<string, unknown> = {
    ...template,
    _shodan: {
      id: `${(i * 2654435761) >>> 0}`.padStart(10, "0"),
      module: tls ? "https" : "http",
      crawler: (template._shodan as Record<string, unknown>).crawler,
      ptr: r() < 0.5,
      options: {},
    },
    hash: Math.floor(r() * 2 ** 31) - 2 ** 30,
    ip: ip.n,
    ip_str: ip.text,
    port,
    transport: "tcp",
    product: service,
    version,
    data: `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n${title}`,
    timestamp: seen.toISOString().replace("Z", "000"),
    hostnames: r() < 0.3 ? [`gw${i}.example.net`] : [],
    domains: r() < 0.3 ? ["example.net"] : [],
    org: place[2],
    isp: place[2],
    asn: place[3],
    location: { ...(template.location as object), country_code: place[0], country_name: place[1] },
  };
  if (!service) delete banner.product;
  if (!version) delete banner.version;
  return JSON.stringify(banner);
}

async function writeExport(path: string, lines: number): Promise<void> {
  const out = createWriteStream(path);
  const r = prng(19);
  let chunk = "";
  for (let i = 0; i < lines; i++) {
    chunk += `${line(i, r)}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.write(chunk);
  out.end();
  await once(out, "finish");
}

function measure(args: string[], env: Record<string, string> = {}) {
  const text = execFileSync(process.execPath, [...SCAN_HEAP_FLAGS, child, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
    env: { ...process.env, ...env },
  });
  return JSON.parse(text.trim().split("\n").pop()!) as {
    records: number;
    seconds: number;
    peakRssMb: number;
  };
}

const load = () =>
  `load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`;
const fmt = (n: number) => Math.round(n).toLocaleString("en");

try {
  const file = join(dir, "shodan.json");
  const t0 = performance.now();
  await writeExport(file, LINES);
  process.stdout.write(
    `wrote ${fmt(LINES)} Shodan lines in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  const before = load();
  const read = measure(["read", file]);
  process.stdout.write(
    `read ${fmt(LINES)} Shodan lines to unverified records: ${fmt(read.records)} in ${read.seconds.toFixed(1)} s (${fmt(read.records / read.seconds)}/s), peak RSS ${read.peakRssMb.toFixed(0)} MB (${before}; after: ${load()})\n`,
  );
  const into = PG !== "" && /bench/.test(new URL(PG).pathname) ? PG : null;
  let importFile = file;
  if (IMPORT < LINES) {
    importFile = join(dir, "shodan-head.json");
    await writeExport(importFile, IMPORT);
  }
  const beforeImport = load();
  const imp = into
    ? measure(["import", importFile, "-"], { DATABASE_URL: into, CLAWPATROL_BENCH_EMPTY: "1" })
    : measure(["import", importFile, join(dir, "db")]);
  process.stdout.write(
    `import ${fmt(IMPORT)} Shodan lines into ${into ? "PostgreSQL" : "PGlite"}: ${fmt(imp.records)} records in ${imp.seconds.toFixed(1)} s (${fmt(imp.records / imp.seconds)}/s), peak RSS ${imp.peakRssMb.toFixed(0)} MB (${beforeImport}; after: ${load()})\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
