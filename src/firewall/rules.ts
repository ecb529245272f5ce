// Firewall rules that close the gateway port and its side ports to everything except
// loopback and an allow-list, for ufw, nftables, iptables/ip6tables, firewalld, macOS pf
// and Windows (netsh and PowerShell). Rules are generated as data (argv lists or a file)
// so they can be previewed, applied, removed and tested the same way; each rule set names
// the shell its printed form is for, and is quoted for that shell (quote.ts).
import { commentLines, quoteFor, SHELL_LABEL, type Shell } from "./quote.ts";

export type { Shell } from "./quote.ts";

export type Backend = "nftables" | "iptables" | "ufw" | "firewalld" | "pf" | "netsh" | "powershell";
export const BACKENDS: Backend[] = ["nftables", "iptables", "ufw", "firewalld", "pf", "netsh", "powershell"];

export interface Cidr {
  family: 4 | 6;
  /** Network address as a bigint (v4 in the low 32 bits). */
  base: bigint;
  prefix: number;
  text: string;
}

function parseV4(s: string): bigint | null {
  const p = s.split(".");
  if (p.length !== 4 || !p.every((x) => /^\d{1,3}$/.test(x) && Number(x) <= 255)) return null;
  return p.reduce((acc, x) => (acc << 8n) | BigInt(Number(x)), 0n);
}

function parseV6(s: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.split("::").length > 2) return null;
  let tail4: bigint | null = null;
  let text = s;
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    tail4 = parseV4(s.slice(lastColon + 1));
    if (tail4 === null) return null;
    text = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = text.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const r = rest !== undefined && rest !== "" ? rest.split(":") : [];
  const missing = 8 - h.length - r.length;
  if ((rest === undefined && missing !== 0) || missing < 0) return null;
  const groups = [...h, ...Array(rest === undefined ? 0 : missing).fill("0"), ...r];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  let v = groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
  if (tail4 !== null) v = (v & ~0xffffffffn) | tail4;
  return v;
}

export function parseCidr(text: string): Cidr | null {
  const [addr, pfx, extra] = text.trim().split("/");
  if (!addr || extra !== undefined) return null;
  const v4 = parseV4(addr);
  const family: 4 | 6 = v4 !== null ? 4 : 6;
  const value = v4 ?? parseV6(addr);
  if (value === null) return null;
  const bits = family === 4 ? 32 : 128;
  const prefix = pfx === undefined ? bits : /^\d{1,3}$/.test(pfx) ? Number(pfx) : -1;
  if (prefix < 0 || prefix > bits) return null;
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  const base = value & mask;
  return { family, base, prefix, text: `${formatAddr(base, family)}/${prefix}` };
}

export function formatAddr(v: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join(".");
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  // canonical compression of the longest zero run (length ≥ 2)
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(":");
  return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}

/** Address ranges not covered by the allow-list (for firewalls whose block rules beat allows). */
export function complementRanges(allow: Cidr[], family: 4 | 6): [bigint, bigint][] {
  const bits = family === 4 ? 32 : 128;
  const max = (1n << BigInt(bits)) - 1n;
  const spans = allow
    .filter((c) => c.family === family)
    .map((c) => [c.base, c.base + (1n << BigInt(bits - c.prefix)) - 1n] as [bigint, bigint])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  let next = 0n;
  for (const [lo, hi] of spans) {
    if (lo > next) out.push([next, lo - 1n]);
    if (hi + 1n > next) next = hi + 1n;
  }
  if (next <= max) out.push([next, max]);
  return out;
}

export interface FirewallSpec {
  ports: number[];
  allow: Cidr[];
}

export interface RuleCommand {
  argv: string[];
  /** May fail harmlessly (e.g. "already exists"). */
  optional?: boolean;
  stdin?: string;
  /** The command as PowerShell source, for cmdlets (argv then runs it with powershell.exe). */
  script?: string;
}

export interface RuleSet {
  backend: Backend;
  /** The shell the printed commands are written for. */
  shell: Shell;
  /** Commands to run in order. */
  apply: RuleCommand[];
  remove: RuleCommand[];
  /** A file to install (pf anchor, nft script), shown in the preview. */
  file?: { path: string; content: string };
  notes: string[];
}

