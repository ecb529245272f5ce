// The main script of the single executable (dist-sea/clawpatrol, built by scripts/build-sea.ts).
// The executable carries the installed package (bin, dist, data, package.json and the
// production node_modules, native addons and PGlite's WebAssembly included) as one
// brotli-compressed SEA asset. At first start it unpacks that into the user's cache dir,
// keyed by the archive's hash, and from then on runs it from there: the CLI finds its data,
// migrations, dashboard files, worker thread and native parsers as real files, exactly as
// in an npm install. Only Node's built-in modules are available here.
"use strict";
const { getAsset } = require("node:sea");
const fs = require("node:fs");
const { homedir, tmpdir } = require("node:os");
const { dirname, join } = require("node:path");
const { pathToFileURL } = require("node:url");
const { brotliDecompressSync } = require("node:zlib");
const nodeModule = require("node:module");

function cacheBase() {
  const home = (() => {
    try {
      return homedir();
    } catch {
      return "";
    }
  })();
  if (process.env.XDG_CACHE_HOME) return process.env.XDG_CACHE_HOME;
  if (home) return join(home, ".cache");
  return join(tmpdir(), `clawpatrol-${process.getuid?.() ?? "user"}`);
}

/**
 * Archive layout (written by scripts/build-sea.ts): 4-byte big-endian index length, the
 * index as JSON ([path, mode, size] per file), then the files' bytes in index order.
 */
function unpack(archive, into) {
  const indexLength = archive.readUInt32BE(0);
  const index = JSON.parse(archive.subarray(4, 4 + indexLength).toString("utf8"));
  let at = 4 + indexLength;
  for (const [path, mode, size] of index) {
    const file = join(into, path);
    fs.mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, archive.subarray(at, at + size), { mode });
    at += size;
  }
}

/** The unpacked package for this executable's archive, unpacking it first if needed. */
function packageDir() {
  const key = getAsset("package.key", "utf8").trim();
  const root = join(cacheBase(), "clawpatrol", "sea");
  const dir = join(root, key);
  if (fs.existsSync(join(dir, ".complete"))) return dir;
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  // Unpack beside the final place and rename: a concurrent first start, or one killed half
  // way, never leaves a partial package where the next start would use it.
  const partial = fs.mkdtempSync(join(root, `.${key}-`));
  try {
    unpack(brotliDecompressSync(getAsset("package.br")), partial);
    fs.writeFileSync(join(partial, ".complete"), "");
    try {
      fs.renameSync(partial, dir);
    } catch (err) {
      // Another start finished first: use its copy.
      if (!fs.existsSync(join(dir, ".complete"))) throw err;
    }
  } finally {
    fs.rmSync(partial, { recursive: true, force: true });
  }
  return dir;
}

let dir;
try {
  dir = packageDir();
} catch (err) {
  process.stderr.write(
    `clawpatrol: cannot unpack the program into ${join(cacheBase(), "clawpatrol", "sea")}: ${err.code ?? err.message} (set XDG_CACHE_HOME to a writable directory)\n`,
  );
  process.exit(3);
}
try {
  const cache = join(cacheBase(), "clawpatrol", "compile-cache");
  fs.mkdirSync(cache, { recursive: true, mode: 0o700 });
  nodeModule.enableCompileCache?.(cache);
} catch {
  // No compile cache: slower starts, same results.
}
import(pathToFileURL(join(dir, "dist", "cli", "main.js")).href).then(({ run }) => run(process.argv));
