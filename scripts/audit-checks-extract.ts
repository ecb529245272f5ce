// Reads the check ids an OpenClaw-family release's `security audit` can emit out of its
// compiled JavaScript: every object literal with `checkId: "<dotted id>"` (or a template
// literal, whose `${…}` parts become `*`), with the severities its `severity:` expression can
// take, its title when that is a literal, and the `if (…)` guarding the push when one is in
// reach. Doctor-lint ids (`core/doctor/…`, with a slash) are a different registry and are
// left out. Pure functions over source text, so the test can feed it real release code.

export interface ExtractedCheck {
  /** The id with every `${…}` replaced by `*` (`tools.elevated.allowFrom.*.wildcard`). */
  id: string;
  /** The id as written in the source when it was a template literal. */
  template?: string;
  /** Severities the `severity:` expression names ("info" | "warn" | "critical"). */
  severities: string[];
  /** True when the severity is computed and no literal could be read. */
  severityComputed?: boolean;
  /** The severity expression as written, when it is not a single literal. */
  severityExpr?: string;
  title?: string;
  /** The guarding condition, as written (capped). */
  condition?: string;
  /** Where it was found (dist-relative file names, without content hashes). */
  files: string[];
}

const SEVERITIES = ["info", "warn", "critical"] as const;
const CAP = 240;

/** Read a JS string or template literal starting at `i` (the quote); returns its raw text and end. */
function readLiteral(src: string, i: number): { raw: string; end: number } | null {
  const q = src[i];
  if (q !== '"' && q !== "'" && q !== "`") return null;
  let j = i + 1;
  let depth = 0;
  while (j < src.length) {
    const c = src[j]!;
    if (c === "\\") {
      j += 2;
      continue;
    }
    if (q === "`") {
      if (depth === 0 && c === "`") return { raw: src.slice(i + 1, j), end: j + 1 };
      if (c === "$" && src[j + 1] === "{") {
        depth++;
        j += 2;
        continue;
      }
      if (depth > 0 && c === "}") depth--;
      else if (depth > 0 && (c === '"' || c === "'" || c === "`")) {
        const inner = readLiteral(src, j);
        if (!inner) return null;
        j = inner.end;
        continue;
      }
    } else if (c === q) return { raw: src.slice(i + 1, j), end: j + 1 };
    else if (c === "\n") return null;
    j++;
  }
  return null;
}

/** `a.${b.c}.d` → `a.*.d` (nested template parts included). */
export function templateToPattern(raw: string): string {
  let out = "";
  let depth = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === "$" && raw[i + 1] === "{") {
      if (depth === 0) out += "*";
      depth++;
      i++;
      continue;
    }
    if (depth > 0) {
      if (raw[i] === "{") depth++;
      else if (raw[i] === "}") depth--;
      continue;
    }
    out += raw[i];
  }
  return out;
}

/** The text of the expression after `key:` up to the next `,` or `}` at depth 0. */
function propertyExpr(obj: string, key: string): string | null {
  const re = new RegExp(`(?:^|[\\s,{])${key}\\s*:\\s*`, "g");
  const m = re.exec(obj);
  if (!m) return null;
  let j = m.index + m[0].length;
  const start = j;
  let depth = 0;
  while (j < obj.length) {
    const c = obj[j]!;
    if (c === '"' || c === "'" || c === "`") {
      const lit = readLiteral(obj, j);
      if (!lit) return null;
      j = lit.end;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      if (depth === 0) break;
      depth--;
    } else if (c === "," && depth === 0) break;
    j++;
  }
  return obj.slice(start, j).trim();
}

/** The object literal around `at` (naive brace matching outside string literals). */
function enclosingObject(src: string, at: number): string {
  let open = at;
  let depth = 0;
  for (let i = at; i >= 0 && at - i < 4000; i--) {
    const c = src[i];
    if (c === "}") depth++;
    else if (c === "{") {
      if (depth === 0) {
        open = i;
        break;
      }
      depth--;
    }
  }
  depth = 0;
  let j = open + 1;
  while (j < src.length && j - open < 6000) {
    const c = src[j]!;
    if (c === '"' || c === "'" || c === "`") {
      const lit = readLiteral(src, j);
      if (!lit) break;
      j = lit.end;
      continue;
    }
    if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0) return src.slice(open, j + 1);
      depth--;
    }
    j++;
  }
  return src.slice(open, j);
}

