// `npm run build` (and `prepack`): compiles src/ to dist/ with tsc (tsconfig.build.json) and
// copies the files that are not TypeScript (SQL migrations, the dashboard's static files)
// beside the compiled modules. dist/ mirrors src/ exactly, so every path a module resolves
// relative to itself (../../data, ../../package.json, ./migrations/, ./static/) lands on the
// same file in both layouts. dist/ is rebuilt from nothing each time: no stale modules.
import { spawnSync } from "node:child_process";
import { cpSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SRC = join(ROOT, "src");
// `--out DIR` builds elsewhere (build:sea builds its own copy, so that it never races an
// `npm pack` rebuilding dist/ at the same time).
const outAt = process.argv.indexOf("--out");
const DIST = outAt > 0 && process.argv[outAt + 1] ? resolve(process.argv[outAt + 1]!) : join(ROOT, "dist");

function tscPath(): string {
  const pkg = createRequire(import.meta.url).resolve("typescript/package.json");
  return join(dirname(pkg), "bin", "tsc");
}

/** Every file under `dir` that tsc does not emit (anything but .ts sources). */
function assets(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

const started = performance.now();
rmSync(DIST, { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [tscPath(), "-p", join(ROOT, "tsconfig.build.json"), "--outDir", DIST],
  {
    cwd: ROOT,
    stdio: "inherit",
  },
);
if (tsc.status !== 0) {
  process.stderr.write(`build: tsc failed (exit ${tsc.status ?? tsc.signal})\n`);
  process.exit(1);
}
const copied = assets(SRC);
for (const file of copied) cpSync(file, join(DIST, relative(SRC, file)));
process.stdout.write(
  `build: ${relative(ROOT, DIST)}/ from src/ with tsc, ${copied.length} asset files copied, ${Math.round(performance.now() - started)} ms\n`,
);
