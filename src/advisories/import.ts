// The offline update path: `clawpatrol advisories import <file|dir|zip>` copies OSV records
// into the user's advisory dir, where they replace shipped records with the same id. Every
// record is checked on its own: a bad one is rejected with the reason and the good ones are
// kept. Input is untrusted, so sizes are capped before anything is read or inflated, zip
// entries are inflated one by one, and nothing is ever written outside the user dir.
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { unzipSync } from "fflate";
import { compareText } from "../util/text.ts";
import { MAX_RECORD_BYTES, parseAdvisory, parseReleases, RELEASES_FILE } from "./store.ts";

/** Largest zip archive read into memory. */
export const MAX_ZIP_BYTES = 64 * 1024 * 1024;
/** Most files considered from one directory tree or zip. */
export const MAX_FILES = 20_000;
/** Total inflated bytes accepted from one zip. */
export const MAX_ZIP_INFLATED = 256 * 1024 * 1024;
const MAX_DEPTH = 8;

export interface ImportItem {
  /** Where the record came from: path, `archive.zip!entry.json`, or `file.json#3` for arrays. */
  source: string;
  id: string | null;
  status: "added" | "replaced" | "rejected" | "releases";
  reasons: string[];
}

export interface ImportReport {
  userDir: string;
  items: ImportItem[];
  added: number;
  replaced: number;
  rejected: number;
}

interface Candidate {
  source: string;
  name: string;
  bytes: Uint8Array | null;
  error?: string;
}

function isZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04
  );
}

function readCapped(path: string, cap: number): { bytes: Uint8Array } | { error: string } {
  try {
    const st = lstatSync(path);
    if (!st.isFile()) return { error: "not a regular file" };
    if (st.size > cap) return { error: `file is ${st.size} bytes; the limit is ${cap}` };
    return { bytes: readFileSync(path) };
  } catch (err) {
    return { error: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
}

function zipCandidates(source: string, bytes: Uint8Array): Candidate[] {
  const out: Candidate[] = [];
  let seen = 0;
  let inflated = 0;
  const skipped: Candidate[] = [];
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        if (f.name.endsWith("/")) return false;
        if (!f.name.toLowerCase().endsWith(".json")) return false;
        seen++;
        const where = `${source}!${f.name}`;
        if (seen > MAX_FILES) {
          if (seen === MAX_FILES + 1)
            skipped.push({
              source: where,
              name: f.name,
              bytes: null,
              error: `more than ${MAX_FILES} entries`,
            });
          return false;
        }
        if (f.originalSize > MAX_RECORD_BYTES) {
          skipped.push({
            source: where,
            name: f.name,
            bytes: null,
            error: `entry inflates to ${f.originalSize} bytes; the limit is ${MAX_RECORD_BYTES}`,
          });
          return false;
        }
        inflated += f.originalSize;
        if (inflated > MAX_ZIP_INFLATED) {
          skipped.push({
            source: where,
            name: f.name,
            bytes: null,
            error: "archive inflates past the total limit",
          });
          return false;
        }
        return true;
      },
    });
  } catch (err) {
    return [
      { source, name: basename(source), bytes: null, error: `not a readable zip: ${(err as Error).message}` },
    ];
  }
  for (const [name, data] of Object.entries(files)) {
    // A lying size header must not smuggle a large entry past the cap.
    if (data.length > MAX_RECORD_BYTES)
      out.push({
        source: `${source}!${name}`,
        name,
        bytes: null,
        error: "entry larger than its header said",
      });
    else out.push({ source: `${source}!${name}`, name, bytes: data });
  }
  return [...out, ...skipped].sort((a, b) => compareText(a.source, b.source));
}

function dirCandidates(root: string): Candidate[] {
  const out: Candidate[] = [];
  const walk = (dir: string, depth: number) => {
    if (out.length > MAX_FILES) return;
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (err) {
      out.push({
        source: dir,
        name: basename(dir),
        bytes: null,
        error: `cannot list: ${(err as Error).message}`,
      });
      return;
    }
    for (const name of names) {
      if (name.startsWith(".")) continue;
      const path = join(dir, name);
      let st: ReturnType<typeof lstatSync>;
      try {
        st = lstatSync(path);
      } catch {
        continue;
      }
      if (st.isSymbolicLink()) continue;
      if (st.isDirectory()) {
        if (depth < MAX_DEPTH) walk(path, depth + 1);
        continue;
      }
      if (!name.toLowerCase().endsWith(".json")) continue;
      if (out.length >= MAX_FILES) {
        out.push({
          source: path,
          name,
          bytes: null,
          error: `more than ${MAX_FILES} files; the rest were skipped`,
        });
        return;
      }
      const read = readCapped(path, MAX_RECORD_BYTES);
      out.push(
        "bytes" in read
          ? { source: path, name, bytes: read.bytes }
          : { source: path, name, bytes: null, error: read.error },
      );
    }
  };
  walk(root, 0);
  return out;
}

