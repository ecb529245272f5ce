// Python → flow records (see src/skills/flow/taint.ts), with names resolved by the constant folder.
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
  /^(?:requests|httpx|aiohttp)\.(?:get|post|put|patch|delete|head|request|options|stream)$|^(?:urllib\.request\.|urllib2\.)?(?:urlopen|Request)$|^http\.client\.HTTPS?Connection$|^smtplib\.SMTP(?:_SSL)?$|^socket\.(?:gethostbyname|gethostbyname_ex|getaddrinfo|create_connection)$|^dns\.resolver\.(?:resolve|query)$/;
/** Methods that send, on whatever object: sessions, sockets, connections. */
const SEND_METHOD = /^(?:post|put|patch|sendall|sendto|sendmail|send_message)$/;
const EXEC =
  /^(?:subprocess\.(?:run|Popen|call|check_output|check_call|getoutput|getstatusoutput)|os\.(?:system|popen|exec\w*|spawn\w*|posix_spawn\w*)|pty\.spawn|asyncio\.create_subprocess_(?:shell|exec)|commands\.getoutput)$/;
const READ =
  /^(?:open|io\.open|codecs\.open|glob\.glob|os\.listdir|os\.walk|os\.scandir|shutil\.copy\w*|shutil\.make_archive|tarfile\.open|zipfile\.ZipFile)$|\.(?:read_text|read_bytes)$/;
const CHMOD = /^os\.chmod$/;
const MAX_NODES = 200_000;
const MAX_VISITS = 2_000_000;
const KINDS = [
  "function_definition",
  "if_statement",
  "assignment",
  "augmented_assignment",
  "for_statement",
  "for_in_clause",
  "with_item",
  "return_statement",
  "call",
];

function canon(folder: Folder, n: SgNode | null): string | null {
  const v = plainName(folder.name(n));
  return v === null ? null : v.replace(/^(?:builtins|__builtins__)\./, "");
}

function isWriteMode(call: SgNode, folder: Folder): boolean {
  const args = argList(call);
  const mode = args.find((a) => a.kind() === "keyword_argument" && fieldOf(a, "name")?.text() === "mode");
  const m = folder.fold(mode ? fieldOf(mode, "value") : (args[1] ?? null));
  return m !== null && /[wax]/.test(m);
}

export class PyFlow {
  readonly flow: FileFlow;
  capped: string | null = null;
  private visits = 0;
  private readonly fc: FileContext;
  private readonly folder: Folder;
  /** File handles opened for writing → their path. */
  private readonly handles = new Map<string, string>();

  constructor(fc: FileContext, folder: Folder) {
    this.fc = fc;
    this.folder = folder;
    this.flow = emptyFlow(fc.file.display, "py");
  }

  private at(n: SgNode): Place {
    return { file: this.fc.file.display, line: this.fc.lineOf(offsetOf(n)) };
  }

