// The registry of commands: one entry per command. Adding a command is one new file
// under src/cli/ plus one entry here. Each command's module is imported only when that
// command runs (or help for it is asked), so `clawpatrol scan` never pays for the skill
// scanner's parsers, and a broken module cannot take the other commands down with it.
import type { RegisterCommand } from "./command-types.ts";

export interface CommandEntry {
  name: string;
  /** One line for the top-level help; the command's own module has the full definition. */
  summary: string;
  load: () => Promise<RegisterCommand>;
  /**
   * The command has finished all its work when its action returns (nothing left running in
   * the background), so the process may exit at once instead of first tearing down its heap:
   * about 10 ms after a large scan.
   */
  exitsWhenDone?: boolean;
}

export const COMMANDS: CommandEntry[] = [
  {
    name: "scan",
    summary:
      "discover OpenClaw / Moltbot / Clawdbot gateways and fingerprint product, version and auth state",
    load: async () => (await import("./scan.ts")).registerScan,
    exitsWhenDone: true,
  },
  {
    name: "audit",
    summary:
      "audit this host's OpenClaw/Clawdbot/Moltbot installs: exposure, auth, secrets, signs of compromise",
    load: async () => (await import("./audit.ts")).registerAudit,
  },
  {
    name: "fix",
    summary:
      "preview (default) or apply safe repairs: loopback bind, strong token, dangerous flags off, mDNS off, file modes",
    load: async () => (await import("./fix.ts")).registerFix,
  },
  {
    name: "firewall",
    summary:
      "firewall rules that keep the gateway ports on loopback (ufw, nftables, iptables, firewalld, pf, Windows)",
    load: async () => (await import("./firewall.ts")).registerFirewall,
  },
  {
    name: "discover",
    summary:
      "find OpenClaw / Clawdbot / Moltbot gateways announcing themselves over mDNS on the local network",
    load: async () => (await import("./discover.ts")).registerDiscover,
  },
  {
    name: "skills",
    summary: "scan skills and plugins for malware and prompt-injection lures",
    load: async () => (await import("./skills.ts")).registerSkills,
  },
  {
    name: "advisories",
    summary: "list, show and match OpenClaw/Clawdbot/Moltbot security advisories; import OSV updates",
    load: async () => (await import("./advisories.ts")).registerAdvisories,
  },
  {
    name: "import",
    summary: "load NDJSON scan records produced elsewhere into the store (idempotent)",
    load: async () => (await import("./import.ts")).registerImport,
  },
  {
    name: "inventory",
    summary: "list stored assets: filter by network, product, version, auth, advisory, first/last seen",
    load: async () => (await import("./inventory.ts")).registerInventory,
  },
  {
    name: "runs",
    summary: "list the runs in the store: id, started, finished, kind, scope, endpoints, gateways found",
    load: async () => (await import("./runs.ts")).registerRuns,
  },
  {
    name: "export",
    summary: "export the store as NDJSON, OCSF, CEF, SARIF 2.1.0 or a STIX 2.1 bundle",
    load: async () => (await import("./export.ts")).registerExport,
  },
  {
    name: "serve",
    summary: "the dashboard and JSON API: overview, trends, breakdowns, searchable assets, /metrics",
    load: async () => (await import("./serve.ts")).registerServe,
  },
  {
    name: "monitor",
    summary: "scheduled scans of saved profiles; alerts on new, closed, re-opened and changed gateways",
    load: async () => (await import("./monitor.ts")).registerMonitor,
  },
  {
    name: "campaign",
    summary: "distributed scans on DATABASE_URL's PostgreSQL: create, status, list, pause, resume, cancel",
    load: async () => (await import("./campaign.ts")).registerCampaign,
  },
  {
    name: "worker",
    summary: "take shards of campaigns and scan them (any number of workers, on any machines)",
    load: async () => (await import("./worker.ts")).registerWorker,
  },
  {
    name: "optout",
    summary: "the standing opt-out list every campaign honours: add, list, remove",
    load: async () => (await import("./optout.ts")).registerOptout,
  },
  {
    name: "policy",
    summary:
      "the organisation's agentic-AI policy as code: init a policy and usage policy, check results against it",
    load: async () => (await import("./policy.ts")).registerPolicy,
  },
  {
    name: "fleet",
    summary: "hosts that report their audits to serve: create and revoke host tokens, list hosts",
    load: async () => (await import("./fleet.ts")).registerFleet,
  },
  {
    name: "update",
    summary: "update advisories, the release table and IOC lists from the clawpatrol-data package; roll back",
    load: async () => (await import("./update.ts")).registerUpdate,
  },
  {
    name: "completion",
    summary: "print a shell completion script for bash, zsh or fish",
    load: async () => (await import("./completion.ts")).registerCompletion,
  },
];
