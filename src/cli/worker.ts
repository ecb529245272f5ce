// `clawpatrol worker`: take shards of running campaigns from DATABASE_URL's PostgreSQL and scan
// them (src/distributed/worker.ts). SIGINT/SIGTERM: the shard in flight is given back, then exit.
import { hostname } from "node:os";
import type { Command } from "commander";
import { RunError } from "../core/errors.ts";
import { intOption } from "./options.ts";

interface WorkerFlags {
  concurrency?: number;
  shardsAtOnce?: number;
  name?: string;
  untilIdle?: boolean;
  quiet?: boolean;
}

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description(
      "take shards of campaigns from DATABASE_URL's PostgreSQL and scan them (any number, any machines)",
    )
    .option(
      "--concurrency <n>",
      "endpoints swept at once (default: the campaign's)",
      intOption("--concurrency", 1, 20_000),
    )
    .option(
      "--shards-at-once <n>",
      "most shards in flight at once, sharing --concurrency and the rate: the next is taken once every endpoint of the last is under way (default 8)",
      intOption("--shards-at-once", 1, 16),
    )
    .option("--name <name>", "this worker's name in campaign status (default HOST-PID)")
    .option("--until-idle", "exit 0 once no campaign has a shard left to take or in flight")
    .option("--quiet", "no progress lines on stderr")
    .action(async (flags: WorkerFlags) => {
      const { databaseUrl, openCampaignDb } = await import("../distributed/connect.ts");
      const { runWorker } = await import("../distributed/worker.ts");
      const url = databaseUrl();
      const name = flags.name ?? `${hostname()}-${process.pid}`;
      const log = (line: string) => {
        if (!flags.quiet) process.stderr.write(`clawpatrol worker ${name}: ${line}\n`);
      };
      const abort = new AbortController();
      const stop = () => {
        if (abort.signal.aborted) process.exit(130);
        log("stopping: giving back the shard in flight");
        abort.abort();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      let c: Awaited<ReturnType<typeof openCampaignDb>>;
      try {
        c = await openCampaignDb(url, { supervise: true, superviseSeconds: 5 });
      } catch (err) {
        throw new RunError(`cannot open the campaign database: ${(err as Error).message}`);
      }
      try {
        const s = await runWorker(c.db, c.boss, {
          name,
          concurrency: flags.concurrency ?? null,
          ...(flags.shardsAtOnce ? { shardsAtOnce: flags.shardsAtOnce } : {}),
          untilIdle: flags.untilIdle === true,
          signal: abort.signal,
          log,
        });
        log(
          `${s.shards} shard${s.shards === 1 ? "" : "s"} written (${s.endpoints} endpoints, ${s.records} records), ${s.duplicates} already written by another worker`,
        );
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        await c.close();
      }
      if (abort.signal.aborted) process.exitCode = 130;
    });
}
