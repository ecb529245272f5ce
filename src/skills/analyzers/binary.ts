// Opaque files: executables, shared libraries, bytecode and archives are identified by
// their magic bytes (not their names), hashed, and flagged. Text is told from binary by
// NUL bytes and UTF-8 validity.
import type { SkillContext } from "../context.ts";
import type { SkillFile } from "../types.ts";

export type FileKind =
  | "text"
  | "elf"
  | "macho"
  | "pe"
  | "pyc"
  | "wasm"
  | "java-class"
  | "dex"
  | "zip"
  | "gzip"
  | "tar"
  | "7z"
  | "rar"
  | "xz"
  | "bzip2"
  | "media"
  | "data";

const MEDIA_EXT =
  /\.(?:png|jpe?g|gif|webp|bmp|ico|icns|tiff?|svgz|avif|heic|mp3|wav|ogg|flac|m4a|aac|mp4|mov|webm|mkv|avi|pdf|ttf|otf|woff2?|eot|psd|sketch|fig|onnx|bin|model|pt|safetensors|npy|npz|sqlite|db)$/i;
const OFFICE_EXT = /\.(?:docx|xlsx|pptx|odt|ods|odp|epub|vsix|whl)$/i;

function u16be(b: Uint8Array, i: number): number {
  return ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
}

export function sniff(bytes: Uint8Array, rel: string): FileKind {
  const b = bytes;
  const n = b.length;
  if (n >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46) return "elf";
  if (n >= 4) {
    const m = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    if (m === 0xfeedface || m === 0xfeedfacf || m === 0xcefaedfe || m === 0xcffaedfe) return "macho";
    if (m === 0xcafebabe) return u16be(b, 6) >= 45 ? "java-class" : "macho";
    if (m === 0x0061736d) return "wasm";
    if (m === 0x504b0304 || m === 0x504b0506) return OFFICE_EXT.test(rel) ? "media" : "zip";
    if (m === 0x6465780a) return "dex";
  }
  if (n >= 2 && b[0] === 0x4d && b[1] === 0x5a) {
    // "MZ": check for a PE header to avoid calling any text starting with MZ a binary.
    const peOff = n >= 0x40 ? b[0x3c]! | (b[0x3d]! << 8) | (b[0x3e]! << 16) | (b[0x3f]! << 24) : -1;
    if (peOff > 0 && peOff + 4 <= n && b[peOff] === 0x50 && b[peOff + 1] === 0x45) return "pe";
    if (/\.(?:exe|dll|scr|sys|com|ocx|cpl)$/i.test(rel)) return "pe";
  }
  if (n >= 2 && b[0] === 0x1f && b[1] === 0x8b) return "gzip";
  if (
    n >= 6 &&
    b[0] === 0x37 &&
    b[1] === 0x7a &&
    b[2] === 0xbc &&
    b[3] === 0xaf &&
    b[4] === 0x27 &&
    b[5] === 0x1c
  )
    return "7z";
  if (n >= 4 && b[0] === 0x52 && b[1] === 0x61 && b[2] === 0x72 && b[3] === 0x21) return "rar";
  if (n >= 6 && b[0] === 0xfd && b[1] === 0x37 && b[2] === 0x7a && b[3] === 0x58 && b[4] === 0x5a)
    return "xz";
  if (n >= 3 && b[0] === 0x42 && b[1] === 0x5a && b[2] === 0x68 && /\.(?:bz2|tbz2?)$/i.test(rel))
    return "bzip2";
  if (n >= 262 && String.fromCharCode(...b.subarray(257, 262)) === "ustar") return "tar";
  if (
    /\.py[co]$/i.test(rel) ||
    (n >= 16 && b[2] === 0x0d && b[3] === 0x0a && /\.py[co]$|__pycache__/i.test(rel))
  )
    return "pyc";
  if (MEDIA_EXT.test(rel)) return "media";
  // Text: no NUL in the first 8 KiB and mostly decodable.
  const head = b.subarray(0, Math.min(n, 8192));
  if (head.includes(0)) return /\.(?:txt|md|json|ya?ml|js|ts|py|sh)$/i.test(rel) ? "text" : "data";
  return "text";
}

const EXEC_EXT = /\.(?:so(?:\.\d+)*|dylib|dll|node|bundle)$/i;

/** Flag an opaque file; returns true when the file is not text. */
export function analyzeOpaque(ctx: SkillContext, file: SkillFile, kind: FileKind, sha: string): void {
  const where = { display: file.display };
  const hashNote = `sha256 ${sha}, ${file.bytes.length} bytes`;
  switch (kind) {
    case "elf":
    case "macho":
    case "pe": {
      const lib = EXEC_EXT.test(file.rel);
      ctx.add(lib ? "CP-SKILL-BIN-003" : "CP-SKILL-BIN-001", where, sha, {
        detail: `${kind.toUpperCase()} ${lib ? "shared library / native addon" : "executable"} (${hashNote})`,
        excerpt: `${file.rel} ${sha}`,
      });
      return;
    }
    case "pyc":
      ctx.add("CP-SKILL-BIN-002", where, sha, {
        detail: `Python bytecode (${hashNote})`,
        excerpt: `${file.rel} ${sha}`,
      });
      return;
    case "wasm":
    case "java-class":
    case "dex":
      ctx.add("CP-SKILL-BIN-003", where, sha, {
        detail: `${kind} (${hashNote})`,
        excerpt: `${file.rel} ${sha}`,
      });
      return;
    case "7z":
    case "rar":
    case "xz":
    case "bzip2":
      ctx.add("CP-SKILL-ARCH-005", where, sha, {
        detail: `${kind} archive cannot be opened by the scanner (${hashNote})`,
        excerpt: `${file.rel} ${sha}`,
      });
      return;
    case "data":
      ctx.add("CP-SKILL-BIN-003", where, sha, {
        severity: "low",
        confidence: "low",
        detail: `Unrecognised binary data (${hashNote})`,
        excerpt: `${file.rel} ${sha}`,
      });
      return;
    default:
      return;
  }
}
