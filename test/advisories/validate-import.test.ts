// Malformed OSV input must give a clear reason and never crash; an import keeps the good
// records and rejects the bad ones one by one.
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { importAdvisories, MAX_ZIP_BYTES } from "../../src/advisories/import.ts";
import { loadAdvisoryDb, MAX_RECORD_BYTES, parseAdvisory } from "../../src/advisories/store.ts";
import { record, tempDir } from "./helpers.ts";

const parse = (json: unknown, strict = true) =>
  parseAdvisory(json, { strict, origin: "shipped", file: "t.json" });
const errorsOf = (json: unknown, strict = true) => {
  const r = parse(json, strict);
  return r.ok ? [] : r.errors;
};
const good = () => record("GHSA-good-good-good", [{ fixed: "2026.2.1" }]);

describe("record validation", () => {
  it("accepts a well-formed record", () => {
    expect(parse(good()).ok).toBe(true);
  });

  it.each([
    ["not an object", 42, /not a JSON object/],
    ["an array at top level", [good()], /not a JSON object/],
    ["missing id", { ...good(), id: undefined }, /^id: /],
    ["bad id", { ...good(), id: "../../etc/passwd" }, /id: not an advisory id/],
    ["missing modified", { ...good(), modified: undefined }, /modified/],
    ["bad timestamp", { ...good(), modified: "yesterday" }, /RFC 3339/],
    ["affected wrong type", { ...good(), affected: "openclaw" }, /affected/],
    ["no affected", { ...good(), affected: [] }, /at least one affected package/],
    ["aliases wrong type", { ...good(), aliases: "CVE-2026-1" }, /aliases/],
    ["summary wrong type", { ...good(), summary: 7 }, /summary/],
    [
      "bad reference url",
      { ...good(), references: [{ type: "WEB", url: "not a url" }] },
      /references\[0\]\.url/,
    ],
  ])("rejects %s with a clear message", (_name, json, pattern) => {
    const errors = errorsOf(json);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join("\n")).toMatch(pattern);
  });

  const withEvents = (events: unknown[], name = "openclaw") => ({
    ...good(),
    affected: [{ package: { ecosystem: "npm", name }, ranges: [{ type: "ECOSYSTEM", events }] }],
  });

  it("rejects inverted and out-of-order ranges", () => {
    expect(errorsOf(withEvents([{ introduced: "2026.3.1" }, { fixed: "2026.2.1" }])).join()).toMatch(
      /not after/,
    );
    expect(errorsOf(withEvents([{ introduced: "2026.3.1" }, { fixed: "2026.3.1" }])).join()).toMatch(
      /not after/,
    );
    expect(errorsOf(withEvents([{ fixed: "2026.3.1" }])).join()).toMatch(/without a preceding introduced/);
    expect(
      errorsOf(withEvents([{ introduced: "0" }, { introduced: "2026.1.1" }, { fixed: "2026.3.1" }])).join(),
    ).toMatch(/introduced again/);
  });

  it("accepts a single-version range (introduced == last_affected) and a rebuild after its base", () => {
    expect(parse(withEvents([{ introduced: "2026.3.1" }, { last_affected: "2026.3.1" }])).ok).toBe(true);
    expect(parse(withEvents([{ introduced: "2026.2.21" }, { fixed: "2026.2.21-1" }])).ok).toBe(true);
    expect(errorsOf(withEvents([{ introduced: "2026.2.21-1" }, { fixed: "2026.2.21" }])).join()).toMatch(
      /not after/,
    );
  });

  it("rejects overlapping ranges of one package, allows the same span on another package", () => {
    const overlapping = {
      ...good(),
      affected: [
        {
          package: { ecosystem: "npm", name: "openclaw" },
          ranges: [
            { type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "2026.3.1" }] },
            { type: "ECOSYSTEM", events: [{ introduced: "2026.2.1" }, { fixed: "2026.4.1" }] },
          ],
        },
      ],
    };
    expect(errorsOf(overlapping).join()).toMatch(/ranges overlap/);
    const twoPackages = {
      ...good(),
      affected: [
        {
          package: { ecosystem: "npm", name: "openclaw" },
          ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "2026.3.1" }] }],
        },
        {
          package: { ecosystem: "npm", name: "clawdbot" },
          ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { last_affected: "2026.1.24-3" }] }],
        },
      ],
    };
    expect(parse(twoPackages).ok).toBe(true);
  });

  it("rejects versions that are not CalVer and packages outside the family", () => {
    expect(errorsOf(withEvents([{ introduced: "0" }, { fixed: "abc123def" }])).join()).toMatch(
      /not an OpenClaw-family version/,
    );
    expect(errorsOf(withEvents([{ introduced: "0" }, { fixed: "2026.1.2.3" }])).join()).toMatch(
      /not an OpenClaw-family version/,
    );
    expect(errorsOf(withEvents([{ introduced: "0" }, { fixed: "1.2.3" }], "lodash")).join()).toMatch(
      /OpenClaw family/,
    );
  });

  it("requires the clawpatrol block in shipped data but not on import", () => {
    const raw = { ...good(), database_specific: { severity: "HIGH" } };
    expect(errorsOf(raw, true).join()).toMatch(/clawpatrol: required/);
    const imported = parseAdvisory(
      { ...raw, severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }] },
      { strict: false, origin: "imported", file: "x" },
    );
    expect(imported.ok).toBe(true);
    if (imported.ok) {
      expect(imported.advisory.derived).toBe(true);
      expect(imported.advisory.preAuth).toBe(true);
      expect(imported.advisory.severity).toBe("high");
    }
  });

  it("rejects a malformed clawpatrol block and an invalid CVSS vector", () => {
    const bad = good() as { database_specific: { clawpatrol: Record<string, unknown> } };
    bad.database_specific.clawpatrol.exposure = ["internet"];
    expect(errorsOf(bad).join()).toMatch(/clawpatrol\.exposure/);
    expect(errorsOf({ ...good(), severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:Q" }] }).join()).toMatch(
      /not a valid CVSS_V3 vector/,
    );
  });

  it("skips withdrawn records", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a.json"), JSON.stringify({ ...good(), withdrawn: "2026-04-01T00:00:00Z" }));
    expect(loadAdvisoryDb({ shippedDir: dir, userDir: null }).advisories).toEqual([]);
  });

  it("derives a severity from a CVSS v4 vector when no label is given", () => {
    const r = parseAdvisory(
      {
        ...good(),
        database_specific: {},
        severity: [
          { type: "CVSS_V4", score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N" },
        ],
      },
      { strict: false, origin: "imported", file: "x" },
    );
    expect(r.ok && r.advisory.severity).toBe("critical");
  });
});

