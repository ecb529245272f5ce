// Python analyzer.
import type { SgNode, SgRoot } from "@ast-grep/napi";
import type { FileContext } from "../../context.ts";
import { fieldOf, offsetOf } from "../../flow/syntax.ts";
import { Decls } from "../../flow/values.ts";
import { judgeUrlIn } from "../../indicators.ts";
import { flowCheck } from "./flow-check.ts";
import {
  AGENT_LITERAL,
  DECODE_PY,
  PERSIST_LITERAL,
  REMOTE_PY,
  SENSITIVE_LITERAL,
  SHELL_DL,
  type Source,
  source,
} from "./patterns.ts";

const PY_FUNCS = new Set(["function_definition", "lambda"]);

export function analyzePython(fc: FileContext, root: SgRoot): void {
  const top = root.root();
  const text = fc.text;
  const fromSubprocess = new Set<string>();
  const fromImport = /from\s+subprocess\s+import\s+([^\n]+)/g;
  for (let m = fromImport.exec(text); m !== null; m = fromImport.exec(text))
    for (const n of m[1]!.split(","))
      fromSubprocess.add(
        (
          n
            .trim()
            .split(/\s+as\s+/)
            .pop() ?? ""
        ).replace(/[()]/g, ""),
      );
  const sources: Source[] = [];
  const sinks: SgNode[] = [];
  const programs: string[] = [];
  let firstSpawn: number | null = null;
  let hasWrite = false;
  let hasSocket = false;
  let hasDup = false;

  const decls = new Decls(top, ["assignment"]);
  const fromAlt = [...fromSubprocess].filter((x) => /^\w+$/.test(x)).join("|");
  const PY_CALLS = `^(?:subprocess\\.\\w+|os\\.\\w+|pty\\.spawn|asyncio\\.create_subprocess_\\w+|commands\\.getoutput|eval|exec|compile|execfile|builtins\\.\\w+|__import__|importlib\\.import_module|marshal\\.loads|socket\\.socket${SENSITIVE_LITERAL.test(text) || PERSIST_LITERAL.test(text) || AGENT_LITERAL.test(text) ? "|open|Path|glob\\.glob|shutil\\.\\w+" : ""}${/os\.environ\s*\)/.test(text) ? "|dict|json\\.dumps|str" : ""}${fromAlt ? `|${fromAlt}` : ""})$|\\.(?:read_text|read_bytes|open|write_text|write_bytes|expanduser|dup2)$`;
  for (const call of top.findAll({ rule: { kind: "call", has: { field: "function", regex: PY_CALLS } } })) {
    const fn = fieldOf(call, "function");
    if (!fn) continue;
    const fnText = fn.text();
    const args = fieldOf(call, "arguments");
    const argsText = args ? args.text() : "";
    if (
      /^(?:subprocess\.(?:run|Popen|call|check_output|check_call|getoutput|getstatusoutput)|os\.(?:system|popen|exec\w*|spawn\w*|posix_spawn\w*)|pty\.spawn|asyncio\.create_subprocess_(?:shell|exec)|commands\.getoutput)$/.test(
        fnText,
      ) ||
      (fn.kind() === "identifier" && fromSubprocess.has(fnText))
    ) {
      firstSpawn ??= offsetOf(call);
      const first = args?.namedChildren()[0] ?? null;
      let prog = "";
      if (first?.kind() === "string")
        prog =
          first
            .text()
            .replace(/^[rbuf]*["']{1,3}|["']{1,3}$/gi, "")
            .trim()
            .split(/\s+/)[0] ?? "";
      else if (first?.kind() === "list") {
        const f = first.namedChildren()[0];
        if (f?.kind() === "string") prog = f.text().replace(/^[rbuf]*["']{1,3}|["']{1,3}$/gi, "");
      }
      if (prog) {
        programs.push(prog);
        const base = prog.split("/").pop()!;
        if (!fc.skill.facts.binsRun.has(base))
          fc.skill.facts.binsRun.set(base, { file: fc.file.display, line: fc.lineOf(offsetOf(call)) });
      }
      if (fnText === "pty.spawn" && /["'](?:\/bin\/)?(?:ba|z)?sh["']/.test(argsText)) hasDup = hasDup || true;
      const decoded = DECODE_PY.test(argsText) || decls.resolves(argsText, DECODE_PY);
      if (SHELL_DL.test(argsText) || decoded) {
        const url = judgeUrlIn(argsText, fc.skill.iocs);
        const risky = url && (url.risk === "risky" || url.risk === "ioc");
        fc.emitAt("CP-SKILL-EXEC-010", offsetOf(call), call.text(), {
          ...(decoded || risky ? { severity: "critical" as const, confidence: "high" as const } : {}),
          detail: decoded
            ? `${fnText}() runs a command built from decoded data`
            : `${fnText}() runs a download or shell command${url ? ` (${url.url}: ${url.reason})` : ""}`,
        });
        if (risky)
          fc.emitAt("CP-SKILL-CHAIN-002", offsetOf(call), call.text(), {
            detail: `${fnText}() fetches and runs code from ${url.url} (${url.reason})`,
          });
      }
      continue;
    }
    if (/^(?:eval|exec|compile|execfile)$/.test(fnText) || /^(?:builtins\.)?(?:eval|exec)$/.test(fnText)) {
      const decoded = DECODE_PY.test(argsText) || decls.resolves(argsText, DECODE_PY);
      const remote = REMOTE_PY.test(argsText) || decls.resolves(argsText, REMOTE_PY);
      if (decoded || remote)
        fc.emitAt("CP-SKILL-CODE-002", offsetOf(call), call.text(), {
          detail: `${fnText}() evaluates ${decoded ? "decoded" : "downloaded"} data`,
        });
      else fc.emitAt("CP-SKILL-CODE-001", offsetOf(call), call.text(), { detail: `${fnText}(...)` });
      continue;
    }
    if (/^(?:__import__|importlib\.import_module)$/.test(fnText)) {
      const first = args?.namedChildren()[0] ?? null;
      if (first && first.kind() !== "string")
        fc.emitAt("CP-SKILL-CODE-003", offsetOf(call), call.text(), {
          detail: `${fnText} of a computed name`,
        });
      continue;
    }
    if (/^marshal\.loads$/.test(fnText))
      fc.emitAt("CP-SKILL-OBF-002", offsetOf(call), call.text(), { detail: "Loads marshalled bytecode" });
    if (/^socket\.socket$/.test(fnText)) hasSocket = true;
    if (/^os\.dup2$/.test(fnText)) hasDup = true;
    if (/^open$/.test(fnText) && /["'][aw]b?\+?["']/.test(argsText)) hasWrite = true;
    if (/\.(?:write_text|write_bytes)$/.test(fnText)) hasWrite = true;
    if (
      /^(?:open|Path|os\.path\.expanduser|glob\.glob|shutil\.copy\w*|os\.listdir|os\.walk)$|\.(?:read_text|read_bytes|open)$/.test(
        fnText,
      ) &&
      SENSITIVE_LITERAL.test(argsText)
    )
      sources.push(source(call, argsText, "reads"));
    if (/^(?:dict|json\.dumps|str)$/.test(fnText) && /^\(\s*(?:dict\()?os\.environ\)?\s*\)$/.test(argsText))
      sources.push({ node: call, what: "the whole environment", strong: true });
  }
  // Reading a sensitive path assigned to a variable first: Path.home() / ".ssh" / "id_rsa" etc.
  for (const s of SENSITIVE_LITERAL.test(text)
    ? top.findAll({ rule: { kind: "string", regex: SENSITIVE_LITERAL.source } })
    : []) {
    const t = s.text();
    if (!SENSITIVE_LITERAL.test(t)) continue;
    if (sources.some((x) => x.node.text().includes(t))) continue;
    const stmt = s.ancestors().find((a) => a.kind() === "assignment");
    if (stmt) sources.push(source(s, t, "references"));
  }
  if (firstSpawn !== null)
    fc.emitAt("CP-SKILL-EXEC-011", firstSpawn, programs.join(", ") || "subprocess", {
      detail: `Runs programs: ${[...new Set(programs)].join(", ") || "(computed)"}`,
    });
  if (hasSocket && hasDup) {
    const at = text.search(/os\.dup2|pty\.spawn/);
    fc.emitAt("CP-SKILL-EXEC-008", Math.max(0, at), text.slice(Math.max(0, at), Math.max(0, at) + 80), {
      detail: "Socket wired to a shell (os.dup2 / pty.spawn)",
    });
  }
  if (sources.length > 0)
    for (const call of top.findAll({
      rule: {
        kind: "call",
        has: {
          field: "function",
          regex:
            "^(?:requests|httpx)\\.(?:post|put|patch|get|request)$|^(?:urllib\\.request\\.)?(?:urlopen|Request)$|^http\\.client\\.HTTPS?Connection$|^smtplib\\.SMTP(?:_SSL)?$|\\.(?:sendall|send|connect|post|put|sendmail|request)$",
        },
      },
    }))
      sinks.push(call);
  flowCheck(fc, top, sources, sinks, PY_FUNCS, ["assignment", "as_pattern", "for_statement"]);
  if ((hasWrite || firstSpawn !== null) && (PERSIST_LITERAL.test(text) || AGENT_LITERAL.test(text))) {
    for (const s of top.findAll({ rule: { kind: "string", regex: PERSIST_LITERAL.source } })) {
      const t = s.text();
      if (PERSIST_LITERAL.test(t)) {
        fc.emitAt("CP-SKILL-PERSIST-001", offsetOf(s), t, {
          detail: "Code writes to or schedules a start-up location",
        });
        break;
      }
    }
    if (hasWrite)
      for (const s of top.findAll({ rule: { kind: "string", regex: AGENT_LITERAL.source } })) {
        const t = s.text();
        if (AGENT_LITERAL.test(t)) {
          fc.emitAt("CP-SKILL-AGENT-001", offsetOf(s), t, {
            severity: "medium",
            // Low confidence: the file writes something and names an agent file; that the write goes
            // to it is not shown (memory and config helpers name these files all the time).
            confidence: "low",
            detail: "Code names an agent bootstrap/memory/config file and writes files",
          });
          break;
        }
      }
  }
}
