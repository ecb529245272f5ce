// Constant folding for JavaScript/TypeScript and Python syntax trees: what string an
// expression builds at run time when everything it is built from is written in the file
// (concatenation, join, template literals and f-strings, `%` and `format`, base64 / hex /
// char-code / `bytes([...])` decoding, reversal, simple function returns, variables bound
// once), and which well-known object, module or function an expression names
// (`global['ev' + 'al']` → eval, `getattr(__import__('o' + 's'), 'sys' + 'tem')` → os.system,
// `require(['child', 'process'].join('_'))` → the child_process module).
//
// A hostile file must not be able to make this expensive: every fold draws on one budget of
// node visits per file, recursion stops at MAX_DEPTH, and results longer than MAX_STRING are
// dropped. When a cap is hit the folder remembers it, so the file can be reported as not
// fully analysed instead of silently clean.
import type { SgNode } from "@ast-grep/napi";
import { fieldOf, kindOf } from "./syntax.ts";

export type FoldLang = "js" | "py";

export const MAX_DEPTH = 24;
export const MAX_STRING = 64 * 1024;
export const FOLD_BUDGET = 50_000;

/** Objects whose members are the global scope: `globalThis.fetch` is `fetch`. */
const GLOBAL_OBJECTS = /^(?:global|globalThis|window|self|builtins|__builtins__)\./;

const utf8 = new TextDecoder("utf-8", { fatal: false });

function decodeBase64(s: string): string | null {
  const clean = s.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean) || clean.length === 0) return null;
  return utf8.decode(Buffer.from(clean, "base64"));
}

function decodeHex(s: string): string | null {
  const clean = s.replace(/\s+/g, "");
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(clean)) return null;
  return utf8.decode(Buffer.from(clean, "hex"));
}

const JS_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", v: "\v", 0: "\0" };

/** The value of a string literal's body with its escapes applied. */
function unescapeLiteral(body: string, raw: boolean): string {
  if (raw || !body.includes("\\")) return body;
  return body.replace(
    /\\(?:x([0-9a-fA-F]{2})|u\{([0-9a-fA-F]+)\}|u([0-9a-fA-F]{4})|(\r?\n)|(.))/gs,
    (_m, x, ub, u, nl, c) => {
      if (x) return String.fromCharCode(Number.parseInt(x, 16));
      if (ub) return String.fromCodePoint(Math.min(Number.parseInt(ub, 16), 0x10ffff));
      if (u) return String.fromCharCode(Number.parseInt(u, 16));
      if (nl) return "";
      return JS_ESCAPES[c as string] ?? (c as string);
    },
  );
}

/** A function whose result is one expression: `function f() { return X }`, `const f = () => X`, `def f(): return X`. */
interface SimpleFunction {
  params: string[];
  body: SgNode;
}

/**
 * One file's folder. Bindings are file-wide by name (a name assigned once anywhere in the file
 * folds to that value; a name assigned several times folds only when every value agrees),
 * which is what string-splitting obfuscation needs and keeps the cost linear.
 */
export class Folder {
  readonly lang: FoldLang;
  private readonly top: SgNode;
  private bindings: Map<string, SgNode[]> | null = null;
  private functions: Map<string, SimpleFunction> | null = null;
  private budget = FOLD_BUDGET;
  /** Why folding stopped early somewhere in this file (a cap was hit), or null. */
  capped: string | null = null;
  private memo = new Map<number, string | null>();
  private readonly names = new Map<number, string | null>();
  /** While set, unknown parts of a concatenation become "…" instead of failing the fold. */
  private loose = false;

  /** A fold stopped at MAX_DEPTH somewhere (a cycle or a very long chain). */
  depthLimited = false;
  private readonly steps: number;
  /** Names being resolved right now: `a = b; b = a` ends instead of looping to the cap. */
  private readonly resolving = new Set<string>();

  constructor(lang: FoldLang, top: SgNode, textLength = 0) {
    this.lang = lang;
    this.top = top;
    // Enough for any ordinary file; a file built to exhaust it is reported.
    this.steps = FOLD_BUDGET + 20 * textLength;
    this.budget = this.steps;
  }

