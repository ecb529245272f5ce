// Host classes (paste sites, capture endpoints, tunnels, shorteners, chat webhooks, known
// installers) and IOC lists, both data in data/skills/. IOCs can be extended from a file.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { dataPath } from "../core/data-dir.ts";

export type HostClass = "paste" | "fileshare" | "capture" | "tunnel" | "shortener" | "chat" | "installers";

export const IndicatorFile = z.object({
  paste: z.array(z.string()),
  fileshare: z.array(z.string()),
  capture: z.array(z.string()),
  tunnel: z.array(z.string()),
  shortener: z.array(z.string()),
  chat: z.array(z.string()),
  installers: z.array(z.string()),
});

export const IocEntry = z.object({
  type: z.enum(["ip", "domain", "url", "sha256", "publisher", "skill"]),
  value: z.string().min(1),
  source: z.string().min(1),
  campaign: z.string().optional(),
});
export type IocEntry = z.infer<typeof IocEntry>;
export const IocFile = z.object({ version: z.string().optional(), entries: z.array(IocEntry) });

/** A skills data file, shipped with the package or installed by `clawpatrol update`. */
function dataFile(name: string): string {
  return dataPath("skills", name);
}

let hostLists: Record<HostClass, string[]> | null = null;
export function hostClasses(): Record<HostClass, string[]> {
  if (!hostLists) {
    const parsed = IndicatorFile.parse(JSON.parse(readFileSync(dataFile("indicators.json"), "utf8")));
    hostLists = {
      paste: parsed.paste,
      fileshare: parsed.fileshare,
      capture: parsed.capture,
      tunnel: parsed.tunnel,
      shortener: parsed.shortener,
      chat: parsed.chat,
      installers: parsed.installers,
    };
  }
  return hostLists;
}

export const PopularNamesFile = z.object({ names: z.array(z.string()) });

let popular: string[] | null = null;
/** Skill and product names worth protecting from look-alikes (data/skills/popular-names.json). */
export function popularNames(): string[] {
  popular ??= PopularNamesFile.parse(JSON.parse(readFileSync(dataFile("popular-names.json"), "utf8"))).names;
  return popular;
}

export function builtinIocs(): IocEntry[] {
  return IocFile.parse(JSON.parse(readFileSync(dataFile("iocs.json"), "utf8"))).entries;
}

/** Parse a user IOC file (JSON in the data/skills/iocs.json format, or one `type:value` per line). */
export function parseIocFile(text: string, source: string): IocEntry[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    const parsed = IocFile.safeParse(JSON.parse(trimmed));
    if (!parsed.success)
      throw new Error(`${source}: ${parsed.error.issues[0]?.message ?? "invalid IOC file"}`);
    return parsed.data.entries;
  }
  const out: IocEntry[] = [];
  for (const [i, raw] of trimmed.split(/\r?\n/).entries()) {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) continue;
    const m = /^(ip|domain|url|sha256|publisher|skill):(.+)$/i.exec(line);
    if (!m)
      throw new Error(`${source}:${i + 1}: expected type:value (ip, domain, url, sha256, publisher, skill)`);
    out.push(IocEntry.parse({ type: m[1]!.toLowerCase(), value: m[2]!.trim(), source }));
  }
  return out;
}

export interface IocIndex {
  hosts: Map<string, IocEntry>; // ip or domain, lowercase
  urls: IocEntry[];
  hashes: Map<string, IocEntry>;
  names: Map<string, IocEntry>; // publisher or skill slug, lowercase
  entries: IocEntry[];
}

export function buildIocIndex(entries: IocEntry[]): IocIndex {
  const idx: IocIndex = { hosts: new Map(), urls: [], hashes: new Map(), names: new Map(), entries };
  for (const e of entries) {
    const v = e.value.toLowerCase();
    if (e.type === "ip" || e.type === "domain") idx.hosts.set(v, e);
    else if (e.type === "url") idx.urls.push({ ...e, value: v });
    else if (e.type === "sha256") idx.hashes.set(v, e);
    else idx.names.set(v, e);
  }
  return idx;
}

