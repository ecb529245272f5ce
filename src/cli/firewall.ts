// `clawpatrol firewall`: rules that keep the gateway and side ports on loopback (plus an
// allow-list) for ufw, nftables, iptables, firewalld, macOS pf and Windows. Preview by
// default; `--apply` (Linux) runs them with the detected backend after showing them.

import type { Command } from "commander";
import { runAudit } from "../audit/run.ts";
import { EXIT, RunError, UsageError } from "../core/errors.ts";
import { detectBackend, runRuleSet } from "../firewall/apply.ts";
import { commentLines } from "../firewall/quote.ts";
import {
  BACKEND_SHELLS,
  BACKENDS,
  type Backend,
  buildRules,
  type Cidr,
  parseCidr,
  renderRules,
  type Shell,
} from "../firewall/rules.ts";
import { type OutputFlags, type OutputSpec, openCommandOutput } from "./command-output.ts";
import { addOutputOptions } from "./output-options.ts";

export interface FirewallCliOptions {
  backend?: string;
  allow?: string[];
  port?: string[];
  stateDir?: string;
  config?: string;
  apply?: boolean;
  remove?: boolean;
  json?: boolean;
  shell?: string;
}

/** What --shell takes: the Windows shells (Linux and macOS rules are always for sh). */
const WINDOWS_SHELLS = ["powershell", "cmd"] as const;

