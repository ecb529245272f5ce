// Live: apply the nftables and iptables rules inside a namespace we create, then connect
// from a second namespace (blocked, or allowed when allow-listed) and over loopback (open).
import type { ChildProcess } from "node:child_process";
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { localRunner, runRuleSet } from "../../src/firewall/apply.ts";
import { type Backend, buildRules, parseCidr } from "../../src/firewall/rules.ts";
import { describeLive } from "../support/live.ts";
import {
  canConnect,
  createPair,
  destroyPair,
  listen,
  type NsPair,
  netnsUnavailable,
} from "./support/netns.ts";

function toolsMissing(): string | null {
  const ns = netnsUnavailable();
  if (ns) return ns;
  for (const t of ["nft", "iptables"])
    if (spawnSync(t, ["--version"]).status !== 0)
      return `${t} missing (apt-get install -y nftables iptables)`;
  return null;
}

const PORTS = [18789, 18791];

describeLive("firewall rules in a network namespace", toolsMissing(), () => {
  let pair: NsPair;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    pair = createPair("cpfw", 1);
    for (const p of PORTS) children.push(await listen(pair.gw, "0.0.0.0", p));
  });
  afterAll(() => {
    for (const c of children) c.kill("SIGKILL");
    if (pair) destroyPair(pair);
  });

  for (const backend of ["nftables", "iptables"] as Backend[]) {
    it(`${backend}: blocked from the other namespace, open on loopback, allow-list works, removal restores`, () => {
      const run = localRunner(["ip", "netns", "exec", pair.gw]);
      for (const p of PORTS) expect(canConnect(pair.scan, pair.gwAddr, p)).toBe(true);
      const rs = buildRules(backend, { ports: PORTS, allow: [] });
      const applied = runRuleSet(rs, "apply", run);
      expect(applied.ok, JSON.stringify(applied.steps)).toBe(true);
      // re-applying is idempotent
      expect(runRuleSet(rs, "apply", run).ok).toBe(true);
      for (const p of PORTS) {
        expect(canConnect(pair.scan, pair.gwAddr, p, 1000)).toBe(false);
        expect(canConnect(pair.gw, "127.0.0.1", p)).toBe(true);
      }
      const allowRs = buildRules(backend, { ports: PORTS, allow: [parseCidr(`${pair.scanAddr}/32`)!] });
      expect(runRuleSet(allowRs, "apply", run).ok).toBe(true);
      expect(canConnect(pair.scan, pair.gwAddr, PORTS[0]!)).toBe(true);
      expect(runRuleSet(allowRs, "remove", run).ok).toBe(true);
      for (const p of PORTS) expect(canConnect(pair.scan, pair.gwAddr, p)).toBe(true);
    });
  }
});
