// A large scan runs in a child Node with a small young generation and a bounded old one.
// A scan allocates many short-lived sockets and promises, and V8's defaults let garbage
// pile up before collecting it: a /16 sweep peaks near 170 MB by default and 125 MB with
// these flags, and a /8 stays flat near 100-150 MB. V8 reads them only at start-up, hence
// a child process; but a second Node start costs ~40 ms, most of a small scan's run time,
// so only scans large enough for memory to matter pay it.
import { spawn } from "node:child_process";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MODULE_EXT } from "../core/module-ext.ts";

export const SCAN_HEAP_FLAGS = ["--max-semi-space-size=8", "--max-old-space-size=256"];

/** Planned endpoints from which a scan relaunches itself with SCAN_HEAP_FLAGS (a /18 on one port). */
export const RELAUNCH_FROM = 16_384n;

const ENTRY_POINTS = ["../../bin/clawpatrol.mjs", `../cli/entry${MODULE_EXT}`].map((p) =>
  fileURLToPath(new URL(p, import.meta.url)),
);

function realpath(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/**
 * True when this process is the clawpatrol CLI itself (not a test runner calling it in
 * process) and neither we, the user nor NODE_OPTIONS chose heap sizes.
 */
export function canRelaunchWithHeapFlags(): boolean {
  const script = process.argv[1] ? realpath(process.argv[1]) : null;
  if (!script || !ENTRY_POINTS.some((e) => realpath(e) === script)) return false;
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  return !given.some((a) => /^--max-(semi|old)-space-size/.test(a));
}

/**
 * Run this command line again in a child with SCAN_HEAP_FLAGS and resolve to its exit code.
 * `stdin` is what this process already read from stdin (targets), handed on to the child.
 */
export function relaunchWithHeapFlags(stdin: string | null): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, ...SCAN_HEAP_FLAGS, ...process.argv.slice(1)],
      {
        stdio: [stdin === null ? "inherit" : "pipe", "inherit", "inherit"],
      },
    );
    child.stdin?.on("error", () => {});
    child.stdin?.end(stdin);
    // Pass signals on (a terminal's Ctrl-C reaches both processes; the child treats a
    // duplicate arriving at once as one), and stay alive until the child has finished.
    const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
    const relay = (signal: NodeJS.Signals) => child.kill(signal);
    for (const s of signals) process.on(s, relay);
    const done = (code: number) => {
      for (const s of signals) process.off(s, relay);
      resolve(code);
    };
    child.on("error", (err) => {
      process.stderr.write(`clawpatrol: cannot start the scan: ${err.message}\n`);
      done(3); // EXIT.error
    });
    child.on("close", (code, signal) => done(code ?? (signal === "SIGINT" ? 130 : 1)));
  });
}
