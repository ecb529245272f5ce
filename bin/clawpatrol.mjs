#!/usr/bin/env node
// Entry point. Plain JavaScript that any Node can parse, so that an unsupported Node gets one
// line saying what is needed instead of a syntax or flag error.
//
// Two layouts, chosen by what is on disk, never by timestamps:
//   - the installed package ships dist/ (JavaScript built by `npm run build`) and no src/:
//     it runs dist/cli/main.js;
//   - a clone has src/ (TypeScript): it runs src/cli/main.ts with Node's own type stripping
//     (on by default from Node 22.18 / 23.6; older Node 22 releases need the flag, and get it
//     in a child process). A stale or missing dist/ in a clone is never used.
// A large `scan` also runs in a child, with heap flags: see src/scan/relaunch.ts.
import { existsSync, mkdirSync } from "node:fs";
import module from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const NEEDED = [22, 12];
const found = process.versions.node.split(".").map(Number);
if (found[0] < NEEDED[0] || (found[0] === NEEDED[0] && found[1] < NEEDED[1])) {
  process.stderr.write(
    `clawpatrol: needs Node.js ${NEEDED.join(".")} or newer, found ${process.versions.node} (${process.execPath})\n`,
  );
  process.exit(2);
}

// Node's compile cache keeps the compiled (and, from src/, type-stripped) modules between runs
// (about 100 ms of every start). It lives in the user's own cache dir, not a shared /tmp.
const cacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "clawpatrol", "compile-cache");
try {
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  module.enableCompileCache?.(cacheDir);
  process.env.NODE_COMPILE_CACHE = cacheDir;
} catch {
  // No writable cache dir: run without the cache.
}

const fromSource = existsSync(fileURLToPath(new URL("../src/cli/main.ts", import.meta.url)));

// No top-level await: a Node too old for it still reaches the version check above.
const start = (main) => main.then(({ run }) => run(process.argv));
if (!fromSource) {
  start(import("../dist/cli/main.js"));
} else if (process.features?.typescript) {
  start(import(fileURLToPath(new URL("../src/cli/main.ts", import.meta.url))));
} else {
  import("node:child_process").then(({ spawn }) => {
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
  });
}
