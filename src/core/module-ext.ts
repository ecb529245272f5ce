// clawpatrol runs from two layouts: TypeScript in src/ (a clone, through Node's type
// stripping) and JavaScript in dist/ (the installed package, built by scripts/build.ts).
// Import specifiers are rewritten by the build; a module named in a plain string (a worker
// file, a require, an entry point) is not, and takes its extension from here.

/** ".ts" when running from src/, ".js" when running the built package. */
export const MODULE_EXT: ".ts" | ".js" = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
