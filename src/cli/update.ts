// `clawpatrol update`: newer advisories, release table and IOC lists without a new
// clawpatrol. Fetches the newest clawpatrol-data package from an npm registry (or takes a
// tarball file with --offline), checks it (registry integrity, manifest hashes, the data's
// own schemas), installs it under $CLAWPATROL_HOME/data/<version> and switches to it
// atomically. --rollback goes back to the data that was active before.
import { readFileSync, statSync } from "node:fs";
import type { Command } from "commander";
import { type DataInfo, resolveActiveData, updatesRoot } from "../core/data-dir.ts";
import { EXIT, RunError, UsageError } from "../core/errors.ts";
import { installDataTarball, rollbackData } from "../update/install.ts";
import {
  DEFAULT_REGISTRY,
  downloadRelease,
  findNewestRelease,
  MAX_TARBALL_BYTES,
  registryUrl,
} from "../update/registry.ts";

export interface UpdateCliOptions {
  registry?: string;
  offline?: string;
  rollback?: boolean;
  json?: boolean;
}

/** The JSON answer (`--json`), one object. */
export interface UpdateReport {
  schema: "clawpatrol.update/v1";
  status: "installed" | "up-to-date" | "rolled-back";
  source: string | null;
  active: { version: string; date: string; origin: DataInfo["origin"] };
  replaced: { version: string; date: string; origin: DataInfo["origin"] } | null;
}

function describe(info: DataInfo): UpdateReport["active"] {
  return { version: info.version, date: info.date, origin: info.origin };
}

function label(info: DataInfo): string {
  return `${info.version} (${info.date}, ${info.origin === "shipped" ? "shipped with clawpatrol" : "updated"})`;
}

function readOffline(file: string): Uint8Array {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    throw new UsageError(`--offline: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  if (size > MAX_TARBALL_BYTES)
    throw new UsageError(`--offline: ${file} is larger than ${MAX_TARBALL_BYTES} bytes`);
  return readFileSync(file);
}

export async function updateAction(
  opts: UpdateCliOptions,
  out: (s: string) => void = (s) => process.stdout.write(s),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (opts.rollback && (opts.offline || opts.registry))
    throw new UsageError("--rollback cannot be combined with --offline or --registry");
  if (opts.offline && opts.registry) throw new UsageError("--offline and --registry cannot be combined");
  const root = updatesRoot(env);
  const emit = (report: UpdateReport, text: string) =>
    out(opts.json ? `${JSON.stringify(report)}\n` : `${text}\n`);

  if (opts.rollback) {
    const { from, to } = rollbackData({ root, env });
    emit(
      {
        schema: "clawpatrol.update/v1",
        status: "rolled-back",
        source: null,
        active: describe(to),
        replaced: describe(from),
      },
      `data rolled back: ${label(from)} → ${label(to)}`,
    );
    return EXIT.ok;
  }

  let bytes: Uint8Array;
  let source: string;
  if (opts.offline) {
    source = opts.offline;
    bytes = readOffline(opts.offline);
  } else {
    const registry = registryUrl(opts.registry ?? DEFAULT_REGISTRY);
    const release = await findNewestRelease(registry);
    source = release.tarball;
    const active = resolveActiveData(env);
    // Nothing to download when the registry's newest is what is already active.
    if (release.version === active.version) {
      emit(
        {
          schema: "clawpatrol.update/v1",
          status: "up-to-date",
          source,
          active: describe(active),
          replaced: null,
        },
        `data ${label(active)} is already up to date`,
      );
      return EXIT.ok;
    }
    bytes = await downloadRelease(release);
  }

  const result = installDataTarball(bytes, { root, env, source });
  if (result.status === "older") {
    const message = `${source}: data ${result.offered} is older than the active data ${label(result.active)}; nothing changed`;
    // A file the user named is their mistake to fix; a registry that lags behind is not.
    throw opts.offline ? new UsageError(message) : new RunError(message);
  }
  if (result.status === "up-to-date") {
    emit(
      {
        schema: "clawpatrol.update/v1",
        status: "up-to-date",
        source,
        active: describe(result.active),
        replaced: null,
      },
      `data ${label(result.active)} is already up to date`,
    );
    return EXIT.ok;
  }
  emit(
    {
      schema: "clawpatrol.update/v1",
      status: "installed",
      source,
      active: describe(result.installed),
      replaced: describe(result.replaced),
    },
    `data ${label(result.installed)} installed from ${source} (was ${label(result.replaced)}); \`clawpatrol update --rollback\` goes back`,
  );
  return EXIT.ok;
}

export function registerUpdate(program: Command): void {
  program
    .command("update")
    .description(
      "update advisories, the release table and IOC lists from the clawpatrol-data package (npm registry or a file)",
    )
    .option("--registry <url>", `npm registry to fetch clawpatrol-data from (default ${DEFAULT_REGISTRY})`)
    .option("--offline <file>", "install a clawpatrol-data tarball from this file instead (same checks)")
    .option("--rollback", "switch back to the data that was active before the last update")
    .option("--json", "print the result as one JSON object (clawpatrol.update/v1)")
    .action(async (opts: UpdateCliOptions) => {
      process.exitCode = await updateAction(opts);
    });
}
