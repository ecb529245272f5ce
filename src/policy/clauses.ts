// The clauses a policy can hold: what each demands in plain words, the clawpatrol rules whose
// findings break it (or the facts it reads), and how one subject is judged against it. The
// Markdown usage policy, `policy check` and the docs all come from this one list.
import { compareVersions, isCalVer } from "../advisories/calver.ts";
import type { Finding } from "../findings/model.ts";
import type { Policy } from "./schema.ts";
import type { OpenFinding, Subject } from "./subjects.ts";

export type ClauseStatus = "pass" | "fail" | "manual";

export interface Judgement {
  status: Exclude<ClauseStatus, "manual">;
  /** Why: the finding, version, source or duration that decided it. */
  evidence: string[];
}

export interface Clause {
  /** Stable id, the policy key it comes from: `gateway.requireAuth`. */
  id: string;
  /** Heading in the usage policy. */
  section: string;
  /** Is it in this policy (and switched on)? */
  enabled(p: Policy): boolean;
  /**
   * What the policy demands, in plain words. `esc` escapes a value taken from the policy file
   * (the Markdown usage policy passes one; plain text needs none).
   */
  words(p: Policy, esc?: (value: string) => string): string;
  /** Rule ids whose open findings break it. */
  rules: readonly string[];
  /** What else clawpatrol reads to check it, in words (empty when only the rules decide). */
  facts?: string;
  /** People confirm it; clawpatrol lists it as manual and never passes or fails it. */
  manual?: boolean;
  /** Which subjects it judges; the default is every subject. */
  subjects?: readonly Subject["kind"][];
  /** Judge one subject; the default: it fails when a finding of one of `rules` is open on it. */
  judge?(s: Subject, p: Policy): Judgement | null;
}

const PRODUCT_NAME: Record<string, string> = {
  openclaw: "OpenClaw",
  clawdbot: "Clawdbot",
  moltbot: "Moltbot",
};

function describe(f: Finding): string {
  const e = f.evidence[0];
  return `${f.ruleId} ${f.title}${e ? `: ${e.detail}` : ""}`;
}

/** Fails on any open finding of `rules` (and `extra`, when given, decides which of them count). */
function byRules(
  rules: readonly string[],
  s: Subject,
  count: (o: OpenFinding) => boolean = () => true,
): Judgement {
  const hits = s.findings.filter((o) => rules.includes(o.finding.ruleId) && count(o));
  return hits.length > 0
    ? { status: "fail", evidence: hits.map((o) => describe(o.finding)) }
    : { status: "pass", evidence: [] };
}

const hours = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 3_600_000;

/** Service level: a finding of `rules` open longer than `limit` hours (first to last seen) breaks it. */
function overdue(rules: readonly string[], limit: number, s: Subject): Judgement {
  const open = s.findings.filter((o) => rules.includes(o.finding.ruleId));
  if (open.length === 0) return { status: "pass", evidence: [] };
  const late = open.filter((o) => hours(o.firstSeen, o.lastSeen) > limit);
  const say = (o: OpenFinding) =>
    `${o.finding.ruleId} open ${hours(o.firstSeen, o.lastSeen).toFixed(1)} h (since ${o.firstSeen}, still seen ${o.lastSeen}; limit ${limit} h)`;
  return late.length > 0
    ? { status: "fail", evidence: late.map(say) }
    : { status: "pass", evidence: open.map(say) };
}

