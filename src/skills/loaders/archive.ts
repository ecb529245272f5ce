// Safe in-memory extraction of .zip, .tar, .tar.gz/.tgz (npm tarballs included). Nothing
// is written to disk. Entry names are checked before anything is decompressed: absolute
// paths, drive letters and `..` segments are refused (zip-slip); links are recorded, never
// followed; encrypted entries are reported; total size, entry count and the compression
// ratio are capped so a decompression bomb is detected rather than expanded.
import { gunzipSync } from "node:zlib";
import { inflateSync } from "fflate";
import type { LoadIssue } from "../types.ts";

export interface Limits {
  /** Largest single file analysed (bigger ones are hashed from what was read and flagged). */
  maxFileBytes: number;
  /** Largest total of decompressed bytes per input archive. */
  maxTotalBytes: number;
  maxEntries: number;
  /** Largest decompressed/compressed ratio for an entry or a gzip stream (above 1 MiB). */
  maxRatio: number;
  /** How deep archives inside archives are opened. */
  maxArchiveDepth: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxFileBytes: 32 << 20,
  maxTotalBytes: 512 << 20,
  maxEntries: 20_000,
  maxRatio: 200,
  maxArchiveDepth: 2,
};

export interface ArchiveEntry {
  name: string;
  data: Uint8Array;
  mode?: number;
}

export interface Extracted {
  entries: ArchiveEntry[];
  issues: LoadIssue[];
}

/** A safe relative path, or null with the reason it is unsafe. */
export function safeEntryName(raw: string): { path: string } | { unsafe: string } {
  if (raw.includes("\0")) return { unsafe: "NUL byte in name" };
  const name = raw.replace(/\\/g, "/");
  if (name.startsWith("/")) return { unsafe: "absolute path" };
  if (/^[A-Za-z]:/.test(name)) return { unsafe: "drive-letter path" };
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.some((p) => p === "..")) return { unsafe: "`..` path segment" };
  return { path: parts.join("/") };
}

function issue(ruleId: string, display: string, detail: string, match: string): LoadIssue {
  return { ruleId, display, detail, match };
}

export function isArchiveName(name: string): boolean {
  return /\.(?:zip|tgz|tar\.gz|tar|skill|crx|jar|nupkg)$/i.test(name);
}

/** Extract an archive held in memory. `display` names it in issues (e.g. `x.zip`). */
export function extractArchive(data: Uint8Array, display: string, limits: Limits): Extracted {
  if (data.length >= 4 && data[0] === 0x50 && data[1] === 0x4b) return extractZip(data, display, limits);
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) {
    let tar: Uint8Array;
    const cap = Math.min(limits.maxTotalBytes, Math.max(1 << 20, data.length * limits.maxRatio));
    try {
      tar = gunzipSync(data, { maxOutputLength: cap });
    } catch (err) {
      const tooBig = err instanceof RangeError || /maxOutputLength|buffer/i.test(String(err));
      return {
        entries: [],
        issues: [
          tooBig
            ? issue(
                "CP-SKILL-ARCH-002",
                display,
                `gzip stream expands past ${cap} bytes (${(cap / Math.max(1, data.length)).toFixed(0)}× its size); not extracted`,
                display,
              )
            : issue(
                "CP-SKILL-ARCH-005",
                display,
                `gzip stream is corrupt: ${String(err).slice(0, 120)}`,
                display,
              ),
        ],
      };
    }
    return extractTar(tar, display, limits);
  }
  if (data.length >= 262 && String.fromCharCode(...data.subarray(257, 262)) === "ustar")
    return extractTar(data, display, limits);
  return {
    entries: [],
    issues: [issue("CP-SKILL-ARCH-005", display, "not a zip, tar or gzip archive", display)],
  };
}

function u16(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8);
}
function u32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8");

