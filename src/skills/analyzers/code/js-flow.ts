// JavaScript / TypeScript → flow records (see src/skills/flow/taint.ts): assignments, functions,
// calls, returns, sinks and the sources in them, with names resolved by the constant folder.
import type { SgNode } from "@ast-grep/napi";
import type { FileContext } from "../../context.ts";
import { argList, type Folder, plainName } from "../../flow/fold.ts";
import { fieldOf, kindOf, offsetOf, Ranges } from "../../flow/syntax.ts";
import { emptyFlow, type FileFlow, type Place, type Ref, type Sink } from "../../flow/taint.ts";
import {
  downloaded,
  ENCODES,
  hiddenName,
  isDateGate,
  pathSource,
  refsFromText,
  wholeEnv,
} from "./sources.ts";

const NETWORK =
  /^(?:fetch|axios|got|needle|superagent|ky|request|undici\.(?:request|fetch)|navigator\.sendBeacon|\$\.(?:ajax|post|get))$|^(?:axios|got|ky|superagent|needle|request)\.(?:post|put|patch|get|request|delete)$|^(?:https?|http2)\.(?:request|get|connect)$|^(?:net|tls)\.(?:connect|createConnection)$|^dns(?:\.promises)?\.(?:lookup|resolve\w*)$/;
const NETWORK_NEW = /^(?:WebSocket|XMLHttpRequest|EventSource)$/;
const EXEC =
  /^(?:child_process\.(?:exec|execSync|spawn|spawnSync|execFile|execFileSync|fork)|execa(?:\.\w+)?|execa|Bun\.spawn|Bun\.\$)$/;
const WRITE =
  /^fs(?:\.promises)?\.(?:writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream|copyFile|copyFileSync)$/;
const READ =
  /^fs(?:\.promises)?\.(?:readFile|readFileSync|createReadStream|readdir|readdirSync|opendir|copyFile|copyFileSync)$|^(?:readFile|readFileSync)$/;
const CHMOD = /^fs(?:\.promises)?\.(?:chmod|chmodSync)$/;
const BUILTIN_OBJECTS = new Set([
  "Object",
  "JSON",
  "Array",
  "Promise",
  "Math",
  "Reflect",
  "console",
  "Buffer",
]);
const APPENDS = new Set(["push", "unshift", "set", "add", "append", "concat", "assign"]);
const FUNCTION_KINDS = new Set(["arrow_function", "function_expression", "generator_function"]);
const KINDS = [
  "function_declaration",
  "generator_function_declaration",
  "method_definition",
  "arrow_function",
  "function_expression",
  "generator_function",
  "if_statement",
  "variable_declarator",
  "assignment_expression",
  "augmented_assignment_expression",
  "for_in_statement",
  "return_statement",
  "call_expression",
  "new_expression",
];
const MAX_NODES = 200_000;
const MAX_VISITS = 2_000_000;

/** A dotted name without module markers or node: prefixes. */
function canon(folder: Folder, n: SgNode | null): string | null {
  const v = plainName(folder.name(n));
  return v === null ? null : v.replace(/^node:/, "").replace(/^fs\/promises\./, "fs.promises.");
}

export class JsFlow {
  readonly flow: FileFlow;
  /** Why extraction stopped early, or null. */
  capped: string | null = null;
  private visits = 0;
  private readonly fc: FileContext;
  private readonly folder: Folder;

  constructor(fc: FileContext, folder: Folder) {
    this.fc = fc;
    this.folder = folder;
    this.flow = emptyFlow(fc.file.display, "js");
  }

  private at(n: SgNode): Place {
    return { file: this.fc.file.display, line: this.fc.lineOf(offsetOf(n)) };
  }

