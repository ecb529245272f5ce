import { describe, expect, it } from "vitest";
import { firewallAction } from "../../src/cli/firewall.ts";
import { UsageError } from "../../src/core/errors.ts";
import {
  BACKENDS,
  buildRules,
  complementRanges,
  formatAddr,
  nftScript,
  parseCidr,
  renderRules,
} from "../../src/firewall/rules.ts";

const spec = (allow: string[] = []) => ({ ports: [18789, 18791], allow: allow.map((a) => parseCidr(a)!) });

describe("CIDR handling", () => {
  it("parses and normalises IPv4/IPv6 addresses and prefixes", () => {
    expect(parseCidr("10.1.2.3/8")?.text).toBe("10.0.0.0/8");
    expect(parseCidr("192.0.2.7")?.text).toBe("192.0.2.7/32");
    expect(parseCidr("2001:db8::1/32")?.text).toBe("2001:db8::/32");
    expect(parseCidr("::ffff:1.2.3.4")?.text).toBe("::ffff:102:304/128");
    for (const bad of ["300.1.1.1", "1.2.3.4/33", "fe80::1::2", "host.example", "1.2.3.4/8/1", ""])
      expect(parseCidr(bad)).toBeNull();
    expect(formatAddr(0n, 6)).toBe("::");
  });
  it("computes the complement of an allow-list", () => {
    const r = complementRanges([parseCidr("10.0.0.0/8")!, parseCidr("10.1.0.0/16")!], 4).map(
      ([a, b]) => `${formatAddr(a, 4)}-${formatAddr(b, 4)}`,
    );
    expect(r).toEqual(["0.0.0.0-9.255.255.255", "11.0.0.0-255.255.255.255"]);
    expect(complementRanges([parseCidr("0.0.0.0/0")!], 4)).toEqual([]);
    expect(complementRanges([], 6)).toHaveLength(1);
  });
});

describe("rule generation", () => {
  it("nftables: own table, loopback accepted, allow-list, drop on the ports", () => {
    const s = nftScript(spec(["198.18.1.2/32", "2001:db8::/32"]));
    expect(s).toContain("table inet clawpatrol {");
    expect(s).toContain('iifname "lo" accept');
    expect(s).toContain("tcp dport { 18789, 18791 } ip saddr { 198.18.1.2/32 } accept");
    expect(s).toContain("tcp dport { 18789, 18791 } ip6 saddr { 2001:db8::/32 } accept");
    expect(
      s
        .trim()
        .split("\n")
        .filter((l) => l.includes("drop")),
    ).toHaveLength(1);
    expect(nftScript(spec())).not.toContain("saddr");
  });
  it("iptables: a chain for v4 and v6, loopback and allow-list RETURN, DROP, idempotent jump", () => {
    const rs = buildRules("iptables", spec(["192.0.2.0/24"]));
    const lines = rs.apply.map((c) => c.argv.join(" "));
    expect(lines).toContain("iptables -w -A CLAWPATROL -i lo -j RETURN");
    expect(lines).toContain("iptables -w -A CLAWPATROL -s 192.0.2.0/24 -j RETURN");
    expect(lines).toContain("ip6tables -w -A CLAWPATROL -j DROP");
    expect(lines.filter((l) => l.includes("-D INPUT"))).toHaveLength(2);
    expect(rs.remove.map((c) => c.argv.join(" "))).toContain("iptables -w -X CLAWPATROL");
  });
  it("ufw, firewalld, pf and Windows", () => {
    const ufw = buildRules("ufw", spec(["192.0.2.0/24"])).apply.map((c) => c.argv.join(" "));
    expect(ufw[0]).toBe("ufw prepend deny proto tcp from any to any port 18789 comment clawpatrol");
    expect(ufw.at(-1)).toContain("allow proto tcp from 192.0.2.0/24");
    const fwd = buildRules("firewalld", spec(["192.0.2.0/24"])).apply.map((c) => c.argv.join(" "));
    expect(
      fwd.some((l) =>
        l.includes('family="ipv4" source address="192.0.2.0/24" port port="18789" protocol="tcp" accept'),
      ),
    ).toBe(true);
    expect(fwd.at(-1)).toBe("firewall-cmd --reload");
    const pf = buildRules("pf", spec(["192.0.2.0/24"]));
    expect(pf.file?.content).toContain("pass in quick on lo0 proto tcp to any port { 18789 18791 }");
    expect(pf.file?.content).toContain("block drop in quick proto tcp to any port { 18789 18791 }");
    const netsh = buildRules("netsh", spec(["192.0.2.0/24"])).apply[0]!.argv.join(" ");
    expect(netsh).toContain(
      "remoteip=0.0.0.0-192.0.1.255,192.0.3.0-255.255.255.255,::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    );
    expect(buildRules("netsh", spec()).apply[0]!.argv.join(" ")).toContain("remoteip=any");
    expect(buildRules("powershell", spec()).apply[0]!.argv.join(" ")).toContain("-RemoteAddress Any");
    for (const b of BACKENDS) expect(renderRules(buildRules(b, spec())).length).toBeGreaterThan(20);
  });
  it("CLI: preview for every backend; bad input is a usage error", async () => {
    let out = "";
    expect(
      await firewallAction({ backend: "all", port: ["18789"], allow: ["192.0.2.0/24"] }, (s) => (out += s)),
    ).toBe(0);
    for (const b of BACKENDS) expect(out).toMatch(new RegExp(`^(#|REM) ${b}: `, "m"));
    expect(out).toContain("preview only");
    await expect(firewallAction({ allow: ["not-an-ip"], port: ["1"] }, () => {})).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(firewallAction({ backend: "ipfw", port: ["1"] }, () => {})).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(firewallAction({ port: ["70000"] }, () => {})).rejects.toBeInstanceOf(UsageError);
  });
});
