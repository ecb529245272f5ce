// `clawpatrol campaign create|status|list|pause|resume|cancel`: scans split into shards that any
// number of `clawpatrol worker` processes take from pg-boss queues in DATABASE_URL's PostgreSQL.
import type { Command } from "commander";
import { EXIT, RunError, UsageError } from "../core/errors.ts";
import type { CampaignSpec, CampaignStatus } from "../distributed/campaigns.ts";
import type { CampaignDb } from "../distributed/connect.ts";
import { escapeForTerminal } from "../util/text.ts";
import { type OutputFlags, type OutputSpec, openCommandOutput } from "./command-output.ts";
import { collect, durationOption, intOption } from "./options.ts";
import { addOutputOptions } from "./output-options.ts";

const CAMPAIGN_OUTPUT: OutputSpec = {
  formats: ["text", "json"],
  meaning: { json: "one JSON document" },
};

interface CreateFlags extends OutputFlags {
  ports: string;
  exclude?: string[];
  excludeFile?: string[];
  blocklist?: string[];
  allowLarge?: boolean;
  shardSize: string;
  rate: number;
  concurrency: number;
  probeConcurrency: number;
  perHost: number;
  timeout: number;
  all?: boolean;
  seed?: number;
  lease: number;
  contact?: string;
}

async function withDb<T>(work: (c: CampaignDb) => Promise<T>): Promise<T> {
  const { databaseUrl, openCampaignDb } = await import("../distributed/connect.ts");
  const url = databaseUrl();
  let c: CampaignDb;
  try {
    c = await openCampaignDb(url);
  } catch (err) {
    throw new RunError(`cannot open the campaign database: ${(err as Error).message}`);
  }
  try {
    return await work(c);
  } finally {
    await c.close();
  }
}