  run(top: SgNode): void {
    // One native traversal finds every node of interest (in document order); functions and
    // date gates are then ranges, so each node's scope and gate come from its offset.
    let nodes = top.findAll({ rule: { any: KINDS.map((kind) => ({ kind })) } });
    if (nodes.length > MAX_NODES) {
      this.capped ??= `more than ${MAX_NODES} statements and calls`;
      nodes = nodes.slice(0, MAX_NODES);
    }
    const scopes = new Ranges<string>();
    const gates = new Ranges<Place>();
    const skipAssign = new Set<number>();
    const kinds = nodes.map(kindOf);
    const offsets = nodes.map(offsetOf);
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      const k = kinds[i]!;
      if (
        k === "function_declaration" ||
        k === "generator_function_declaration" ||
        k === "method_definition"
      ) {
        const name = fieldOf(n, "name")?.text() ?? `λ${this.at(n).line}`;
        this.func(n, name);
        scopes.add(n, name);
      } else if (FUNCTION_KINDS.has(k)) {
        // Named by what it is assigned to; anonymous callbacks share their enclosing scope.
        const p = n.parent();
        const pk = p ? kindOf(p) : "";
        let name: string | null = null;
        if (pk === "variable_declarator" || pk === "assignment_expression") {
          const left = fieldOf(p!, "name") ?? fieldOf(p!, "left");
          name =
            left?.kind() === "identifier"
              ? left.text()
              : left
                ? (fieldOf(left, "property")?.text() ?? null)
                : null;
          if (name) skipAssign.add(p!.id());
        } else if (pk === "pair") name = fieldOf(p!, "key")?.text() ?? null;
        if (name) {
          this.func(n, name);
          scopes.add(n, name);
        }
      } else if (k === "if_statement") {
        const cond = fieldOf(n, "condition");
        if (cond && isDateGate(cond.text(), (id) => this.folder.fold(this.folder.valueOf(id))))
          gates.add(n, this.at(cond));
      }
    }
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      const k = kinds[i]!;
      const off = offsets[i]!;
      const scope = scopes.at(off) ?? "";
      const gate = gates.at(off);
      switch (k) {
        case "variable_declarator":
        case "assignment_expression":
        case "augmented_assignment_expression": {
          if (skipAssign.has(n.id())) break;
          const left = fieldOf(n, "name") ?? fieldOf(n, "left");
          const value = fieldOf(n, "value") ?? fieldOf(n, "right");
          if (left && value) this.assignPattern(left, value, scope);
          break;
        }
        case "for_in_statement": {
          const left = fieldOf(n, "left");
          const right = fieldOf(n, "right");
          if (left && right) this.assignPattern(left, right, scope);
          break;
        }
        case "return_statement": {
          const v = n.namedChildren()[0];
          if (v && scope) this.flow.returns.push({ fn: scope, refs: this.refs(v, 0), at: this.at(n) });
          break;
        }
        case "call_expression":
          this.call(n, scope, gate);
          break;
        case "new_expression": {
          const ctor = canon(this.folder, fieldOf(n, "constructor"));
          const args = argList(n);
          if (ctor && NETWORK_NEW.test(ctor))
            this.sink(
              "network",
              ctor,
              n,
              scope,
              gate,
              args.flatMap((a) => this.refs(a, 0)),
              this.folder.fold(args[0] ?? null),
            );
          break;
        }
        default:
          break;
      }
    }
  }

  private func(n: SgNode, name: string): void {
    const params = fieldOf(n, "parameters") ?? fieldOf(n, "parameter");
    const names = params
      ? params.kind() === "identifier"
        ? [params.text()]
        : params.namedChildren().map((p) => {
            const id = p.kind() === "identifier" ? p : (fieldOf(p, "pattern") ?? fieldOf(p, "left") ?? p);
            return id.kind() === "identifier" ? id.text() : "";
          })
      : [];
    this.flow.funcs.push({ name, params: names, at: this.at(n) });
    const body = fieldOf(n, "body");
    if (body && body.kind() !== "statement_block")
      this.flow.returns.push({ fn: name, refs: this.refs(body, 0), at: this.at(body) });
  }

  /** `x = v`, `{a, b: c} = v`, `[k, v] = v`, `obj[k] = v`, `obj.p = v` (taints obj). */
  private assignPattern(left: SgNode, value: SgNode, scope: string): void {
    const refs = this.refs(value, 0);
    if (refs.length === 0) return;
    const encodes = ENCODES.test(value.text().slice(0, 2000));
    const targets: string[] = [];
    const lk = kindOf(left);
    if (lk === "identifier") targets.push(left.text());
    else if (lk === "member_expression" || lk === "subscript_expression") {
      let o: SgNode | null = left;
      while (o && (o.kind() === "member_expression" || o.kind() === "subscript_expression"))
        o = fieldOf(o, "object");
      if (o?.kind() === "identifier") targets.push(o.text());
    } else
      for (const id of left.findAll({
        rule: { any: [{ kind: "identifier" }, { kind: "shorthand_property_identifier_pattern" }] },
      }))
        targets.push(id.text());
    for (const t of targets) this.flow.assigns.push({ target: t, scope, refs, at: this.at(left), encodes });
  }

  private sink(
    kind: Sink["kind"],
    what: string,
    n: SgNode,
    scope: string,
    gate: Place | null,
    refs: Ref[],
    dest: string | null,
    extra: Partial<Sink> = {},
  ): void {
    this.flow.sinks.push({
      kind,
      what,
      scope,
      refs,
      at: this.at(n),
      excerpt: n.text().slice(0, 300),
      dest,
      gate,
      ...extra,
    });
  }

  private call(n: SgNode, scope: string, gate: Place | null): void {
    const fn = fieldOf(n, "function");
    if (!fn) return;
    const name = canon(this.folder, fn);
    const args = argList(n);
    hiddenName(this.fc, name, offsetOf(n), n.text().slice(0, 200));
    if (name && NETWORK.test(name)) {
      this.sink(
        "network",
        name,
        n,
        scope,
        gate,
        args.flatMap((a) => this.refs(a, 0)),
        this.folder.fold(args[0] ?? null),
        {
          dns: name.startsWith("dns."),
        },
      );
      return;
    }
    if (name && EXEC.test(name)) {
      const cmd = args[0] ?? null;
      const rest = /spawn|execFile|fork|execa/.test(name) ? (args[1] ?? null) : null;
      const refs = [...(cmd ? this.refs(cmd, 0) : []), ...(rest ? this.refs(rest, 0) : [])];
      const folded = [this.folder.fold(cmd), ...(this.folder.foldList(rest) ?? [])]
        .filter((x) => x !== null)
        .join(" ");
      const command = folded || this.folder.foldLoose(cmd);
      this.sink("exec", name, n, scope, gate, refs, null, { command });
      return;
    }
    if (name && WRITE.test(name)) {
      const path = this.folder.fold(args[0] ?? null);
      const data = /copyFile/.test(name) ? args[0] : args[1];
      this.sink("write", name, n, scope, gate, data ? this.refs(data, 0) : [], null, { path });
      return;
    }
    if (name && CHMOD.test(name)) {
      const path = this.folder.fold(args[0] ?? null);
      if (path) this.flow.chmods.push({ path, at: this.at(n) });
      return;
    }
    // `list.push(x)` and friends taint the container.
    if (fn.kind() === "member_expression") {
      const prop = fieldOf(fn, "property")?.text() ?? "";
      const obj = fieldOf(fn, "object");
      // Object.assign(target, …) fills its first argument; list.push(x) fills the list.
      const target =
        obj?.text() === "Object" && prop === "assign"
          ? args[0]?.kind() === "identifier"
            ? args[0].text()
            : null
          : obj?.kind() === "identifier" && !BUILTIN_OBJECTS.has(obj.text())
            ? obj.text()
            : null;
      if (APPENDS.has(prop) && target && args.length > 0) {
        const refs = args.flatMap((a) => this.refs(a, 0));
        if (refs.length > 0) this.flow.assigns.push({ target, scope, refs, at: this.at(n) });
      }
    }
    const callee = name?.split(".").pop() ?? null;
    if (callee && /^[A-Za-z_$][\w$]*$/.test(callee) && args.length > 0)
      this.flow.calls.push({ fn: callee, scope, args: args.map((a) => this.refs(a, 0)), at: this.at(n) });
  }

  /** What a value expression carries: variables, calls of named functions, sources. */
  refs(n: SgNode, depth: number): Ref[] {
    const quick = refsFromText(n.text(), false);
    if (quick) return quick;
    const out: Ref[] = [];
    this.collect(n, depth, out);
    return out;
  }

  private collect(n: SgNode, depth: number, out: Ref[]): void {
    if (depth > 60 || out.length > 200) return;
    if (++this.visits > MAX_VISITS) {
      this.capped ??= `data-flow work past ${MAX_VISITS} steps`;
      return;
    }
    const d = depth + 1;
    const k = kindOf(n);
    switch (k) {
      case "identifier": {
        // Only a name bound in the file can alias process.env.
        const name = this.folder.valueOf(n.text()) ? canon(this.folder, n) : n.text();
        if (name === "process.env") out.push({ src: wholeEnv(this.at(n)) });
        else out.push({ v: n.text() });
        return;
      }
      case "member_expression":
      case "subscript_expression": {
        const name = canon(this.folder, n);
        if (name === "process.env") {
          out.push({ src: wholeEnv(this.at(n)) });
          return;
        }
        if (name?.startsWith("process.env.")) return; // one named variable: the skill's own key
        const obj = fieldOf(n, "object");
        if (k === "subscript_expression" && canon(this.folder, obj) === "process.env") return; // process.env[name]
        if (obj) this.collect(obj, d, out);
        const idx = k === "subscript_expression" ? fieldOf(n, "index") : null;
        if (idx) this.collect(idx, d, out);
        return;
      }
      case "string":
      case "template_string":
      case "binary_expression": {
        const s = this.folder.fold(n);
        if (s !== null) {
          const src = pathSource(s, this.at(n), "references");
          if (src) out.push({ src });
          return;
        }
        break;
      }
      case "call_expression": {
        const fn = fieldOf(n, "function");
        const name = canon(this.folder, fn);
        const args = argList(n);
        if (name && READ.test(name)) {
          const p = this.folder.fold(args[0] ?? null);
          const src = p !== null ? pathSource(p, this.at(n)) : null;
          if (src) out.push({ src });
          else if (p !== null) out.push({ path: p });
          else if (args[0]) {
            // A path built at run time: its contents carry whatever secret the path names.
            const inner: Ref[] = [];
            this.collect(args[0], d, inner);
            if (inner.length > 0) out.push({ readOf: inner });
          }
          return;
        }
        if (name && NETWORK.test(name)) {
          out.push({ src: downloaded(name, this.at(n)) });
          return;
        }
        // A process's output is not its environment or arguments.
        if (name && EXEC.test(name)) return;
        const callee = name?.split(".").pop();
        if (callee && /^[A-Za-z_$][\w$]*$/.test(callee)) out.push({ call: callee });
        if (fn && fn.kind() === "member_expression") {
          const obj = fieldOf(fn, "object");
          if (obj) this.collect(obj, d, out);
        }
        for (const a of args) this.collect(a, d, out);
        return;
      }
      case "arrow_function":
      case "function_expression":
      case "generator_function":
        return;
      case "pair": {
        const v = fieldOf(n, "value");
        if (v) this.collect(v, d, out);
        return;
      }
      default:
        break;
    }
    for (const c of n.children()) if (c.isNamed()) this.collect(c, d, out);
  }
}
