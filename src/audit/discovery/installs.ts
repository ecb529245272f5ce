// Install search: OpenClaw-family packages in the global node_modules roots a user may have
// (npm, pnpm, bun, nvm, volta, Homebrew), found without running a package manager.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { isCalVer } from "../../advisories/calver.ts";
import { OPENCLAW_FAMILY } from "../../fingerprints/openclaw/meta.ts";
import type { Install, Product } from "../types.ts";
import { readSmall, safeReaddir } from "./read.ts";

const PRODUCTS: readonly Product[] = OPENCLAW_FAMILY;

/** File and process names that belong to the family (package, unit and plist names, cmdlines). */
export const NAME_RE = /openclaw|clawdbot|moltbot|moldbot/i;

/** Read `version` and product from a package dir. */
export function readPackage(dir: string): { product: Product; version: string | null } | null {
  const text = readSmall(join(dir, "package.json"));
  if (!text) return null;
  try {
    const pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
    const name = typeof pkg.name === "string" ? pkg.name : "";
    const product = PRODUCTS.find((p) => name === p);
    if (!product) return null;
    const version = typeof pkg.version === "string" && isCalVer(pkg.version) ? pkg.version : null;
    return { product, version };
  } catch {
    return null;
  }
}

/** Candidate global node_modules roots, without running npm (which is slow). */
export function globalRoots(home: string, env: Record<string, string | undefined>): string[] {
  const roots = new Set<string>([
    "/usr/lib/node_modules",
    "/usr/local/lib/node_modules",
    "/opt/homebrew/lib/node_modules",
    join(home, ".npm-global/lib/node_modules"),
    join(home, ".local/lib/node_modules"),
    join(home, ".local/share/pnpm/global/5/node_modules"),
    join(home, "Library/pnpm/global/5/node_modules"),
    join(home, ".bun/install/global/node_modules"),
    join(dirname(dirname(process.execPath)), "lib/node_modules"),
  ]);
  for (const v of [env.NPM_CONFIG_PREFIX, env.npm_config_prefix, env.PREFIX]) {
    if (v) roots.add(join(v, "lib/node_modules"));
  }
  if (env.APPDATA) roots.add(join(env.APPDATA, "npm/node_modules"));
  for (const v of safeReaddir(join(home, ".nvm/versions/node")))
    roots.add(join(home, ".nvm/versions/node", v, "lib/node_modules"));
  for (const v of safeReaddir(join(home, ".volta/tools/image/packages"))) {
    roots.add(join(home, ".volta/tools/image/packages", v, "lib/node_modules"));
  }
  return [...roots];
}

export function findInstalls(roots: string[]): Install[] {
  const out: Install[] = [];
  for (const root of roots) {
    for (const p of PRODUCTS) {
      const dir = join(root, p);
      const pkg = readPackage(dir);
      if (pkg)
        out.push({
          product: pkg.product,
          version: pkg.version,
          packageDir: dir,
          via: `global package in ${root}`,
        });
    }
  }
  return out;
}

/** Walk a path containing node_modules segments and find the product package it belongs to. */
export function packageDirFromPath(p: string): string | null {
  const parts = p.split("/node_modules/");
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join("/node_modules/");
    for (const prod of PRODUCTS) {
      const cand = `${prefix}/node_modules/${prod}`;
      if (existsSync(join(cand, "package.json")) && readPackage(cand)) return cand;
    }
  }
  return null;
}
