#!/usr/bin/env node
// Entry point. clawpatrol ships TypeScript sources and runs them with Node's own type
// stripping (on by default from Node 22.18 / 23.6). On older Node 22 releases the flag
// still exists but is off, so we re-run ourselves once with it switched on.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const entry = fileURLToPath(new URL("../src/cli/entry.ts", import.meta.url));

if (process.features?.typescript) {
  const { run } = await import(main);
  await run(process.argv);
} else {
  const result = spawnSync(
    process.execPath,
    ["--experimental-strip-types", "--no-warnings", entry, ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  process.exit(result.status ?? 1);
}