  private spend(depth: number): boolean {
    // Past the depth cap a fold just fails (cycles and long chains end here); only running
    // out of budget means part of the file went unexamined.
    if (depth > MAX_DEPTH) {
      this.depthLimited = true;
      return false;
    }
    if (--this.budget < 0) {
      this.capped ??= `constant folding stopped after ${this.steps} steps`;
      return false;
    }
    return true;
  }

  /** Every simple `name = value` binding in the file, and destructured / imported names. */
  private index(): void {
    const b = new Map<string, SgNode[]>();
    const fns = new Map<string, SimpleFunction>();
    const add = (name: string, value: SgNode) => {
      const list = b.get(name) ?? [];
      list.push(value);
      b.set(name, list);
    };
    if (this.lang === "js") {
      for (const d of this.top.findAll({
        rule: { any: [{ kind: "variable_declarator" }, { kind: "assignment_expression" }] },
      })) {
        const left = fieldOf(d, "name") ?? fieldOf(d, "left");
        const value = fieldOf(d, "value") ?? fieldOf(d, "right");
        if (!left || !value) continue;
        if (left.kind() === "identifier") {
          add(left.text(), value);
          const vk = kindOf(value);
          if (vk === "arrow_function" || vk === "function_expression" || vk === "function") {
            const f = simpleJsFunction(value);
            if (f) fns.set(left.text(), f);
          }
        }
      }
      for (const f of this.top.findAll({ rule: { kind: "function_declaration" } })) {
        const name = fieldOf(f, "name")?.text();
        const sf = simpleJsFunction(f);
        if (name && sf) fns.set(name, sf);
      }
    } else {
      for (const d of this.top.findAll({ rule: { kind: "assignment" } })) {
        const left = fieldOf(d, "left");
        const value = fieldOf(d, "right");
        if (left?.kind() === "identifier" && value) add(left.text(), value);
      }
      for (const f of this.top.findAll({ rule: { kind: "function_definition" } })) {
        const name = fieldOf(f, "name")?.text();
        const sf = simplePyFunction(f);
        if (name && sf) fns.set(name, sf);
      }
    }
    this.bindings = b;
    this.functions = fns;
  }

  /** The single value a name is bound to in this file, or null. */
  valueOf(name: string): SgNode | null {
    if (!this.bindings) this.index();
    const list = this.bindings!.get(name);
    if (!list || list.length === 0) return null;
    if (list.length === 1) return list[0]!;
    const first = list[0]!.text();
    return list.every((v) => v.text() === first) ? list[0]! : null;
  }

  functionOf(name: string): SimpleFunction | null {
    if (!this.functions) this.index();
    return this.functions!.get(name) ?? null;
  }

  /** The string `node` evaluates to, or null when it is not a constant. */
  fold(node: SgNode | null, depth = 0): string | null {
    if (!node) return null;
    const id = node.id();
    const cached = this.memo.get(id);
    if (cached !== undefined) return cached;
    if (!this.spend(depth)) return null;
    const v = this.lang === "js" ? this.foldJs(node, depth) : this.foldPy(node, depth);
    const out = v !== null && v.length > MAX_STRING ? null : v;
    this.memo.set(id, out);
    return out;
  }

  /**
   * Like fold, but unknown pieces of concatenations and templates become "…": enough to see
   * that `${base}/ping?k=${key}` with `base = 'cur' + 'l -s https://x'` runs curl.
   */
  foldLoose(node: SgNode | null): string | null {
    const memo = this.memo;
    this.memo = new Map();
    this.loose = true;
    try {
      return node ? (this.fold(node) ?? "…") : null;
    } finally {
      this.loose = false;
      this.memo = memo;
    }
  }

  private part(node: SgNode | null, depth: number): string | null {
    const v = this.fold(node, depth);
    return v === null && this.loose ? "…" : v;
  }

  /** Follow a name to its single value, once per name on the current path. */
  private viaName<T>(node: SgNode, f: (value: SgNode) => T | null): T | null {
    const name = node.text();
    const v = this.valueOf(name);
    if (!v || v.id() === node.id() || this.resolving.has(name)) return null;
    this.resolving.add(name);
    try {
      return f(v);
    } finally {
      this.resolving.delete(name);
    }
  }

