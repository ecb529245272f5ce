// Shell → flow records (see src/skills/flow/taint.ts). Variables fold to their constant values
// (`A=$(echo aHR0cDovL3g= | base64 -d)` is the decoded text), network tools are sinks, `cat`
// of secret files and `env`/`printenv` are sources, `curl -o` / `> file` are writes, and a
// pipeline carries what its earlier commands read into the later ones.
import type { SgNode } from "@ast-grep/napi";
import type { FileContext } from "../../context.ts";
import { fieldOf, kindOf, offsetOf, Ranges } from "../../flow/syntax.ts";
import { emptyFlow, type FileFlow, type Place, type Ref } from "../../flow/taint.ts";
import { downloaded, ENCODES, homePath, isDateGate, pathSource, wholeEnv } from "./sources.ts";

const NET = /^(?:curl|wget|nc|ncat|netcat|socat|nslookup|dig|host|ssh|scp|sftp|rsync|ftp|telnet)$/;
const DNS = /^(?:nslookup|dig|host)$/;
const READERS = /^(?:cat|tar|zip|gzip|base64|xxd|head|tail|gpg|openssl|jq|cp|less|more|strings)$/;
const WHOLE_READERS = /^(?:cat|tar|zip|gzip|base64|xxd|cp)$/;
const AGENT_CONFIG_FILE = /\.(?:openclaw|clawdbot|moltbot)[\\/](?:openclaw|clawdbot|moltbot)\.json/;
const RUNNERS = /^(?:ba|z|da|k)?sh$|^python[0-9.]*$|^node$|^perl$|^ruby$/;
const MAX_NODES = 100_000;
const KINDS = [
  "function_definition",
  "if_statement",
  "while_statement",
  "variable_assignment",
  "pipeline",
  "redirected_statement",
  "command",
];

export class ShFlow {
  readonly flow: FileFlow;
  capped: string | null = null;
  private readonly fc: FileContext;
  private readonly vars = new Map<string, string | null>();

  constructor(fc: FileContext) {
    this.fc = fc;
    this.flow = emptyFlow(fc.file.display, "sh");
  }

  private at(n: SgNode): Place {
    return { file: this.fc.file.display, line: this.fc.lineOf(offsetOf(n)) };
  }

