// Code analysis by syntax tree, one analyzer per language over the shared flow core
// (src/skills/flow). Text rules run over code files too; these analyzers add what needs
// structure: process spawning, dynamic evaluation and imports, secret data flowing to the
// network (within a file and across the files of a skill), droppers, time bombs,
// persistence writes, and the env vars / programs the code uses. A file that cannot be
// fully analysed says so (CP-SKILL-SCAN-001) instead of passing as clean.
import type { SgNode } from "@ast-grep/napi";
import type { CodeLang } from "../../ast.ts";
import { parseCode } from "../../ast.ts";
import type { FileContext, SkillContext } from "../../context.ts";
import { Folder } from "../../flow/fold.ts";
import { type FileFlow, type Ref, solve } from "../../flow/taint.ts";
import { judgeUrlIn } from "../../indicators.ts";
import { analyzeJs } from "./javascript.ts";
import { JsFlow } from "./js-flow.ts";
import { G, Literals, mentionsSource, needsFlow, needsTree, OBF_ID, recordEnvReads } from "./prefilter.ts";
import { PyFlow } from "./py-flow.ts";
import { analyzePython } from "./python.ts";
import { ShFlow } from "./sh-flow.ts";
import { analyzeShell } from "./shell.ts";

/** Files larger than this are not given a syntax tree (parsing is the costly part). */
export const MAX_TREE_BYTES = 4 << 20;
/** Share of replacement characters / NULs above which a "code" file is binary. */
const MAX_BINARY_SHARE = 0.02;
/** Share of the text inside parse errors above which the parser is taken to have failed. */
const MAX_ERROR_SHARE = 0.5;

function notAnalysed(fc: FileContext, why: string): void {
  fc.emitAt("CP-SKILL-SCAN-001", 0, `${fc.file.rel}: ${why}`, { detail: `not analysed: ${why}` });
}

/** How much of the text is binary (NULs, invalid UTF-8) — sampled, so it stays cheap. */
function binaryShare(text: string): number {
  const n = Math.min(text.length, 65536);
  // Almost every file has neither: two native searches instead of a character loop.
  if (n === 0 || (text.indexOf("\0") === -1 && text.indexOf("\uFFFD") === -1)) return 0;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || c === 0xfffd) bad++;
  }
  return bad / n;
}

/** Nesting deeper than this is not given to the parser and the flow extractors. */
export const MAX_NESTING = 256;

/** The deepest bracket nesting in the text (strings and comments are not told apart: a cap, not a parser). */
function maxNesting(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) {
      if (++depth > max) max = depth;
    } else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
  }
  return max;
}

/** Bytes covered by top-level parse errors, as a share of the file. */
function errorShare(top: SgNode, length: number): number {
  let bad = 0;
  for (const e of top.findAll({ rule: { kind: "ERROR", not: { inside: { kind: "ERROR" } } } })) {
    const r = e.range();
    bad += r.end.index - r.start.index;
    if (bad > length * MAX_ERROR_SHARE) break;
  }
  return length === 0 ? 0 : bad / length;
}

/**
 * Code files a skill skipped (nothing in them needs a tree on its own). When another file
 * of the skill reads secret material, they are parsed after all for the cross-file flow: the
 * file that sends may look harmless alone.
 */
const skipped = new WeakMap<SkillContext, { fc: FileContext; lang: CodeLang; source: boolean }[]>();
/** Cap on the bytes parsed in that second pass, per skill. */
const MAX_SECOND_PASS_BYTES = 1 << 20;

function flowOf(fc: FileContext, lang: CodeLang, top: SgNode): { flow: FileFlow; capped: string | null } {
  if (lang === "python") {
    const folder = new Folder("py", top, fc.text.length);
    const f = new PyFlow(fc, folder);
    f.run(top);
    return { flow: f.flow, capped: f.capped ?? folder.capped };
  }
  if (lang === "bash") {
    const f = new ShFlow(fc);
    f.run(top);
    return { flow: f.flow, capped: f.capped };
  }
  const folder = new Folder("js", top, fc.text.length);
  const f = new JsFlow(fc, folder);
  f.run(top);
  return { flow: f.flow, capped: f.capped ?? folder.capped };
}

function hasSecretSource(flows: FileFlow[]): boolean {
  const secret = (refs: Ref[]) => refs.some((r) => "src" in r && r.src.kind === "secret");
  return flows.some(
    (f) =>
      f.assigns.some((a) => secret(a.refs)) ||
      f.returns.some((r) => secret(r.refs)) ||
      f.sinks.some((x) => secret(x.refs)),
  );
}

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
  if (binaryShare(text) > MAX_BINARY_SHARE) {
    notAnalysed(fc, `binary content in a ${lang} file`);
    return false;
  }
  if (!needsTree(text, lang, lit)) {
    const list = skipped.get(fc.skill) ?? [];
    list.push({ fc, lang, source: mentionsSource(text, lit) });
    skipped.set(fc.skill, list);
    return false;
  }
  if (text.length > MAX_TREE_BYTES) {
    notAnalysed(
      fc,
      `${text.length} characters is over the ${MAX_TREE_BYTES}-character cap for syntax analysis`,
    );
    return false;
  }
  const nesting = maxNesting(text);
  if (nesting > MAX_NESTING) {
    notAnalysed(fc, `nesting past ${MAX_NESTING} levels (${nesting} brackets deep)`);
    return false;
  }
  const root = parseCode(lang, text);
  if (!root) {
    notAnalysed(fc, `the ${lang} parser failed`);
    return false;
  }
  const top = root.root();
  if (errorShare(top, text.length) > MAX_ERROR_SHARE) {
    notAnalysed(fc, `the ${lang} parser could not read most of the file`);
    return true;
  }
  if (lang === "python") analyzePython(fc, root);
  else if (lang === "bash") analyzeShell(fc, root);
  else analyzeJs(fc, root);
  if (!needsFlow(text, lang, lit)) {
    // Nothing to start a flow from here; joined later only if another file has a source.
    const list = skipped.get(fc.skill) ?? [];
    list.push({ fc, lang, source: false });
    skipped.set(fc.skill, list);
    return true;
  }
  const { flow, capped } = flowOf(fc, lang, top);
  fc.skill.flows.push(flow);
  if (capped) notAnalysed(fc, capped);
  return true;
}

/** Join the code files of a skill: taint from secret sources to sinks, droppers, time bombs. */
export function finishCode(ctx: SkillContext): void {
  const rest = skipped.get(ctx) ?? [];
  skipped.delete(ctx);
  if (rest.length > 0 && (rest.some((r) => r.source) || hasSecretSource(ctx.flows))) {
    let budget = MAX_SECOND_PASS_BYTES;
    for (const { fc, lang } of rest) {
      budget -= fc.text.length;
      if (budget < 0 || fc.text.length > MAX_TREE_BYTES || binaryShare(fc.text) > MAX_BINARY_SHARE) continue;
      const root = parseCode(lang, fc.text);
      if (root) ctx.flows.push(flowOf(fc, lang, root.root()).flow);
    }
  }
  if (ctx.flows.length === 0) return;
  const risky = (dest: string) => {
    const j = judgeUrlIn(dest, ctx.iocs);
    return j && (j.risk === "risky" || j.risk === "ioc") ? j.reason : null;
  };
  for (const f of solve(ctx.flows, risky))
    ctx.add(f.ruleId, { display: f.at.file, line: f.at.line }, f.excerpt, {
      detail: f.detail,
      ...(f.severity ? { severity: f.severity } : {}),
      ...(f.confidence ? { confidence: f.confidence } : {}),
    });
}
