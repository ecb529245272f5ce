// `clawpatrol discover --mdns`: finds OpenClaw-family gateways that announce themselves over
// multicast DNS (DNS-SD) on the local link: `_openclaw-gw._tcp`, `_clawdbot-gw._tcp`,
// `_moltbot-gw._tcp` and the legacy `_clawdbot-bridge._tcp`. Prints each beacon's host, port,
// addresses and TXT hints; a beacon at all is a low finding, one in full mode (cliPath,
// sshPort published) a medium one. Listens and asks only: nothing is sent to the gateways.
import type { Command } from "commander";
import { Option } from "commander";
import { UsageError } from "../core/errors.ts";
import { browseMdns, interfaceAddressOf } from "../discovery/mdns-browse.ts";
import { mdnsFindings } from "../discovery/mdns-findings.ts";
import { assembleServices, GATEWAY_SERVICE_TYPES, type MdnsService } from "../discovery/mdns-services.ts";
import type { Finding } from "../findings/model.ts";
import { parseDuration } from "../monitor/config.ts";
import { escapeOneLine } from "../util/text.ts";
import { type OutputFlags, type OutputSpec, openCommandOutput } from "./command-output.ts";
import { addOutputOptions } from "./output-options.ts";

export const DISCOVER_SCHEMA = "clawpatrol.discover/1";

interface DiscoverFlags extends OutputFlags {
  mdns?: boolean;
  interface?: string;
  timeout: string;
}

export interface DiscoveredGateway extends MdnsService {
  /** The product the service type names. */
  product: "openclaw" | "clawdbot" | "moltbot";
  findings: Finding[];
}

const DISCOVER_OUTPUT: OutputSpec = {
  formats: ["text", "json"],
  meaning: {
    text: "one line per gateway beacon, then a summary",
    json: `one ${DISCOVER_SCHEMA} document: the beacons with their TXT hints and findings`,
  },
  findings: true,
};

function productOf(type: string): DiscoveredGateway["product"] {
  if (type.startsWith("_openclaw")) return "openclaw";
  if (type.startsWith("_moltbot")) return "moltbot";
  return "clawdbot";
}

export function describe(services: MdnsService[]): DiscoveredGateway[] {
  return services.map((s) => ({ ...s, product: productOf(s.type), findings: mdnsFindings(s) }));
}

export function renderText(gateways: DiscoveredGateway[], ms: number, packets: number): string {
  const lines = gateways.map((g) => {
    const where = `${g.host ?? "?"}:${g.port ?? "?"}`;
    const hints = [
      "displayname",
      "lanhost",
      "gatewayport",
      "gatewaytls",
      "gatewaytlssha256",
      "clipath",
      "sshport",
    ]
      .filter((k) => k in g.txt)
      .map((k) => `${k}=${g.txt[k]}`)
      .join(" ");
    const worst = g.findings.some((f) => f.severity === "medium") ? "medium" : "low";
    return escapeOneLine(
      `${g.product.padEnd(9)} ${g.instance.slice(0, 40).padEnd(40)} ${where.padEnd(28)} ${g.addresses.slice(0, 3).join(",").padEnd(18)} ${worst.padEnd(7)} ${hints}${g.anomalies.length ? ` [${g.anomalies.join("; ")}]` : ""}`,
    );
  });
  const head = `${"PRODUCT".padEnd(9)} ${"INSTANCE".padEnd(40)} ${"HOST:PORT".padEnd(28)} ${"ADDRESSES".padEnd(18)} ${"SEVERITY".padEnd(7)} TXT`;
  const full = gateways.filter((g) => g.findings.some((f) => f.ruleId === "CP-MDNS-002")).length;
  return `${[head, ...lines].join("\n")}\n\n${gateways.length} gateway beacons (${full} in full mode) from ${packets} mDNS answers in ${(ms / 1000).toFixed(1)} s\n`;
}

export function registerDiscover(program: Command): void {
  const command = program
    .command("discover")
    .description("Find OpenClaw / Clawdbot / Moltbot gateways that announce themselves on the local network")
    .option(
      "--mdns",
      `browse multicast DNS for ${GATEWAY_SERVICE_TYPES.map((t) => t.replace(/\.local$/, "")).join(", ")}`,
    )
    .option("--interface <if>", "browse on this interface (name or IPv4 address; default: the system's)")
    .addOption(new Option("--timeout <duration>", "how long to listen (e.g. 3s, 500ms)").default("5s"))
    .action(async (opts: DiscoverFlags) => {
      if (!opts.mdns) throw new UsageError("discover needs a method: --mdns");
      const timeoutMs = parseDuration(opts.timeout);
      if (timeoutMs === null || timeoutMs < 200 || timeoutMs > 600_000)
        throw new UsageError(`--timeout must be a duration from 200ms to 10m (got "${opts.timeout}")`);
      const interfaceAddress = opts.interface === undefined ? undefined : interfaceAddressOf(opts.interface);
      const out = openCommandOutput(opts, DISCOVER_OUTPUT);
      const started = performance.now();
      const result = await browseMdns({ timeoutMs, ...(interfaceAddress ? { interfaceAddress } : {}) });
      const gateways = describe(assembleServices(result.records));
      const ms = Math.round(performance.now() - started);
      if (out.format === "json")
        out.write(
          `${JSON.stringify({ schema: DISCOVER_SCHEMA, method: "mdns", ms, packets: result.packets, capped: result.capped, gateways })}\n`,
        );
      else out.write(renderText(gateways, ms, result.packets));
      out.close();
      process.exitCode = out.exitCode(gateways.flatMap((g) => g.findings));
    });
  addOutputOptions(command, DISCOVER_OUTPUT);
}
