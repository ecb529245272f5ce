// `clawpatrol runs`: the runs in the store, newest first (the ids `export --run` takes).
import type { Command } from "commander";
import { EXIT } from "../core/errors.ts";
import { escapeForTerminal } from "../util/text.ts";
import { type OutputFlags, type OutputSpec, openCommandOutput } from "./command-output.ts";
import { intOption } from "./options.ts";
import { addOutputOptions } from "./output-options.ts";

interface RunsFlags extends OutputFlags {
  limit: number;
}

const RUNS_OUTPUT: OutputSpec = {
  formats: ["text", "json", "ndjson"],
  meaning: { json: "one JSON object per run, NDJSON", ndjson: "same as json" },
  same: { ndjson: "json" },
};

const stamp = (iso: string | null) => (iso ? `${iso.slice(0, 19)}Z` : "-".padEnd(20));

export function registerRuns(program: Command): void {
  const command = program
    .command("runs")
    .description(
      "list the runs in the store, newest first: id, started, finished, kind, scope, endpoints, gateways",
    )
    .option("--limit <n>", "at most this many runs", intOption("--limit", 1, 1_000_000), 50)
    .action(async (flags: RunsFlags) => {
      const out = openCommandOutput(flags, RUNS_OUTPUT);
      const { openCommandSession } = await import("../store/session.ts");
      const store = await openCommandSession();
      let runs: Awaited<ReturnType<typeof store.listRuns>>;
      try {
        runs = await store.listRuns(flags.limit);
      } finally {
        await store.close();
      }
      if (out.format === "json") {
        for (const r of runs) out.write(`${JSON.stringify(r)}\n`);
      } else {
        const width = Math.max(2, ...runs.map((r) => r.id.length));
        out.write(
          `${"ID".padEnd(width)} STARTED              FINISHED             KIND   STATUS     ENDPOINTS GATEWAYS SCOPE\n`,
        );
        for (const r of runs)
          out.write(
            `${escapeForTerminal(r.id).padEnd(width)} ${stamp(r.startedAt)} ${stamp(r.finishedAt)} ${r.kind.padEnd(6)} ${r.status.padEnd(10)} ${String(r.endpoints).padStart(9)} ${String(r.gateways).padStart(8)} ${escapeForTerminal(r.scope ?? (r.source ? r.source : "-"))}\n`,
          );
        out.write(
          `\n${runs.length} run${runs.length === 1 ? "" : "s"}${runs.length === flags.limit ? ` (the newest ${flags.limit}; --limit shows more)` : ""}\n`,
        );
      }
      out.close();
      process.exitCode = EXIT.ok;
    });
  addOutputOptions(command, RUNS_OUTPUT);
}