function collect(v: string, prev: string[] = []): string[] {
  return [
    ...prev,
    ...v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

async function portsFromAudit(opts: FirewallCliOptions): Promise<number[]> {
  const r = await runAudit({
    ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
    ...(opts.config ? { configPath: opts.config } : {}),
    noLive: true,
  });
  const ports = new Set<number>();
  for (const t of r.targets) {
    if (!t.gateway) continue;
    ports.add(t.gateway.port);
    for (const s of t.gateway.sidePorts) ports.add(s.port);
  }
  if (ports.size === 0) for (const p of [18789, 18790, 18791, 18792, 18793]) ports.add(p);
  return [...ports].sort((a, b) => a - b);
}

export async function firewallAction(
  opts: FirewallCliOptions,
  out: (s: string) => void = (s) => process.stdout.write(s),
): Promise<number> {
  if (opts.apply && opts.remove) throw new UsageError("--apply and --remove cannot be combined");
  const allow: Cidr[] = [];
  for (const a of opts.allow ?? []) {
    const c = parseCidr(a);
    if (!c) throw new UsageError(`--allow expects an IPv4/IPv6 address or CIDR, got "${a}"`);
    allow.push(c);
  }
  let ports: number[];
  if (opts.port?.length) {
    ports = opts.port.map((p) => {
      const n = Number(p);
      if (!Number.isInteger(n) || n < 1 || n > 65535)
        throw new UsageError(`--port expects 1-65535, got "${p}"`);
      return n;
    });
  } else ports = await portsFromAudit(opts);

  let shell: Shell | undefined;
  if (opts.shell !== undefined) {
    if (!(WINDOWS_SHELLS as readonly string[]).includes(opts.shell))
      throw new UsageError(`--shell must be one of ${WINDOWS_SHELLS.join(", ")}`);
    shell = opts.shell as Shell;
  }
  let backends: Backend[];
  if (opts.backend === "all") backends = [...BACKENDS];
  // --shell alone asks for Windows rules: PowerShell's cmdlet, or netsh for cmd.exe.
  else if (!opts.backend && shell) backends = [shell === "cmd" ? "netsh" : "powershell"];
  else if (opts.backend) {
    if (!BACKENDS.includes(opts.backend as Backend))
      throw new UsageError(`--backend must be one of ${BACKENDS.join(", ")}, all`);
    backends = [opts.backend as Backend];
  } else if (process.platform === "linux") {
    const d = detectBackend();
    backends = d ? [d] : ["nftables"];
  } else if (process.platform === "darwin") backends = ["pf"];
  else if (process.platform === "win32") backends = ["powershell"];
  else backends = [...BACKENDS];

  if (shell && opts.backend !== "all") {
    const b = backends[0]!;
    if (!BACKEND_SHELLS[b].includes(shell))
      throw new UsageError(
        BACKEND_SHELLS[b].includes("sh")
          ? `--shell is for Windows rules (netsh, powershell); ${b} rules are for a POSIX shell`
          : `--shell ${shell} does not fit --backend ${b} (New-NetFirewallRule is a PowerShell cmdlet; use --backend netsh for cmd.exe)`,
      );
  }
  // The lines around the rule sets are comments in their shell when they all share one.
  const shells = new Set(
    backends.map((b) => (shell && BACKEND_SHELLS[b].includes(shell) ? shell : BACKEND_SHELLS[b][0]!)),
  );
  const comment = (text: string) => commentLines(shells.size === 1 ? [...shells][0]! : "sh", text).join("\n");
  const sets = backends.map((b) =>
    buildRules(b, { ports, allow }, shell && BACKEND_SHELLS[b].includes(shell) ? shell : undefined),
  );
  if (opts.json) {
    out(
      `${JSON.stringify({ schema: "clawpatrol.firewall/1", ports, allow: allow.map((c) => c.text), rules: sets }, null, 2)}\n`,
    );
  } else {
    out(
      `${comment(`block TCP ${ports.join(", ")} from everything but loopback${allow.length ? ` and ${allow.map((c) => c.text).join(", ")}` : ""}`)}\n`,
    );
    for (const rs of sets) out(renderRules(rs, opts.remove ? "remove" : "apply"));
  }
  if (!opts.apply && !opts.remove) {
    if (!opts.json)
      out(
        `${comment("preview only; --apply runs these rules (Linux, as root); --remove takes them out again.")}\n`,
      );
    return EXIT.ok;
  }
  if (process.platform !== "linux")
    throw new RunError("--apply/--remove only run on Linux; run the commands above yourself");
  if (sets.length !== 1 || !["nftables", "iptables", "ufw", "firewalld"].includes(sets[0]!.backend)) {
    throw new RunError("--apply needs one Linux backend (nftables, iptables, ufw or firewalld)");
  }
  const res = runRuleSet(sets[0]!, opts.remove ? "remove" : "apply");
  for (const s of res.steps)
    if (s.status !== 0) out(`# exit ${s.status}: ${s.cmd}${s.stderr ? ` — ${s.stderr}` : ""}\n`);
  if (!res.ok)
    throw new RunError(`${sets[0]!.backend} rules failed at: ${res.steps[res.steps.length - 1]!.cmd}`);
  out(`# ${opts.remove ? "removed" : "applied"} ${sets[0]!.backend} rules\n`);
  return EXIT.ok;
}

export function registerFirewall(program: Command): void {
  const command = program
    .command("firewall")
    .description(
      "Firewall rules that keep the gateway ports on loopback (ufw, nftables, iptables, firewalld, pf, Windows)",
    )
    .option("--backend <name>", `one of ${BACKENDS.join(", ")}, or all (default: detected)`)
    .option("--allow <cidr>", "also allow this address or CIDR (repeatable, comma-separated)", collect)
    .option(
      "--port <port>",
      "port to protect (repeatable; default: the gateways' ports and side ports)",
      collect,
    )
    .option("--state-dir <dir>", "take ports from this state directory only")
    .option("--config <file>", "take ports from this config only")
    .option("--apply", "run the rules now (Linux, root)")
    .option("--remove", "remove rules clawpatrol added")
    .option(
      "--shell <shell>",
      "Windows rules for powershell (New-NetFirewallRule, the default) or cmd (netsh, quoted for cmd.exe)",
    )
    .action(async (opts: FirewallCliOptions & OutputFlags) => {
      const out = openCommandOutput(opts, FIREWALL_OUTPUT);
      process.exitCode = await firewallAction({ ...opts, json: out.format === "json" }, (s) => out.write(s));
      out.close();
    });
  addOutputOptions(command, FIREWALL_OUTPUT);
}

/** The rules as shell commands (text) or as the clawpatrol.firewall/1 document (json). */
const FIREWALL_OUTPUT: OutputSpec = {
  formats: ["text", "json"],
  meaning: { text: "commands with comments for their shell", json: "the clawpatrol.firewall/1 rule sets" },
};
