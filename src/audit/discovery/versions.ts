// Version resolution: which release runs a target, from the most reliable evidence down.
import { isCalVer } from "../../advisories/calver.ts";
import type { AuditTarget, Install, Product } from "../types.ts";
import { readPackage } from "./installs.ts";

/** Guess the version that runs a target (most reliable first). */
export function resolveVersion(
  t: AuditTarget,
  installs: Install[],
  meta: { lastTouchedVersion?: string | undefined },
  logPackageDir: string | null,
  assume?: { product: Product; version: string },
): { version: string | null; source: string; product: Product } {
  for (const p of t.processes) {
    if (p.packageDir) {
      const pkg = readPackage(p.packageDir);
      if (pkg?.version)
        return {
          version: pkg.version,
          source: `running gateway pid ${p.pid} (${p.packageDir})`,
          product: pkg.product,
        };
    }
  }
  for (const s of t.services) {
    if (s.packageDir) {
      const pkg = readPackage(s.packageDir);
      if (pkg?.version) return { version: pkg.version, source: `service ${s.path}`, product: pkg.product };
    }
  }
  if (logPackageDir) {
    const pkg = readPackage(logPackageDir);
    if (pkg?.version)
      return { version: pkg.version, source: `gateway log (${logPackageDir})`, product: pkg.product };
  }
  if (meta.lastTouchedVersion && isCalVer(meta.lastTouchedVersion)) {
    const product: Product = t.product;
    return { version: meta.lastTouchedVersion, source: "meta.lastTouchedVersion in the config", product };
  }
  if (assume) return { ...assume, source: "assumed (--assume-version)" };
  const same = installs.filter((i) => i.version && (i.product === t.product || t.product === "openclaw"));
  if (same.length === 1)
    return {
      version: same[0]!.version,
      source: `the only install (${same[0]!.packageDir})`,
      product: same[0]!.product,
    };
  return { version: null, source: "unknown", product: t.product };
}
