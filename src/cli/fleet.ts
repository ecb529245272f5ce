// `clawpatrol fleet token create HOST | revoke HOST` and `fleet hosts` on the server side, and
// the host side's delivery: `audit --report-to URL` and `skills scan --report-to URL` post their
// report to a running `clawpatrol serve` with the host's token (never database credentials).
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { Command } from "commander";
import { RunError, UsageError } from "../core/errors.ts";
import { escapeOneLine } from "../util/text.ts";
import { type OutputFlags, type OutputSpec, openCommandOutput } from "./command-output.ts";
import { addOutputOptions } from "./output-options.ts";

const HOSTS_OUTPUT: OutputSpec = { formats: ["text", "json"] };
const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,127})$/;

function checkHost(host: string): string {
  if (!HOST_NAME.test(host))
    throw new UsageError(
      `host name "${escapeOneLine(host).slice(0, 80)}": letters, digits, . _ - (at most 128)`,
    );
  return host;
}

async function withStore<T>(
  fn: (db: import("../store/rows.ts").StoreDb, location: string) => Promise<T>,
): Promise<T> {
  const { openStore } = await import("../store/db.ts");
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore();
  } catch (err) {
    throw new RunError(
      `cannot open the store: ${(err as Error).message} (with PGlite, run fleet commands while serve is stopped, or use DATABASE_URL)`,
    );
  }
  try {
    return await fn(store.db, store.location);
  } finally {
    await store.close();
  }
}

// --- the host side -----------------------------------------------------------------------------

/** Where and how a host reports: checked before the audit or scan runs. */
export interface ReportTarget {
  url: string;
  token: string;
  host: string;
}

export interface ReportFlags {
  reportTo?: string;
  reportTokenFile?: string;
  reportHost?: string;
}

/** The report destination the flags name, or null; a bad URL or a missing token is exit 2 now. */
export function reportTarget(flags: ReportFlags, env: NodeJS.ProcessEnv = process.env): ReportTarget | null {
  if (flags.reportTo === undefined) return null;
  let url: URL;
  try {
    url = new URL(flags.reportTo);
  } catch {
    throw new UsageError(`--report-to: not a URL: ${escapeOneLine(flags.reportTo).slice(0, 200)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError("--report-to: an http:// or https:// URL of a running clawpatrol serve");
  if (url.username || url.password)
    throw new UsageError("--report-to: no credentials in the URL; use the host token");
  if (!url.pathname.endsWith("/api/fleet/reports"))
    url.pathname = `${url.pathname.replace(/\/$/, "")}/api/fleet/reports`;
  let token: string;
  if (flags.reportTokenFile !== undefined) {
    try {
      token = readFileSync(flags.reportTokenFile, "utf8").trim();
    } catch (err) {
      throw new UsageError(
        `--report-token-file: ${flags.reportTokenFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  } else token = (env.CLAWPATROL_FLEET_TOKEN ?? "").trim();
  if (token === "")
    throw new UsageError(
      "--report-to needs the host token: --report-token-file FILE or CLAWPATROL_FLEET_TOKEN",
    );
  if (!/^[\x21-\x7e]{1,512}$/.test(token))
    throw new UsageError("the host token has characters a token never has");
  return { url: url.toString(), token, host: checkHost(flags.reportHost ?? hostname()) };
}

/**
 * Post one report. A retry after a network failure or a 5xx sends the same report id, so the
 * server keeps it once. Returns the server's one-line answer; a refusal is a RunError (exit 3).
 */
export async function sendReport(
  to: ReportTarget,
  kind: "audit" | "skills",
  report: unknown,
  opts: { now?: () => Date; attempts?: number } = {},
): Promise<string> {
  const body = JSON.stringify({
    schema: "clawpatrol.fleet-report/1",
    host: to.host,
    reportId: randomUUID(),
    sentAt: (opts.now ?? (() => new Date()))().toISOString(),
    kind,
    report,
  });
  const attempts = opts.attempts ?? 3;
  let last = "";
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 500 * 2 ** i));
    let res: Response;
    try {
      res = await fetch(to.url, {
        method: "POST",
        headers: { authorization: `Bearer ${to.token}`, "content-type": "application/json" },
        body,
        redirect: "error",
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      last = `cannot reach ${to.url}: ${cause}`;
      continue;
    }
    const text = (await res.text()).slice(0, 2000);
    let answer: { error?: unknown; runId?: unknown; duplicate?: unknown } = {};
    try {
      answer = JSON.parse(text);
    } catch {
      // not JSON: said below by status
    }
    if (res.status >= 500) {
      last = `${to.url} answered ${res.status}`;
      continue;
    }
    if (!res.ok)
      throw new RunError(
        `report refused by ${to.url} (${res.status}): ${escapeOneLine(String(answer.error ?? text)).slice(0, 300)}`,
      );
    return answer.duplicate
      ? `report already stored as ${escapeOneLine(String(answer.runId))}`
      : `report stored by ${to.url} as ${escapeOneLine(String(answer.runId))}`;
  }
  throw new RunError(`report not delivered: ${escapeOneLine(last)}`);
}

// --- the server side ---------------------------------------------------------------------------

export function registerFleet(program: Command): void {
  const fleet = program
    .command("fleet")
    .description("hosts that report their audits to this server: tokens and the list of hosts");
  const token = fleet.command("token").description("create or revoke a host's report token");
  token
    .command("create")
    .description("create (or replace) HOST's token and print it once; give it to that host only")
    .argument("<host>", "the host's name, as it reports with --report-host (default: its hostname)")
    .action(async (host: string) => {
      checkHost(host);
      const { createToken } = await import("../server/fleet-store.ts");
      const t = await withStore((db) => createToken(db, host, new Date()));
      process.stdout.write(`${t}\n`);
      process.stderr.write(
        `clawpatrol: token for ${host} created; it is shown only now (the store keeps its sha256)\n`,
      );
    });
  token
    .command("revoke")
    .description("revoke HOST's token: its reports are refused from now on (those stored stay)")
    .argument("<host>")
    .action(async (host: string) => {
      checkHost(host);
      const { revokeToken } = await import("../server/fleet-store.ts");
      const ok = await withStore((db) => revokeToken(db, host, new Date()));
      if (!ok) throw new UsageError(`no live token for host ${host}`);
      process.stderr.write(`clawpatrol: token for ${host} revoked\n`);
    });
  const hosts = fleet
    .command("hosts")
    .description("the reporting hosts: when each last reported, how many reports, revoked tokens")
    .action(async (flags: OutputFlags) => {
      const out = openCommandOutput(flags, HOSTS_OUTPUT);
      const { listHosts } = await import("../server/fleet-store.ts");
      const list = await withStore((db) => listHosts(db));
      if (out.format === "json") out.write(`${JSON.stringify(list, null, 2)}\n`);
      else {
        out.write(`${"HOST".padEnd(32)} ${"LAST REPORT".padEnd(24)} REPORTS TOKEN\n`);
        for (const h of list)
          out.write(
            `${h.host.padEnd(32)} ${(h.lastReportAt ?? "never").padEnd(24)} ${String(h.reports).padStart(7)} ${h.revokedAt ? `revoked ${h.revokedAt}` : "live"}\n`,
          );
      }
      out.close();
    });
  addOutputOptions(hosts, HOSTS_OUTPUT);
}