// CP-AUDIT-001 and -004 are raised instead of -029 when a non-loopback gateway also lacks auth or origins.
const EXPOSED_RULES = [
  "CP-SCAN-001",
  "CP-AUDIT-001",
  "CP-AUDIT-004",
  "CP-AUDIT-010",
  "CP-AUDIT-029",
  "CP-AUDIT-100",
  "CP-AUDIT-101",
  "CP-AUDIT-105",
  "CP-AUDIT-106",
];
const NO_AUTH_RULES = ["CP-SCAN-002", "CP-AUDIT-001", "CP-AUDIT-002", "CP-AUDIT-025"];
const REMOTE_LOCAL_RULES = ["CP-SCAN-003", "CP-AUDIT-003", "CP-AUDIT-104"];
/** CP-AUDIT-120 counts only when its advisories include pre-auth ones. */
const PRE_AUTH_RULES = ["CP-SCAN-004", "CP-AUDIT-120"];
const preAuthOnly = (o: OpenFinding) =>
  o.finding.ruleId !== "CP-AUDIT-120" ||
  ((o.finding as { advisoryCounts?: { preAuth?: number } }).advisoryCounts?.preAuth ?? 0) > 0;
const EXEC_RULES = ["CP-AUDIT-041", "CP-AUDIT-044", "CP-AUDIT-047", "CP-AUDIT-051", "CP-AUDIT-052"];
const OPEN_CHAT_RULES = ["CP-AUDIT-042", "CP-AUDIT-043", "CP-AUDIT-045", "CP-AUDIT-053", "CP-AUDIT-057"];
const SECRET_RULES = ["CP-AUDIT-200", "CP-AUDIT-201", "CP-AUDIT-202", "CP-AUDIT-203"];

const list = (xs: readonly string[]) =>
  xs.length <= 1 ? (xs[0] ?? "") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;

