// `policy check` on real results: recorded zoo gateways (a Clawdbot without auth behind a
// relay, an OpenClaw 2026.9.6 with a token) replayed on loopback and scanned by the real CLI,
// and a real audit of a config written here. Pass/fail per clause per asset with evidence;
// text, JSON and SARIF; exit 1 on a broken clause, 2 on a bad policy.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePolicy } from "../../src/policy/load.ts";
import { usagePolicyMarkdown } from "../../src/policy/markdown.ts";
import { STARTER_POLICY } from "../../src/policy/starter.ts";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";
import { loadTranscript, type ReplayServer, startReplayServer } from "../support/replay-server.ts";
import { REPO_ROOT } from "../support/zoo.ts";

const dir = mkdtempSync(join(tmpdir(), "cp-policy-check-"));
const servers: ReplayServer[] = [];
let noAuth = "";
let withToken = "";

const transcript = (name: string) =>
  loadTranscript(readFileSync(join(REPO_ROOT, "test/fixtures/zoo/local", `${name}.json`), "utf8"));

interface CheckJson {
  schema: string;
  summary: Record<string, number>;
  clauses: {
    clause: string;
    status: string;
    subjects: { asset: string; status: string; evidence: string[] }[];
  }[];
}

const clause = (j: CheckJson, id: string) => j.clauses.find((c) => c.clause === id)!;
const subject = (j: CheckJson, id: string, asset: string) =>
  clause(j, id).subjects.find((s) => s.asset === asset);

beforeAll(async () => {
  const a = await startReplayServer(transcript("cb124-noauth-relayed"));
  const b = await startReplayServer(transcript("oc96-lan-token"));
  servers.push(a, b);
  noAuth = `127.0.0.1:${a.port}`;
  withToken = `127.0.0.1:${b.port}`;
  const scan = await runClawpatrol([
    "scan",
    noAuth,
    withToken,
    "--json",
    "-o",
    join(dir, "day1.ndjson"),
    "--no-progress",
  ]);
  expect(scan.stderr).toBe("");
  writeFileSync(join(dir, "policy.yml"), STARTER_POLICY);
}, 60_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

const check = (...args: string[]) =>
  runClawpatrol(["policy", "check", "--policy", join(dir, "policy.yml"), ...args], { cwd: dir });

describe("policy check on scan results", () => {
  it("fails the clauses a real gateway breaks, per asset, with evidence; exit 1", async () => {
    const r = await check(join(dir, "day1.ndjson"), "--json");
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as CheckJson;
    expect(j.schema).toBe("clawpatrol.policy-check/1");
    // Clawdbot is not an allowed platform; OpenClaw is
    expect(subject(j, "platforms.allowed", noAuth)).toMatchObject({
      status: "fail",
      evidence: ["runs clawdbot 2026.1.24-3"],
    });
    expect(subject(j, "platforms.allowed", withToken)?.status).toBe("pass");
    // without auth (its relay is not visible from loopback, where this scan runs)
    // the starter policy sets a minimum for OpenClaw only: 2026.9.6 keeps it, Clawdbot is not judged by it
    expect(subject(j, "platforms.minimumVersion", withToken)).toMatchObject({
      status: "pass",
      evidence: ["openclaw 2026.9.6; minimum 2026.6.5"],
    });
    expect(subject(j, "platforms.minimumVersion", noAuth)).toBeUndefined();
    expect(subject(j, "gateway.requireAuth", noAuth)?.status).toBe("fail");
    expect(subject(j, "gateway.requireAuth", noAuth)?.evidence.join("\n")).toMatch(/^CP-SCAN-002 /);
    expect(subject(j, "gateway.requireAuth", withToken)?.status).toBe("pass");
    expect(subject(j, "platforms.noPreAuthAdvisories", noAuth)?.status).toBe("fail");
    // nothing in a scan speaks to skills; logging and review are for people
    expect(clause(j, "skills.forbidVerdicts").status).toBe("unchecked");
    expect(clause(j, "logging.siem").status).toBe("manual");
    // one scan: the no-auth gateway was seen once, so it is not yet past its 24 h
    expect(subject(j, "exposure.noAuthHours", noAuth)?.status).toBe("pass");
  });

  it("measures the exposure service level from the first to the latest sighting across runs", async () => {
    // the same gateways seen again 30 hours later (the second day's scan)
    const day2 = readFileSync(join(dir, "day1.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => {
        const rec = JSON.parse(l);
        rec.scannedAt = new Date(Date.parse(rec.scannedAt) + 30 * 3_600_000).toISOString();
        return JSON.stringify(rec);
      })
      .join("\n");
    writeFileSync(join(dir, "day2.ndjson"), `${day2}\n`);
    const j = JSON.parse(
      (await check(join(dir, "day2.ndjson"), join(dir, "day1.ndjson"), "--json")).stdout,
    ) as CheckJson;
    const sla = subject(j, "exposure.noAuthHours", noAuth)!;
    expect(sla.status).toBe("fail");
    expect(sla.evidence[0]).toMatch(/^CP-SCAN-002 open 30\.0 h .*limit 24 h\)$/);
    expect(subject(j, "exposure.noAuthHours", withToken)?.status).toBe("pass");

    // fixed on day 2 (the gateway now answers with auth): the clause is kept again
    const fixed = readFileSync(join(dir, "day2.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => {
        const rec = JSON.parse(l);
        if (rec.port === Number(noAuth.split(":")[1])) rec.findings = [];
        return JSON.stringify(rec);
      })
      .join("\n");
    writeFileSync(join(dir, "day2-fixed.ndjson"), `${fixed}\n`);
    const k = JSON.parse(
      (await check(join(dir, "day1.ndjson"), join(dir, "day2-fixed.ndjson"), "--json")).stdout,
    ) as CheckJson;
    expect(subject(k, "exposure.noAuthHours", noAuth)?.status).toBe("pass");
    expect(subject(k, "gateway.requireAuth", noAuth)?.status).toBe("pass");
  });

  it("text names each broken clause and asset; SARIF has one result per broken clause per asset", async () => {
    const text = await check(join(dir, "day1.ndjson"));
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(
      /^Example Corp policy \(.*policy\.yml\): \d+ broken, \d+ kept, 2 manual, \d+ not checked$/m,
    );
    expect(text.stdout).toMatch(
      new RegExp(`^FAIL +gateway\\.requireAuth: 1 of 2 broken.*\\n {4}${noAuth}\\n {6}CP-SCAN-002 `, "m"),
    );
    const sarif = JSON.parse((await check(join(dir, "day1.ndjson"), "--sarif")).stdout);
    expect(sarif.version).toBe("2.1.0");
    const results = sarif.runs[0].results as { ruleId: string; level: string }[];
    expect(results.map((r) => r.ruleId)).toContain("CP-POLICY:gateway.requireAuth");
    expect(results.every((r) => r.level === "error")).toBe(true);
  });

  it("a policy that only allows what the gateways run passes: exit 0", async () => {
    writeFileSync(
      join(dir, "lenient.yml"),
      "version: 1\norganisation: Lab\nplatforms:\n  allowed: [openclaw, clawdbot]\n  noPreAuthAdvisories: false\n",
    );
    const r = await runClawpatrol([
      "policy",
      "check",
      "--policy",
      join(dir, "lenient.yml"),
      join(dir, "day1.ndjson"),
    ]);
    expect(r.stdout).toMatch(/0 broken, 1 kept/);
    expect(r.code).toBe(0);
  });

  it("a bad policy or input is one line naming the file (and key), exit 2", async () => {
    const bad = join(dir, "bad.yml");
    writeFileSync(bad, STARTER_POLICY.replace("bind: loopback", "bind: everywhere"));
    const r = await runClawpatrol(["policy", "check", "--policy", bad, join(dir, "day1.ndjson")]);
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr)).toBe(true);
    expect(r.stderr).toContain(`${bad}: gateway.bind: `);
    // serve's compliance page takes the same file: refused before the store is opened
    const serve = await runClawpatrol(["serve", "--port", "0", "--policy", bad], {
      env: { CLAWPATROL_HOME: join(dir, "serve-home"), DATABASE_URL: "" },
    });
    expect(serve.code).toBe(2);
    expect(serve.stderr).toContain(`${bad}: gateway.bind: `);
    expect(isOneLineError(serve.stderr)).toBe(true);
    const input = join(dir, "not-results.json");
    writeFileSync(input, '{"hello": 1}');
    const i = await check(input);
    expect(i.code).toBe(2);
    expect(i.stderr).toMatch(/not-results\.json: not a clawpatrol results file/);
    expect(isOneLineError(i.stderr)).toBe(true);
  });
});

