// Code analysis by syntax tree, one analyzer per language over the shared flow core
// (src/skills/flow). Text rules run over code files too; these analyzers add what needs
// structure: process spawning, dynamic evaluation and imports, secret data flowing to the
// network, persistence writes, and the env vars / programs the code uses.
import type { CodeLang } from "../../ast.ts";
import { parseCode } from "../../ast.ts";
import type { FileContext } from "../../context.ts";
import { analyzeJs } from "./javascript.ts";
import { G, Literals, needsTree, OBF_ID, recordEnvReads } from "./prefilter.ts";
import { analyzePython } from "./python.ts";
import { analyzeShell } from "./shell.ts";

/** Analyse one code file; returns true when a syntax tree was built. */
export function analyzeCode(fc: FileContext, lang: CodeLang): boolean {
  const text = fc.text;
  const lit = new Literals(text);
  recordEnvReads(fc, lang, lit);
  if (lang !== "python" && lang !== "bash" && lit.may(G.obf)) {
    // Obfuscator.io style identifiers: a count, no tree needed.
    const obf = text.match(OBF_ID);
    if (obf && obf.length >= 20)
      fc.emitAt("CP-SKILL-OBF-002", text.search(OBF_ID), obf[0]!, {
        detail: `${obf.length} _0x… identifiers (obfuscator output)`,
      });
  }
  if (!needsTree(text, lang, lit)) return false;
  const root = parseCode(lang, text);
  if (!root) return false;
  if (lang === "python") analyzePython(fc, root);
  else if (lang === "bash") analyzeShell(fc, root);
  else analyzeJs(fc, root);
  return true;
}