function extractZip(data: Uint8Array, display: string, limits: Limits): Extracted {
  const issues: LoadIssue[] = [];
  const entries: ArchiveEntry[] = [];
  // End of central directory: scan back over at most a 64 KiB comment.
  let eocd = -1;
  for (let i = data.length - 22; i >= Math.max(0, data.length - 22 - 0xffff); i--) {
    if (data[i] === 0x50 && data[i + 1] === 0x4b && data[i + 2] === 0x05 && data[i + 3] === 0x06) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0)
    return {
      entries,
      issues: [issue("CP-SKILL-ARCH-005", display, "zip has no central directory", display)],
    };
  const count = u16(data, eocd + 10);
  let p = u32(data, eocd + 16);
  if (p === 0xffffffff || count === 0xffff)
    return {
      entries,
      issues: [issue("CP-SKILL-ARCH-005", display, "ZIP64 archives are not supported", display)],
    };
  let total = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > data.length || u32(data, p) !== 0x02014b50) {
      issues.push(
        issue("CP-SKILL-ARCH-005", display, "zip central directory is truncated or corrupt", display),
      );
      break;
    }
    const flags = u16(data, p + 8);
    const method = u16(data, p + 10);
    const compSize = u32(data, p + 20);
    const size = u32(data, p + 24);
    const nameLen = u16(data, p + 28);
    const extraLen = u16(data, p + 30);
    const commentLen = u16(data, p + 32);
    const made = u16(data, p + 4) >> 8;
    const ext = u32(data, p + 38);
    const local = u32(data, p + 42);
    const nameBytes = data.subarray(p + 46, p + 46 + nameLen);
    const rawName = (flags & 0x800 ? utf8 : latin1).decode(nameBytes);
    p += 46 + nameLen + extraLen + commentLen;
    if (entries.length >= limits.maxEntries) {
      issues.push(tooManyEntries(display, limits.maxEntries));
      break;
    }
    const where = `${display}!/${rawName}`;
    const safe = safeEntryName(rawName);
    if ("unsafe" in safe) {
      issues.push(
        issue("CP-SKILL-ARCH-001", where, `entry name is unsafe (${safe.unsafe}): ${rawName}`, rawName),
      );
      continue;
    }
    if (rawName.endsWith("/")) continue;
    const unixMode = made === 3 ? ext >>> 16 : 0;
    if ((unixMode & 0xf000) === 0xa000) {
      const target = readZipData(data, local, method, compSize, size);
      const t = target ? utf8.decode(target) : "?";
      const resolved = safeEntryName(`${safe.path.split("/").slice(0, -1).join("/")}/${t}`);
      if (t.startsWith("/") || "unsafe" in resolved)
        issues.push(
          issue(
            "CP-SKILL-ARCH-003",
            where,
            `symlink to ${t} points outside the archive`,
            `${rawName} -> ${t}`,
          ),
        );
      continue;
    }
    if (flags & 0x1) {
      issues.push(
        issue("CP-SKILL-ARCH-004", where, `entry ${rawName} is encrypted (password-protected)`, rawName),
      );
      continue;
    }
    if (
      size > limits.maxFileBytes * 4 ||
      (size > 1 << 20 && compSize > 0 && size / compSize > limits.maxRatio)
    ) {
      issues.push(
        issue(
          "CP-SKILL-ARCH-002",
          where,
          `entry claims ${size} bytes from ${compSize} compressed (ratio ${(size / Math.max(1, compSize)).toFixed(0)}); not extracted`,
          rawName,
        ),
      );
      continue;
    }
    if (total + size > limits.maxTotalBytes) {
      issues.push(
        issue(
          "CP-SKILL-ARCH-002",
          where,
          `archive expands past ${limits.maxTotalBytes} bytes; rest not extracted`,
          rawName,
        ),
      );
      break;
    }
    const out = readZipData(data, local, method, compSize, size);
    if (!out) {
      issues.push(
        issue(
          "CP-SKILL-ARCH-005",
          where,
          `entry ${rawName} could not be decompressed (method ${method})`,
          rawName,
        ),
      );
      continue;
    }
    total += out.length;
    entries.push({ name: safe.path, data: out, ...(unixMode ? { mode: unixMode } : {}) });
  }
  return { entries, issues };
}

