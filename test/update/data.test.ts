// Which data a run reads, the checks an offline update makes, and the stale-data warning.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import {
  compareDataVersions,
  dataAgeWarning,
  manifestProblems,
  resolveActiveData,
  shippedDataDir,
  shippedDataInfo,
} from "../../src/core/data-dir.ts";
import { installDataTarball } from "../../src/update/install.ts";
import { matchesIntegrity, newestRelease } from "../../src/update/registry.ts";
import { runClawpatrol } from "../support/cli.ts";
import { ADDED_ID, buildPackage, dataCopy } from "./packages.ts";

const temp: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temp.push(d);
  return d;
}
afterAll(() => {
  for (const d of temp) rmSync(d, { recursive: true, force: true });
});

/** A minimal ustar archive of `files` under `package/` (for hand-made bad packages). */
function tarGz(files: Record<string, string | Uint8Array>): Uint8Array {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const h = Buffer.alloc(512);
    h.write(`package/${name}`, 0, "utf8");
    h.write("0000644\0", 100);
    h.write("0000000\0", 108);
    h.write("0000000\0", 116);
    h.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
    h.write("00000000000\0", 136);
    h.write("        ", 148);
    h.write("0", 156);
    h.write("ustar\0", 257);
    h.write("00", 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

describe("data versions and manifests", () => {
  it("orders <schema>.<YYYYMMDD>.<n> versions by date then serial", () => {
    expect(compareDataVersions("1.20261208.0", "1.20261207.5")).toBeGreaterThan(0);
    expect(compareDataVersions("1.20261208.1", "1.20261208.0")).toBeGreaterThan(0);
    expect(compareDataVersions("1.20261208.0", "1.20261208.0")).toBe(0);
    expect(compareDataVersions("1.20261308.0", "1.20261208.0")).toBeLessThan(0); // month 13 is not a version
  });

  it("the shipped data has a well-formed version and date", () => {
    const shipped = shippedDataInfo();
    expect(shipped.version).toBe(`1.${shipped.date.replaceAll("-", "")}.0`);
  });

  it("refuses manifests of another schema, a mismatched date, and non-data files", () => {
    const base = {
      name: "clawpatrol-data",
      version: "1.20261208.0",
      date: "2026-12-08",
      schema: 1,
      files: { "skills/iocs.json": { sha256: "a".repeat(64), size: 1 } },
    };
    expect(manifestProblems(base)).toEqual([]);
    expect(manifestProblems({ ...base, schema: 2, version: "2.20261208.0" })[0]).toMatch(
      /schema 2 is not supported/,
    );
    expect(manifestProblems({ ...base, date: "2026-12-09" })).toContain(
      "version 1.20261208.0 does not carry the date 2026-12-09",
    );
    expect(
      manifestProblems({ ...base, files: { "../etc/passwd": { sha256: "a".repeat(64), size: 1 } } }),
    ).toContain("files: ../etc/passwd is not a data file");
  });

  it("picks the newest non-deprecated release of this data schema from a packument", () => {
    const dist = (v: string) => ({
      tarball: `http://127.0.0.1:1/clawpatrol-data-${v}.tgz`,
      integrity: "sha512-x",
    });
    const packument = {
      versions: {
        "1.20261201.0": { dist: dist("1.20261201.0") },
        "1.20261203.1": { dist: dist("1.20261203.1") },
        "1.20261203.0": { dist: dist("1.20261203.0") },
        "1.20261209.0": { dist: dist("1.20261209.0"), deprecated: "broken" },
        "2.20261210.0": { dist: dist("2.20261210.0") },
        "0.1.0": { dist: dist("0.1.0") },
      },
    };
    expect(newestRelease(packument)?.version).toBe("1.20261203.1");
    expect(newestRelease({ versions: {} })).toBeNull();
  });

  it("checks sha512 integrity and nothing weaker", () => {
    const bytes = Buffer.from("clawpatrol");
    const good = `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
    expect(matchesIntegrity(bytes, good)).toBe(true);
    expect(matchesIntegrity(Buffer.from("clawpatrol!"), good)).toBe(false);
    expect(matchesIntegrity(bytes, "sha1-abc")).toBe(false);
  });
});

describe("offline install", () => {
  const withAdvisory = dataCopy({ addAdvisory: true });
  temp.push(withAdvisory);
  const good = buildPackage(withAdvisory, "1.20261208.0");

  function freshHome() {
    const home = tempDir("clawpatrol-home-");
    return { env: { CLAWPATROL_HOME: home }, root: join(home, "data") };
  }

  it("installs a valid package and makes it the active data", () => {
    const { env, root } = freshHome();
    const result = installDataTarball(readFileSync(good.tarball), { root, env, source: good.tarball });
    expect(result.status).toBe("installed");
    const active = resolveActiveData(env);
    expect(active).toMatchObject({ origin: "updated", version: "1.20261208.0", date: "2026-12-08" });
    expect(readFileSync(join(active.dir, "advisories", `${ADDED_ID}.json`), "utf8")).toContain(ADDED_ID);
  });

  it("carries the audit check catalogues", () => {
    const { env, root } = freshHome();
    installDataTarball(readFileSync(good.tarball), { root, env, source: good.tarball });
    const active = resolveActiveData(env);
    const shipped = readdirSync(join(shippedDataDir(), "audit-checks")).sort();
    expect(shipped.length).toBeGreaterThan(0);
    expect(readdirSync(join(active.dir, "audit-checks")).sort()).toEqual(shipped);
  });

  it("refuses a package whose audit check catalogue is malformed", () => {
    const { env, root } = freshHome();
    const pkg = buildPackage(dataCopy(), "1.20261210.0");
    const name = readdirSync(join(pkg.dir, "audit-checks"))[0]!;
    const rel = `audit-checks/${name}`;
    const broken = Buffer.from(JSON.stringify({ package: "openclaw", version: "2026.9.6", checks: "none" }));
    const manifest = JSON.parse(readFileSync(join(pkg.dir, "manifest.json"), "utf8"));
    manifest.files[rel] = { sha256: createHash("sha256").update(broken).digest("hex"), size: broken.length };
    const files: Record<string, Uint8Array | string> = { "manifest.json": JSON.stringify(manifest) };
    for (const f of Object.keys(manifest.files))
      files[f] = f === rel ? broken : readFileSync(join(pkg.dir, f));
    expect(() => installDataTarball(tarGz(files), { root, env, source: "cat.tgz" })).toThrow(
      new RegExp(
        `cat\\.tgz: data package refused, nothing changed: audit-checks/${name.replace(/\./g, "\\.")}`,
      ),
    );
    expect(resolveActiveData(env).origin).toBe("shipped");
  });

  it("refuses a package with an advisory that fails the strict schema, leaving nothing behind", () => {
    const { env, root } = freshHome();
    const bad = dataCopy();
    temp.push(bad);
    const file = join(bad, "advisories", "GHSA-24vr-rprv-67rf.json");
    const record = JSON.parse(readFileSync(file, "utf8"));
    delete record.affected;
    writeFileSync(file, JSON.stringify(record));
    // The build script itself refuses such data, so hand the checks a package built around it.
    const pkg = buildPackage(dataCopy(), "1.20261209.0");
    writeFileSync(join(pkg.dir, "advisories", "GHSA-24vr-rprv-67rf.json"), JSON.stringify(record));
    const manifest = JSON.parse(readFileSync(join(pkg.dir, "manifest.json"), "utf8"));
    const bytes = readFileSync(join(pkg.dir, "advisories", "GHSA-24vr-rprv-67rf.json"));
    manifest.files["advisories/GHSA-24vr-rprv-67rf.json"] = {
      sha256: createHash("sha256").update(bytes).digest("hex"),
      size: bytes.length,
    };
    const files: Record<string, Uint8Array | string> = { "manifest.json": JSON.stringify(manifest) };
    for (const rel of Object.keys(manifest.files)) files[rel] = readFileSync(join(pkg.dir, rel));
    expect(() => installDataTarball(tarGz(files), { root, env, source: "bad.tgz" })).toThrow(
      /bad\.tgz: data package refused, nothing changed: advisories\/GHSA-24vr-rprv-67rf\.json/,
    );
    expect(resolveActiveData(env).origin).toBe("shipped");
    mkdirSync(root, { recursive: true });
    expect(readdirSync(root)).toEqual([]);
  });

  it("refuses a file the manifest does not list", () => {
    const { env, root } = freshHome();
    const manifest = JSON.parse(readFileSync(join(good.dir, "manifest.json"), "utf8"));
    const files: Record<string, Uint8Array | string> = { "manifest.json": JSON.stringify(manifest) };
    for (const rel of Object.keys(manifest.files)) files[rel] = readFileSync(join(good.dir, rel));
    files["skills/extra.json"] = "{}";
    expect(() => installDataTarball(tarGz(files), { root, env, source: "x.tgz" })).toThrow(
      /skills\/extra\.json: not listed in the manifest/,
    );
  });

  it("refuses an archive with a path that climbs out of the package", () => {
    const { env, root } = freshHome();
    expect(() =>
      installDataTarball(tarGz({ "../../evil.json": "{}" }), { root, env, source: "evil.tgz" }),
    ).toThrow(/evil\.tgz: not a usable data package/);
  });

  it("CLI: --offline with an older file is a one-line usage error; a missing file too", async () => {
    const { env } = freshHome();
    const first = await runClawpatrol(["update", "--offline", good.tarball], { env });
    expect(first.code, first.stderr).toBe(0);
    const older = buildPackage(dataCopy(), "1.20261207.0");
    const r = await runClawpatrol(["update", "--offline", older.tarball], { env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("is older than the active data 1.20261208.0");
    const missing = await runClawpatrol(["update", "--offline", "/nonexistent/data.tgz"], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^clawpatrol: --offline: cannot read \/nonexistent\/data\.tgz: ENOENT\n$/);
  });

  it("CLI: --rollback with no update installed says so (exit 3)", async () => {
    const { env } = freshHome();
    const r = await runClawpatrol(["update", "--rollback"], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("no data update is installed; nothing to roll back");
  });
});

describe("stale data warning", () => {
  const shipped = shippedDataInfo();
  const day = 86_400_000;
  const at = (days: number) => new Date(Date.parse(`${shipped.date}T00:00:00Z`) + days * day);
  const env = { CLAWPATROL_HOME: "/nonexistent/clawpatrol-home" };

  it("says so past 30 days, once, and not when suppressed", () => {
    expect(dataAgeWarning(env, at(30))).toBeNull();
    expect(dataAgeWarning(env, at(31))).toBe(
      `clawpatrol: advisory and IOC data ${shipped.version} is 31 days old (from ${shipped.date}); run \`clawpatrol update\` for newer data (CLAWPATROL_NO_DATA_AGE_WARNING=1 hides this)`,
    );
    expect(dataAgeWarning({ ...env, CLAWPATROL_NO_DATA_AGE_WARNING: "1" }, at(400))).toBeNull();
  });

  it("a real run prints it once on stderr, never on stdout; the env variable hides it", async () => {
    // The CLI run with its clock moved to 45 days after the shipped data's date.
    const shift = at(45).getTime() - Date.now();
    const clock = `data:text/javascript,${encodeURIComponent(
      `const R=Date;globalThis.Date=class extends R{constructor(...a){a.length?super(...a):super(R.now()+${shift})}static now(){return R.now()+${shift}}}`,
    )}`;
    const env = {
      CLAWPATROL_HOME: tempDir("clawpatrol-old-"),
      NODE_OPTIONS: `--import=${clock}`,
      CLAWPATROL_NO_DATA_AGE_WARNING: "0",
    };
    const r = await runClawpatrol(["advisories", "check", "2026.1.29", "--json", "--fail-on", "none"], {
      env,
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toBeTypeOf("object");
    expect(r.stderr.split("\n").filter((l) => l.includes("is 45 days old"))).toHaveLength(1);
    const quiet = await runClawpatrol(["advisories", "check", "2026.1.29", "--json"], {
      env: { ...env, CLAWPATROL_NO_DATA_AGE_WARNING: "1" },
    });
    expect(quiet.stderr).not.toContain("days old");
  });
});
