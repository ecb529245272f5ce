// The manifest of a data set: which files it consists of and the sha256 of each, plus the
// version, date and schema that say what it is. The build script writes it into the
// clawpatrol-data package; `clawpatrol update` checks every file against it.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DATA_FILE_PATTERN, DATA_PACKAGE_NAME, DATA_SCHEMA, type DataManifest } from "../core/data-dir.ts";

/** Files in a data package that are not data and so are not in the manifest's file list. */
export const PACKAGE_EXTRAS: ReadonlySet<string> = new Set([
  "manifest.json",
  "package.json",
  "README.md",
  "LICENSE",
]);

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Every file under `root`, as sorted relative paths with `/` separators. */
export function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) =>
      join(e.parentPath, e.name)
        .slice(root.length)
        .replace(/^[\\/]+/, ""),
    )
    .map((p) => p.split("\\").join("/"))
    .sort();
}

/** The data files of a data directory (advisories/, fingerprints/, skills/), sorted. */
export function dataFilesIn(root: string): string[] {
  return filesUnder(root).filter((p) => DATA_FILE_PATTERN.test(p));
}

/** A manifest for the data files under `root`. */
export function buildManifest(root: string, id: { version: string; date: string }): DataManifest {
  const files: DataManifest["files"] = {};
  for (const rel of dataFilesIn(root)) {
    const bytes = readFileSync(join(root, rel));
    files[rel] = { sha256: sha256Hex(bytes), size: bytes.length };
  }
  return { name: DATA_PACKAGE_NAME, version: id.version, date: id.date, schema: DATA_SCHEMA, files };
}
