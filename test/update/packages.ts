// Data packages for the update tests, built by the real build script from a copy of the
// shipped data/ (optionally with one more advisory: a real shipped record under a new id).
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { shippedDataDir } from "../../src/core/data-dir.ts";
import { REPO_ROOT } from "../support/zoo.ts";

/** An id no shipped record uses, for the advisory an update adds. */
export const ADDED_ID = "GHSA-2222-3333-4444";

export interface BuiltPackage {
  version: string;
  /** The package directory (what `npm publish DIR` takes). */
  dir: string;
  /** The tarball `npm pack` made of it. */
  tarball: string;
}

/** A copy of the shipped data, plus ADDED_ID when `addAdvisory`. */
export function dataCopy(opts: { addAdvisory?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "clawpatrol-data-src-"));
  cpSync(shippedDataDir(), dir, { recursive: true });
  if (opts.addAdvisory) {
    const base = JSON.parse(readFileSync(join(dir, "advisories", "GHSA-24vr-rprv-67rf.json"), "utf8"));
    base.id = ADDED_ID;
    base.aliases = [];
    base.summary = "Advisory added by a clawpatrol-data update (test)";
    writeFileSync(join(dir, "advisories", `${ADDED_ID}.json`), JSON.stringify(base, null, 2));
  }
  return dir;
}

/** Build (and pack) a clawpatrol-data package of `dataDir` as `version` (1.YYYYMMDD.n). */
export function buildPackage(dataDir: string, version: string): BuiltPackage {
  const day = version.split(".")[1]!;
  const date = `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}`;
  const out = mkdtempSync(join(tmpdir(), "clawpatrol-data-pkg-"));
  const r = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, "scripts", "build-data-package.ts"),
      "--data",
      dataDir,
      "--out",
      out,
      "--version",
      version,
      "--date",
      date,
      "--pack",
    ],
    { encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } },
  );
  if (r.status !== 0) throw new Error(`build-data-package failed: ${r.stderr}`);
  return {
    version,
    dir: join(out, "clawpatrol-data"),
    tarball: join(out, `clawpatrol-data-${version}.tgz`),
  };
}
