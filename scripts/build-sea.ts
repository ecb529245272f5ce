// `npm run build:sea`: one executable, dist-sea/clawpatrol, that needs no Node on the machine.
// It is this Node binary (symbols stripped when `strip` is present) with a Node SEA blob
// injected by postject. The blob's main script is scripts/build-sea-launcher.cjs; its assets
// are the installed package (package.json, bin/, dist/, data/, the production dependencies)
// as one brotli-compressed archive that the launcher unpacks into the user's cache dir at
// first start. Shipping real files rather than one bundled script keeps every path a module
// resolves relative to itself, the sweep worker thread, @ast-grep's native addon and parsers,
// and PGlite's WebAssembly working exactly as in an npm install.
//
// The executable is for the platform that builds it (linux-x64 here): only that platform's
// native packages and prebuilt parsers go in.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants } from "node:zlib";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(ROOT, "dist-sea");
const EXE = join(OUT, "clawpatrol");
/** The executable's own build of src/, packed as dist/. */
const BUILT = join(OUT, "build", "dist");
const SENTINEL_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

function fail(message: string): never {
  process.stderr.write(`build:sea: ${message}\n`);
  process.exit(1);
}

function run(command: string, args: string[]): string {
  const r = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (r.status !== 0)
    fail(`${command} ${args.join(" ")} failed (exit ${r.status ?? r.signal ?? r.error?.message})`);
  return r.stdout;
}

/**
 * The folders of the production dependency tree, found the way Node resolves them: each
 * dependency in the nearest node_modules/ up from the package that needs it. Optional
 * dependencies that are not installed (other platforms' native builds) are skipped.
 */
function productionPackages(): string[] {
  const found = new Set<string>();
  const visit = (from: string, name: string, optional: boolean) => {
    for (let dir = from; ; dir = dirname(dir)) {
      const candidate = join(dir, "node_modules", name);
      if (existsSync(join(candidate, "package.json"))) {
        if (found.has(candidate)) return;
        found.add(candidate);
        const pkg = JSON.parse(readFileSync(join(candidate, "package.json"), "utf8")) as Manifest;
        for (const dep of Object.keys(pkg.dependencies ?? {})) visit(candidate, dep, false);
        for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(candidate, dep, true);
        return;
      }
      if (dir === ROOT || dirname(dir) === dir) break;
    }
    if (!optional)
      fail(
        `dependency ${name} (needed by ${relative(ROOT, from) || "clawpatrol"}) is not installed: run npm ci`,
      );
  };
  const root = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Manifest;
  for (const dep of Object.keys(root.dependencies ?? {})) visit(ROOT, dep, false);
  for (const dep of Object.keys(root.optionalDependencies ?? {})) visit(ROOT, dep, true);
  return [...found].sort();
}

interface Manifest {
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const PLATFORM_PREBUILD = `prebuild-${{ linux: "Linux", darwin: "macOS", win32: "Windows" }[process.platform as string]}-${{ x64: "X64", arm64: "ARM64" }[process.arch as string]}`;

/** Files an executable never reads: types, maps, docs, parser sources, other platforms' builds. */
function keep(rel: string): boolean {
  const parts = rel.split(sep);
  if (parts.includes("@types") || parts.includes("undici-types")) return false;
  if (/\.(?:map|d\.ts|d\.cts|d\.mts|md|markdown)$/i.test(rel)) return false;
  const at = parts.indexOf("@ast-grep");
  if (at >= 0 && parts[at + 1]?.startsWith("lang-")) {
    if (parts[at + 2] === "src") return false; // tree-sitter grammar sources: the prebuilds are used
    if (parts[at + 2] === "prebuilds" && parts[at + 3] !== PLATFORM_PREBUILD) return false;
  }
  // PGlite's optional Postgres extensions (the store loads none).
  if (parts.includes("pglite") && rel.endsWith(".tar.gz")) return false;
  // The offline ASN/country tables (optional dependencies: 58.5 MB of CSV, 15.2 MB brotli)
  // would take the executable past its 120 MB budget; it runs without them and says so once
  // when it stores a public address (src/enrich/place-records.ts).
  if (parts.includes("@ip-location-db")) return false;
  return true;
}

function walk(dir: string, skipNested: boolean): string[] {
  const files: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      // A package's own node_modules/ holds its nested dependencies: npm ls lists those
      // that production needs as packages of their own.
      if (skipNested && e.name === "node_modules") continue;
      files.push(...walk(path, skipNested));
    } else if (e.isFile()) files.push(path);
  }
  return files;
}

