// `clawpatrol inventory`: the assets in the store, filtered.
import type { Command } from "commander";
import { type AdvisoryCounts, COUNT_LABELS } from "../advisories/counts.ts";
import { EXIT, UsageError } from "../core/errors.ts";
import { escapeForTerminal } from "../util/text.ts";
import { type OutputFlags, type OutputSpec, openCommandOutput } from "./command-output.ts";
import { addOutputOptions } from "./output-options.ts";
import { placeFilter } from "./place-flags.ts";

interface InventoryFlags extends OutputFlags {
  network?: string;
  product?: string;
  version?: string;
  auth?: string;
  advisory?: string;
  state?: string;
  since?: string;
  until?: string;
  country?: string;
  asn?: string;
}

/** json: one JSON object per asset (NDJSON). */
const INVENTORY_OUTPUT: OutputSpec = {
  formats: ["text", "json", "ndjson"],
  meaning: { json: "one JSON object per asset, NDJSON", ndjson: "same as json" },
  same: { ndjson: "json" },
};

function instant(flag: string, value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new UsageError(
      `${flag}: not a date or time: "${value}" (use e.g. 2026-10-01 or 2026-10-01T12:00:00Z)`,
    );
  return new Date(ms).toISOString();
}

/** The products the store knows (src/scan/record.ts). */
const PRODUCTS = ["openclaw", "clawdbot", "moltbot"];

const CIDR = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)(?:\/\d{1,3})?$/;

export function registerInventory(program: Command): void {
  const inventory = program
    .command("inventory")
    .description("list the assets (gateway endpoints) in the store, with first and last seen")
    .option("--network <cidr>", "only addresses inside this CIDR")
    .option("--product <name>", "only this product (openclaw, clawdbot, moltbot)")
    .option("--version <version>", "only this exact version")
    .option("--auth <state>", "only this auth state (required, not-required, unknown)")
    .option("--advisory <id>", "only assets an advisory (GHSA or CVE id) applies to")
    .option("--state <state>", "only open assets (seen by the latest scan that covered them) or closed ones")
    .option("--since <time>", "only assets last seen at or after this time")
    .option("--until <time>", "only assets first seen at or before this time")
    .option("--country <cc>", "only addresses placed in this country (ISO 3166-1 alpha-2, e.g. DE)")
    .option("--asn <n>", "only addresses routed by this AS number (24940 or AS24940)")
    .action(async (flags: InventoryFlags) => {
      const out = openCommandOutput(flags, INVENTORY_OUTPUT);
      if (flags.network !== undefined && !CIDR.test(flags.network))
        throw new UsageError(`--network: not an address or CIDR: "${flags.network}"`);
      if (flags.auth !== undefined && !["required", "not-required", "unknown"].includes(flags.auth))
        throw new UsageError(`--auth: one of required, not-required, unknown (got "${flags.auth}")`);
      if (flags.state !== undefined && !["open", "closed"].includes(flags.state))
        throw new UsageError(`--state: open or closed (got "${flags.state}")`);
      if (flags.product !== undefined && !PRODUCTS.includes(flags.product))
        throw new UsageError(`--product: one of ${PRODUCTS.join(", ")} (got "${flags.product}")`);
      const filter = {
        ...placeFilter(flags),
        ...(flags.state ? { state: flags.state as "open" | "closed" } : {}),
        ...(flags.network ? { network: flags.network } : {}),
        ...(flags.product ? { product: flags.product } : {}),
        ...(flags.version ? { version: flags.version } : {}),
        ...(flags.auth ? { auth: flags.auth } : {}),
        ...(flags.advisory ? { advisory: flags.advisory } : {}),
        ...(flags.since ? { since: instant("--since", flags.since) } : {}),
        ...(flags.until ? { until: instant("--until", flags.until) } : {}),
      };
      // The store itself, or the running dashboard's when `serve` holds it (src/store/session.ts).
      const { openCommandSession } = await import("../store/session.ts");
      const store = await openCommandSession();
      try {
        let rows: Awaited<ReturnType<typeof store.listAssets>>;
        try {
          rows = await store.listAssets(filter);
        } catch (err) {
          if (/cidr|inet/i.test((err as Error).message))
            throw new UsageError(`--network: not a valid CIDR: "${flags.network}"`);
          throw err;
        }
        if (out.format === "json") {
          for (const r of rows) out.write(`${JSON.stringify(r)}\n`);
        } else {
          const t = (s: string | null) => escapeForTerminal(s ?? "-");
          out.write(
            `${"ADDRESS".padEnd(22)} ${"PRODUCT".padEnd(9)} ${"VERSION".padEnd(14)} ${"AUTH".padEnd(12)} ${"SEVERITY".padEnd(8)} ${"STATE".padEnd(6)} FIRST SEEN           LAST SEEN            ${COUNT_COLUMNS.map((c) => c.name).join(" ")} ADVISORIES\n`,
          );
          for (const r of rows) {
            const addr = r.ip.includes(":") ? `[${r.ip}]:${r.port}` : `${r.ip}:${r.port}`;
            out.write(
              `${addr.padEnd(22)} ${t(r.product).padEnd(9)} ${t(r.version).padEnd(14)} ${r.auth.padEnd(12)} ${t(r.severity).padEnd(8)} ${r.state.padEnd(6)} ${r.firstSeen.slice(0, 19)}Z ${r.lastSeen.slice(0, 19)}Z ${countCells(r.advisoryCounts)} ${t(advisoryCell(r.advisories))}\n`,
            );
          }
          out.write(`\n${rows.length} asset${rows.length === 1 ? "" : "s"}\n`);
        }
      } finally {
        await store.close();
      }
      out.close();
      process.exitCode = EXIT.ok;
    });
  addOutputOptions(inventory, INVENTORY_OUTPUT);
}

// The advisory numbers, one column each, headed by their one spelling (src/advisories/counts.ts).
const COUNT_COLUMNS = (["affecting", "preAuth", "usableHere"] as const).map((k) => ({
  key: k,
  name: COUNT_LABELS[k].toUpperCase(),
}));

export function countCells(c: AdvisoryCounts): string {
  return COUNT_COLUMNS.map(({ key, name }) => String(c[key]).padStart(name.length)).join(" ");
}

/**
 * The advisories column: the first few advisory ids, never hundreds of them on one line, and
 * never an alias beside its GHSA id (the stored ids name both); the count is AFFECTING's.
 */
export function advisoryCell(ids: string[]): string {
  const ghsa = ids.filter((id) => id.startsWith("GHSA-"));
  const list = ghsa.length > 0 ? ghsa : ids;
  if (list.length === 0) return "-";
  const shown = list.slice(0, 3).join(",");
  return list.length > 3 ? `${shown},…` : shown;
}