describe("loader robustness", () => {
  it("reports bad files one by one and keeps loading the rest", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "GHSA-good-good-good.json"), JSON.stringify(good()));
    writeFileSync(join(dir, "broken.json"), "{ not json");
    writeFileSync(join(dir, "empty.json"), "");
    writeFileSync(join(dir, "huge.json"), Buffer.alloc(MAX_RECORD_BYTES + 10, 32));
    writeFileSync(
      join(dir, "_releases.json"),
      JSON.stringify({ source: "x", packages: { openclaw: ["nope"] } }),
    );
    const db = loadAdvisoryDb({ shippedDir: dir, userDir: null });
    expect(db.advisories.map((a) => a.id)).toEqual(["GHSA-good-good-good"]);
    const byFile = Object.fromEntries(db.problems.map((p) => [p.file.split("/").pop(), p.errors.join(" ")]));
    expect(byFile["broken.json"]).toMatch(/invalid JSON/);
    expect(byFile["empty.json"]).toMatch(/invalid JSON/);
    expect(byFile["huge.json"]).toMatch(/at most/);
    expect(byFile["_releases.json"]).toMatch(/not CalVer/);
  });

  it("lets an imported record replace a shipped one with the same id", () => {
    const shipped = tempDir();
    const user = tempDir();
    writeFileSync(
      join(shipped, "a.json"),
      JSON.stringify(record("GHSA-same-same-same", [{ fixed: "2026.2.1" }])),
    );
    writeFileSync(
      join(user, "b.json"),
      JSON.stringify(record("GHSA-same-same-same", [{ fixed: "2026.3.1" }])),
    );
    const db = loadAdvisoryDb({ shippedDir: shipped, userDir: user });
    expect(db.advisories).toHaveLength(1);
    expect(db.advisories[0]!.origin).toBe("imported");
    expect(db.advisories[0]!.intervals[0]!.fixed).toBe("2026.3.1");
  });
});