export const CLAUSES: readonly Clause[] = [
  {
    id: "platforms.allowed",
    section: "Agent platforms",
    enabled: (p) => p.platforms !== undefined,
    words: (p) =>
      `Only ${list((p.platforms?.allowed ?? []).map((x) => PRODUCT_NAME[x] ?? x))} may be run; any other agent gateway found on the network or on a host breaks this policy.`,
    rules: [],
    facts: "the product each scanned gateway and each audited install runs",
    subjects: ["gateway", "install"],
    judge: (s, p) => {
      if (!s.product) return null;
      const ok = (p.platforms?.allowed as readonly string[] | undefined)?.includes(s.product) ?? true;
      return {
        status: ok ? "pass" : "fail",
        evidence: [`runs ${s.product}${s.version ? ` ${s.version}` : ""}`],
      };
    },
  },
  {
    id: "platforms.minimumVersion",
    section: "Agent platforms",
    enabled: (p) => Object.keys(p.platforms?.minimumVersion ?? {}).length > 0,
    words: (p) =>
      `Every installation runs at least ${list(
        Object.entries(p.platforms?.minimumVersion ?? {}).map(([k, v]) => `${PRODUCT_NAME[k] ?? k} ${v}`),
      )}. A gateway whose version cannot be read counts as too old until someone confirms it.`,
    rules: [],
    facts: "the exact version (or the narrowest range) clawpatrol reads from each gateway and install",
    subjects: ["gateway", "install"],
    judge: (s, p) => {
      const min = s.product
        ? (p.platforms?.minimumVersion as Record<string, string> | undefined)?.[s.product]
        : undefined;
      if (!min) return null;
      if (!s.version || !isCalVer(s.version))
        return {
          status: "fail",
          evidence: [`${s.product} version unknown (${s.version ?? "not read"}); minimum ${min}`],
        };
      const ok = compareVersions(s.version, min) >= 0;
      return { status: ok ? "pass" : "fail", evidence: [`${s.product} ${s.version}; minimum ${min}`] };
    },
  },
  {
    id: "platforms.noPreAuthAdvisories",
    section: "Agent platforms",
    enabled: (p) => p.platforms?.noPreAuthAdvisories === true,
    words: () =>
      "No installation runs a version with a published security advisory that can be exploited without credentials; such a gateway is upgraded to the version clawpatrol names.",
    rules: PRE_AUTH_RULES,
    subjects: ["gateway", "install"],
    judge: (s) => byRules(PRE_AUTH_RULES, s, preAuthOnly),
  },
  {
    id: "gateway.bind",
    section: "Gateways",
    enabled: (p) => p.gateway?.bind === "loopback",
    words: () =>
      "Gateways listen on loopback only. People and services reach them through an SSH tunnel, Tailscale Serve or an authenticating proxy, never directly over the network, and never through Tailscale Funnel.",
    rules: EXPOSED_RULES,
  },
  {
    id: "gateway.requireAuth",
    section: "Gateways",
    enabled: (p) => p.gateway?.requireAuth === true,
    words: () =>
      "Every gateway demands a long random token or a password, on loopback too, for the WebSocket and the HTTP API alike.",
    rules: NO_AUTH_RULES,
  },
  {
    id: "gateway.forbidRemoteLooksLocal",
    section: "Gateways",
    enabled: (p) => p.gateway?.forbidRemoteLooksLocal === true,
    words: () =>
      "No relay, forwarder or reverse proxy on a gateway's host makes remote clients look local; a proxy in front of a gateway is listed in its trusted proxies.",
    rules: REMOTE_LOCAL_RULES,
  },
  {
    id: "skills.allowedSources",
    section: "Skills and plugins",
    enabled: (p) => p.skills?.allowedSources !== undefined,
    words: (p, esc = (v) => v) =>
      `Agents load skills only from these sources: ${list((p.skills?.allowedSources ?? []).map(esc))}. Skills from anywhere else are removed.`,
    rules: [],
    facts: "where `skills scan --installed` found each skill",
    subjects: ["skill"],
    judge: (s, p) => {
      if (s.source === undefined || s.source === null) return null;
      const ok = p.skills?.allowedSources?.includes(s.source) ?? true;
      return { status: ok ? "pass" : "fail", evidence: [`source ${s.source}`] };
    },
  },
  {
    id: "skills.pinned",
    section: "Skills and plugins",
    enabled: (p) => p.skills?.pinned !== undefined,
    words: (p) =>
      `Only ${p.skills?.pinned?.length ?? 0} reviewed skill${p.skills?.pinned?.length === 1 ? "" : "s"}, pinned by content hash, may be installed; a changed skill needs a new review.`,
    rules: [],
    facts: "the sha256 over each skill's files (`skills scan --json`)",
    subjects: ["skill"],
    judge: (s, p) => {
      if (!s.sha256) return null;
      const ok = p.skills?.pinned?.includes(s.sha256) ?? true;
      return {
        status: ok ? "pass" : "fail",
        evidence: [`sha256 ${s.sha256}${ok ? " is pinned" : " is not pinned"}`],
      };
    },
  },
  {
    id: "skills.forbidVerdicts",
    section: "Skills and plugins",
    enabled: (p) => (p.skills?.forbidVerdicts.length ?? 0) > 0,
    words: (p) =>
      `No installed skill or plugin is judged ${list(p.skills?.forbidVerdicts ?? [])} by \`clawpatrol skills scan\`.`,
    rules: ["CP-SKILL-*"],
    facts: "each skill's verdict from the skill scanner's rules",
    subjects: ["skill"],
    judge: (s, p) => {
      if (!s.verdict) return null;
      const bad = (p.skills?.forbidVerdicts as readonly string[] | undefined)?.includes(s.verdict) ?? false;
      const why = s.findings.slice(0, 5).map((o) => describe(o.finding));
      return { status: bad ? "fail" : "pass", evidence: [`verdict ${s.verdict}`, ...(bad ? why : [])] };
    },
  },
  {
    id: "permissions.forbidExecWithoutSandbox",
    section: "Least privilege",
    enabled: (p) => p.permissions?.forbidExecWithoutSandbox === true,
    words: () =>
      "Agents run host commands only with approval and inside a working sandbox that mounts no sensitive host path and shares no host network.",
    rules: EXEC_RULES,
  },
  {
    id: "permissions.forbidOpenChatsWithTools",
    section: "Least privilege",
    enabled: (p) => p.permissions?.forbidOpenChatsWithTools === true,
    words: () =>
      "No agent accepts direct messages or group chats from anyone while it can reach shell, file, elevated, gateway or cron tools.",
    rules: OPEN_CHAT_RULES,
  },
  {
    id: "secrets.forbidPlaintext",
    section: "Secrets",
    enabled: (p) => p.secrets?.forbidPlaintext === true,
    words: () =>
      "No secret is kept in plain text in a config, an include, a backup, an .env or service file, or a credentials store; secrets come from the environment or a secret manager, and a leaked one is rotated at once.",
    rules: SECRET_RULES,
  },
  {
    id: "secrets.redactLogs",
    section: "Secrets",
    enabled: (p) => p.secrets?.redactLogs === true,
    words: () => "Secret redaction in gateway logs stays on.",
    rules: ["CP-AUDIT-038"],
  },
  {
    id: "logging.siem",
    section: "Audit logs",
    enabled: (p) => p.logging?.siem !== undefined,
    words: (p, esc = (v) => v) =>
      `Gateway logs and clawpatrol findings are sent to the SIEM (${esc(p.logging?.siem ?? "")}). clawpatrol exports findings as OCSF, CEF, STIX and SARIF for it; that the logs arrive is confirmed by people.`,
    rules: [],
    manual: true,
  },
  {
    id: "review.beforeProduction",
    section: "Review",
    enabled: (p) => p.review?.beforeProduction === true,
    words: (p, esc = (v) => v) =>
      `An agent gets a security review${p.review?.reviewers?.length ? ` by ${list(p.review.reviewers.map(esc))}` : ""} before it reaches production: its platform version, configuration (\`clawpatrol audit\`), skills (\`clawpatrol skills scan\`) and exposure (\`clawpatrol scan\`). The review is recorded by people.`,
    rules: [],
    manual: true,
  },
  {
    id: "exposure.noAuthHours",
    section: "Service levels",
    enabled: (p) => p.exposure?.noAuthHours !== undefined,
    words: (p) =>
      `A gateway found without authentication is closed or given a token within ${p.exposure?.noAuthHours} hours of being found.`,
    rules: NO_AUTH_RULES,
    facts: "when each finding was first and last seen (several results files, or the store)",
    judge: (s, p) => overdue(NO_AUTH_RULES, p.exposure!.noAuthHours!, s),
  },
  {
    id: "exposure.preAuthAdvisoryHours",
    section: "Service levels",
    enabled: (p) => p.exposure?.preAuthAdvisoryHours !== undefined,
    words: (p) =>
      `A gateway on a version with a pre-auth advisory is upgraded within ${p.exposure?.preAuthAdvisoryHours} hours of being found.`,
    rules: PRE_AUTH_RULES,
    facts: "when each finding was first and last seen (several results files, or the store)",
    subjects: ["gateway", "install"],
    judge: (s, p) =>
      overdue(PRE_AUTH_RULES, p.exposure!.preAuthAdvisoryHours!, {
        ...s,
        findings: s.findings.filter(preAuthOnly),
      }),
  },
];

/** A clause's rules in words for readers: "CP-SCAN-002, CP-AUDIT-001 and CP-AUDIT-025". */
export function rulesInWords(c: Clause): string {
  return list([...c.rules]);
}

/** An exposure service level of the policy: which open findings it times, and the limit. */
export interface ServiceLevel {
  clause: string;
  hours: number;
  rules: readonly string[];
  counts: (o: OpenFinding) => boolean;
}

/** The policy's exposure service levels (what `monitor --policy` watches between checks). */
export function serviceLevels(p: Policy): ServiceLevel[] {
  const out: ServiceLevel[] = [];
  if (p.exposure?.noAuthHours !== undefined)
    out.push({
      clause: "exposure.noAuthHours",
      hours: p.exposure.noAuthHours,
      rules: NO_AUTH_RULES,
      counts: () => true,
    });
  if (p.exposure?.preAuthAdvisoryHours !== undefined)
    out.push({
      clause: "exposure.preAuthAdvisoryHours",
      hours: p.exposure.preAuthAdvisoryHours,
      rules: PRE_AUTH_RULES,
      counts: preAuthOnly,
    });
  return out;
}