/** Collect the JSON documents behind a path: a .json file, a directory tree, or a .zip. */
export function collectCandidates(path: string): Candidate[] {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch (err) {
    return [
      {
        source: path,
        name: basename(path),
        bytes: null,
        error: `cannot open: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      },
    ];
  }
  if (st.isDirectory()) return dirCandidates(path);
  const looksZip = path.toLowerCase().endsWith(".zip");
  const read = readCapped(path, looksZip ? MAX_ZIP_BYTES : Math.max(MAX_RECORD_BYTES, 0));
  if (!("bytes" in read)) {
    // A big non-zip file might still be a zip with another name; peek at the magic.
    return [{ source: path, name: basename(path), bytes: null, error: read.error }];
  }
  if (looksZip || isZip(read.bytes)) return zipCandidates(path, read.bytes);
  return [{ source: path, name: basename(path), bytes: read.bytes }];
}

function safeFileName(id: string): string {
  return `${id.replace(/[^A-Za-z0-9._-]/g, "_")}.json`;
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, path);
}

export function importAdvisories(
  path: string,
  opts: { userDir: string; shippedIds?: Set<string>; dryRun?: boolean },
): ImportReport {
  const items: ImportItem[] = [];
  const existing = new Set<string>();
  try {
    for (const n of readdirSync(opts.userDir)) existing.add(n);
  } catch {
    // No user dir yet: created below on the first accepted record.
  }
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const writes: { file: string; text: string }[] = [];
  const batchIds = new Map<string, number>();

  for (const c of collectCandidates(path)) {
    if (!c.bytes) {
      items.push({ source: c.source, id: null, status: "rejected", reasons: [c.error ?? "unreadable"] });
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(decoder.decode(c.bytes).replace(/^\uFEFF/, ""));
    } catch (err) {
      const msg = err instanceof SyntaxError ? err.message : "not valid UTF-8 text";
      items.push({ source: c.source, id: null, status: "rejected", reasons: [`invalid JSON: ${msg}`] });
      continue;
    }
    if (c.name === RELEASES_FILE) {
      const rel = parseReleases(json);
      if (rel.ok) {
        writes.push({ file: RELEASES_FILE, text: `${JSON.stringify(json, null, 2)}\n` });
        items.push({ source: c.source, id: null, status: "releases", reasons: [] });
      } else items.push({ source: c.source, id: null, status: "rejected", reasons: rel.errors });
      continue;
    }
    const docs: { source: string; value: unknown }[] = Array.isArray(json)
      ? json.map((value, i) => ({ source: `${c.source}#${i}`, value }))
      : [{ source: c.source, value: json }];
    if (Array.isArray(json) && json.length === 0)
      items.push({ source: c.source, id: null, status: "rejected", reasons: ["empty array: no records"] });
    for (const doc of docs) {
      const parsed = parseAdvisory(doc.value, { strict: false, origin: "imported", file: doc.source });
      if (!parsed.ok) {
        const id =
          doc.value && typeof doc.value === "object" && typeof (doc.value as { id?: unknown }).id === "string"
            ? String((doc.value as { id: string }).id).slice(0, 100)
            : null;
        items.push({ source: doc.source, id, status: "rejected", reasons: parsed.errors });
        continue;
      }
      const id = parsed.advisory.id;
      const file = safeFileName(id);
      const previous = batchIds.get(id);
      if (previous !== undefined) {
        // Later record with the same id in one import wins; the earlier one is reported as replaced.
        items[previous]!.reasons.push("superseded by a later record with the same id in this import");
      }
      const replaced = existing.has(file) || (opts.shippedIds?.has(id) ?? false) || previous !== undefined;
      batchIds.set(id, items.length);
      items.push({ source: doc.source, id, status: replaced ? "replaced" : "added", reasons: [] });
      writes.push({ file, text: `${JSON.stringify(parsed.advisory.record, null, 2)}\n` });
    }
  }

  if (!opts.dryRun && writes.length > 0) {
    mkdirSync(opts.userDir, { recursive: true, mode: 0o755 });
    for (const w of writes) {
      const target = join(opts.userDir, w.file);
      // Belt and braces: the file name is derived from a validated id, never from input paths.
      if (relative(opts.userDir, target).includes("..")) continue;
      writeAtomic(target, w.text);
    }
  }
  return {
    userDir: opts.userDir,
    items,
    added: items.filter((i) => i.status === "added").length,
    replaced: items.filter((i) => i.status === "replaced").length,
    rejected: items.filter((i) => i.status === "rejected").length,
  };
}
