// scan as a user runs it, about its targets and its text: names that do not resolve and text
// that is not a target are reported (never dropped), host:port and [v6]:port targets, and a
// table sorted worst first, then by address. Only loopback is scanned; the only names are
// under .invalid, which are never looked up.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";
import { type ReplayServer, startReplayServer } from "../support/replay-server.ts";

const fixture = (name: string) =>
  transcriptFromJson(readFileSync(new URL(`../fixtures/zoo/local/${name}.json`, import.meta.url), "utf8"));

/** Worst first; a record without a finding (null) after every severity. */
const SEVERITY_ORDER = ["critical", "high", "medium", "low", "info", null];

describe("scan: targets that cannot be scanned", () => {
  it("a name that does not resolve, alone, is exit 2 with one line naming it", async () => {
    const r = await runClawpatrol(["scan", "nonexistent.invalid", "--no-progress"]);
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/target "nonexistent\.invalid": cannot resolve/);
    expect(r.stdout).toBe("");
  });

  it("when nothing is left, each target is one line and the last line sums up; exit 2", async () => {
    const r = await runClawpatrol(["scan", "a.invalid", "300.1.1.1", "b.invalid:80", "--no-progress"]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines.every((l) => l.startsWith("clawpatrol: "))).toBe(true);
    expect(lines[0]).toMatch(/invalid target "300\.1\.1\.1"/);
    expect(lines.slice(1, 3).join("\n")).toMatch(/"a\.invalid".*\n.*"b\.invalid"/);
    expect(lines[3]).toBe("clawpatrol: no target could be scanned (1 not a valid target, 2 did not resolve)");
    expect(r.stdout).toBe("");
  });
});

describe("scan: host:port targets, skipped targets and the sorted table", () => {
  const servers: ReplayServer[] = [];
  let v6: ReplayServer | null = null;

  beforeAll(async () => {
    for (const [name, host] of [
      ["oc96-lan-token", "127.0.0.1"],
      ["cb124-loopback-noauth", "127.0.0.1"],
      ["oc527-lan-token", "127.0.0.2"],
      ["oc415-loopback-noauth", "127.0.0.1"],
    ] as const)
      servers.push(await startReplayServer(fixture(name), host));
    try {
      v6 = await startReplayServer(fixture("oc129-lan-token"), "::1");
    } catch {
      v6 = null; // no IPv6 loopback here: the rest of the test still runs
    }
  });
  afterAll(async () => {
    for (const s of [...servers, ...(v6 ? [v6] : [])]) await s.close();
  });

  const targets = () => [
    ...servers.map((s, i) => `${i === 2 ? "127.0.0.2" : "127.0.0.1"}:${s.port}`),
    ...(v6 ? [`[::1]:${v6.port}`] : []),
    "nonexistent.invalid",
    "300.1.1.1",
  ];

  it("skips what it cannot scan (one stderr line each), scans the rest, and says so in the summary", async () => {
    const r = await runClawpatrol(["scan", ...targets(), "--fail-on", "none", "--no-progress"]);
    expect(r.code, r.stderr).toBe(0);
    const warnings = r.stderr.trimEnd().split("\n");
    expect(warnings).toEqual([
      'clawpatrol: invalid target "300.1.1.1": not a valid IPv4 address (skipped)',
      expect.stringMatching(/^clawpatrol: target "nonexistent\.invalid": cannot resolve: .* \(skipped\)$/),
    ]);
    const n = servers.length + (v6 ? 1 : 0);
    expect(r.stdout).toContain(
      `${n} endpoints swept, ${n} open, ${n} OpenClaw-family gateways (2 without auth, 0 treating remote clients as local)`,
    );
    expect(r.stdout).toMatch(/; 2 targets not scanned \(1 not a valid target, 1 did not resolve\)\n$/);
  });

  it("text rows come worst severity first, then by address (IPv4 before IPv6) and port, as the records say", async () => {
    const [text, json] = await Promise.all([
      runClawpatrol(["scan", ...targets(), "--fail-on", "none", "--no-progress"]),
      runClawpatrol(["scan", ...targets(), "--fail-on", "none", "--no-progress", "--json"]),
    ]);
    const records = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { host: string; ip: string; port: number; severity: string | null });
    // The unresolved name is in the records too, saying why.
    expect(records.find((x) => x.host === "nonexistent.invalid")).toMatchObject({
      ip: "",
      port: 18789,
      error: expect.stringMatching(/^cannot resolve/),
    });
    const answered = records.filter((x) => x.ip !== "");
    expect(new Set(answered.map((x) => x.severity)).size).toBeGreaterThan(1);
    const ipKey = (ip: string) =>
      ip.includes(":") ? `6${ip.padStart(40, "0")}` : `4${ip.split(".").map((p) => p.padStart(3, "0"))}`;
    const expected = [...answered]
      .sort(
        (a, b) =>
          SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
          ipKey(a.ip).localeCompare(ipKey(b.ip)) ||
          a.port - b.port,
      )
      .map((x) => (x.ip.includes(":") ? `[${x.ip}]:${x.port}` : `${x.ip}:${x.port}`));
    const rows = text.stdout
      .split("\n")
      .slice(1)
      .filter((l) => /^\S+:\d+\s/.test(l));
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual(expected);
    // A row with a finding always says what it is.
    for (const row of rows) {
      const cells = row.split(/\s{1,}/);
      const severity = cells[5];
      if (severity !== "-") expect(row.split(` ${severity} `)[1]?.trim() ?? "", row).not.toBe("");
    }
  });

  it("keeps a URL target's path whole in the TARGET column, however long", async () => {
    const s = servers[0]!;
    const path = "/a-rather-long/reverse-proxy/base-path/openclaw";
    const r = await runClawpatrol([
      "scan",
      `http://127.0.0.1:${s.port}${path}/`,
      "--fail-on",
      "none",
      "--no-progress",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [header, row] = r.stdout.split("\n");
    expect(row!.startsWith(`127.0.0.1:${s.port}${path} `)).toBe(true);
    // The header's columns line up with the widened TARGET column.
    expect(header!.indexOf("PRODUCT")).toBe(`127.0.0.1:${s.port}${path} `.length);
    expect(r.stdout).toMatch(/\n1 endpoint swept, 1 open, /);
  });
});
