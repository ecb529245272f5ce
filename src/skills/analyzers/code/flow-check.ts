// Source → network sink checks shared by the JavaScript and Python analyzers.
import type { SgNode } from "@ast-grep/napi";
import type { FileContext } from "../../context.ts";
import { enclosingScope, fieldOf, kindOf, offsetOf } from "../../flow/syntax.ts";
import type { Source } from "./patterns.ts";

/**
 * Sensitive source → network sink within one function: direct (the sink's arguments
 * mention the source expression or a variable assigned from it) is CODE-004; both in the
 * same function without a visible link is CODE-005.
 */
export function flowCheck(
  fc: FileContext,
  _top: SgNode,
  sources: Source[],
  sinks: SgNode[],
  funcKinds: Set<string>,
  declKinds: string[],
): void {
  // Code that touches secret material is reported even without a network call.
  const strong = sources.find((x) => x.strong && !x.what.endsWith("the whole environment"));
  if (strong) {
    const t = strong.what;
    const id =
      /\.ssh|id_rsa|id_ed25519|id_ecdsa|\.aws|\.kube|\.npmrc|\.netrc|git-credentials|\.gnupg|shadow/i.test(t)
        ? "CP-SKILL-CRED-002"
        : /openclaw|clawdbot|moltbot|auth-profiles/i.test(t)
          ? "CP-SKILL-CRED-003"
          : "CP-SKILL-CRED-001";
    fc.emitAt(id, offsetOf(strong.node), strong.node.text(), {
      severity: id === "CP-SKILL-CRED-001" ? "high" : "medium",
      confidence: "medium",
      detail: `Code ${t}`,
    });
  }
  if (sources.length === 0 || sinks.length === 0) return;
  let reported = false;
  for (const src of sources) {
    const scope = enclosingScope(src.node, funcKinds);
    const scopeId = scope ? scope.id() : -1;
    // Names assigned from the source (one hop, plus names assigned from those).
    const names = new Set<string>();
    const stmtScope = scope ?? src.node.getRoot().root();
    for (const a of src.node.ancestors()) {
      const k = kindOf(a);
      if (declKinds.includes(k)) {
        const left = (fieldOf(a, "name") ?? fieldOf(a, "left"))?.text();
        if (left) for (const n of left.match(/[A-Za-z_$][\w$]*/g) ?? []) names.add(n);
        break;
      }
      if (funcKinds.has(k)) break;
    }
    if (names.size > 0) {
      for (const d of stmtScope.findAll({
        rule: { any: declKinds.map((kind) => ({ kind })) },
      })) {
        const value = (fieldOf(d, "value") ?? fieldOf(d, "right"))?.text() ?? d.child(0)?.text() ?? "";
        const left = (fieldOf(d, "name") ?? fieldOf(d, "left") ?? fieldOf(d, "alias"))?.text() ?? "";
        if (
          [...names].some((n) =>
            new RegExp(`(?<![.\\w$])${n.replace(/\$/g, "\\$")}\\b(?![ \\t]*=[^=])`).test(value),
          )
        )
          for (const n of left.match(/[A-Za-z_$][\w$]*/g) ?? []) names.add(n);
      }
    }
    for (const sink of sinks) {
      const sinkScope = enclosingScope(sink, funcKinds);
      const same = (sinkScope ? sinkScope.id() : -1) === scopeId;
      const argText = sink.text();
      // A name counts when used as a value: not a keyword-argument name (`data=`) or a property.
      const direct =
        argText.includes(src.node.text()) ||
        [...names].some((n) =>
          new RegExp(`(?<![.\\w$])${n.replace(/\$/g, "\\$")}\\b(?![ \\t]*=[^=])`).test(argText),
        );
      // A visible flow (direct or through variables) is judged by the skill-wide taint
      // solver (src/skills/flow/taint.ts), which names every hop; here only the weaker
      // "same function" signal remains.
      if (direct) continue;
      if (same && src.strong && !reported) {
        fc.emitAt("CP-SKILL-CODE-005", offsetOf(sink), sink.text(), {
          detail: `Same function ${src.what} (line ${fc.lineOf(offsetOf(src.node))}) and calls the network`,
        });
        reported = true;
      }
    }
  }
}
