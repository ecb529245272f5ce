#!/usr/bin/env node
// Entry point. clawpatrol ships TypeScript sources and runs them with Node's own type
// stripping (on by default from Node 22.18 / 23.6; older Node 22 releases need the flag).
//
// `scan` also runs with a smaller young generation and a bounded old generation: a scan
// allocates many short-lived sockets and promises, and V8's defaults let the heap fill with
// hundreds of MB of garbage before collecting it. With these flags a /8 sweep stays flat
// (about 100-150 MB) and even a /20 finishes sooner (less time in GC) despite the extra
// process start. V8 reads them only at start-up, hence the child process.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import module from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// Node's compile cache keeps the type-stripped, compiled modules between runs (about 100 ms
// of every start). It lives in the user's own cache dir, not a shared /tmp.
const cacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "clawpatrol", "compile-cache");
try {
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  module.enableCompileCache?.(cacheDir);
  process.env.NODE_COMPILE_CACHE = cacheDir;
} catch {
  // No writable cache dir: run without the cache.
}

const entry = fileURLToPath(new URL("../src/cli/entry.ts", import.meta.url));
const SCAN_HEAP_FLAGS = ["--max-semi-space-size=8", "--max-old-space-size=256"];

const args = process.argv.slice(2);
const isScan = args.find((a) => !a.startsWith("-")) === "scan";
const needsStripFlag = !process.features?.typescript;
const needsHeapFlags = isScan && !process.execArgv.some((a) => a.startsWith("--max-semi-space-size"));

if (!needsStripFlag && !needsHeapFlags) {
  const { run } = await import(fileURLToPath(new URL("../src/cli/main.ts", import.meta.url)));
  await run(process.argv);
} else {
  const flags = [
    ...(needsStripFlag ? ["--experimental-strip-types", "--no-warnings"] : []),
    ...(needsHeapFlags ? SCAN_HEAP_FLAGS : []),
  ];
  const child = spawn(process.execPath, [...process.execArgv, ...flags, entry, ...args], {
    stdio: "inherit",
  });
  // Pass signals on (a terminal's Ctrl-C reaches both processes; the child treats a
  // duplicate arriving at once as one).
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("error", (err) => {
    process.stderr.write(`clawpatrol: cannot start: ${err.message}\n`);
    process.exit(3);
  });
  child.on("close", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 1)));
}
