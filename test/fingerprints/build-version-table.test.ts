import { describe, expect, it } from "vitest";
import { parseConfig, staticImports, TarReader } from "../../scripts/build-version-table.ts";

// Tar bytes made by hand, so the reader is tested against the format rather than against itself.
function header(
  name: string,
  size: number,
  type: string,
  extra: { prefix?: string; base256?: boolean } = {},
) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, "utf8");
  h.write("0000644\0", 100, "ascii");
  h.write("0000000\0", 108, "ascii");
  h.write("0000000\0", 116, "ascii");
  if (extra.base256) {
    h[124] = 0x80;
    h.writeUIntBE(size, 136 - 6, 6);
  } else {
    h.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "ascii");
  }
  h.write("00000000000\0", 136, "ascii");
  h.write(type, 156, "ascii");
  h.write("ustar\0", 257, "ascii");
  h.write("00", 263, "ascii");
  if (extra.prefix) h.write(extra.prefix, 345, 155, "utf8");
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return h;
}

function pad(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

function pax(records: Record<string, string>): Buffer {
  let body = "";
  for (const [k, v] of Object.entries(records)) {
    const rest = ` ${k}=${v}\n`;
    let len = rest.length + 1;
    while (`${len}${rest}`.length !== len) len = `${len}${rest}`.length;
    body += `${len}${rest}`;
  }
  return Buffer.from(body, "utf8");
}

function file(name: string, content: string, extra?: { prefix?: string; base256?: boolean }): Buffer {
  const data = Buffer.from(content, "utf8");
  return Buffer.concat([header(name, data.length, "0", extra), pad(data)]);
}

function readAll(tar: Buffer, chunkSize: number) {
  const seen: { path: string; size: number; body: string }[] = [];
  const reader = new TarReader((e) => {
    const parts: Buffer[] = [];
    return {
      data: (c) => parts.push(Buffer.from(c)),
      end: () => seen.push({ path: e.path, size: e.size, body: Buffer.concat(parts).toString("utf8") }),
    };
  });
  for (let i = 0; i < tar.length; i += chunkSize) reader.write(tar.subarray(i, i + chunkSize));
  reader.finish();
  return seen;
}

describe("TarReader", () => {
  const longName = `package/dist/control-ui/${"deep/".repeat(30)}favicon.svg`;
  const paxBody = pax({ path: longName });
  const tar = Buffer.concat([
    header("package/", 0, "5"),
    file("package/package.json", '{"name":"openclaw"}'),
    file("index.html", "<html></html>", { prefix: "package/dist/control-ui" }),
    header("PaxHeader/x", paxBody.length, "x"),
    pad(paxBody),
    file("package/dist/control-ui/ignored-short-name", "<svg/>"),
    file("package/dist/big.bin", "x".repeat(700), { base256: true }),
    file("package/empty.txt", ""),
    Buffer.alloc(1024),
  ]);

  for (const chunk of [1, 7, 512, 100_000]) {
    it(`reads ustar, prefix, pax paths and base-256 sizes in ${chunk}-byte chunks`, () => {
      expect(readAll(tar, chunk)).toEqual([
        { path: "package/package.json", size: 19, body: '{"name":"openclaw"}' },
        { path: "package/dist/control-ui/index.html", size: 13, body: "<html></html>" },
        { path: longName, size: 6, body: "<svg/>" },
        { path: "package/dist/big.bin", size: 700, body: "x".repeat(700) },
        { path: "package/empty.txt", size: 0, body: "" },
      ]);
    });
  }

  it("rejects a corrupt header and a truncated archive", () => {
    const bad = Buffer.from(tar);
    bad[512 + 10] = 0x41; // inside the second header's name
    expect(() => readAll(bad, 4096)).toThrow(/checksum/);
    expect(() => readAll(tar.subarray(0, 512 + 300), 4096)).toThrow(/truncated/);
  });
});

describe("staticImports", () => {
  it("reads the import header of tsc and bundler output", () => {
    const tsc = [
      "#!/usr/bin/env node",
      '"use strict";',
      "// comment",
      'import fs from "node:fs";',
      'import { a, b as c } from "./a.js";',
      "import * as ns from '../b.js';",
      'import "./side-effect.js";',
      'export { x } from "./re.js";',
      'export * from "./star.js";',
      "const later = 1;",
      "const scaffold = `",
      'import { contract } from "./contract.js";',
      "`;",
    ].join("\n");
    expect(staticImports(tsc).sort()).toEqual(
      ["../b.js", "./a.js", "./re.js", "./side-effect.js", "./star.js", "node:fs"].sort(),
    );
    const bundled =
      'import{a as b}from"./chunk-1.js";import"./chunk-2.js";const x=`import y from "./not.js"`;';
    expect(staticImports(bundled)).toEqual(["./chunk-1.js", "./chunk-2.js"]);
  });

  it("does not treat dynamic import or import.meta as static imports", () => {
    expect(staticImports('const m = await import("./lazy.js");\nconsole.log(import.meta.url);')).toEqual([]);
  });
});

describe("parseConfig", () => {
  it("has the documented defaults", () => {
    const cfg = parseConfig([])!;
    expect(cfg.packages).toEqual(["openclaw", "clawdbot", "moltbot"]);
    expect(cfg.registry.origin).toBe("https://registry.npmjs.org");
    expect(cfg.cache).toMatch(/\.cache\/clawpatrol\/npm-tarballs$/);
    expect(cfg.out).toMatch(/data\/fingerprints\/openclaw-ui-versions\.json$/);
    expect(cfg.concurrency).toBe(4);
    expect(parseConfig(["--help"])).toBeNull();
    expect(() => parseConfig(["--packages", "ollama"])).toThrow(/unknown package/);
  });
});