  run(top: SgNode): void {
    // One native traversal (document order); functions and date gates become ranges.
    let nodes = top.findAll({ rule: { any: KINDS.map((kind) => ({ kind })) } });
    if (nodes.length > MAX_NODES) {
      this.capped ??= `more than ${MAX_NODES} statements and calls`;
      nodes = nodes.slice(0, MAX_NODES);
    }
    const scopes = new Ranges<string>();
    const gates = new Ranges<Place>();
    const kinds = nodes.map(kindOf);
    const offsets = nodes.map(offsetOf);
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      const k = kinds[i]!;
      if (k === "function_definition") {
        const name = fieldOf(n, "name")?.text() ?? `λ${this.at(n).line}`;
        const params = fieldOf(n, "parameters");
        const names = params
          ? params.namedChildren().map((p) => {
              const id = p.kind() === "identifier" ? p : (fieldOf(p, "name") ?? p.namedChildren()[0] ?? p);
              return id.kind() === "identifier" ? id.text() : "";
            })
          : [];
        this.flow.funcs.push({ name, params: names, at: this.at(n) });
        scopes.add(n, name);
      } else if (k === "if_statement") {
        const cond = fieldOf(n, "condition");
        if (cond && isDateGate(cond.text(), (id) => this.folder.fold(this.folder.valueOf(id))))
          gates.add(n, this.at(cond));
      }
    }
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      const off = offsets[i]!;
      const scope = scopes.at(off) ?? "";
      const gate = gates.at(off);
      switch (kinds[i]) {
        case "assignment":
        case "augmented_assignment": {
          const left = fieldOf(n, "left");
          const value = fieldOf(n, "right");
          if (left && value) {
            this.assign(left, value, scope);
            this.noteHandle(left, value);
          }
          break;
        }
        case "for_statement":
        case "for_in_clause": {
          const left = fieldOf(n, "left");
          const right = fieldOf(n, "right");
          if (left && right) this.assign(left, right, scope);
          break;
        }
        case "with_item": {
          const v = fieldOf(n, "value") ?? n.namedChildren()[0];
          if (v?.kind() === "as_pattern") {
            const call = v.namedChildren()[0];
            const target = fieldOf(v, "alias") ?? v.namedChildren()[1];
            const id = target?.kind() === "as_pattern_target" ? target.namedChildren()[0] : target;
            if (call && id) {
              this.assign(id, call, scope);
              this.noteHandle(id, call);
            }
          }
          break;
        }
        case "return_statement": {
          const v = n.namedChildren()[0];
          if (v && scope) this.flow.returns.push({ fn: scope, refs: this.refs(v), at: this.at(n) });
          break;
        }
        case "call":
          this.call(n, scope, gate);
          break;
        default:
          break;
      }
    }
  }

  /** `f = open(p, 'w')` / `with open(p, 'w') as f`: remember where `f` writes. */
  private noteHandle(target: SgNode, value: SgNode): void {
    if (target.kind() !== "identifier" || value.kind() !== "call") return;
    if (canon(this.folder, fieldOf(value, "function")) !== "open" || !isWriteMode(value, this.folder)) return;
    const p = this.folder.fold(argList(value)[0] ?? null);
    if (p !== null) this.handles.set(target.text(), p);
  }

  private assign(left: SgNode, value: SgNode, scope: string): void {
    const refs = this.refs(value);
    if (refs.length === 0) return;
    const encodes = ENCODES.test(value.text().slice(0, 2000));
    const targets: { name: string; scope: string }[] = [];
    const lk = kindOf(left);
    if (lk === "identifier") targets.push({ name: left.text(), scope });
    else if (lk === "attribute") {
      // self.x = … is visible to every method: keep it file-wide.
      targets.push({ name: left.text(), scope: "" });
    } else if (lk === "subscript") {
      let o: SgNode | null = left;
      while (o && (o.kind() === "subscript" || o.kind() === "attribute"))
        o = fieldOf(o, "value") ?? fieldOf(o, "object");
      if (o?.kind() === "identifier") targets.push({ name: o.text(), scope });
    } else
      for (const id of left.findAll({ rule: { kind: "identifier" } }))
        targets.push({ name: id.text(), scope });
    for (const t of targets)
      this.flow.assigns.push({ target: t.name, scope: t.scope, refs, at: this.at(left), encodes });
  }

  private sink(
    kind: Sink["kind"],
    what: string,
    n: SgNode,
    scope: string,
    gate: Place | null,
    refs: Ref[],
    extra: Partial<Sink> = {},
  ): void {
    this.flow.sinks.push({
      kind,
      what,
      scope,
      refs,
      at: this.at(n),
      excerpt: n.text().slice(0, 300),
      gate,
      ...extra,
    });
  }

  private urlOf(args: SgNode[]): string | null {
    const kw = args.find((a) => a.kind() === "keyword_argument" && fieldOf(a, "name")?.text() === "url");
    const first = kw ? fieldOf(kw, "value") : (args.find((a) => a.kind() !== "keyword_argument") ?? null);
    return this.folder.fold(first);
  }

  private call(n: SgNode, scope: string, gate: Place | null): void {
    const fn = fieldOf(n, "function");
    if (!fn) return;
    const name = canon(this.folder, fn);
    const args = argList(n);
    hiddenName(this.fc, name, offsetOf(n), n.text().slice(0, 200));
    const method = fn.kind() === "attribute" ? (fieldOf(fn, "attribute")?.text() ?? "") : "";
    const allRefs = () => args.flatMap((a) => this.refs(a));
    if ((name && NETWORK.test(name)) || SEND_METHOD.test(method)) {
      const dest = this.urlOf(args);
      this.sink("network", name ?? method, n, scope, gate, allRefs(), {
        dest,
        dns: !!name && /gethostbyname|getaddrinfo|resolver/.test(name),
      });
      return;
    }
    if (name && EXEC.test(name)) {
      const positional = args.filter((a) => a.kind() !== "keyword_argument");
      const refs = positional.flatMap((a) => this.refs(a));
      const first = positional[0] ?? null;
      const command =
        this.folder.fold(first) ?? this.folder.foldList(first)?.join(" ") ?? this.folder.foldLoose(first);
      this.sink("exec", name, n, scope, gate, refs, { command });
      return;
    }
    if (name === "urllib.request.urlretrieve" || name === "urlretrieve") {
      const path = this.folder.fold(args[1] ?? null);
      this.sink("write", name, n, scope, gate, [{ src: downloaded(name, this.at(n)) }], { path });
      return;
    }
    const dump = name === "json.dump" || name === "pickle.dump" || name === "yaml.dump";
    if (method === "write" || method === "writelines" || dump) {
      // fh.write(data) / json.dump(data, fh) on a handle opened for writing.
      const obj = dump ? (args[1] ?? null) : fieldOf(fn, "object");
      const path = obj?.kind() === "identifier" ? (this.handles.get(obj.text()) ?? null) : null;
      if (path !== null) {
        this.sink("write", name ?? method, n, scope, gate, dump ? this.refs(args[0]!) : allRefs(), { path });
        return;
      }
    }
    if (method === "write_text" || method === "write_bytes") {
      const path = this.folder.fold(fieldOf(fn, "object"));
      this.sink("write", method, n, scope, gate, allRefs(), { path });
      return;
    }
    if (name && CHMOD.test(name)) {
      const path = this.folder.fold(args[0] ?? null);
      if (path) this.flow.chmods.push({ path, at: this.at(n) });
      return;
    }
    if (
      (method === "append" || method === "extend" || method === "update" || method === "add") &&
      args.length > 0
    ) {
      const obj = fieldOf(fn, "object");
      const refs = allRefs();
      if (obj && refs.length > 0 && (obj.kind() === "identifier" || obj.kind() === "attribute"))
        this.flow.assigns.push({
          target: obj.text(),
          scope: obj.kind() === "attribute" ? "" : scope,
          refs,
          at: this.at(n),
        });
    }
    const callee = name?.split(".").pop() ?? (method || null);
    if (callee && /^\w+$/.test(callee) && args.length > 0)
      this.flow.calls.push({
        fn: callee,
        scope,
        args: args.filter((a) => a.kind() !== "keyword_argument").map((a) => this.refs(a)),
        at: this.at(n),
      });
  }

  refs(n: SgNode): Ref[] {
    const quick = refsFromText(n.text(), true);
    if (quick) return quick;
    const out: Ref[] = [];
    this.collect(n, 0, out);
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
      case "identifier":
        out.push({ v: n.text() });
        return;
      case "attribute": {
        const name = canon(this.folder, n);
        if (name === "os.environ") {
          const parent = n.parent();
          const usedWhole = !(parent && (parent.kind() === "attribute" || parent.kind() === "subscript"));
          if (usedWhole) out.push({ src: wholeEnv(this.at(n)) });
          return;
        }
        if (name && /^os\.environ\.(?:items|values|copy)$/.test(name)) {
          out.push({ src: wholeEnv(this.at(n)) });
          return;
        }
        const obj = fieldOf(n, "object");
        if (obj?.kind() === "identifier" && obj.text() === "self") {
          out.push({ v: n.text() });
          return;
        }
        if (obj) this.collect(obj, d, out);
        return;
      }
      case "subscript": {
        if (canon(this.folder, fieldOf(n, "value")) === "os.environ") return; // one named variable
        break;
      }
      case "string":
      case "concatenated_string":
      case "binary_operator": {
        const s = this.folder.fold(n);
        if (s !== null) {
          const src = pathSource(s, this.at(n), "references");
          if (src) out.push({ src });
          return;
        }
        break;
      }
      case "call": {
        const fn = fieldOf(n, "function");
        const name = canon(this.folder, fn);
        const args = argList(n);
        if (name && /^(?:os\.(?:getenv|environ\.get))$/.test(name)) return;
        if (name && /^os\.environ\.(?:items|values|copy)$/.test(name)) {
          out.push({ src: wholeEnv(this.at(n)) });
          return;
        }
        if (name && READ.test(name)) {
          const target =
            name.endsWith("read_text") || name.endsWith("read_bytes")
              ? fieldOf(fn!, "object")
              : (args[0] ?? null);
          const p = this.folder.fold(target);
          const src = p !== null ? pathSource(p, this.at(n)) : null;
          if (src) out.push({ src });
          else if (p !== null) out.push({ path: p });
          else if (target) {
            // A path built at run time: its contents carry whatever secret the path names.
            const inner: Ref[] = [];
            this.collect(target, d, inner);
            if (inner.length > 0) out.push({ readOf: inner });
          }
          return;
        }
        if (name && NETWORK.test(name) && !/gethostbyname|getaddrinfo|resolver/.test(name)) {
          out.push({ src: downloaded(name, this.at(n)) });
          return;
        }
        // A process's output is not its environment or arguments.
        if (name && EXEC.test(name)) return;
        const method = fn?.kind() === "attribute" ? (fieldOf(fn, "attribute")?.text() ?? "") : "";
        const callee = name?.split(".").pop() ?? (method || null);
        if (callee && /^\w+$/.test(callee)) out.push({ call: callee });
        if (fn?.kind() === "attribute") {
          const obj = fieldOf(fn, "object");
          const inner: Ref[] = [];
          if (obj) this.collect(obj, d, inner);
          // fh.read() / p.read_text(): the contents of what fh or p names.
          if (/^(?:read|readlines|readline|read_text|read_bytes|load)$/.test(method) && inner.length > 0)
            out.push({ readOf: inner });
          else out.push(...inner);
        }
        for (const a of args) this.collect(a, d, out);
        return;
      }
      case "keyword_argument": {
        const v = fieldOf(n, "value");
        if (v) this.collect(v, d, out);
        return;
      }
      case "lambda":
        return;
      default:
        break;
    }
    for (const c of n.children()) if (c.isNamed()) this.collect(c, d, out);
  }
}