describe("importAdvisories", () => {
  const bad = { ...good(), id: "GHSA-bad0-bad0-bad0", affected: [] };
  const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

  it("imports a single file", () => {
    const src = tempDir();
    const user = join(tempDir(), "advisories");
    writeFileSync(join(src, "one.json"), JSON.stringify(good()));
    const report = importAdvisories(join(src, "one.json"), { userDir: user });
    expect(report.added).toBe(1);
    expect(readdirSync(user)).toEqual(["GHSA-good-good-good.json"]);
    expect(loadAdvisoryDb({ shippedDir: tempDir(), userDir: user }).advisories[0]!.id).toBe(
      "GHSA-good-good-good",
    );
  });

  it("imports a directory tree, keeping good records and rejecting bad ones with reasons", () => {
    const src = tempDir();
    mkdirSync(join(src, "nested", "deeper"), { recursive: true });
    writeFileSync(join(src, "good.json"), JSON.stringify(good()));
    writeFileSync(join(src, "nested", "bad.json"), JSON.stringify(bad));
    writeFileSync(join(src, "nested", "deeper", "garbage.json"), "\u0000\u0001 not json");
    writeFileSync(join(src, "nested", "notes.txt"), "ignored");
    writeFileSync(
      join(src, "array.json"),
      JSON.stringify([record("GHSA-arr1-arr1-arr1", [{ fixed: "2026.2.1" }]), { id: 5 }]),
    );
    symlinkSync("/etc/passwd", join(src, "link.json"));
    const user = join(tempDir(), "advisories");
    const report = importAdvisories(src, { userDir: user });
    expect(report.added).toBe(2);
    expect(report.rejected).toBe(3);
    const reasons = report.items
      .filter((i) => i.status === "rejected")
      .map((i) => `${i.source}: ${i.reasons.join(" ")}`);
    expect(reasons.join("\n")).toMatch(/bad\.json: .*at least one affected package/);
    expect(reasons.join("\n")).toMatch(/garbage\.json: invalid JSON/);
    expect(reasons.join("\n")).toMatch(/array\.json#1: /);
    expect(readdirSync(user).sort()).toEqual(["GHSA-arr1-arr1-arr1.json", "GHSA-good-good-good.json"]);
  });

  it("imports from a zip and rejects entries that would inflate too far", () => {
    const zip = zipSync({
      "osv/GHSA-good-good-good.json": encode(good()),
      "osv/bad.json": encode(bad),
      "osv/readme.md": new TextEncoder().encode("# not a record"),
      "osv/big.json": new Uint8Array(MAX_RECORD_BYTES + 1).fill(32),
    });
    const src = tempDir();
    writeFileSync(join(src, "osv.zip"), zip);
    const user = join(tempDir(), "advisories");
    const report = importAdvisories(join(src, "osv.zip"), { userDir: user });
    expect(report.added).toBe(1);
    const rejected = report.items.filter((i) => i.status === "rejected");
    expect(rejected.map((i) => i.source.split("!")[1]).sort()).toEqual(["osv/bad.json", "osv/big.json"]);
    expect(rejected.find((i) => i.source.endsWith("big.json"))!.reasons.join()).toMatch(/inflates to/);
  });

  it("rejects a corrupt zip and a missing path with a reason instead of throwing", () => {
    const src = tempDir();
    writeFileSync(join(src, "broken.zip"), Buffer.from("PK\u0003\u0004garbage"));
    const r1 = importAdvisories(join(src, "broken.zip"), { userDir: join(src, "u") });
    expect(r1.rejected).toBe(1);
    expect(r1.items[0]!.reasons.join()).toMatch(/zip/);
    const r2 = importAdvisories(join(src, "does-not-exist.json"), { userDir: join(src, "u") });
    expect(r2.items[0]!.reasons.join()).toMatch(/cannot open/);
  });

  it("refuses files over the size limits before reading them", () => {
    const src = tempDir();
    writeFileSync(join(src, "huge.json"), Buffer.alloc(MAX_RECORD_BYTES + 1, 32));
    const r = importAdvisories(join(src, "huge.json"), { userDir: join(src, "u") });
    expect(r.items[0]!.reasons.join()).toMatch(/limit/);
    expect(MAX_ZIP_BYTES).toBeGreaterThan(MAX_RECORD_BYTES);
  });

  it("replaces a record with the same id and reports it", () => {
    const src = tempDir();
    const user = join(tempDir(), "advisories");
    writeFileSync(join(src, "a.json"), JSON.stringify(good()));
    importAdvisories(join(src, "a.json"), { userDir: user });
    const newer = record("GHSA-good-good-good", [{ fixed: "2026.3.1" }]);
    writeFileSync(join(src, "a.json"), JSON.stringify(newer));
    const report = importAdvisories(join(src, "a.json"), { userDir: user });
    expect(report.replaced).toBe(1);
    expect(
      JSON.parse(readFileSync(join(user, "GHSA-good-good-good.json"), "utf8")).affected[0].ranges[0]
        .events[1],
    ).toEqual({
      fixed: "2026.3.1",
    });
  });

  it("does not write anything on a dry run", () => {
    const src = tempDir();
    writeFileSync(join(src, "a.json"), JSON.stringify(good()));
    const user = join(tempDir(), "advisories");
    const r = importAdvisories(join(src, "a.json"), { userDir: user, dryRun: true });
    expect(r.added).toBe(1);
    expect(() => readdirSync(user)).toThrow();
  });
});
