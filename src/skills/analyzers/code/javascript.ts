// JavaScript / TypeScript analyzer.
import type { SgNode, SgRoot } from "@ast-grep/napi";
import type { FileContext } from "../../context.ts";
import { fieldOf, isStringNode, offsetOf } from "../../flow/syntax.ts";
import { Decls } from "../../flow/values.ts";
import { judgeUrlIn } from "../../indicators.ts";
import { flowCheck } from "./flow-check.ts";
import {
  AGENT_LITERAL,
  DECODE_JS,
  PERSIST_LITERAL,
  REMOTE_JS,
  SENSITIVE_LITERAL,
  SHELL_DL,
  type Source,
  source,
} from "./patterns.ts";

const JS_FUNCS = new Set([
  "function_declaration",
  "function_expression",
  "arrow_function",
  "method_definition",
  "generator_function_declaration",
  "function",
]);

const SPAWN_METHODS = new Set(["exec", "execSync", "spawn", "spawnSync", "execFile", "execFileSync", "fork"]);

export function analyzeJs(fc: FileContext, root: SgRoot): void {
  const top = root.root();
  const text = fc.text;
  // Bindings of child_process (and execa).
  const cpNamespaces = new Set<string>(["child_process"]);
  const cpFunctions = new Map<string, string>();
  const bindRe =
    /(?:import\s+(?:\*\s+as\s+)?(\w+)\s+from\s*|import\s*\{([^}]*)\}\s*from\s*|(?:const|let|var)\s+(\w+)\s*=\s*(?:await\s+)?(?:require|import)\s*\(\s*|(?:const|let|var)\s*\{([^}]*)\}\s*=\s*(?:await\s+)?(?:require|import)\s*\(\s*)["'](?:node:)?(child_process|execa)["']/g;
  for (let m = bindRe.exec(text); m !== null; m = bindRe.exec(text)) {
    const mod = m[5];
    const ns = m[1] ?? m[3];
    const named = m[2] ?? m[4];
    if (ns) {
      if (mod === "execa") cpFunctions.set(ns, "execa");
      else cpNamespaces.add(ns);
    }
    if (named)
      for (const spec of named.split(",")) {
        const parts = spec
          .trim()
          .split(/\s+as\s+|\s*:\s*/)
          .map((s) => s.trim());
        const orig = parts[0] ?? "";
        const alias = parts[1] ?? orig;
        if (mod === "execa" || SPAWN_METHODS.has(orig)) cpFunctions.set(alias, orig);
      }
  }

  const programs: string[] = [];
  let firstSpawn: number | null = null;
  const sources: Source[] = [];
  const sinks: SgNode[] = [];
  let hasWrite = false;

  const decls = new Decls(top, ["variable_declarator", "assignment_expression"]);
  const esc = (x: string) => x.replace(/[$.]/g, "\\$&");
  const aliasAlt = [...cpFunctions.keys()].map(esc).join("|");
  // Only calls that some rule cares about cross the native boundary.
  const CALLS = `(?:^|\\.)(?:exec|execSync|spawn|spawnSync|execFile|execFileSync|fork|eval|Function|runInThisContext|runInNewContext|runInContext|compileFunction|setTimeout|setInterval|require|readFile|readFileSync|createReadStream|readdir|readdirSync|opendir|writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream|copyFile|copyFileSync${/process\.env\s*\)/.test(text) ? "|stringify|entries|keys|values" : ""}${aliasAlt ? `|${aliasAlt}` : ""})$`;
  const interesting = top.findAll({
    rule: {
      any: [
        { kind: "call_expression", has: { field: "function", regex: CALLS } },
        { kind: "call_expression", has: { field: "function", kind: "import" } },
        {
          kind: "new_expression",
          has: { field: "constructor", regex: "^(?:Function|vm\\.Script|Deno\\.Command)$" },
        },
      ],
    },
  });
  for (const call of interesting) {
    const fn = fieldOf(call, "function") ?? fieldOf(call, "constructor");
    if (!fn) continue;
    const fnText = fn.text();
    const args = fieldOf(call, "arguments");
    const argsText = args ? args.text() : "";
    const isNew = call.kind() === "new_expression";
    // Process spawning.
    let spawnName: string | null = null;
    if (!isNew) {
      if (fn.kind() === "identifier" && cpFunctions.has(fnText)) spawnName = cpFunctions.get(fnText)!;
      else if (fn.kind() === "member_expression") {
        const obj = fieldOf(fn, "object")?.text() ?? "";
        const prop = fieldOf(fn, "property")?.text() ?? "";
        if (
          SPAWN_METHODS.has(prop) &&
          (cpNamespaces.has(obj) || /require\(\s*["'](?:node:)?child_process["']\s*\)/.test(obj))
        )
          spawnName = prop;
        else if (/^Bun$/.test(obj) && prop === "spawn") spawnName = "Bun.spawn";
      }
    } else if (/^Deno\.Command$/.test(fnText)) spawnName = "Deno.Command";
    if (spawnName) {
      firstSpawn ??= offsetOf(call);
      const firstArg = args?.namedChildren()[0] ?? null;
      if (firstArg && isStringNode(firstArg)) {
        const prog = firstArg.text().slice(1, -1).trim().split(/\s+/)[0] ?? "";
        if (prog) {
          programs.push(prog);
          const base = prog.split("/").pop()!;
          if (!fc.skill.facts.binsRun.has(base))
            fc.skill.facts.binsRun.set(base, { file: fc.file.display, line: fc.lineOf(offsetOf(call)) });
        }
      }
      const decoded = DECODE_JS.test(argsText) || decls.resolves(argsText, DECODE_JS);
      if (SHELL_DL.test(argsText) || decoded) {
        const url = judgeUrlIn(argsText, fc.skill.iocs);
        const risky = url && (url.risk === "risky" || url.risk === "ioc");
        fc.emitAt("CP-SKILL-EXEC-010", offsetOf(call), call.text(), {
          ...(decoded || risky ? { severity: "critical" as const, confidence: "high" as const } : {}),
          detail: decoded
            ? `${spawnName}() runs a command built from decoded data`
            : `${spawnName}() runs a download or shell command${url ? ` (${url.url}: ${url.reason})` : ""}`,
        });
        if (risky)
          fc.emitAt("CP-SKILL-CHAIN-002", offsetOf(call), call.text(), {
            detail: `${spawnName}() fetches and runs code from ${url.url} (${url.reason})`,
          });
      }
      continue;
    }
    // Dynamic evaluation.
    const evalLike =
      (!isNew && fnText === "eval") ||
      (isNew && fnText === "Function") ||
      (!isNew && fnText === "Function") ||
      /^vm\.(?:runInThisContext|runInNewContext|runInContext|compileFunction)$/.test(fnText) ||
      (isNew && /^vm\.Script$/.test(fnText)) ||
      (!isNew &&
        /^(?:setTimeout|setInterval)$/.test(fnText) &&
        isStringNode(args?.namedChildren()[0] ?? null));
    // `Function("return this")` is the classic globalThis shim, not dynamic code.
    if (evalLike && /^\(\s*["'`]return this;?["'`]\s*\)$/.test(argsText)) continue;
    if (evalLike) {
      if (/^\(\s*function\s*\(\s*p\s*,\s*a\s*,\s*c\s*,\s*k\s*,\s*e\s*,/.test(argsText)) {
        fc.emitAt("CP-SKILL-OBF-002", offsetOf(call), call.text(), {
          severity: "high",
          detail: "Packed JavaScript (eval(function(p,a,c,k,e,...)))",
        });
      }
      const decoded = DECODE_JS.test(argsText) || decls.resolves(argsText, DECODE_JS);
      const remote = REMOTE_JS.test(argsText) || decls.resolves(argsText, REMOTE_JS);
      if (decoded || remote)
        fc.emitAt("CP-SKILL-CODE-002", offsetOf(call), call.text(), {
          detail: `${fnText} evaluates ${decoded ? "decoded" : "downloaded"} data`,
        });
      else fc.emitAt("CP-SKILL-CODE-001", offsetOf(call), call.text(), { detail: `${fnText}(...)` });
      continue;
    }
    // Dynamic import / require.
    if (!isNew && (fn.kind() === "import" || fnText === "import" || fnText === "require")) {
      const first = args?.namedChildren()[0] ?? null;
      if (first && isStringNode(first)) {
        const lit = first.text().slice(1, -1);
        if (/^(?:data:|https?:)/i.test(lit))
          fc.emitAt("CP-SKILL-CODE-003", offsetOf(call), call.text(), {
            severity: "high",
            confidence: "high",
            detail: `${fnText} of a ${lit.slice(0, 5).toLowerCase().startsWith("data") ? "data:" : "remote"} URL`,
          });
      } else if (first && first.kind() !== "template_string")
        fc.emitAt("CP-SKILL-CODE-003", offsetOf(call), call.text(), {
          detail: `${fnText} of a computed name`,
        });
      continue;
    }
    // File writes (for persistence).
    if (/(?:writeFile|appendFile|createWriteStream|copyFile|symlink|rename)(?:Sync)?$/.test(fnText)) {
      hasWrite = true;
      if (SENSITIVE_LITERAL.test(argsText)) {
        /* writing into credential paths is unusual but not a read; persistence below covers rc files */
      }
    }
    // Sensitive reads.
    if (
      /(?:readFile|readFileSync|createReadStream|readdir|readdirSync|opendir)$/.test(fnText) &&
      SENSITIVE_LITERAL.test(argsText)
    )
      sources.push(source(call, argsText, "reads"));
    if (
      /^JSON\.stringify$|^Object\.(?:entries|keys|values)$/.test(fnText) &&
      /^\(\s*process\.env\s*\)$/.test(argsText)
    )
      sources.push({ node: call, what: "the whole environment", strong: true });
  }

  if (firstSpawn !== null)
    fc.emitAt("CP-SKILL-EXEC-011", firstSpawn, programs.join(", ") || "child process", {
      detail: `Runs programs: ${[...new Set(programs)].join(", ") || "(computed)"}`,
    });

  if (sources.length > 0)
    for (const call of top.findAll({
      rule: {
        any: [
          {
            kind: "call_expression",
            has: {
              field: "function",
              regex:
                "^(?:fetch|axios|got|request|needle|superagent|ky|undici\\.request|navigator\\.sendBeacon)$|^(?:axios|got|ky|superagent|needle)\\.(?:post|put|patch|get|request|delete)$|^(?:https?|http2)\\.(?:request|get)$|^(?:net|tls)\\.(?:connect|createConnection)$|\\.(?:sendBeacon|send)$",
            },
          },
          { kind: "new_expression", has: { field: "constructor", regex: "^(?:WebSocket|XMLHttpRequest)$" } },
        ],
      },
    })) {
      const fnText = (fieldOf(call, "function") ?? fieldOf(call, "constructor"))?.text() ?? "";
      if (!/\.send$/.test(fnText) || /xhr|socket|ws|client|req/i.test(fnText)) sinks.push(call);
    }
  flowCheck(fc, top, sources, sinks, JS_FUNCS, ["variable_declarator", "assignment_expression"]);

  // Persistence and agent-file writes.
  if ((hasWrite || firstSpawn !== null) && (PERSIST_LITERAL.test(text) || AGENT_LITERAL.test(text))) {
    for (const s of top.findAll({
      rule: { any: [{ kind: "string" }, { kind: "template_string" }], regex: PERSIST_LITERAL.source },
    })) {
      const t = s.text();
      if (PERSIST_LITERAL.test(t)) {
        fc.emitAt("CP-SKILL-PERSIST-001", offsetOf(s), t, {
          detail: "Code writes to or schedules a start-up location",
        });
        break;
      }
    }
    for (const s of top.findAll({
      rule: { any: [{ kind: "string" }, { kind: "template_string" }], regex: AGENT_LITERAL.source },
    })) {
      const t = s.text();
      if (AGENT_LITERAL.test(t) && hasWrite) {
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
