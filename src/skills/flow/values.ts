// Name → assigned values within one file, for one-hop resolution of variables.
import type { SgNode } from "@ast-grep/napi";
import { fieldOf } from "./syntax.ts";

/** Name → assigned value texts, built once per file on first use. */
export class Decls {
  private map: Map<string, string[]> | null = null;
  private readonly top: SgNode;
  private readonly kinds: string[];
  constructor(top: SgNode, kinds: string[]) {
    this.top = top;
    this.kinds = kinds;
  }
  values(name: string): string[] {
    if (!this.map) {
      this.map = new Map();
      for (const d of this.top.findAll({ rule: { any: this.kinds.map((kind) => ({ kind })) } })) {
        const left = (fieldOf(d, "name") ?? fieldOf(d, "left"))?.text() ?? "";
        const value = (fieldOf(d, "value") ?? fieldOf(d, "right"))?.text() ?? "";
        if (!/^[A-Za-z_$][\w$]*$/.test(left)) continue;
        const list = this.map.get(left) ?? [];
        list.push(value);
        this.map.set(left, list);
      }
    }
    return this.map.get(name) ?? [];
  }
  /** Does an identifier in `text` resolve (one hop) to a value matching `re`? */
  resolves(text: string, re: RegExp): boolean {
    const ids = text.match(/\b[A-Za-z_$][\w$]*\b/g);
    if (!ids) return false;
    for (const id of new Set(ids)) if (id.length >= 2 && this.values(id).some((v) => re.test(v))) return true;
    return false;
  }
}
