// Shell analyzer.
import type { SgRoot } from "@ast-grep/napi";
import type { FileContext } from "../../context.ts";
import { fieldOf, offsetOf } from "../../flow/syntax.ts";
import { judgeUrlIn } from "../../indicators.ts";
import { gradePipeSource, interpreterRunsStdin } from "../../pipe-exec.ts";

const INTERPRETERS =
  /^(?:(?:ba|z|da|k|c|tc|fi)?sh|python[0-9.]*|perl|ruby|node|php|osascript|pwsh|powershell)$/;

export function analyzeShell(fc: FileContext, root: SgRoot): void {
  const top = root.root();
  // Pipelines across line continuations: download … | interpreter.
  for (const p of top.findAll({ rule: { kind: "pipeline" } })) {
    const cmds = p.namedChildren().filter((c) => c.kind() === "command");
    const names = cmds.map((c) => (fieldOf(c, "name")?.text() ?? "").split("/").pop() ?? "");
    const dl = names.findIndex((n) => /^(?:curl|wget)$/.test(n));
    if (dl < 0) continue;
    const tail = cmds.slice(dl + 1).find((c) => {
      const n = (fieldOf(c, "name")?.text() ?? "").split("/").pop() ?? "";
      if (INTERPRETERS.test(n)) return true;
      if (n === "sudo" || n === "env")
        return c
          .text()
          .split(/\s+/)
          .slice(1)
          .some((w) => INTERPRETERS.test(w.split("/").pop() ?? ""));
      return false;
    });
    if (!tail) continue;
    // `| python3 -m json.tool`, `| python3 -c "…json.load(sys.stdin)…"`: the download is data.
    const invocation = tail.text().replace(/^(?:sudo|env)\s+(?:-\S+\s+|\w+=\S*\s+)*/, "");
    if (!interpreterRunsStdin(invocation)) continue;
    const url = judgeUrlIn(p.text(), fc.skill.iocs);
    const risky = url && (url.risk === "risky" || url.risk === "ioc");
    fc.emitAt("CP-SKILL-EXEC-001", offsetOf(p), p.text(), {
      ...gradePipeSource(url),
      detail: `Shell pipeline runs downloaded content${url ? ` from ${url.url} (${url.reason})` : ""}`,
    });
    if (risky)
      fc.emitAt("CP-SKILL-CHAIN-002", offsetOf(p), p.text(), {
        detail: `Pipeline downloads and runs ${url.url} (${url.reason})`,
      });
  }
  // eval of a command substitution that downloads or decodes.
  for (const cmd of top.findAll({
    rule: { kind: "command", has: { field: "name", regex: "^(eval|source|\\.)$" } },
  })) {
    const t = cmd.text();
    if (/\$\(\s*(?:curl|wget)\b/.test(t)) {
      const url = judgeUrlIn(t, fc.skill.iocs);
      fc.emitAt("CP-SKILL-EXEC-002", offsetOf(cmd), t, {
        ...(url && (url.risk === "risky" || url.risk === "ioc")
          ? { severity: "critical" as const, confidence: "high" as const }
          : {}),
        detail: "eval/source of downloaded content",
      });
    } else if (/base64\s+(?:-d|--decode|-D)|xxd\s+-r/.test(t))
      fc.emitAt("CP-SKILL-EXEC-003", offsetOf(cmd), t, { detail: "eval of decoded content" });
  }
}
