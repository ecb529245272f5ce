// Detecting the Linux firewall in charge and running a rule set. Tests pass a command
// prefix (`ip netns exec <ns>`) so rules only ever land in a namespace they created.
import { spawnSync } from "node:child_process";
import type { Backend, RuleSet } from "./rules.ts";

export type Runner = (argv: string[], stdin?: string) => { status: number; stdout: string; stderr: string };

export function localRunner(prefix: string[] = []): Runner {
  return (argv, stdin) => {
    const full = [...prefix, ...argv];
    const r = spawnSync(full[0]!, full.slice(1), { input: stdin ?? "", encoding: "utf8", timeout: 30_000 });
    return {
      status: r.status ?? (r.error ? 127 : 1),
      stdout: r.stdout ?? "",
      stderr: r.stderr ?? (r.error ? r.error.message : ""),
    };
  };
}

/** Which backend to use on this Linux host: an active ufw or firewalld wins, then nft, then iptables. */
export function detectBackend(run: Runner = localRunner()): Backend | null {
  const ufw = run(["ufw", "status"]);
  if (ufw.status === 0 && /Status:\s*active/i.test(ufw.stdout)) return "ufw";
  const fwd = run(["firewall-cmd", "--state"]);
  if (fwd.status === 0 && /running/.test(fwd.stdout)) return "firewalld";
  if (run(["nft", "--version"]).status === 0) return "nftables";
  if (run(["iptables", "--version"]).status === 0) return "iptables";
  return null;
}

export interface RunResult {
  ok: boolean;
  steps: { cmd: string; status: number; stderr: string }[];
}

export function runRuleSet(rs: RuleSet, what: "apply" | "remove", run: Runner = localRunner()): RunResult {
  const steps: RunResult["steps"] = [];
  const list = what === "apply" ? rs.apply : rs.remove;
  for (const c of list) {
    const r = run(c.argv, "stdin" in c ? (c as { stdin?: string }).stdin : undefined);
    steps.push({ cmd: c.argv.join(" "), status: r.status, stderr: r.stderr.trim().slice(0, 500) });
    if (r.status !== 0 && !c.optional) return { ok: false, steps };
  }
  return { ok: true, steps };
}
