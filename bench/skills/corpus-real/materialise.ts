// Extracts the skills pinned in manifest.json from local git snapshots into a cache folder, checking each
// folder's git tree id, and keeps text files only (files with a NUL byte in their first 8 KiB are dropped).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Label, Sample } from "./build.ts";

export const MANIFEST = join(dirname(fileURLToPath(import.meta.url)), "manifest.json");

export interface Manifest {
  sources: { id: string; repo: string; description: string; commit: string }[];
  samples: Sample[];
}

export const readManifest = (): Manifest => JSON.parse(readFileSync(MANIFEST, "utf8")) as Manifest;

const safeName = (id: string) => id.replace(/[^\w.-]+/g, "_");

function dropBinaries(dir: string): number {
  let dropped = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) dropped += dropBinaries(p);
    else if (st.isFile()) {
      const head = readFileSync(p).subarray(0, 8192);
      if (head.includes(0)) {
        rmSync(p);
        dropped++;
      }
    }
  }
  return dropped;
}

/** Writes every sample to `cache/<id>/` (once); returns the folder per sample id and what was missing. */
export function materialise(
  manifest: Manifest,
  cache: string,
  mirrors: string,
): { dirs: Map<string, string>; missing: string[]; droppedBinaries: number } {
  const dirs = new Map<string, string>();
  const missing: string[] = [];
  let droppedBinaries = 0;
  for (const s of manifest.samples) {
    const dest = join(cache, safeName(s.source), safeName(s.id));
    const stamp = join(dest, ".tree");
    if (existsSync(stamp) && readFileSync(stamp, "utf8") === s.tree) {
      dirs.set(s.id, join(dest, "skill"));
      continue;
    }
    const gitDir = join(mirrors, s.repo.replace("/", "+"), "repo");
    let tar: Buffer;
    try {
      tar = execFileSync("git", ["--git-dir", gitDir, "archive", "--format=tar", s.tree], {
        maxBuffer: 1 << 30,
        stdio: ["ignore", "pipe", "ignore"],
      });
    } catch {
      missing.push(`${s.id} (${s.repo}@${s.commit.slice(0, 12)}:${s.path})`);
      continue;
    }
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(join(dest, "skill"), { recursive: true });
    execFileSync("tar", ["-x", "-C", join(dest, "skill")], { input: tar });
    droppedBinaries += dropBinaries(join(dest, "skill"));
    writeFileSync(stamp, s.tree);
    dirs.set(s.id, join(dest, "skill"));
  }
  return { dirs, missing, droppedBinaries };
}

export type { Label, Sample };
