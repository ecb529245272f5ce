// What a skill says about itself vs what it does: SKILL.md front matter (name, always,
// command dispatch, requires.bins/env, install specs), names (typosquats, IOC names,
// folder mismatch), and npm package.json install hooks and dependency specs.
import JSON5 from "json5";
import YAML from "yaml";
import type { FileContext, SkillContext } from "../context.ts";
import { judgeUrlIn, popularNames } from "../indicators.ts";
import { SECRET_ENV } from "./code/patterns.ts";

export interface SkillMeta {
  name?: string;
  description?: string;
  always?: boolean;
  commandDispatch?: string;
  bins: Set<string>;
  env: Set<string>;
  /** Whether the skill declared any `requires` at all. */
  declares: boolean;
  /** The SKILL.md body (to see whether undeclared things are at least documented). */
  body: string;
  file: string;
  /** Line of `name:` in SKILL.md. */
  nameLine: number;
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v)
    ? v.filter((x): x is string => typeof x === "string")
    : typeof v === "string"
      ? [v]
      : [];
}

function lineOfKey(text: string, key: string): number {
  const i = text.search(new RegExp(`(?:^|\\n)[ \\t]*["']?${key.replace(/[-.]/g, "\\$&")}["']?[ \\t]*:`));
  if (i < 0) return 1;
  return text.slice(0, i + 1).split("\n").length + (text[i] === "\n" ? 1 : 0);
}

/** JSON first (fast), then JSON with trailing commas removed, then JSON5. */
function parseJsonish(value: string): unknown {
  if (!/,\s*[}\]]/.test(value))
    try {
      return JSON.parse(value);
    } catch {
      // fall through
    }
  try {
    return JSON.parse(value.replace(/,(\s*[}\]])/g, "$1"));
  } catch {
    // fall through
  }
  try {
    return JSON5.parse(value);
  } catch {
    return undefined;
  }
}

function yamlObject(text: string): Record<string, unknown> {
  const doc = YAML.parse(text, { maxAliasCount: 50, prettyErrors: false, logLevel: "error" });
  return doc && typeof doc === "object" ? (doc as Record<string, unknown>) : {};
}

/**
 * The shape nearly every SKILL.md uses: top-level `key: scalar` lines, and JSON(5) objects
 * (often spread over indented lines) for `metadata`. Parsed directly because a full YAML
 * parse dominates the cost of scanning small skills; anything else returns null and goes
 * to the YAML parser.
 */