/** [path inside the package, file on disk] of every file the executable carries. */
function packageFiles(): [string, string][] {
  const files: [string, string][] = [];
  const add = (file: string, as = relative(ROOT, file)) => {
    if (keep(as)) files.push([as.split(sep).join("/"), file]);
  };
  add(join(ROOT, "package.json"));
  add(join(ROOT, "bin", "clawpatrol.mjs"));
  for (const file of walk(BUILT, false)) add(file, join("dist", relative(BUILT, file)));
  for (const file of walk(join(ROOT, "data"), false)) add(file);
  for (const pkg of productionPackages()) for (const file of walk(pkg, true)) add(file);
  return files.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** See scripts/build-sea-launcher.cjs, unpack(): index length, index, then the bytes. */
function archive(files: [string, string][]): Buffer {
  const index: [string, number, number][] = [];
  const bodies: Buffer[] = [];
  for (const [path, file] of files) {
    const body = readFileSync(file);
    index.push([path, statSync(file).mode & 0o755, body.length]);
    bodies.push(body);
  }
  const head = Buffer.from(JSON.stringify(index), "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(head.length);
  return Buffer.concat([length, head, ...bodies]);
}

const started = performance.now();
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
run(process.execPath, [join(ROOT, "scripts", "build.ts"), "--out", BUILT]);

const files = packageFiles();
const raw = archive(files);
const packed = brotliCompressSync(raw, {
  params: {
    [constants.BROTLI_PARAM_QUALITY]: 9,
    [constants.BROTLI_PARAM_LGWIN]: 24,
    [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
  },
});
const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Manifest).version;
const key = `${version}-${createHash("sha256").update(packed).digest("hex").slice(0, 16)}`;
writeFileSync(join(OUT, "package.br"), packed);
writeFileSync(join(OUT, "package.key"), key);

const config = {
  main: join(ROOT, "scripts", "build-sea-launcher.cjs"),
  output: join(OUT, "sea-prep.blob"),
  disableExperimentalSEAWarning: true,
  useSnapshot: false,
  useCodeCache: false,
  assets: { "package.br": join(OUT, "package.br"), "package.key": join(OUT, "package.key") },
};
writeFileSync(join(OUT, "sea-config.json"), JSON.stringify(config, null, 2));
run(process.execPath, ["--experimental-sea-config", join(OUT, "sea-config.json")]);

copyFileSync(process.execPath, EXE);
chmodSync(EXE, 0o755);
// Node's release binaries carry debug symbols (about 18 MB on linux-x64) that nothing at run
// time reads. Without `strip` the executable still works, only larger.
const strip = spawnSync("strip", [EXE], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
const stripped = strip.status === 0;
if (!stripped)
  process.stderr.write(
    "build:sea: `strip` not available or failed: the executable keeps Node's debug symbols\n",
  );

const { inject } = createRequire(import.meta.url)("postject") as {
  inject: (file: string, name: string, data: Buffer, options: { sentinelFuse: string }) => Promise<void>;
};
// postject prints a warning per ELF note section it cannot name; they are harmless.
const warn = console.warn;
console.warn = () => {};
try {
  await inject(EXE, "NODE_SEA_BLOB", readFileSync(config.output), { sentinelFuse: SENTINEL_FUSE });
} finally {
  console.warn = warn;
}
for (const f of ["sea-prep.blob", "sea-config.json", "build"]) rmSync(join(OUT, f), { recursive: true });

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
process.stdout.write(
  `build:sea: ${relative(ROOT, EXE)} ${mb(statSync(EXE).size)} (Node ${process.versions.node}${stripped ? ", stripped" : ""}; package ${files.length} files, ${mb(raw.length)} → ${mb(packed.length)} brotli) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);
