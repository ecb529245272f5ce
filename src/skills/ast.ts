// Syntax trees through @ast-grep/napi. JavaScript/TypeScript are built in; Python and Bash
// come from @ast-grep/lang-* prebuilt parsers registered once per process.
import { createRequire } from "node:module";
import { Lang, parse, registerDynamicLanguage, type SgRoot } from "@ast-grep/napi";

export type CodeLang = "javascript" | "typescript" | "tsx" | "python" | "bash";

const REGISTERED = Symbol.for("clawpatrol.astgrep.dynamicLanguages");
type Global = typeof globalThis & { [REGISTERED]?: Set<string> };

function dynamicLanguages(): Set<string> {
  const g = globalThis as Global;
  if (g[REGISTERED]) return g[REGISTERED];
  const ok = new Set<string>();
  const require = createRequire(import.meta.url);
  const langs: Record<
    string,
    { libraryPath: string; extensions: string[]; languageSymbol?: string; expandoChar?: string }
  > = {};
  for (const [name, pkg] of [
    ["python", "@ast-grep/lang-python"],
    ["bash", "@ast-grep/lang-bash"],
  ] as const) {
    try {
      const reg = require(pkg) as {
        libraryPath: string;
        extensions: string[];
        languageSymbol?: string;
        expandoChar?: string;
      };
      langs[name] = {
        libraryPath: reg.libraryPath,
        extensions: reg.extensions,
        ...(reg.languageSymbol ? { languageSymbol: reg.languageSymbol } : {}),
        ...(reg.expandoChar ? { expandoChar: reg.expandoChar } : {}),
      };
      ok.add(name);
    } catch {
      // No prebuilt parser for this platform: that language falls back to text rules.
    }
  }
  try {
    if (Object.keys(langs).length > 0) registerDynamicLanguage(langs);
  } catch {
    // Already registered by someone else in this process: assume the names are usable.
  }
  g[REGISTERED] = ok;
  return ok;
}

export function langAvailable(lang: CodeLang): boolean {
  if (lang === "python" || lang === "bash") return dynamicLanguages().has(lang);
  return true;
}

export function parseCode(lang: CodeLang, text: string): SgRoot | null {
  try {
    switch (lang) {
      case "javascript":
        return parse(Lang.JavaScript, text);
      case "typescript":
        return parse(Lang.TypeScript, text);
      case "tsx":
        return parse(Lang.Tsx, text);
      default:
        if (!langAvailable(lang)) return null;
        return parse(lang, text);
    }
  } catch {
    return null;
  }
}

/** Which parser a file needs, from its name and (for scripts without extension) its shebang. */
export function codeLangOf(rel: string, head: string): CodeLang | null {
  const lower = rel.toLowerCase();
  if (/\.(?:js|mjs|cjs|jsx)$/.test(lower)) return "javascript";
  if (/\.(?:ts|mts|cts)$/.test(lower) && !lower.endsWith(".d.ts")) return "typescript";
  if (lower.endsWith(".tsx")) return "tsx";
  if (/\.(?:py|pyw)$/.test(lower)) return "python";
  if (/\.(?:sh|bash|zsh|ksh|command)$/.test(lower)) return "bash";
  if (head.startsWith("#!")) {
    const line = head.slice(0, head.indexOf("\n") >>> 0);
    if (/python/.test(line)) return "python";
    if (/\b(?:ba|z|k|da)?sh\b/.test(line)) return "bash";
    if (/\b(?:node|bun|deno)\b/.test(line)) return "javascript";
  }
  return null;
}
