// Build data/audit-checks/<package>-<version>.json: the check ids each release's own
// `security audit` can emit, read from its published JavaScript (see audit-checks-extract.ts).
//
//   node scripts/build-audit-checks.ts                      # every zoo install ($ZOO_HOME/inst)
//   node scripts/build-audit-checks.ts openclaw@2026.10.1   # a release from the npm registry
//   node scripts/build-audit-checks.ts --dir PATH --as openclaw@X   # an unpacked package
//   (--out DIR writes elsewhere than data/audit-checks)
//
// A release named on the command line is fetched with `npm pack` (the registry's own client,
// integrity-checked by npm) into a temp dir and unpacked there; nothing else is downloaded.
// The zoo installs are npm installs of the same tarballs; their integrity is recorded.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type ExtractedCheck, extractChecks, mergeChecks } from "./audit-checks-extract.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outAt = process.argv.indexOf("--out");
const OUT = outAt > 0 ? resolve(process.argv[outAt + 1]!) : join(ROOT, "data/audit-checks");
const ZOO_HOME = process.env.ZOO_HOME ?? join(homedir(), ".cache/clawzoo");
const PACKAGES = ["openclaw", "clawdbot", "moltbot"];
const MAX_FILE = 16 * 1024 * 1024;

export interface CatalogueFile {
  schema: 1;
  package: string;
  version: string;
  source: { kind: "npm-tarball" | "zoo-install" | "directory"; integrity: string | null };
  extractor: string;
  checks: ExtractedCheck[];
}

function* jsFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules") continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* jsFiles(p);
    else if (/\.(m|c)?js$/.test(e.name)) yield p;
  }
}

function catalogueOf(pkgDir: string): ExtractedCheck[] {
  const all: ExtractedCheck[] = [];
  for (const f of jsFiles(pkgDir)) {
    const buf = readFileSync(f);
    if (buf.length > MAX_FILE || buf.includes(0)) continue;
    all.push(...extractChecks(buf.toString("utf8"), relative(pkgDir, f)));
  }
  return mergeChecks(all);
}

function write(pkg: string, version: string, source: CatalogueFile["source"], pkgDir: string): void {
  const checks = catalogueOf(pkgDir);
  const file: CatalogueFile = {
    schema: 1,
    package: pkg,
    version,
    source,
    extractor: "checkId-literals/1",
    checks,
  };
  mkdirSync(OUT, { recursive: true });
  const out = join(OUT, `${pkg}-${version}.json`);
  writeFileSync(`${out}.partial`, `${JSON.stringify(file, null, 1)}\n`);
  spawnSync("mv", ["-f", `${out}.partial`, out]);
  process.stdout.write(`${pkg}@${version}: ${checks.length} check ids → ${relative(ROOT, out)}\n`);
}

function fromZoo(): number {
  const inst = join(ZOO_HOME, "inst");
  if (!existsSync(inst)) {
    process.stderr.write(`build-audit-checks: no zoo installs at ${inst}; name releases as pkg@version\n`);
    return 2;
  }
  for (const build of readdirSync(inst).sort()) {
    const m = /^(openclaw|clawdbot|moltbot)-(.+)$/.exec(build);
    if (!m) continue;
    const pkgDir = join(inst, build, "node_modules", m[1]!);
    if (!existsSync(join(pkgDir, "package.json"))) continue;
    let integrity: string | null = null;
    try {
      const lock = JSON.parse(readFileSync(join(inst, build, "node_modules/.package-lock.json"), "utf8"));
      integrity = lock.packages?.[`node_modules/${m[1]}`]?.integrity ?? null;
    } catch {}
    write(m[1]!, m[2]!, { kind: "zoo-install", integrity }, pkgDir);
  }
  return 0;
}

function fromRegistry(spec: string): number {
  const m = /^(openclaw|clawdbot|moltbot)@(\d{4}\.\d{1,2}\.\d{1,3}(?:-[\w.]+)?)$/.exec(spec);
  if (!m || !PACKAGES.includes(m[1]!)) {
    process.stderr.write(`build-audit-checks: expected openclaw|clawdbot|moltbot@<version>, got ${spec}\n`);
    return 2;
  }
  const tmp = mkdtempSync(join(tmpdir(), "cp-audit-checks-"));
  try {
    const pack = spawnSync("npm", ["pack", spec, "--json", "--pack-destination", tmp], { encoding: "utf8" });
    if (pack.status !== 0) {
      process.stderr.write(`npm pack ${spec} failed: ${pack.stderr.trim().split("\n").pop()}\n`);
      return 3;
    }
    const info = JSON.parse(pack.stdout)[0] as { filename: string; integrity: string };
    const untar = spawnSync("tar", ["-xzf", join(tmp, info.filename), "-C", tmp]);
    if (untar.status !== 0) return 3;
    write(m[1]!, m[2]!, { kind: "npm-tarball", integrity: info.integrity }, join(tmp, "package"));
    return 0;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2).filter((_, i, all) => all[i] !== "--out" && all[i - 1] !== "--out");
const dirAt = args.indexOf("--dir");
if (dirAt >= 0) {
  const as = /^(openclaw|clawdbot|moltbot)@(.+)$/.exec(args[args.indexOf("--as") + 1] ?? "");
  if (!as) {
    process.stderr.write("build-audit-checks: --dir needs --as pkg@version\n");
    process.exit(2);
  }
  write(as[1]!, as[2]!, { kind: "directory", integrity: null }, resolve(args[dirAt + 1]!));
} else if (args.length === 0) process.exitCode = fromZoo();
else for (const spec of args) process.exitCode = fromRegistry(spec) || process.exitCode || 0;
