// The scan command as a user runs it: argument errors, scope guards, output formats, exit codes.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { observationSchema } from "../../src/scan/record-schema.ts";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";
import { type ReplayServer, startReplayServer } from "../support/replay-server.ts";
import { REPO_ROOT } from "../support/zoo.ts";

const fixture = (name: string) =>
  transcriptFromJson(readFileSync(new URL(`../fixtures/zoo/local/${name}.json`, import.meta.url), "utf8"));

describe("scan: invalid invocations exit 2 with one line", () => {
  const cases: [string, string[], RegExp][] = [
    ["no targets", ["scan", "--no-progress"], /no targets/],
    ["a /8 without --allow-large", ["scan", "10.0.0.0/8"], /--allow-large/],
    ["a bad address", ["scan", "300.1.1.1"], /not a valid IPv4/],
    ["a bad port", ["scan", "127.0.0.1", "-p", "0"], /ports are 1-65535/],
    ["a bad timeout", ["scan", "127.0.0.1", "--timeout", "soon"], /--timeout/],
    ["an unknown flag", ["scan", "127.0.0.1", "--bogus"], /unknown option/],
    ["a bad severity", ["scan", "127.0.0.1", "--fail-on", "urgent"], /--fail-on/],
    ["a missing target file", ["scan", "-iL", "/nonexistent/targets.txt"], /cannot read target list/],
    ["an unknown command", ["scna"], /unknown command/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const r = await runClawpatrol(args);
      expect(r.code).toBe(2);
      expect(isOneLineError(r.stderr), r.stderr).toBe(true);
      expect(r.stderr).toMatch(message);
    });
  }
});

describe("scan against replayed gateways", () => {
  let noAuth: ReplayServer;
  let token: ReplayServer;
  const dir = mkdtempSync(join(tmpdir(), "clawpatrol-cli-"));

  beforeAll(async () => {
    noAuth = await startReplayServer(fixture("cb124-loopback-noauth"));
    token = await startReplayServer(fixture("oc96-lan-token"));
  });
  afterAll(async () => {
    await noAuth.close();
    await token.close();
  });

  it("writes NDJSON that validates against the v1 schema, and exits 1 on a high finding", async () => {
    const r = await runClawpatrol([
      "scan",
      "127.0.0.1",
      "-p",
      `${noAuth.port},${token.port}`,
      "--json",
      "--no-progress",
    ]);
    expect(r.code).toBe(1);
    const records = r.stdout
      .trim()
      .split("\n")
      .map((l) => observationSchema.parse(JSON.parse(l)));
    expect(records).toHaveLength(2);
    const cb = records.find((o) => o.port === noAuth.port)!;
    expect([cb.product, cb.version, cb.auth]).toEqual(["clawdbot", "2026.1.24-3", "not-required"]);
    expect(cb.findings.map((f) => f.ruleId)).toContain("CP-SCAN-002");
    const oc = records.find((o) => o.port === token.port)!;
    expect([oc.product, oc.version, oc.auth]).toEqual(["openclaw", "2026.9.6", "required"]);
  });

  it("hands a slow reader every record before it exits (more than a pipe holds)", async () => {
    // The scan ends with process.exit (no heap teardown); NDJSON still queued for the pipe
    // must get out first. 2,002 records with --all are about 1 MB; the pipe holds 64 kB.
    const child = spawn(
      process.execPath,
      [
        `${REPO_ROOT}/bin/clawpatrol.mjs`,
        "scan",
        "127.0.0.1",
        "-p",
        `1-2000,${noAuth.port},${token.port}`,
        "--all",
        "--json",
        "--no-progress",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const chunks: Buffer[] = [];
    child.stdout.pause();
    setTimeout(() => child.stdout.on("data", (d: Buffer) => chunks.push(d)).resume(), 500);
    const code = await new Promise<number | null>((r) => child.on("close", r));
    const lines = Buffer.concat(chunks).toString("utf8").trim().split("\n");
    expect(lines).toHaveLength(2002);
    const records = lines.map((l) => JSON.parse(l) as { port: number; product: string | null });
    expect(
      records
        .filter((o) => o.product !== null)
        .map((o) => o.port)
        .sort(),
    ).toEqual([noAuth.port, token.port].sort());
    expect(code).toBe(1);
  });

  it("exits 0 when nothing reaches --fail-on", async () => {
    const r = await runClawpatrol([
      "scan",
      "127.0.0.1",
      "-p",
      String(noAuth.port),
      "--json",
      "--fail-on",
      "critical",
    ]);
    expect(r.code).toBe(0);
  });

  it("reads targets from -iL and stdin, and writes -o atomically", async () => {
    const list = join(dir, "targets.txt");
    writeFileSync(list, "# zoo replay\n127.0.0.1\n");
    const out = join(dir, "out.ndjson");
    const r1 = await runClawpatrol([
      "scan",
      "-iL",
      list,
      "-p",
      String(token.port),
      "--json",
      "-o",
      out,
      "--fail-on",
      "none",
    ]);
    expect(r1.code).toBe(0);
    expect(existsSync(`${out}.partial`)).toBe(false);
    expect(JSON.parse(readFileSync(out, "utf8").trim()).version).toBe("2026.9.6");
    const r2 = await runClawpatrol(["scan", "-", "-p", String(token.port), "--json", "--fail-on", "none"], {
      input: "127.0.0.1\n",
    });
    expect(JSON.parse(r2.stdout.trim()).product).toBe("openclaw");
  });

  it("prints a table with a summary line in text mode", async () => {
    const r = await runClawpatrol([
      "scan",
      "127.0.0.1",
      "-p",
      `${noAuth.port},${token.port}`,
      "--fail-on",
      "none",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^TARGET\s+PRODUCT\s+VERSION\s+AUTH/m);
    expect(r.stdout).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${noAuth.port}\\s+clawdbot\\s+2026\\.1\\.24-3\\s+not-required`),
    );
    expect(r.stdout).toMatch(/2 endpoints swept, 2 open, 2 OpenClaw-family gateways \(1 without auth/);
  });

  it("writes SARIF 2.1.0 with the findings", async () => {
    const r = await runClawpatrol([
      "scan",
      "127.0.0.1",
      "-p",
      String(noAuth.port),
      "--sarif",
      "--fail-on",
      "none",
    ]);
    const log = JSON.parse(r.stdout);
    expect(log.version).toBe("2.1.0");
    expect(log.runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toContain("CP-SCAN-002");
  });
});
