// `download | interpreter`: when does the interpreter run what was downloaded, and how bad is it?
// Shared by the text rule and the shell analyzer so both judge a pipeline the same way.
import type { Severity } from "../findings/model.ts";
import type { UrlJudgement } from "./indicators.ts";
import type { Confidence } from "./types.ts";

// Options that give the program on the command line (or name a module), so stdin is only data:
// `curl … | python3 -c "import json,sys; …"`, `| python3 -m json.tool`, `| node -e …`, `| bash -c '…'`.
// `python3 -`, `bash -s` and a bare interpreter read the program from stdin: that runs the download.
const PROGRAM_FROM_ARGS: Record<string, RegExp> = {
  python: /^-[a-zA-Z]*[cm]/,
  node: /^-(?:[ep]|-eval|-print)\b/,
  perl: /^-[a-zA-Z]*[eE]/,
  ruby: /^-[a-zA-Z]*e/,
  php: /^-r\b/,
  sh: /^-[a-zA-Z]*c/,
};

/** `invocation` is the interpreter's name followed by its arguments, e.g. `python3 -m json.tool`. */
export function interpreterRunsStdin(invocation: string): boolean {
  const words = invocation.trim().split(/\s+/);
  const name = (words[0] ?? "").split("/").pop()?.toLowerCase() ?? "";
  const family = /^python/.test(name) ? "python" : /^(?:ba|z|da|k|c|tc|fi)?sh$/.test(name) ? "sh" : name;
  const programInArgs = PROGRAM_FROM_ARGS[family];
  if (!programInArgs) return true;
  // A program that itself executes what it reads (`python3 -c "exec(sys.stdin.read())"`) runs it.
  if (
    /\b(?:exec|eval|compile|Function|runInThisContext|system|popen|spawn)\b|\bsource\b|\$\(cat\)/.test(
      invocation,
    )
  )
    return true;
  for (const w of words.slice(1)) {
    if (w === "-" || (family === "sh" && /^-[a-zA-Z]*s/.test(w))) return true;
    // A script file names the program; stdin is its input.
    if (!w.startsWith("-")) return false;
    if (programInArgs.test(w)) return false;
  }
  return true;
}

export interface PipeGrade {
  severity?: Severity;
  confidence?: Confidence;
}

/**
 * Grade by the source. An IOC, a raw address, a paste or file-share host is the campaign pattern
 * (critical); plain HTTP is next; a known installer host is low. An ordinary HTTPS host is how many
 * vendors ship their CLI: reported for review at medium severity with low confidence, which is not
 * enough on its own for a "suspicious" verdict.
 */
export function gradePipeSource(url: UrlJudgement | null): PipeGrade {
  if (!url) return {};
  if (url.risk === "ioc" || url.risk === "risky") return { severity: "critical", confidence: "high" };
  if (url.risk === "insecure") return { severity: "critical", confidence: "medium" };
  if (url.risk === "installer") return { severity: "low", confidence: "medium" };
  return { severity: "medium", confidence: "low" };
}
