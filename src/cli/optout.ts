// `clawpatrol optout add|list|remove`: the standing opt-out list every campaign honours, kept in
// the store (DATABASE_URL's PostgreSQL, or the embedded store).
import type { Command } from "commander";
import { UsageError } from "../core/errors.ts";
import type { StoreDb } from "../store/rows.ts";
import { escapeForTerminal } from "../util/text.ts";
import { type OutputFlags, type OutputSpec, openCommandOutput } from "./command-output.ts";
import { addOutputOptions } from "./output-options.ts";

const OPTOUT_OUTPUT: OutputSpec = { formats: ["text", "json"], meaning: { json: "one JSON array" } };

async function withStore<T>(work: (db: StoreDb) => Promise<T>): Promise<T> {
  const { withStore: withOpenStore } = await import("../store/db.ts");
  return withOpenStore((store) => work(store.db));
}

export function registerOptout(program: Command): void {
  const optout = program
    .command("optout")
    .description("networks whose operators asked not to be scanned: every campaign skips them");
  optout
    .command("add")
    .description("add a network to the opt-out list")
    .argument("<cidr>", "address or CIDR")
    .requiredOption("--reason <text>", "who asked, and when")
    .action(async (cidr: string, flags: { reason: string }) => {
      const m = await import("../distributed/optouts.ts");
      const o = await withStore((db) => m.addOptOut(db, cidr, flags.reason));
      process.stdout.write(`opted out: ${o.cidr} (${escapeForTerminal(o.reason)})\n`);
    });
  optout
    .command("remove")
    .description("remove a network from the opt-out list")
    .argument("<cidr>", "the address or CIDR as added")
    .action(async (cidr: string) => {
      const m = await import("../distributed/optouts.ts");
      const canonical = m.canonicalCidr(cidr);
      if (!(await withStore((db) => m.removeOptOut(db, cidr))))
        throw new UsageError(`${canonical} is not on the opt-out list (see clawpatrol optout list)`);
      process.stdout.write(`removed: ${canonical}\n`);
    });
  const list = optout
    .command("list")
    .description("the opt-out list")
    .action(async (flags: OutputFlags) => {
      const out = openCommandOutput(flags, OPTOUT_OUTPUT);
      const m = await import("../distributed/optouts.ts");
      const all = await withStore((db) => m.listOptOuts(db));
      if (out.format === "json") out.write(`${JSON.stringify(all)}\n`);
      else if (all.length === 0) out.write("the opt-out list is empty\n");
      else
        for (const o of all) out.write(`${o.cidr.padEnd(20)} ${o.addedAt}  ${escapeForTerminal(o.reason)}\n`);
      out.close();
    });
  addOutputOptions(list, OPTOUT_OUTPUT);
}