function simpleFrontMatter(text: string): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "" || line.startsWith("#")) continue;
    const kv = /^([A-Za-z_][\w-]*):(?:[ \t]+(.*))?$/.exec(line);
    if (!kv) return null;
    let value = (kv[2] ?? "").trim();
    const cont: string[] = [];
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1]!)) cont.push(lines[++i]!);
    if (cont.length > 0) value = `${value}\n${cont.join("\n")}`.trim();
    if (value.startsWith("{") || value.startsWith("[")) {
      const parsed = parseJsonish(value);
      if (parsed === undefined) return null;
      out[kv[1]!] = parsed;
    } else if (cont.length === 0 && /^"(?:[^"\\]|\\.)*"$/.test(value)) {
      try {
        out[kv[1]!] = JSON.parse(value);
      } catch {
        return null;
      }
    } else if (cont.length === 0 && /^'(?:[^']|'')*'$/.test(value))
      out[kv[1]!] = value.slice(1, -1).replace(/''/g, "'");
    else if (cont.length > 0 || /^[|>&*!%@`"']/.test(value) || /:\s|\s#/.test(value)) return null;
    else if (value === "true" || value === "false") out[kv[1]!] = value === "true";
    else if (value === "" || value === "~" || value === "null") out[kv[1]!] = null;
    else out[kv[1]!] = value;
  }
  return out;
}

/** Parse SKILL.md front matter and check it. */
export function analyzeSkillMd(fc: FileContext): SkillMeta {
  const text = fc.text.replace(/^\ufeff/, "");
  const meta: SkillMeta = {
    bins: new Set(),
    env: new Set(),
    declares: false,
    body: text,
    file: fc.file.display,
    nameLine: lineOfKey(text, "name"),
  };
  const m = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!m) {
    fc.skill.add("CP-SKILL-META-007", { display: fc.file.display, line: 1 }, text.slice(0, 80), {
      detail: "No YAML front matter",
    });
    return meta;
  }
  let fm: Record<string, unknown>;
  try {
    fm = simpleFrontMatter(m[1]!) ?? yamlObject(m[1]!);
  } catch (err) {
    // OpenClaw falls back to a line parser (`key: value`, first colon); so do we.
    fm = {};
    for (const line of m[1]!.split(/\r?\n/)) {
      const kv = /^([A-Za-z][\w-]*)[ \t]*:[ \t]*(.*)$/.exec(line);
      if (kv) fm[kv[1]!] = kv[2]!.trim().replace(/^(["'])(.*)\1$/, "$2");
    }
    fc.skill.add("CP-SKILL-META-007", { display: fc.file.display, line: 1 }, m[1]!.slice(0, 200), {
      detail: `Front matter is not valid YAML (read line by line instead): ${String(err).split("\n")[0]}`,
    });
  }
  meta.body = text.slice(m[0].length);
  if (typeof fm.name === "string") meta.name = fm.name;
  if (typeof fm.description === "string") meta.description = fm.description;
  if (typeof fm["command-dispatch"] === "string") meta.commandDispatch = fm["command-dispatch"] as string;
  let md: unknown = fm.metadata;
  if (typeof md === "string") md = parseJsonish(md);
  const mdo = (md && typeof md === "object" ? md : {}) as Record<string, unknown>;
  const oc = (mdo.openclaw ?? mdo.clawdbot ?? mdo.clawdis ?? mdo.moltbot ?? {}) as Record<string, unknown>;
  if (oc && typeof oc === "object") {
    meta.always = oc.always === true || fm.always === true;
    const req = (oc.requires ?? {}) as Record<string, unknown>;
    for (const b of [...asStrings(req.bins), ...asStrings(req.anyBins)]) meta.bins.add(b);
    for (const e of asStrings(req.env)) meta.env.add(e);
    if (typeof oc.primaryEnv === "string") meta.env.add(oc.primaryEnv);
    if (Array.isArray(oc.envVars))
      for (const v of oc.envVars)
        if (v && typeof v === "object" && typeof (v as { name?: unknown }).name === "string")
          meta.env.add((v as { name: string }).name);
    meta.declares = Object.keys(req).length > 0 || meta.env.size > 0;
    if (Array.isArray(oc.install)) {
      for (const spec of oc.install) {
        if (!spec || typeof spec !== "object") continue;
        const s = spec as Record<string, unknown>;
        for (const b of asStrings(s.bins)) meta.bins.add(b);
        if (s.kind === "download" && typeof s.url === "string") {
          const j = judgeUrlIn(s.url, fc.skill.iocs);
          if (j && (j.risk === "risky" || j.risk === "ioc" || j.risk === "insecure"))
            fc.skill.add(
              "CP-SKILL-META-006",
              { display: fc.file.display, line: lineOfKey(m[1]!, "url") + 1 },
              s.url,
              {
                ...(j.risk === "ioc" || j.risk === "risky"
                  ? { severity: "critical" as const }
                  : { confidence: "medium" as const }),
                detail: `install[] download from ${j.url} (${j.reason})`,
              },
            );
        }
      }
    }
  }
  if (meta.always && meta.commandDispatch === "tool")
    fc.skill.add(
      "CP-SKILL-META-003",
      { display: fc.file.display, line: lineOfKey(m[1]!, "command-dispatch") + 1 },
      "always + command-dispatch: tool",
      {},
    );
  return meta;
}

function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const prev = new Array<number>(b.length + 1);
  const cur = new Array<number>(b.length + 1);
  const prev2 = new Array<number>(b.length + 1).fill(0);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0]!;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    for (let j = 0; j <= b.length; j++) {
      prev2[j] = prev[j]!;
      prev[j] = cur[j]!;
    }
  }
  return prev[b.length]!;
}

/** `name` plus a short number (`weather-2`): compiled once per popular name, not per skill. */
const digitTailRes = new Map<string, RegExp>();
function digitTailRe(name: string): RegExp {
  let re = digitTailRes.get(name);
  if (!re) {
    re = new RegExp(`^${name.replace(/[-.]/g, "\\$&")}[-_]?\\d{1,3}$`);
    digitTailRes.set(name, re);
  }
  return re;
}

/** Name checks: IOC names, typosquats, folder mismatch. */
export function checkNames(
  ctx: SkillContext,
  meta: SkillMeta | null,
  slug: string,
  publisher: string | null,
  where: string,
): void {
  const names = new Set<string>();
  if (meta?.name) names.add(meta.name.toLowerCase());
  if (slug) names.add(slug.toLowerCase());
  for (const n of names) {
    const ioc = ctx.iocs.names.get(n);
    if (ioc) {
      ctx.add("CP-SKILL-IOC-003", { display: where, line: 1 }, n, {
        detail: `${ioc.type} "${n}": ${ioc.source}`,
      });
      continue;
    }
    const popular = popularNames();
    if (n.length < 5 || popular.includes(n)) continue;
    const near = popular.find((p) => p.length >= 5 && editDistance(n, p, 1) === 1);
    const digitTail = popular.find((p) => p.length >= 5 && n !== p && digitTailRe(p).test(n));
    if (near || digitTail)
      ctx.add("CP-SKILL-META-005", { display: where, line: 1 }, n, {
        detail: `"${n}" is one edit away from "${near ?? digitTail}"`,
      });
  }
  if (publisher) {
    const ioc = ctx.iocs.names.get(publisher.toLowerCase());
    if (ioc)
      ctx.add("CP-SKILL-IOC-003", { display: where, line: 1 }, publisher, {
        detail: `publisher "${publisher}": ${ioc.source}`,
      });
  }
  if (meta?.name && slug) {
    const norm = (s: string) => s.toLowerCase().replace(/[\s_]+/g, "-");
    if (norm(meta.name) !== norm(slug) && !/^(?:package|skill|skills|\.)$/.test(slug))
      ctx.add(
        "CP-SKILL-META-004",
        { display: where, line: lineOfKey(meta.body, "name") },
        `${meta.name} ≠ ${slug}`,
        {
          detail: `name "${meta.name}" but folder "${slug}"`,
        },
      );
  }
}

const NET_TOOLS = new Set([
  "curl",
  "wget",
  "nc",
  "ncat",
  "netcat",
  "socat",
  "ssh",
  "scp",
  "sftp",
  "rsync",
  "ftp",
  "telnet",
]);

/** Compare declared requires.env / requires.bins with what the code reads and runs. */
export function checkDeclarations(ctx: SkillContext, meta: SkillMeta | null): void {
  if (!meta) return;
  const body = meta.body;
  for (const [name, loc] of ctx.facts.envReads) {
    if (!SECRET_ENV.test(name) || meta.env.has(name) || body.includes(name)) continue;
    ctx.add("CP-SKILL-META-001", { display: loc.file, line: loc.line }, name, {
      detail: `reads ${name}, which SKILL.md neither declares nor mentions`,
    });
  }
  if (!meta.declares) return;
  for (const [bin, loc] of ctx.facts.binsRun) {
    if (!NET_TOOLS.has(bin) || meta.bins.has(bin) || new RegExp(`\\b${bin}\\b`).test(body)) continue;
    ctx.add("CP-SKILL-META-002", { display: loc.file, line: loc.line }, bin, {
      detail: `runs ${bin}, which requires.bins does not list`,
    });
  }
}

const LIFECYCLE = ["preinstall", "install", "postinstall", "prepare", "preuninstall", "postuninstall"];
const BAD_SCRIPT =
  /\bcurl\b|\bwget\b|\bnode\s+-e\b|\bnode\s+--eval\b|\beval\b|base64|\bhttps?:\/\/|\|\s*(?:ba|z)?sh\b|powershell|\biex\b|\bpython[0-9.]*\s+-c\b|\bnc\s|\/dev\/tcp/i;

/** package.json: install-time lifecycle scripts and non-registry dependencies. */
export function analyzePackageJson(fc: FileContext): string | null {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(fc.text) as Record<string, unknown>;
  } catch {
    return null;
  }
  const scripts = (pkg.scripts ?? {}) as Record<string, unknown>;
  for (const key of LIFECYCLE) {
    const cmd = scripts[key];
    if (typeof cmd !== "string") continue;
    const line = lineOfKey(fc.text, key);
    if (key === "prepare" && !BAD_SCRIPT.test(cmd)) continue; // prepare is a build step for most packages
    if (BAD_SCRIPT.test(cmd))
      fc.skill.add("CP-SKILL-PKG-002", { display: fc.file.display, line }, cmd, {
        detail: `"${key}": ${cmd}`,
      });
    else
      fc.skill.add("CP-SKILL-PKG-001", { display: fc.file.display, line }, cmd, {
        detail: `"${key}": ${cmd}`,
      });
  }
  for (const section of ["dependencies", "optionalDependencies", "peerDependencies"]) {
    const deps = (pkg[section] ?? {}) as Record<string, unknown>;
    for (const [name, spec] of Object.entries(deps)) {
      if (typeof spec !== "string") continue;
      if (
        /^(?:https?:|git(?:\+\w+)?:|github:|gitlab:|bitbucket:|file:|[\w.-]+\/[\w.-]+(?:#.*)?$)/i.test(spec)
      )
        fc.skill.add(
          "CP-SKILL-PKG-003",
          { display: fc.file.display, line: lineOfKey(fc.text, name) },
          `${name}: ${spec}`,
          {
            detail: `${section}.${name} = ${spec}`,
          },
        );
    }
  }
  return typeof pkg.name === "string" ? pkg.name : null;
}