  /** A list of constant strings (array literal, split, reverse, map of char codes), or null. */
  foldList(node: SgNode | null, depth = 0): string[] | null {
    if (!node || !this.spend(depth)) return null;
    const k = kindOf(node);
    if (k === "array" || k === "list" || k === "tuple") {
      const out: string[] = [];
      for (const c of node.namedChildren()) {
        if (kindOf(c) === "comment") continue;
        const s = this.fold(c, depth + 1);
        if (s === null) return null;
        out.push(s);
      }
      return out;
    }
    if (k === "identifier") {
      const v = this.valueOf(node.text());
      return v && v.id() !== node.id() ? this.foldList(v, depth + 1) : null;
    }
    if (k === "parenthesized_expression") return this.foldList(node.namedChildren()[0] ?? null, depth + 1);
    if (k === "call_expression" || k === "call") {
      const fn = fieldOf(node, "function");
      const args = argList(node);
      if (!fn) return null;
      const fk = kindOf(fn);
      if (fk === "member_expression" || fk === "attribute") {
        const obj = fieldOf(fn, "object");
        const prop = (fieldOf(fn, "property") ?? fieldOf(fn, "attribute"))?.text() ?? "";
        if (prop === "reverse") {
          const l = this.foldList(obj, depth + 1);
          return l ? l.reverse() : null;
        }
        if (prop === "split") {
          const s = this.fold(obj, depth + 1);
          const sep = args[0] ? this.fold(args[0], depth + 1) : this.lang === "py" ? " " : null;
          if (s === null || sep === null) return null;
          return sep === "" ? [...s] : s.split(sep);
        }
        if (prop === "map" && args[0]) {
          // `[104, 105].map(c => String.fromCharCode(c))` / `.map(String.fromCharCode)`
          const l = this.numbers(obj, depth + 1);
          if (l && /fromCharCode/.test(args[0].text())) return l.map((n) => String.fromCharCode(n));
        }
      }
      if (fk === "identifier" && (fn.text() === "list" || fn.text() === "reversed") && args[0]) {
        const s = this.fold(args[0], depth + 1);
        const l = s !== null ? [...s] : this.foldList(args[0], depth + 1);
        return l && fn.text() === "reversed" ? l.reverse() : l;
      }
    }
    return null;
  }

  /** Integer list literals (char codes, `bytes([...])`). */
  private numbers(node: SgNode | null, depth: number): number[] | null {
    if (!node || !this.spend(depth)) return null;
    const k = kindOf(node);
    if (k === "identifier") {
      const v = this.valueOf(node.text());
      return v && v.id() !== node.id() ? this.numbers(v, depth + 1) : null;
    }
    if (k !== "array" && k !== "list" && k !== "tuple") return null;
    const out: number[] = [];
    for (const c of node.namedChildren()) {
      const t = c.text().replace(/_/g, "");
      if (!/^(?:0x[0-9a-f]+|\d+)$/i.test(t)) return null;
      out.push(Number(t));
    }
    return out;
  }

  private foldJs(node: SgNode, depth: number): string | null {
    const d = depth + 1;
    switch (kindOf(node)) {
      case "string": {
        const t = node.text();
        return unescapeLiteral(t.slice(1, -1), false);
      }
      case "number":
        return String(Number(node.text().replace(/_/g, "")));
      case "template_string": {
        let out = "";
        for (const c of node.children()) {
          const ck = kindOf(c);
          if (ck === "string_fragment") out += c.text();
          else if (ck === "escape_sequence") out += unescapeLiteral(c.text(), false);
          else if (ck === "template_substitution") {
            const v = this.part(c.namedChildren()[0] ?? null, d);
            if (v === null) return null;
            out += v;
          }
        }
        return out;
      }
      case "parenthesized_expression":
        return this.fold(node.namedChildren().at(-1) ?? null, d);
      case "binary_expression": {
        if (fieldOf(node, "operator")?.text() !== "+") return null;
        const l = this.part(fieldOf(node, "left"), d);
        if (l === null) return null;
        const r = this.part(fieldOf(node, "right"), d);
        return r === null ? null : l + r;
      }
      case "identifier":
        return this.viaName(node, (v) => this.fold(v, d));
      case "call_expression":
        return this.foldCall(node, d);
      case "member_expression":
      case "subscript_expression": {
        const n = this.name(node, d);
        return n === "process.env.HOME" || n === "process.env.USERPROFILE" ? "~" : null;
      }
      default:
        return null;
    }
  }

