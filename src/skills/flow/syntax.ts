// Small helpers over ast-grep nodes shared by the per-language code analyzers: field access
// without per-grammar static typing, offsets and enclosing scopes.
import type { SgNode } from "@ast-grep/napi";

/** `field()` without ast-grep's per-language static typing (we handle several grammars). */
export function fieldOf(n: SgNode, name: string): SgNode | null {
  return (n.field as unknown as (this: SgNode, f: string) => SgNode | null).call(n, name);
}

export function kindOf(n: SgNode): string {
  return String(n.kind());
}

export function offsetOf(n: SgNode): number {
  return n.range().start.index;
}

export function isStringNode(n: SgNode | null): boolean {
  if (!n) return false;
  const k = n.kind();
  return k === "string" || k === "template_string" || k === "string_literal" || k === "raw_string";
}

export function enclosingScope(n: SgNode, kinds: Set<string>): SgNode | null {
  for (const a of n.ancestors()) if (kinds.has(kindOf(a))) return a;
  return null;
}

/**
 * Innermost enclosing range by offset, for assigning nodes found by one native `findAll` to
 * their function (or date gate) without walking the tree node by node from JavaScript.
 */
export class Ranges<T> {
  private readonly items: { start: number; end: number; value: T }[] = [];

  add(n: SgNode, value: T): void {
    const r = n.range();
    this.items.push({ start: r.start.index, end: r.end.index, value });
  }

  /** The value of the smallest range that contains `offset`, or null. */
  at(offset: number): T | null {
    let best: { start: number; end: number; value: T } | null = null;
    for (const it of this.items)
      if (it.start <= offset && offset < it.end && (!best || it.end - it.start < best.end - best.start))
        best = it;
    return best ? best.value : null;
  }
}