/** The `if (…)` whose body pushes the finding, when it sits just before the object. */
function guardCondition(src: string, objStart: number): string | undefined {
  const before = src.slice(Math.max(0, objStart - 600), objStart);
  const idx = before.lastIndexOf("if (");
  if (idx < 0) return undefined;
  // only when nothing but the push call sits between the condition and the object
  const tail = before.slice(idx);
  if (/;\s*\S/.test(tail.replace(/\([^()]*\)/g, ""))) return undefined;
  let depth = 0;
  for (let i = 3; i < tail.length; i++) {
    if (tail[i] === "(") depth++;
    else if (tail[i] === ")") {
      depth--;
      if (depth === 0) {
        const cond = tail.slice(4, i).replace(/\s+/g, " ").trim();
        return cond.length > CAP ? `${cond.slice(0, CAP)}…` : cond;
      }
    }
  }
  return undefined;
}

const DOTTED = /^[a-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_*-]+)+$/;

/** Every security-audit check id in one source file. */
export function extractChecks(src: string, file: string): ExtractedCheck[] {
  const out: ExtractedCheck[] = [];
  const re = /checkId\s*:\s*(?=["'`])/g;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    const lit = readLiteral(src, m.index + m[0].length);
    if (!lit) continue;
    const isTemplate = src[m.index + m[0].length] === "`" && lit.raw.includes("${");
    const id = isTemplate ? templateToPattern(lit.raw) : lit.raw;
    if (!DOTTED.test(id)) continue;
    const obj = enclosingObject(src, m.index);
    const sevExpr = propertyExpr(obj, "severity");
    const severities = sevExpr ? SEVERITIES.filter((s) => new RegExp(`["'\`]${s}["'\`]`).test(sevExpr)) : [];
    const titleExpr = propertyExpr(obj, "title");
    const titleLit = titleExpr && /^["'`]/.test(titleExpr) ? readLiteral(titleExpr, 0) : null;
    const objStart = src.lastIndexOf(obj.slice(0, 20), m.index);
    const condition = guardCondition(src, objStart >= 0 ? objStart : m.index);
    const single = sevExpr !== null && /^["'`](info|warn|critical)["'`]$/.test(sevExpr);
    out.push({
      id,
      ...(isTemplate ? { template: lit.raw } : {}),
      severities: [...severities],
      ...(sevExpr !== null && severities.length === 0 ? { severityComputed: true } : {}),
      ...(sevExpr !== null && !single ? { severityExpr: cap(sevExpr.replace(/\s+/g, " ")) } : {}),
      ...(titleLit && titleLit.end === titleExpr!.length
        ? { title: isTemplateText(titleLit.raw) ? templateToPattern(titleLit.raw) : titleLit.raw }
        : {}),
      ...(condition ? { condition } : {}),
      files: [stripHash(file)],
    });
  }
  return out;
}

function isTemplateText(s: string): boolean {
  return s.includes("${");
}

function cap(s: string): string {
  return s.length > CAP ? `${s.slice(0, CAP)}…` : s;
}

/** `dist/audit-mIMOk6_X.mjs` → `dist/audit.mjs`: bundler content hashes change every build. */
export function stripHash(file: string): string {
  return file.replace(/-[A-Za-z0-9_$-]{8}(\.m?js)$/, "$1");
}

/** Merge the occurrences of one id across files and bundle copies. */
export function mergeChecks(all: ExtractedCheck[]): ExtractedCheck[] {
  const by = new Map<string, ExtractedCheck>();
  for (const c of all) {
    const prev = by.get(c.id);
    if (!prev) {
      by.set(c.id, { ...c, severities: [...c.severities], files: [...c.files] });
      continue;
    }
    for (const s of c.severities) if (!prev.severities.includes(s)) prev.severities.push(s);
    for (const f of c.files) if (!prev.files.includes(f)) prev.files.push(f);
    if (!prev.title && c.title) prev.title = c.title;
    if (!prev.condition && c.condition) prev.condition = c.condition;
    if (!prev.severityExpr && c.severityExpr) prev.severityExpr = c.severityExpr;
    if (prev.severityComputed && c.severities.length > 0) delete prev.severityComputed;
  }
  const order = (s: string) => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);
  return [...by.values()]
    .map((c) => ({
      ...c,
      severities: c.severities.sort((a, b) => order(a) - order(b)),
      files: c.files.sort(),
    }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