describe("policy check on an audit", () => {
  it("judges each install of the audited host; the host name is part of the asset", async () => {
    const root = mkdtempSync(join(dir, "audit-"));
    writeFileSync(join(root, "openclaw.json"), `{ gateway: { bind: "lan", auth: { mode: "none" } } }\n`, {
      mode: 0o600,
    });
    const a = await runClawpatrol([
      "audit",
      "--config",
      join(root, "openclaw.json"),
      "--home",
      root,
      "--no-live",
      "--assume-version",
      "openclaw@2026.3.13",
      "--json",
      "-o",
      join(root, "audit.json"),
    ]);
    expect(a.code).toBe(1);
    const host = JSON.parse(readFileSync(join(root, "audit.json"), "utf8")).host.hostname as string;
    const j = JSON.parse((await check(join(root, "audit.json"), "--json")).stdout) as CheckJson;
    const asset = `${host}:${join(root, "openclaw.json")}`;
    expect(subject(j, "gateway.requireAuth", asset)?.evidence.join("\n")).toMatch(/^CP-AUDIT-001 /m);
    expect(subject(j, "platforms.minimumVersion", asset)).toMatchObject({
      status: "fail",
      evidence: ["openclaw 2026.3.13; minimum 2026.6.5"],
    });
    expect(subject(j, "platforms.noPreAuthAdvisories", asset)?.status).toBe("fail");
    expect(subject(j, "gateway.bind", asset)?.status).toBe("fail");
  });
});

describe("policy init", () => {
  it("writes a valid policy and its usage policy, and never overwrites without --force", async () => {
    const d = join(dir, "init");
    const r = await runClawpatrol(["policy", "init", "--dir", d]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(d, "policy.yml"), "utf8")).toBe(STARTER_POLICY);
    expect(readFileSync(join(d, "usage-policy.md"), "utf8")).toMatch(
      /^# Agentic-AI usage policy: Example Corp\n/,
    );
    const again = await runClawpatrol(["policy", "init", "--dir", d]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/policy\.yml exists; --force replaces it/);
    expect((await runClawpatrol(["policy", "init", "--dir", d, "--force"])).code).toBe(0);
    const md = await runClawpatrol(["policy", "markdown", "--policy", join(d, "policy.yml")]);
    expect(md.stdout).toBe(usagePolicyMarkdown(parsePolicy(STARTER_POLICY, "x"), join(d, "policy.yml")));
  });
});