  private foldPy(node: SgNode, depth: number): string | null {
    const d = depth + 1;
    switch (kindOf(node)) {
      case "string": {
        let out = "";
        let raw = false;
        for (const c of node.children()) {
          const ck = kindOf(c);
          if (ck === "string_start") {
            const p = c.text().toLowerCase();
            raw = p.includes("r");
          } else if (ck === "string_content") out += unescapeLiteral(c.text(), raw);
          else if (ck === "escape_sequence") out += unescapeLiteral(c.text(), raw);
          else if (ck === "interpolation") {
            const v = this.part(fieldOf(c, "expression") ?? c.namedChildren()[0] ?? null, d);
            if (v === null) return null;
            out += v;
          }
        }
        return out;
      }
      case "concatenated_string": {
        let out = "";
        for (const c of node.namedChildren()) {
          const v = this.fold(c, d);
          if (v === null) return null;
          out += v;
        }
        return out;
      }
      case "integer":
        return String(Number(node.text().replace(/_/g, "")));
      case "attribute": {
        // self.URL / cls.URL / Reporter.URL: a class attribute bound once in the file.
        const obj = fieldOf(node, "object");
        const attr = fieldOf(node, "attribute")?.text() ?? "";
        if (obj?.kind() !== "identifier" || !/^(?:self|cls|[A-Z]\w*)$/.test(obj.text())) return null;
        const v = this.valueOf(attr);
        return v && v.id() !== node.id() ? this.fold(v, d) : null;
      }
      case "parenthesized_expression":
        return this.fold(node.namedChildren().at(-1) ?? null, d);
      case "binary_operator": {
        const op = fieldOf(node, "operator")?.text();
        const l = this.fold(fieldOf(node, "left"), d);
        if (l === null) return null;
        const right = fieldOf(node, "right");
        if (op === "+") {
          const r = this.fold(right, d);
          return r === null ? null : l + r;
        }
        if (op === "/") {
          // pathlib: Path.home() / ".ssh" / "id_rsa"
          const r = this.fold(right, d);
          return r === null ? null : `${l}/${r}`;
        }
        if (op === "%") {
          const vals = right && kindOf(right) === "tuple" ? this.foldList(right, d) : [this.fold(right, d)];
          if (!vals || vals.some((v) => v === null)) return null;
          let i = 0;
          return l.replace(/%[-#0 +]*\d*(?:\.\d+)?[sdrifx%]/g, (m) => (m === "%%" ? "%" : (vals[i++] ?? m)));
        }
        return null;
      }
      case "identifier":
        return this.viaName(node, (v) => this.fold(v, d));
      case "subscript": {
        if (this.name(fieldOf(node, "value"), d) === "os.environ") {
          const k = this.fold(fieldOf(node, "subscript"), d);
          return k === "HOME" || k === "USERPROFILE" ? "~" : null;
        }
        // s[::-1]
        const sub = fieldOf(node, "subscript");
        if (sub && kindOf(sub) === "slice" && /^::\s*-1$/.test(sub.text().replace(/\s+/g, ""))) {
          const s = this.fold(fieldOf(node, "value"), d);
          return s === null ? null : [...s].reverse().join("");
        }
        return null;
      }
      case "call":
        return this.foldCall(node, d);
      default:
        return null;
    }
  }

  private foldCall(node: SgNode, d: number): string | null {
    const fn = fieldOf(node, "function");
    if (!fn) return null;
    const args = argList(node);
    const fk = kindOf(fn);
    if (fk === "member_expression" || fk === "attribute") {
      const obj = fieldOf(fn, "object");
      const prop = (fieldOf(fn, "property") ?? fieldOf(fn, "attribute"))?.text() ?? "";
      const objName = obj ? this.name(obj, d) : null;
      const pathFn = this.pathCall(objName ? `${objName}.${prop}` : null, args, d);
      if (pathFn !== undefined) return pathFn;
      switch (prop) {
        case "join": {
          if (this.lang === "js") {
            const l = this.foldList(obj, d);
            const sep = args[0] ? this.fold(args[0], d) : ",";
            return l && sep !== null ? l.join(sep) : null;
          }
          const sep = this.fold(obj, d);
          const l = this.foldList(args[0] ?? null, d);
          return l && sep !== null ? l.join(sep) : null;
        }
        case "concat": {
          let s = this.fold(obj, d);
          for (const a of args) {
            if (s === null) return null;
            const v = this.fold(a, d);
            s = v === null ? null : s + v;
          }
          return s;
        }
        case "format": {
          const tpl = this.fold(obj, d);
          if (tpl === null) return null;
          const vals = args.map((a) => (kindOf(a) === "keyword_argument" ? null : this.fold(a, d)));
          let i = 0;
          let ok = true;
          const out = tpl.replace(/\{(\d*)(?:![rsa])?(?::[^}]*)?\}/g, (_m, n: string) => {
            const v = n === "" ? vals[i++] : vals[Number(n)];
            if (v === null || v === undefined) ok = false;
            return v ?? "";
          });
          return ok ? out : null;
        }
        case "toString":
        case "decode": {
          // Buffer.from(s, 'base64').toString() / b64decode(s).decode() / bytes([...]).decode()
          if (!obj) return null;
          const enc = args[0] ? this.fold(args[0], d) : null;
          const inner = this.fold(obj, d);
          if (inner === null) return null;
          if (prop === "toString" && (enc === "base64" || enc === "hex"))
            return Buffer.from(inner).toString(enc);
          return inner;
        }
        case "fromCharCode":
        case "fromCodePoint": {
          if (objName !== "String") return null;
          const codes = args.map((a) => Number(a.text()));
          if (codes.some((c) => !Number.isInteger(c) || c < 0 || c > 0x10ffff)) return null;
          return prop === "fromCharCode" ? String.fromCharCode(...codes) : String.fromCodePoint(...codes);
        }
        case "from": {
          // Buffer.from(s, enc) — the decoded text (a following .toString() keeps it).
          if (objName !== "Buffer" || !args[0]) return null;
          const nums = this.numbers(args[0], d);
          if (nums) return utf8.decode(Uint8Array.from(nums));
          const s = this.fold(args[0], d);
          if (s === null) return null;
          const enc = args[1] ? this.fold(args[1], d) : "utf8";
          if (enc === "base64" || enc === "base64url") return decodeBase64(s);
          if (enc === "hex") return decodeHex(s);
          return s;
        }
        case "b64decode":
        case "urlsafe_b64decode":
        case "standard_b64decode":
          return args[0] ? nullable(this.fold(args[0], d), decodeBase64) : null;
        case "fromhex":
          return args[0] ? nullable(this.fold(args[0], d), decodeHex) : null;
        case "unhexlify":
          return args[0] ? nullable(this.fold(args[0], d), decodeHex) : null;
        case "strip":
        case "trim":
        case "lower":
        case "upper":
        case "toLowerCase":
        case "toUpperCase": {
          const s = this.fold(obj, d);
          if (s === null) return null;
          if (prop === "strip" || prop === "trim") return s.trim();
          return prop === "lower" || prop === "toLowerCase" ? s.toLowerCase() : s.toUpperCase();
        }
        case "replace": {
          const s = this.fold(obj, d);
          const a = args[0] ? this.fold(args[0], d) : null;
          const b = args[1] ? this.fold(args[1], d) : null;
          if (s === null || a === null || b === null) return null;
          return this.lang === "py" ? s.split(a).join(b) : s.replace(a, b);
        }
        default:
          return null;
      }
    }
    if (fk === "identifier") {
      const name = fn.text();
      const pathFn = this.pathCall(this.name(fn, d), args, d);
      if (pathFn !== undefined) return pathFn;
      if (name === "atob" && args[0]) return nullable(this.fold(args[0], d), decodeBase64);
      if (
        (name === "decodeURIComponent" || name === "unescape" || name === "String" || name === "str") &&
        args[0]
      )
        return nullable(this.fold(args[0], d), (s) => {
          try {
            return name === "decodeURIComponent" || name === "unescape" ? decodeURIComponent(s) : s;
          } catch {
            return null;
          }
        });
      if (name === "chr" && args[0]) {
        const n = Number(args[0].text());
        return Number.isInteger(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : null;
      }
      if ((name === "bytes" || name === "bytearray") && args[0]) {
        const nums = this.numbers(args[0], d);
        if (nums) return utf8.decode(Uint8Array.from(nums.map((n) => n & 0xff)));
        return this.fold(args[0], d);
      }
      if (name === "b64decode" && args[0]) return nullable(this.fold(args[0], d), decodeBase64);
      // A local function that returns a constant (its parameters unused or folded from the call).
      const f = this.functionOf(name);
      if (f) {
        if (f.params.length === 0) return this.fold(f.body, d);
        return null;
      }
    }
    return null;
  }

  /**
   * Path building, folded to a `~`-relative path so secret locations are recognised however
   * they are spelt: `path.join(os.homedir(), '.ssh', 'id_rsa')`, `Path.home() / '.aws'`,
   * `os.path.expanduser('~/.aws/credentials')`. Undefined when `fnName` is not a path function.
   */
  private pathCall(fnName: string | null, args: SgNode[], d: number): string | null | undefined {
    if (!fnName) return undefined;
    const n = fnName.replace(/^module:/, "");
    if (/^(?:os\.homedir|Path\.home|pathlib\.Path\.home|os\.path\.expanduser\.~)$/.test(n)) return "~";
    if (/^(?:process\.env\.HOME|process\.env\.USERPROFILE)$/.test(n)) return "~";
    if (/^(?:path|os\.path|posixpath|ntpath|path\.posix)\.(?:join|resolve)$/.test(n)) {
      const parts = args.map((a) => this.fold(a, d));
      return parts.some((p) => p === null) ? null : (parts as string[]).join("/").replace(/\/{2,}/g, "/");
    }
    if (
      /^(?:os\.path\.(?:expanduser|abspath|normpath|realpath|expandvars)|Path|pathlib\.Path|os\.getenv|os\.environ\.get)$/.test(
        n,
      )
    ) {
      if (/getenv|environ/.test(n)) {
        const v = args[0] ? this.fold(args[0], d) : null;
        return v === "HOME" || v === "USERPROFILE" ? "~" : undefined;
      }
      return args[0] ? this.fold(args[0], d) : null;
    }
    return undefined;
  }

  /**
   * The dotted name an expression refers to, through aliases, computed members with constant
   * keys, `getattr`, `require`/`__import__`/`importlib.import_module` of constant names and
   * destructuring: `g[r]` with `g = global`, `r = 'ev' + 'al'` → `eval`. Modules come out as
   * `module:<name>` (e.g. `module:child_process.exec`). Null when unknown.
   */
  name(node: SgNode | null, depth = 0): string | null {
    if (!node) return null;
    const id = node.id();
    const cached = this.names.get(id);
    if (cached !== undefined) return cached;
    const out = this.nameOf(node, depth);
    // Results cut short by the cycle guard are not kept: from elsewhere they may resolve.
    if (this.resolving.size === 0) this.names.set(id, out);
    return out;
  }

  private nameOf(node: SgNode, depth: number): string | null {
    if (!this.spend(depth)) return null;
    // Fast path, read from the text: a plain dotted name whose first part is not bound in
    // the file (`requests.post`, `os.path.join`, an imported `execSync`) needs no tree walk.
    const text = node.text();
    if (text.length < 200 && /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/.test(text)) {
      const dot = text.indexOf(".");
      const first = dot < 0 ? text : text.slice(0, dot);
      if (!this.valueOf(first)) {
        let out = (this.importedName(first) ?? first) + (dot < 0 ? "" : text.slice(dot));
        while (GLOBAL_OBJECTS.test(out)) out = out.replace(GLOBAL_OBJECTS, "");
        return out;
      }
    }
    const d = depth + 1;
    const k = kindOf(node);
    let out: string | null = null;
    if (k === "identifier" || k === "property_identifier") {
      const text = node.text();
      const v = k === "identifier" ? this.valueOf(text) : null;
      const vk = v ? kindOf(v) : "";
      if (
        v &&
        /^(?:identifier|member_expression|subscript_expression|attribute|call_expression|call|parenthesized_expression|await_expression)$/.test(
          vk,
        )
      )
        out = this.viaName(node, (x) => this.name(x, d));
      out ??= this.importedName(text) ?? text;
    } else if (k === "member_expression" || k === "attribute") {
      const obj = this.name(fieldOf(node, "object"), d);
      const prop = (fieldOf(node, "property") ?? fieldOf(node, "attribute"))?.text();
      out = obj && prop ? `${obj}.${prop}` : null;
    } else if (k === "subscript_expression" || k === "subscript") {
      const obj = this.name(fieldOf(node, "object") ?? fieldOf(node, "value"), d);
      const key = this.fold(fieldOf(node, "index") ?? fieldOf(node, "subscript"), d);
      out = obj && key !== null && /^[\w$.-]+$/.test(key) ? `${obj}.${key}` : null;
    } else if (k === "parenthesized_expression" || k === "await_expression") {
      out = this.name(node.namedChildren().at(-1) ?? null, d);
    } else if (k === "call_expression" || k === "call") {
      const fn = fieldOf(node, "function");
      const args = argList(node);
      const fnName = plainName(fn ? this.name(fn, d) : null);
      if (fnName === "require" || fnName === "__import__" || fnName === "importlib.import_module") {
        const m = this.fold(args[0] ?? null, d);
        out = m !== null ? `module:${m.replace(/^node:/, "")}` : null;
      } else if (fnName === "getattr" && args.length >= 2) {
        const obj = this.name(args[0]!, d);
        const key = this.fold(args[1]!, d);
        out = obj && key !== null && /^[\w$]+$/.test(key) ? `${obj}.${key}` : null;
      } else if (fn && kindOf(fn) === "identifier") {
        // `loadModule(x)` where `loadModule = (n) => require(n)`
        const f = this.functionOf(fn.text());
        if (f && f.params.length >= 1 && args[0]) {
          const bk = kindOf(f.body);
          const inner = bk === "call_expression" || bk === "call" ? fieldOf(f.body, "function") : null;
          const innerName = plainName(inner ? this.name(inner, d) : null);
          const innerArg = argList(f.body)[0]?.text();
          if (
            (innerName === "require" ||
              innerName === "__import__" ||
              innerName === "importlib.import_module") &&
            innerArg === f.params[0]
          ) {
            const m = this.fold(args[0], d);
            out = m !== null ? `module:${m.replace(/^node:/, "")}` : null;
          }
        }
      }
    }
    if (out === null) return null;
    while (GLOBAL_OBJECTS.test(out)) out = out.replace(GLOBAL_OBJECTS, "");
    return out;
  }

  private imports: Map<string, string> | null = null;
  /** `import x from 'm'`, `import {a as b} from 'm'`, `from m import a as b`, `import m as n`, `const {a: b} = require('m')`. */
  private importedName(local: string): string | null {
    if (!this.imports) {
      const m = new Map<string, string>();
      // Set first: resolving a destructured value below may ask for other imports.
      this.imports = m;
      if (this.lang === "js") {
        for (const s of this.top.findAll({ rule: { kind: "import_statement" } })) {
          const src = fieldOf(s, "source");
          const mod = src
            ? src
                .text()
                .slice(1, -1)
                .replace(/^node:/, "")
            : "";
          for (const c of s.findAll({
            rule: {
              any: [{ kind: "import_specifier" }, { kind: "namespace_import" }, { kind: "import_clause" }],
            },
          })) {
            const ck = kindOf(c);
            if (ck === "import_specifier") {
              const name = fieldOf(c, "name")?.text() ?? "";
              const alias = fieldOf(c, "alias")?.text() ?? name;
              m.set(alias, `module:${mod}.${name}`);
            } else if (ck === "namespace_import") {
              const id = c.namedChildren().find((x) => x.kind() === "identifier");
              if (id) m.set(id.text(), `module:${mod}`);
            } else {
              const id = c.namedChildren().find((x) => x.kind() === "identifier");
              if (id) m.set(id.text(), `module:${mod}`);
            }
          }
        }
        for (const d of this.top.findAll({
          rule: { kind: "variable_declarator", has: { field: "name", kind: "object_pattern" } },
        })) {
          const base = this.name(fieldOf(d, "value"));
          if (!base) continue;
          for (const p of fieldOf(d, "name")!.namedChildren()) {
            const pk = kindOf(p);
            if (pk === "shorthand_property_identifier_pattern") m.set(p.text(), `${base}.${p.text()}`);
            else if (pk === "pair_pattern") {
              const key = fieldOf(p, "key")?.text();
              const val = fieldOf(p, "value");
              if (key && val?.kind() === "identifier") m.set(val.text(), `${base}.${key}`);
            }
          }
        }
      } else {
        for (const s of this.top.findAll({
          rule: { any: [{ kind: "import_statement" }, { kind: "import_from_statement" }] },
        })) {
          const from = kindOf(s) === "import_from_statement" ? (fieldOf(s, "module_name")?.text() ?? "") : "";
          for (const c of s.namedChildren()) {
            if (from && c.id() === fieldOf(s, "module_name")?.id()) continue;
            const ck = kindOf(c);
            const [name, alias] =
              ck === "aliased_import"
                ? [fieldOf(c, "name")?.text() ?? "", fieldOf(c, "alias")?.text() ?? ""]
                : ck === "dotted_name"
                  ? [c.text(), c.text().split(".")[0]!]
                  : ["", ""];
            if (!name) continue;
            m.set(
              alias,
              from ? `module:${from}.${name}` : `module:${ck === "aliased_import" ? name : alias}`,
            );
          }
        }
      }
    }
    return this.imports.get(local) ?? null;
  }
}

function nullable(s: string | null, f: (s: string) => string | null): string | null {
  return s === null ? null : f(s);
}

/** The positional and keyword argument nodes of a call. */
export function argList(call: SgNode): SgNode[] {
  const a = fieldOf(call, "arguments");
  if (!a) return [];
  return a.namedChildren().filter((c) => kindOf(c) !== "comment");
}

function simpleJsFunction(f: SgNode): SimpleFunction | null {
  const params = fieldOf(f, "parameters") ?? fieldOf(f, "parameter");
  const names = params
    ? params.kind() === "identifier"
      ? [params.text()]
      : params.namedChildren().map((p) => (p.kind() === "identifier" ? p.text() : ""))
    : [];
  const body = fieldOf(f, "body");
  if (!body) return null;
  if (body.kind() !== "statement_block") return { params: names, body };
  const stmts = body.namedChildren().filter((c) => c.kind() !== "comment");
  if (stmts.length !== 1 || stmts[0]!.kind() !== "return_statement") return null;
  const value = stmts[0]!.namedChildren()[0];
  return value ? { params: names, body: value } : null;
}

function simplePyFunction(f: SgNode): SimpleFunction | null {
  const params = fieldOf(f, "parameters");
  const names = params ? params.namedChildren().map((p) => (p.kind() === "identifier" ? p.text() : "")) : [];
  const body = fieldOf(f, "body");
  if (!body) return null;
  // Comments and docstrings aside, the body is one return statement.
  const stmts = body
    .namedChildren()
    .filter(
      (c) =>
        c.kind() !== "comment" && !(c.kind() === "expression_statement" && /^[rbuf]*["']/i.test(c.text())),
    );
  if (stmts.length !== 1 || stmts[0]!.kind() !== "return_statement") return null;
  const value = stmts[0]!.namedChildren()[0];
  return value ? { params: names, body: value } : null;
}

/** Module-qualified names lose their marker for matching: `module:os.system` → `os.system`. */
export function plainName(n: string | null): string | null {
  return n === null ? null : n.replace(/^module:/, "");
}
