#!/usr/bin/env node
// Entry point. clawpatrol ships TypeScript sources and runs them with Node's own type
// stripping (on by default from Node 22.18 / 23.6; older Node 22 releases need the flag,
// and get it in a child process). A large `scan` also runs in a child, with heap flags:
// see src/scan/relaunch.ts.
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

if (process.features?.typescript) {
  const { run } = await import(fileURLToPath(new URL("../src/cli/main.ts", import.meta.url)));
  await run(process.argv);
} else {
  const { spawn } = await import("node:child_process");
  const entry = fileURLToPath(new URL("../src/cli/entry.ts", import.meta.url));
  const child = spawn(
    process.execPath,
    [...process.execArgv, "--experimental-strip-types", "--no-warnings", entry, ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  // Pass signals on (a terminal's Ctrl-C reaches both processes; the child treats a
  // duplicate arriving at once as one).
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("error", (err) => {
    process.stderr.write(`clawpatrol: cannot start: ${err.message}\n`);
    process.exit(3);
  });
  child.on("close", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 1)));
}