  run(top: SgNode): void {
    // One native traversal in document order (variables fold as they are assigned).
    let nodes = top.findAll({ rule: { any: KINDS.map((kind) => ({ kind })) } });
    if (nodes.length > MAX_NODES) {
      this.capped ??= `more than ${MAX_NODES} commands`;
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
        const name = fieldOf(n, "name")?.text() ?? "";
        this.flow.funcs.push({ name, params: [], at: this.at(n) });
        scopes.add(n, name);
      } else if (k === "if_statement" || k === "while_statement") {
        const cond = fieldOf(n, "condition") ?? n.namedChildren()[0];
        if (cond && isDateGate(cond.text(), (id) => this.vars.get(id) ?? null)) gates.add(n, this.at(cond));
      }
    }
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      const off = offsets[i]!;
      this.visit(n, kinds[i]!, scopes.at(off) ?? "", gates.at(off));
    }
  }

  /** The constant text of a word, string or expansion, or null. */
  fold(n: SgNode | null, depth = 0): string | null {
    if (!n || depth > 30) return null;
    switch (kindOf(n)) {
      case "word":
      case "raw_string":
      case "number":
        return n.kind() === "raw_string" ? n.text().slice(1, -1) : n.text().replace(/\\(.)/g, "$1");
      case "string_content":
        return n.text();
      case "command_name":
        return this.fold(n.namedChildren()[0] ?? null, depth + 1);
      case "string":
      case "concatenation": {
        let out = "";
        for (const c of n.children()) {
          if (!c.isNamed()) continue;
          const v = this.fold(c, depth + 1);
          if (v === null) return null;
          out += v;
        }
        return out;
      }
      case "simple_expansion":
      case "expansion": {
        const name =
          n
            .namedChildren()
            .find((c) => c.kind() === "variable_name")
            ?.text() ?? "";
        if (name === "HOME") return "~";
        // ${VAR:-default}: the value set in the script, else the default.
        const dflt = /^\$\{\w+:?-([^}]*)\}$/.exec(n.text());
        if (dflt) return this.vars.get(name) ?? dflt[1]!.replace(/^["']|["']$/g, "");
        if (n.kind() === "expansion" && n.namedChildren().length > 1) return null;
        return this.vars.get(name) ?? null;
      }
      case "command_substitution": {
        // $(echo X | base64 -d), $(printf X)
        const t = n.text().slice(2, -1).trim();
        const m =
          /^(?:echo|printf)\s+(?:-n\s+)?["']?([A-Za-z0-9+/=_-]+)["']?\s*\|\s*base64\s+(?:-d|--decode|-D)\s*$/.exec(
            t,
          );
        if (m) return Buffer.from(m[1]!, "base64").toString("utf8");
        return null;
      }
      default:
        return null;
    }
  }

  private visit(n: SgNode, kind: string, scope: string, gate: Place | null): void {
    switch (kind) {
      case "variable_assignment": {
        const name = fieldOf(n, "name")?.text() ?? "";
        const value = fieldOf(n, "value");
        if (!name || !value) return;
        this.vars.set(name, this.fold(value));
        const refs = this.refs(value);
        if (refs.length > 0)
          this.flow.assigns.push({
            target: name,
            scope: "",
            refs,
            at: this.at(n),
            encodes: ENCODES.test(value.text()),
          });
        return;
      }
      case "pipeline":
        this.pipeline(n, scope, gate);
        return;
      case "redirected_statement": {
        const body = fieldOf(n, "body") ?? n.namedChildren()[0];
        const redirect = n.namedChildren().find((c) => c.kind() === "file_redirect");
        const target = redirect
          ? this.fold(fieldOf(redirect, "destination") ?? redirect.namedChildren().at(-1) ?? null)
          : null;
        const op = redirect?.text() ?? "";
        const tcp = target !== null ? /^\/dev\/(?:tcp|udp)\/([^/\s]+)\/(\d+)/.exec(target) : null;
        if (tcp && body) {
          // bash -i >& /dev/tcp/$h/$p with the host folded from variables or decoding.
          const shell = /^(?:\S*\/)?(?:ba|z|da|k)?sh\b/.test(body.text().trim());
          if (shell)
            this.fc.emitAt("CP-SKILL-EXEC-008", offsetOf(n), n.text().slice(0, 200), {
              detail: `Shell wired to ${tcp[1]}:${tcp[2]} over /dev/tcp (host built at run time)`,
            });
        }
        if (body && target !== null && /^\d?>>?/.test(op) && !/^\/dev\//.test(target)) {
          const refs = body.kind() === "command" ? this.outputOf(body) : [];
          if (refs.length > 0)
            this.flow.sinks.push({
              kind: "write",
              what: "redirect",
              scope,
              refs,
              at: this.at(n),
              excerpt: n.text().slice(0, 300),
              path: homePath(target),
              gate,
            });
        }
        return;
      }
      case "command":
        // Commands of a pipeline are judged with what flows into them (see pipeline()).
        if (n.parent()?.kind() !== "pipeline") this.command(n, scope, gate, []);
        return;
      default:
        return;
    }
  }

  private pipeline(p: SgNode, scope: string, gate: Place | null): void {
    const carried: Ref[] = [];
    let encodes = false;
    for (const c of p.namedChildren()) {
      if (c.kind() !== "command") continue;
      this.command(c, scope, gate, carried, encodes);
      if (ENCODES.test(c.text())) encodes = true;
      carried.push(...this.outputOf(c));
    }
  }

  /** What a command prints, as refs: `cat <secret>`, `env`, `curl URL`, `$VAR`. */
  private outputOf(c: SgNode): Ref[] {
    const name = this.fold(fieldOf(c, "name"))?.split("/").pop() ?? "";
    const args = c.namedChildren().slice(1);
    const out: Ref[] = [];
    if (name === "env" || name === "printenv" || name === "set") {
      if (args.length === 0) out.push({ src: wholeEnv(this.at(c)) });
      return out;
    }
    if (name === "curl" || name === "wget") {
      out.push({ src: downloaded(name, this.at(c)) });
      return out;
    }
    for (const a of args) {
      const v = this.fold(a);
      if (v !== null) {
        const found = pathSource(homePath(v), this.at(a));
        // The whole agent config (gateway token, channel tokens) read raw, not one field of it.
        const src =
          found?.kind === "config" && WHOLE_READERS.test(name) && AGENT_CONFIG_FILE.test(v)
            ? { ...found, kind: "secret" as const, what: `${found.what} (the whole file)` }
            : found;
        if (src) out.push({ src });
        else if (/^[~/.]/.test(v) && /^(?:cat|tar|zip|gzip|base64|xxd|head|tail|gpg|openssl|jq)$/.test(name))
          out.push({ path: homePath(v) });
      }
      const inner = this.refs(a);
      // cat "$P": the contents of the file $P names.
      if (inner.length > 0) out.push(READERS.test(name) ? { readOf: inner } : inner[0]!, ...inner.slice(1));
    }
    return out;
  }

  private command(c: SgNode, scope: string, gate: Place | null, carried: Ref[], encodes = false): void {
    const nameNode = fieldOf(c, "name");
    const full = this.fold(nameNode) ?? nameNode?.text() ?? "";
    const name = full.split("/").pop() ?? "";
    // Most commands (echo, grep, jq …) neither send, run nor make executable: skip them early.
    const relevant =
      name === "chmod" ||
      NET.test(name) ||
      name === "eval" ||
      name === "source" ||
      name === "." ||
      full.includes("/") ||
      RUNNERS.test(name) ||
      carried.length > 0;
    if (!relevant) return;
    const args = c
      .namedChildren()
      .filter((x) => x.id() !== nameNode?.id() && x.kind() !== "variable_assignment");
    const words = args.map((a) => this.fold(a));
    const command = [full, ...words.map((w, i) => w ?? args[i]!.text())].join(" ");
    const excerpt = c.text().slice(0, 300);
    if (name === "chmod") {
      const target = words.at(-1);
      if (target && words.some((w) => w !== null && /\+x|^[0-7]?[1357][0-7]{2}$/.test(w)))
        this.flow.chmods.push({ path: homePath(target), at: this.at(c) });
      return;
    }
    if (NET.test(name)) {
      const refs: Ref[] = [...carried];
      let dest: string | null = null;
      for (let i = 0; i < args.length; i++) {
        const w = words[i];
        if (w !== null && w !== undefined) {
          if (!dest && /^(?:https?|ftp):\/\//i.test(w)) dest = w;
          // curl -d @file / -F x=@file / -T file / --data-binary @file
          const at = /@([^;\s]+)$/.exec(w);
          const upload = at?.[1] ?? (/^-(?:T|-upload-file)$/.test(words[i - 1] ?? "") ? w : null);
          if (upload && upload !== "-") {
            const src = pathSource(homePath(upload), this.at(args[i]!));
            refs.push(src ? { src } : { path: homePath(upload) });
          }
        }
        const inner = this.refs(args[i]!);
        // -d @"$F" / -F "x=@$F" / -T "$F": the file's contents go out.
        const raw = args[i]!.text();
        if (inner.length > 0 && (/@/.test(raw) || /^-(?:T|-upload-file)$/.test(words[i - 1] ?? "")))
          refs.push({ readOf: inner });
        else refs.push(...inner);
      }
      const dnsName = DNS.test(name) ? (words.find((w) => w !== null && !w.startsWith("-")) ?? null) : null;
      this.flow.sinks.push({
        kind: "network",
        what: name,
        scope,
        refs,
        at: this.at(c),
        excerpt,
        dest: dest ?? dnsName,
        dns: DNS.test(name),
        encodes,
        gate,
      });
      // curl -o FILE / wget -O FILE: the download lands in a file.
      const oi = words.findIndex(
        (w) => w === "-o" || w === "-O" || w === "--output" || w === "--output-document",
      );
      const out = oi >= 0 ? words[oi + 1] : null;
      if ((name === "curl" || name === "wget") && out && out !== "-")
        this.flow.sinks.push({
          kind: "write",
          what: name,
          scope,
          refs: [{ src: downloaded(name, this.at(c)) }],
          at: this.at(c),
          excerpt,
          path: homePath(out),
          gate,
        });
      return;
    }
    // Running a file: ./x, /tmp/x, bash /tmp/x, python3 x.py; eval "$X".
    if (name === "eval" || name === "source" || name === ".") {
      this.flow.sinks.push({
        kind: "exec",
        what: name,
        scope,
        refs: [...carried, ...args.flatMap((a) => this.refs(a))],
        at: this.at(c),
        excerpt,
        command,
        gate,
      });
      return;
    }
    const runsPath = full.includes("/")
      ? homePath(full)
      : RUNNERS.test(name) && words[0]
        ? homePath(words[0])
        : null;
    if (runsPath !== null || carried.length > 0)
      this.flow.sinks.push({
        kind: "exec",
        what: name,
        scope,
        // An interpreter reads its program from the pipe only without a script or -c/-e.
        refs: RUNNERS.test(name) && words.every((w) => w !== null && /^-[^ce]*$/.test(w)) ? [...carried] : [],
        at: this.at(c),
        excerpt,
        command: homePath(command),
        path: runsPath,
        gate,
      });
  }

  /** Variables and command substitutions a word carries. */
  refs(n: SgNode): Ref[] {
    const out: Ref[] = [];
    const visit = (x: SgNode, depth: number) => {
      if (depth > 40 || out.length > 100) return;
      const k = kindOf(x);
      if (k === "simple_expansion" || k === "expansion") {
        const name = x
          .namedChildren()
          .find((c) => c.kind() === "variable_name")
          ?.text();
        if (name) out.push({ v: name });
        return;
      }
      if (k === "command_substitution") {
        for (const c of x.findAll({ rule: { kind: "command" } })) out.push(...this.outputOf(c));
        return;
      }
      if (k === "word" || k === "string" || k === "raw_string" || k === "concatenation") {
        const v = this.fold(x);
        if (v !== null) {
          const src = pathSource(homePath(v), this.at(x), "references");
          if (src && k !== "word") out.push({ src });
        }
      }
      for (const c of x.children()) if (c.isNamed()) visit(c, depth + 1);
    };
    visit(n, 0);
    return out;
  }
}
