// Builders for hostile archives used by tests and the bench: zip entries with any name
// (including `../`), encrypted-flag entries, symlinks, bombs; ustar tar with links; gzip.
import { gzipSync } from "node:zlib";
import { deflateSync } from "fflate";

export interface ZipEntry {
  name: string;
  data: Uint8Array | string;
  /** Set the "encrypted" general-purpose flag (content stays as given). */
  encrypted?: boolean;
  /** Unix symlink entry; data is the link target. */
  symlink?: boolean;
  store?: boolean;
}

function crc32(data: Uint8Array): number {
  let c = ~0;
  for (let i = 0; i < data.length; i++) {
    c ^= data[i]!;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

const enc = new TextEncoder();
const bytes = (d: Uint8Array | string) => (typeof d === "string" ? enc.encode(d) : d);

/** A zip written by hand so names and flags are exactly what the test says. */
export function makeZip(entries: ZipEntry[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const raw = bytes(e.data);
    const name = enc.encode(e.name);
    const method = e.store || e.symlink ? 0 : 8;
    const comp = method === 8 ? deflateSync(raw, { level: 9 }) : raw;
    const flags = (e.encrypted ? 1 : 0) | 0x800;
    const crc = crc32(raw);
    const lh = new DataView(new ArrayBuffer(30));
    lh.setUint32(0, 0x04034b50, true);
    lh.setUint16(4, 20, true);
    lh.setUint16(6, flags, true);
    lh.setUint16(8, method, true);
    lh.setUint32(14, crc, true);
    lh.setUint32(18, comp.length, true);
    lh.setUint32(22, raw.length, true);
    lh.setUint16(26, name.length, true);
    const local = new Uint8Array(30 + name.length + comp.length);
    local.set(new Uint8Array(lh.buffer), 0);
    local.set(name, 30);
    local.set(comp, 30 + name.length);
    const ch = new DataView(new ArrayBuffer(46));
    ch.setUint32(0, 0x02014b50, true);
    ch.setUint16(4, (3 << 8) | 20, true); // made by Unix
    ch.setUint16(6, 20, true);
    ch.setUint16(8, flags, true);
    ch.setUint16(10, method, true);
    ch.setUint32(16, crc, true);
    ch.setUint32(20, comp.length, true);
    ch.setUint32(24, raw.length, true);
    ch.setUint16(28, name.length, true);
    const mode = e.symlink ? 0o120777 : 0o100644;
    ch.setUint32(38, (mode << 16) >>> 0, true);
    ch.setUint32(42, offset, true);
    const central = new Uint8Array(46 + name.length);
    central.set(new Uint8Array(ch.buffer), 0);
    central.set(name, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const cdSize = centrals.reduce((a, c) => a + c.length, 0);
  const eocd = new DataView(new ArrayBuffer(22));
  eocd.setUint32(0, 0x06054b50, true);
  eocd.setUint16(8, entries.length, true);
  eocd.setUint16(10, entries.length, true);
  eocd.setUint32(12, cdSize, true);
  eocd.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let p = 0;
  for (const l of locals) {
    out.set(l, p);
    p += l.length;
  }
  for (const c of centrals) {
    out.set(c, p);
    p += c.length;
  }
  out.set(new Uint8Array(eocd.buffer), p);
  return out;
}

export interface TarEntry {
  name: string;
  data?: Uint8Array | string;
  type?: "file" | "symlink" | "hardlink" | "dir";
  link?: string;
  mode?: number;
}

function octal(n: number, len: number): string {
  return `${n.toString(8).padStart(len - 1, "0")}\0`;
}

export function makeTar(entries: TarEntry[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const e of entries) {
    const data = bytes(e.data ?? "");
    const h = new Uint8Array(512);
    const put = (s: string, off: number) => h.set(enc.encode(s).subarray(0, 512 - off), off);
    put(e.name, 0);
    put(octal(e.mode ?? 0o644, 8), 100);
    put(octal(0, 8), 108);
    put(octal(0, 8), 116);
    put(octal(e.type === "file" || !e.type ? data.length : 0, 12), 124);
    put(octal(0, 12), 136);
    put("        ", 148);
    const type = { file: "0", symlink: "2", hardlink: "1", dir: "5" }[e.type ?? "file"];
    put(type, 156);
    if (e.link) put(e.link, 157);
    put("ustar\0", 257);
    put("00", 263);
    let sum = 0;
    for (const b of h) sum += b;
    put(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(h);
    if (!e.type || e.type === "file") {
      const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
      padded.set(data);
      blocks.push(padded);
    }
  }
  blocks.push(new Uint8Array(1024));
  const total = blocks.reduce((a, b) => a + b.length, 0);
  const out = new Uint8Array(total);
  let p = 0;
  for (const b of blocks) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}

export function makeTgz(entries: TarEntry[]): Uint8Array {
  return new Uint8Array(gzipSync(makeTar(entries)));
}

/** A deflate bomb: `mb` MiB of zeros in one entry. */
export function makeZipBomb(mb: number): Uint8Array {
  return makeZip([
    { name: "SKILL.md", data: "---\nname: bomb\ndescription: x\n---\n" },
    { name: "data.txt", data: new Uint8Array(mb << 20) },
  ]);
}