const TAG = "clawpatrol";

function chunks<T>(list: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
  return out;
}

export function nftScript(spec: FirewallSpec): string {
  const ports = spec.ports.join(", ");
  const v4 = spec.allow.filter((c) => c.family === 4).map((c) => c.text);
  const v6 = spec.allow.filter((c) => c.family === 6).map((c) => c.text);
  const lines = [
    "# clawpatrol: keep the OpenClaw gateway ports on loopback (and the allow-list)",
    `table inet ${TAG}`,
    `delete table inet ${TAG}`,
    `table inet ${TAG} {`,
    "  chain input {",
    "    type filter hook input priority -10; policy accept;",
    `    iifname "lo" accept`,
  ];
  if (v4.length) lines.push(`    tcp dport { ${ports} } ip saddr { ${v4.join(", ")} } accept`);
  if (v6.length) lines.push(`    tcp dport { ${ports} } ip6 saddr { ${v6.join(", ")} } accept`);
  lines.push(`    tcp dport { ${ports} } counter drop`, "  }", "}");
  return `${lines.join("\n")}\n`;
}

/** A PowerShell cmdlet call: the script, and the argv that runs it outside PowerShell. */
function powershellCommand(words: string[]): RuleCommand {
  const script = words.join(" ");
  return { argv: ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command", script], script };
}

/** The shells each backend's rules can be printed for; the first is the default. */
export const BACKEND_SHELLS: Record<Backend, Shell[]> = {
  nftables: ["sh"],
  iptables: ["sh"],
  ufw: ["sh"],
  firewalld: ["sh"],
  pf: ["sh"],
  netsh: ["cmd", "powershell"],
  powershell: ["powershell"],
};

export function buildRules(backend: Backend, spec: FirewallSpec, shell?: Shell): RuleSet {
  const shells = BACKEND_SHELLS[backend];
  if (shell !== undefined && !shells.includes(shell))
    throw new Error(`${backend} rules are written for ${shells.join(" or ")}, not ${shell}`);
  return { ...buildFor(backend, spec), shell: shell ?? shells[0]! };
}

function buildFor(backend: Backend, spec: FirewallSpec): Omit<RuleSet, "shell"> {
  const ports = spec.ports;
  const v4 = spec.allow.filter((c) => c.family === 4);
  const v6 = spec.allow.filter((c) => c.family === 6);
  switch (backend) {
    case "nftables": {
      const content = nftScript(spec);
      return {
        backend,
        apply: [{ argv: ["nft", "-f", "-"], stdin: content }],
        remove: [{ argv: ["nft", "delete", "table", "inet", TAG], optional: true }],
        file: { path: "/etc/nftables.d/clawpatrol.nft", content },
        notes: [
          "To keep the rules across reboots, save the script (e.g. /etc/nftables.d/clawpatrol.nft) and include it from /etc/nftables.conf.",
        ],
      };
    }
    case "iptables": {
      const apply: RuleSet["apply"] = [];
      const remove: RuleSet["remove"] = [];
      for (const [bin, allow] of [
        ["iptables", v4],
        ["ip6tables", v6],
      ] as const) {
        const chain = "CLAWPATROL";
        apply.push({ argv: [bin, "-w", "-N", chain], optional: true }, { argv: [bin, "-w", "-F", chain] });
        apply.push({ argv: [bin, "-w", "-A", chain, "-i", "lo", "-j", "RETURN"] });
        for (const c of allow) apply.push({ argv: [bin, "-w", "-A", chain, "-s", c.text, "-j", "RETURN"] });
        apply.push({ argv: [bin, "-w", "-A", chain, "-j", "DROP"] });
        for (const group of chunks(ports, 15)) {
          const jump = [
            "-p",
            "tcp",
            "-m",
            "multiport",
            "--dports",
            group.join(","),
            "-m",
            "comment",
            "--comment",
            TAG,
            "-j",
            chain,
          ];
          // remove an old jump first so re-applying does not stack them
          apply.push({ argv: [bin, "-w", "-D", "INPUT", ...jump], optional: true });
          apply.push({ argv: [bin, "-w", "-I", "INPUT", "1", ...jump] });
          remove.push({ argv: [bin, "-w", "-D", "INPUT", ...jump], optional: true });
        }
        remove.push(
          { argv: [bin, "-w", "-F", chain], optional: true },
          { argv: [bin, "-w", "-X", chain], optional: true },
        );
      }
      return {
        backend,
        apply,
        remove,
        notes: [
          "Persist with iptables-save > /etc/iptables/rules.v4 (and ip6tables-save > rules.v6), e.g. via the iptables-persistent package.",
        ],
      };
    }
    case "ufw": {
      const apply: RuleSet["apply"] = [];
      const remove: RuleSet["remove"] = [];
      for (const p of ports) {
        apply.push({
          argv: [
            "ufw",
            "prepend",
            "deny",
            "proto",
            "tcp",
            "from",
            "any",
            "to",
            "any",
            "port",
            String(p),
            "comment",
            TAG,
          ],
        });
        remove.push({
          argv: ["ufw", "delete", "deny", "proto", "tcp", "from", "any", "to", "any", "port", String(p)],
          optional: true,
        });
      }
      // prepended after the denies, so they end up above them
      for (const c of spec.allow) {
        for (const p of ports) {
          apply.push({
            argv: [
              "ufw",
              "prepend",
              "allow",
              "proto",
              "tcp",
              "from",
              c.text,
              "to",
              "any",
              "port",
              String(p),
              "comment",
              TAG,
            ],
          });
          remove.push({
            argv: ["ufw", "delete", "allow", "proto", "tcp", "from", c.text, "to", "any", "port", String(p)],
            optional: true,
          });
        }
      }
      return {
        backend,
        apply,
        remove,
        notes: [
          "ufw always accepts loopback before user rules.",
          "Ports published by Docker bypass ufw: publish them on 127.0.0.1 instead.",
        ],
      };
    }
    case "firewalld": {
      const rules: string[] = [];
      for (const c of spec.allow) {
        for (const p of ports)
          rules.push(
            `rule priority="-100" family="ipv${c.family}" source address="${c.text}" port port="${p}" protocol="tcp" accept`,
          );
      }
      for (const p of ports) rules.push(`rule priority="-90" port port="${p}" protocol="tcp" drop`);
      return {
        backend,
        apply: [
          ...rules.map((r) => ({ argv: ["firewall-cmd", "--permanent", `--add-rich-rule=${r}`] })),
          { argv: ["firewall-cmd", "--reload"] },
        ],
        remove: [
          ...rules.map((r) => ({
            argv: ["firewall-cmd", "--permanent", `--remove-rich-rule=${r}`],
            optional: true,
          })),
          { argv: ["firewall-cmd", "--reload"] },
        ],
        notes: [
          "firewalld trusts the loopback interface before any zone rule; rich-rule priorities need firewalld ≥ 0.9.",
        ],
      };
    }
    case "pf": {
      const anchor = "com.clawpatrol";
      const path = `/etc/pf.anchors/${anchor}`;
      const lines = [
        "# clawpatrol: keep the OpenClaw gateway ports on loopback (and the allow-list)",
        `table <clawpatrol_allow> const { ${spec.allow.map((c) => c.text).join(", ")} }`,
        `pass in quick on lo0 proto tcp to any port { ${ports.join(" ")} }`,
        ...(spec.allow.length
          ? [`pass in quick proto tcp from <clawpatrol_allow> to any port { ${ports.join(" ")} }`]
          : []),
        `block drop in quick proto tcp to any port { ${ports.join(" ")} }`,
      ];
      if (!spec.allow.length) lines.splice(1, 1);
      const content = `${lines.join("\n")}\n`;
      return {
        backend,
        apply: [
          { argv: ["sudo", "tee", path], stdin: content },
          { argv: ["sudo", "pfctl", "-a", anchor, "-f", path] },
          { argv: ["sudo", "pfctl", "-E"] },
        ],
        remove: [
          { argv: ["sudo", "pfctl", "-a", anchor, "-F", "rules"] },
          { argv: ["sudo", "rm", "-f", path] },
        ],
        file: { path, content },
        notes: [
          `Make it permanent: add these two lines to /etc/pf.conf, then run sudo pfctl -f /etc/pf.conf:\n    anchor "${anchor}"\n    load anchor "${anchor}" from "${path}"`,
        ],
      };
    }
    case "netsh":
    case "powershell": {
      const remote = [
        ...complementRanges(spec.allow, 4).map(([a, b]) =>
          a === b ? formatAddr(a, 4) : `${formatAddr(a, 4)}-${formatAddr(b, 4)}`,
        ),
        ...complementRanges(spec.allow, 6).map(([a, b]) =>
          a === b ? formatAddr(a, 6) : `${formatAddr(a, 6)}-${formatAddr(b, 6)}`,
        ),
      ];
      const name = `clawpatrol block TCP ${ports.join(",")}`;
      const remoteText = spec.allow.length ? remote.join(",") : "any";
      const notes = [
        "Windows Firewall does not filter loopback traffic, so local clients keep working.",
        "Block rules win over allow rules in Windows Firewall, so the allow-list is expressed as the addresses to block.",
      ];
      if (backend === "netsh") {
        return {
          backend,
          apply: [
            {
              argv: [
                "netsh",
                "advfirewall",
                "firewall",
                "add",
                "rule",
                `name=${name}`,
                "dir=in",
                "action=block",
                "protocol=TCP",
                `localport=${ports.join(",")}`,
                `remoteip=${remoteText}`,
              ],
            },
          ],
          remove: [{ argv: ["netsh", "advfirewall", "firewall", "delete", "rule", `name=${name}`] }],
          notes,
        };
      }
      const q = quoteFor("powershell");
      // Lists are PowerShell arrays: quoted items joined by commas.
      const list = (items: string[]) => items.map(q).join(",");
      return {
        backend,
        apply: [
          powershellCommand([
            "New-NetFirewallRule",
            "-DisplayName",
            q(name),
            "-Direction",
            "Inbound",
            "-Action",
            "Block",
            "-Protocol",
            "TCP",
            "-LocalPort",
            list(ports.map(String)),
            "-RemoteAddress",
            spec.allow.length ? list(remote) : "Any",
          ]),
        ],
        remove: [powershellCommand(["Remove-NetFirewallRule", "-DisplayName", q(name)])],
        notes,
      };
    }
  }
}

/** The rule set as text for its shell: a comment saying which shell, then the commands. */
export function renderRules(rs: RuleSet, what: "apply" | "remove" = "apply"): string {
  const quote = quoteFor(rs.shell);
  const comment = (text: string) => commentLines(rs.shell, text);
  const out: string[] = comment(`${rs.backend}: ${SHELL_LABEL[rs.shell]}`);
  if (rs.file && what === "apply") {
    out.push(...comment(`${rs.file.path}:`));
    for (const l of rs.file.content.trimEnd().split("\n")) out.push(...comment(`  ${l}`));
  }
  const commands = what === "apply" ? rs.apply : rs.remove;
  // Delayed expansion would make ! special in a batch file; our quoting assumes it off.
  if (rs.shell === "cmd" && commands.some((c) => c.argv.some((a) => a.includes("!"))))
    out.push("setlocal DisableDelayedExpansion");
  for (const c of commands) {
    if (c.stdin !== undefined && rs.shell !== "sh")
      throw new Error(`${rs.backend}: a command with standard input is only written for sh`);
    if (c.stdin !== undefined && rs.backend === "nftables") out.push(`nft -f - <<'EOF'\n${c.stdin}EOF`);
    else if (c.stdin !== undefined) out.push(`${c.argv.map(quote).join(" ")} <<'EOF'\n${c.stdin}EOF`);
    else {
      const line = rs.shell === "powershell" && c.script ? c.script : c.argv.map(quote).join(" ");
      if (c.optional && rs.shell === "cmd") out.push(...comment("the next command may fail harmlessly"));
      out.push(`${line}${c.optional && rs.shell !== "cmd" ? "   # may fail harmlessly" : ""}`);
    }
  }
  for (const n of rs.notes) out.push(...comment(`note: ${n}`));
  return `${out.join("\n")}\n`;
}