/** The class of a host (or host+path for chat webhooks), or null. Subdomains inherit. */
export function classifyHost(hostAndPath: string): HostClass | null {
  const lower = hostAndPath.toLowerCase();
  const host = lower.split(/[/:?#]/, 1)[0] ?? "";
  const lists = hostClasses();
  for (const cls of ["capture", "paste", "fileshare", "tunnel", "shortener", "chat", "installers"] as const) {
    for (const entry of lists[cls]) {
      if (entry.includes("/")) {
        if (lower.startsWith(entry) || lower.includes(`.${entry}`)) return cls;
      } else if (host === entry || host.endsWith(`.${entry}`)) return cls;
    }
  }
  return null;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Loopback, private, link-local, CGNAT, documentation and unspecified IPv4 ranges. */
export function isNonPublicIpv4(ip: string): boolean {
  const m = IPV4.exec(ip);
  if (!m) return true;
  const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if ([a, b, c, Number(m[4])].some((x) => x > 255)) return true;
  if (a === 0 || a === 10 || a === 127 || a >= 224) return true;
  if (a === 169 && b === 254) return true;
  if (a === 172 && b >= 16 && b <= 31) return true;
  if (a === 192 && b === 168) return true;
  if (a === 100 && b >= 64 && b <= 127) return true;
  if (a === 192 && b === 0 && (c === 2 || c === 0)) return true;
  if (a === 198 && b === 51 && c === 100) return true;
  if (a === 203 && b === 0 && c === 113) return true;
  if (a === 198 && (b === 18 || b === 19)) return true;
  return false;
}

export function isIpv4(host: string): boolean {
  return IPV4.test(host);
}

export type UrlRisk = "ioc" | "risky" | "insecure" | "installer" | "plain";

export interface UrlJudgement {
  url: string;
  host: string;
  risk: UrlRisk;
  reason: string;
}

const URL_IN_TEXT = /\b(?:https?|ftp):\/\/[^\s"'<>`)\]}|\\]+/i;

/** Judge the first URL in a piece of text (or a bare host after curl/wget). */
export function judgeUrlIn(text: string, iocs: IocIndex): UrlJudgement | null {
  const m = URL_IN_TEXT.exec(text);
  let url: string;
  let scheme = "";
  if (m) {
    url = m[0];
    scheme = url.slice(0, url.indexOf(":")).toLowerCase();
  } else {
    const bare =
      /\b(?:curl|wget|iwr|irm|invoke-webrequest|invoke-restmethod)\b[^\n|]{0,300}?\s([a-z0-9.-]+\.[a-z]{2,}(?:\/[^\s"'|]*)?|\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?(?:\/[^\s"'|]*)?)/i.exec(
        text,
      );
    if (!bare) return null;
    url = bare[1]!;
  }
  const afterScheme = url.replace(/^[a-z]+:\/\//i, "");
  const hostPort = (afterScheme.split(/[/?#]/, 1)[0] ?? "").replace(/^[^@]*@/, "");
  const host = hostPort.replace(/:\d+$/, "").toLowerCase();
  const ioc = iocs.hosts.get(host) ?? iocs.urls.find((u) => url.toLowerCase().startsWith(u.value));
  if (ioc) return { url, host, risk: "ioc", reason: `listed indicator (${ioc.source})` };
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local"))
    return { url, host, risk: "plain", reason: "local host" };
  if (isIpv4(host))
    return isNonPublicIpv4(host)
      ? { url, host, risk: "plain", reason: "private or loopback IP" }
      : { url, host, risk: "risky", reason: "raw public IP address" };
  const cls = classifyHost(afterScheme.replace(/^[^@/]*@/, ""));
  if (cls === "installers") return { url, host, risk: "installer", reason: "well-known vendor installer" };
  if (cls === "chat") return { url, host, risk: "plain", reason: "chat webhook" };
  if (cls) return { url, host, risk: "risky", reason: `${cls} host` };
  if (scheme === "http" || scheme === "ftp")
    return { url, host, risk: "insecure", reason: "plain-text download" };
  return { url, host, risk: "plain", reason: "named HTTPS host" };
}

/** Files an OpenClaw agent reads as its own identity, memory or config: writing them is persistence. */
export const AGENT_FILE_NAMES: readonly string[] = [
  "soul.md",
  "memory.md",
  "agents.md",
  "heartbeat.md",
  "identity.md",
  "bootstrap.md",
  "openclaw.json",
  "clawdbot.json",
  "moltbot.json",
];