function readZipData(
  data: Uint8Array,
  local: number,
  method: number,
  compSize: number,
  size: number,
): Uint8Array | null {
  if (local + 30 > data.length || u32(data, local) !== 0x04034b50) return null;
  const start = local + 30 + u16(data, local + 26) + u16(data, local + 28);
  const raw = data.subarray(start, start + compSize);
  if (raw.length !== compSize) return null;
  try {
    if (method === 0) return raw.length === size ? raw : null;
    if (method === 8) {
      // The output buffer is exactly the declared size: a lying header cannot make it grow.
      const out = inflateSync(raw, { out: new Uint8Array(size) });
      return out.length === size ? out : null;
    }
  } catch {
    return null;
  }
  return null;
}

function field(b: Uint8Array, off: number, len: number): string {
  const s = b.subarray(off, off + len);
  const nul = s.indexOf(0);
  return utf8.decode(nul >= 0 ? s.subarray(0, nul) : s);
}

function octal(b: Uint8Array, off: number, len: number): number {
  // GNU base-256 for large sizes.
  if (b[off]! & 0x80) {
    let v = 0;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + b[i]!;
    return v;
  }
  const s = field(b, off, len).trim();
  return s ? Number.parseInt(s, 8) : 0;
}

function extractTar(data: Uint8Array, display: string, limits: Limits): Extracted {
  const issues: LoadIssue[] = [];
  const entries: ArchiveEntry[] = [];
  let p = 0;
  let longName: string | null = null;
  let paxPath: string | null = null;
  let total = 0;
  while (p + 512 <= data.length) {
    const h = data.subarray(p, p + 512);
    if (h.every((x) => x === 0)) break;
    let name = field(h, 0, 100);
    const mode = octal(h, 100, 8);
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156] || 0x30);
    const link = field(h, 157, 100);
    if (field(h, 257, 5) === "ustar") {
      const prefix = field(h, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    const body = p + 512;
    const next = body + Math.ceil(size / 512) * 512;
    if (!Number.isFinite(size) || size < 0 || body + size > data.length) {
      issues.push(issue("CP-SKILL-ARCH-005", display, "tar stream is truncated or corrupt", display));
      break;
    }
    const content = data.subarray(body, body + size);
    p = next;
    if (type === "L") {
      longName = field(content, 0, content.length);
      continue;
    }
    if (type === "x") {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(utf8.decode(content));
      paxPath = m ? m[1]! : null;
      continue;
    }
    if (type === "g") continue;
    if (longName !== null) name = longName;
    if (paxPath !== null) name = paxPath;
    longName = null;
    paxPath = null;
    if (entries.length >= limits.maxEntries) {
      issues.push(tooManyEntries(display, limits.maxEntries));
      break;
    }
    const where = `${display}!/${name}`;
    const safe = safeEntryName(name);
    if ("unsafe" in safe) {
      issues.push(issue("CP-SKILL-ARCH-001", where, `entry name is unsafe (${safe.unsafe}): ${name}`, name));
      continue;
    }
    if (type === "2" || type === "1") {
      const base = type === "2" ? safe.path.split("/").slice(0, -1).join("/") : "";
      const resolved = safeEntryName(base ? `${base}/${link}` : link);
      if (link.startsWith("/") || "unsafe" in resolved)
        issues.push(
          issue(
            "CP-SKILL-ARCH-003",
            where,
            `${type === "2" ? "symlink" : "hard link"} to ${link} points outside the archive`,
            `${name} -> ${link}`,
          ),
        );
      continue;
    }
    if (type !== "0" && type !== "\0" && type !== "7") continue;
    if (total + size > limits.maxTotalBytes) {
      issues.push(
        issue(
          "CP-SKILL-ARCH-002",
          where,
          `archive expands past ${limits.maxTotalBytes} bytes; rest not extracted`,
          name,
        ),
      );
      break;
    }
    total += size;
    entries.push({ name: safe.path, data: content, mode });
  }
  return { entries, issues };
}

/** The archive holds more entries than we read: said once, where the reading stopped. */
function tooManyEntries(display: string, maxEntries: number): LoadIssue {
  return issue(
    "CP-SKILL-ARCH-005",
    display,
    `more than ${maxEntries} entries; the rest were not read`,
    display,
  );
}