function splitList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((e) =>
    e
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

async function create(name: string, targets: string[], flags: CreateFlags): Promise<number> {
  const out = openCommandOutput(flags, CAMPAIGN_OUTPUT);
  const { readFileSync } = await import("node:fs");
  const { parsePorts } = await import("../targets/ports.ts");
  const { parseTarget, splitTargetText, planTargets } = await import("../targets/spec.ts");
  const { defaultBlocklistFor, readBlocklistFile } = await import("../targets/blocklist.ts");
  const { normalise, subtract, intervalSize } = await import("../targets/ip.ts");
  const { parseShardSize } = await import("../distributed/shards.ts");
  const { MAX_ADDRESSES_WITHOUT_FLAG } = await import("./scan-run.ts");
  const { databaseUrl } = await import("../distributed/connect.ts");
  const { userAgentWith, MAX_CONTACT_LENGTH } = await import("../net/http.ts");
  // Checked here, once, so no worker ever meets a contact it cannot send.
  if (flags.contact !== undefined && userAgentWith(flags.contact) === null)
    throw new UsageError(
      `--contact: give printable ASCII without parentheses or backslashes, at most ${MAX_CONTACT_LENGTH} characters (an email or URL)`,
    );
  databaseUrl();

  const excludes = splitList(flags.exclude);
  for (const f of flags.excludeFile ?? []) {
    try {
      excludes.push(...splitTargetText(readFileSync(f, "utf8")));
    } catch (err) {
      throw new UsageError(`--exclude-file: cannot read "${f}": ${(err as NodeJS.ErrnoException).code}`);
    }
  }
  if (targets.length === 0) throw new UsageError("campaign create needs targets: addresses, CIDRs or ranges");
  const named = targets.map((t) => {
    const p = parseTarget(t);
    if (p.kind !== "interval")
      throw new UsageError(`campaign target "${t}": campaigns take addresses, CIDRs and ranges only`);
    return p.interval;
  });
  const ports = parsePorts(flags.ports);
  const shardPrefix = parseShardSize(flags.shardSize);
  const { applied } = defaultBlocklistFor(named);
  const fileBlocks = (flags.blocklist ?? []).flatMap((f) => readBlocklistFile(f));
  const blocklist = [...applied, ...fileBlocks];
  const { plan } = planTargets(targets, excludes);
  const { listOptOuts } = await import("../distributed/optouts.ts");
  const spec: CampaignSpec = {
    targets,
    excludes,
    ports,
    rate: flags.rate,
    concurrency: flags.concurrency,
    probeConcurrency: flags.probeConcurrency,
    perHost: flags.perHost,
    timeoutMs: flags.timeout,
    all: flags.all === true,
    blocklist: blocklist.map((b) => ({ cidr: b.cidr, reason: b.reason })),
    shardPrefix,
    seed: flags.seed ?? Math.floor(Math.random() * 2 ** 48),
    leaseSeconds: flags.lease,
    ...(flags.contact !== undefined ? { contact: flags.contact.trim() } : {}),
  };
  return withDb(async ({ db, boss }) => {
    const optouts = await listOptOuts(db);
    const { parseCidr } = await import("../targets/blocklist.ts");
    const cut = normalise([...blocklist.map((b) => b.interval), ...optouts.map((o) => parseCidr(o.cidr)!)]);
    const intervals = subtract(plan.intervals, cut);
    let addresses = 0n;
    for (const i of intervals) addresses += intervalSize(i);
    if (addresses > MAX_ADDRESSES_WITHOUT_FLAG && !flags.allowLarge)
      throw new UsageError(
        `${addresses} addresses named; more than ${MAX_ADDRESSES_WITHOUT_FLAG} needs --allow-large (check the targets and excludes first)`,
      );
    const { createCampaign } = await import("../distributed/campaigns.ts");
    const { campaign, shards } = await createCampaign(db, boss, { name, spec, intervals });
    if (out.format === "json")
      out.write(
        `${JSON.stringify({
          name: campaign.name,
          state: campaign.state,
          runId: campaign.runId,
          shards: shards.length,
          endpoints: campaign.endpointTotal,
          blocklisted: blocklist.length,
          optouts: optouts.length,
        })}\n`,
      );
    else
      out.write(
        `campaign ${campaign.name}: ${shards.length} shard${shards.length === 1 ? "" : "s"}, ${campaign.endpointTotal} endpoints queued (${blocklist.length} blocklisted ranges, ${optouts.length} opt-outs); start workers with: clawpatrol worker\n`,
      );
    out.close();
    return EXIT.ok;
  });
}

function duration(seconds: number | null): string {
  if (seconds === null) return "unknown";
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")}m`;
}

/** The text of `campaign status`. */
export function statusText(s: CampaignStatus): string {
  const lines = [
    `campaign ${escapeForTerminal(s.name)}: ${s.state}`,
    `  shards     ${s.shards.done}/${s.shards.total} done, ${s.shards.queued} queued, ${s.shards.active} active, ${s.shards.failed} failed`,
    `  endpoints  ${s.endpoints.done}/${s.endpoints.total} done; ${s.gateways} gateway${s.gateways === 1 ? "" : "s"} found`,
    `  rate       ${s.rate} endpoints/s; ETA ${s.state === "done" ? "done" : duration(s.etaSeconds)}`,
    `  run        ${s.runId}`,
  ];
  if (s.workers.length > 0) {
    lines.push("  WORKER               HOST                 SHARDS  LAST HEARTBEAT");
    for (const w of s.workers)
      lines.push(
        `  ${escapeForTerminal(w.name).padEnd(20)} ${escapeForTerminal(w.host).padEnd(20)} ${String(w.shardsDone).padStart(6)}  ${w.lastHeartbeat}`,
      );
  }
  return `${lines.join("\n")}\n`;
}

export function registerCampaign(program: Command): void {
  const campaign = program
    .command("campaign")
    .description("distributed scans: shards of a scope taken by any number of workers (needs DATABASE_URL)");

  const createCmd = campaign
    .command("create")
    .description("split targets into shards (address blocks x ports) and queue them for workers")
    .argument("<name>", "campaign name (letters, digits, . _ -)")
    .argument("<targets...>", "IPs, CIDRs, ranges (a-b)")
    .option("-p, --ports <list>", "ports: 18789,80 or 18700-18799, or a preset: default, extended", "default")
    .option(
      "--exclude <targets>",
      "addresses, CIDRs or ranges to skip (comma-separated, repeatable)",
      collect,
    )
    .option("--exclude-file <file>", "read excludes from a file", collect)
    .option("--blocklist <file>", "never scan the addresses or CIDRs listed in FILE (# comments)", collect)
    .option("--allow-large", "allow more than 65,536 addresses")
    .option("--shard-size <prefix>", "addresses per shard as an IPv4 prefix length (/20 = 4,096)", "/20")
    .option(
      "--rate <n>",
      "new connections per second for the whole campaign, shared by all workers (0 = unlimited)",
      intOption("--rate", 0, 10_000_000),
      2000,
    )
    .option(
      "--concurrency <n>",
      "endpoints swept at once per worker",
      intOption("--concurrency", 1, 20_000),
      512,
    )
    .option(
      "--probe-concurrency <n>",
      "open endpoints probed at once per worker",
      intOption("--probe-concurrency", 1, 2000),
      64,
    )
    .option("--per-host <n>", "endpoints of one host probed at once", intOption("--per-host", 1, 16), 2)
    .option(
      "--timeout <duration>",
      "deadline per exchange (e.g. 5s)",
      durationOption("--timeout", 100, 120_000),
      5000,
    )
    .option("--all", "also store endpoints that did not answer")
    .option("--seed <n>", "seed of the shard and endpoint permutation", intOption("--seed", 0, 2 ** 48))
    .option(
      "--lease <duration>",
      "a shard whose worker sends no heartbeat this long is handed to another worker (min 10s)",
      durationOption("--lease", 10_000, 86_400_000),
      60_000,
    )
    .option(
      "--contact <text>",
      "an email or URL every worker puts into its probes' User-Agent, so the operators scanned can reach you",
    )
    .action(async (name: string, targets: string[], flags: CreateFlags) => {
      process.exitCode = await create(name, targets, { ...flags, lease: Math.round(flags.lease / 1000) });
    });
  addOutputOptions(createCmd, CAMPAIGN_OUTPUT);

  const statusCmd = campaign
    .command("status")
    .description("progress of a campaign: shards, endpoints, gateways, rate, ETA, workers")
    .argument("<name>")
    .action(async (name: string, flags: OutputFlags) => {
      const out = openCommandOutput(flags, CAMPAIGN_OUTPUT);
      const { getCampaign, campaignStatus } = await import("../distributed/campaigns.ts");
      const s = await withDb(async ({ db }) => campaignStatus(db, await getCampaign(db, name)));
      out.write(out.format === "json" ? `${JSON.stringify(s)}\n` : statusText(s));
      out.close();
    });
  addOutputOptions(statusCmd, CAMPAIGN_OUTPUT);

  const listCmd = campaign
    .command("list")
    .description("every campaign, newest first")
    .action(async (flags: OutputFlags) => {
      const out = openCommandOutput(flags, CAMPAIGN_OUTPUT);
      const { listCampaigns, campaignStatus } = await import("../distributed/campaigns.ts");
      const all = await withDb(async ({ db }) =>
        Promise.all((await listCampaigns(db)).map((c) => campaignStatus(db, c))),
      );
      if (out.format === "json") out.write(`${JSON.stringify(all)}\n`);
      else if (all.length === 0) out.write("no campaigns (create one with clawpatrol campaign create)\n");
      else {
        out.write("NAME                 STATE      SHARDS          ENDPOINTS            GATEWAYS  CREATED\n");
        for (const s of all)
          out.write(
            `${escapeForTerminal(s.name).padEnd(20)} ${s.state.padEnd(10)} ${`${s.shards.done}/${s.shards.total}`.padEnd(15)} ${`${s.endpoints.done}/${s.endpoints.total}`.padEnd(20)} ${String(s.gateways).padStart(8)}  ${s.createdAt}\n`,
          );
      }
      out.close();
    });
  addOutputOptions(listCmd, CAMPAIGN_OUTPUT);

  for (const [verb, what] of [
    ["pause", "workers take no more of its shards (those in flight finish)"],
    ["resume", "workers take its shards again"],
    ["cancel", "drop its queued shards; results of shards in flight are not written"],
  ] as const) {
    campaign
      .command(verb)
      .description(what)
      .argument("<name>")
      .action(async (name: string) => {
        const m = await import("../distributed/campaigns.ts");
        const state = await withDb(async ({ db, boss }) => {
          if (verb === "cancel") {
            await m.cancelCampaign(db, boss, name);
            return "cancelled";
          }
          return m.setPaused(db, name, verb === "pause");
        });
        process.stdout.write(`campaign ${escapeForTerminal(name)}: ${state}\n`);
      });
  }
}
