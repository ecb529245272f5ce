// Live: run the real `openclaw security audit --json` of each zoo build (in an empty network
// namespace) on the handmade dangerous/hardened cases and on copies of the running zoo
// instances' config and state, and check every check id it reports is covered by clawpatrol.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runAudit } from "../../src/audit/run.ts";
import { describeLive } from "../support/live.ts";
import {
  assumeFor,
  auditCase,
  hardenedEnv,
  listCases,
  type Materialized,
  type RealFinding,
  readCase,
  runRealAudit,
  uncovered,
  ZOO_HOME,
  zooAvailable,
} from "./support/cases.ts";

interface Job {
  name: string;
  build: string;
  m: Materialized;
  /** Environment the real audit runs with (a case's SecretRef values), as the recording did. */
  env?: Record<string, string>;
  ours: () => Promise<{ openclawCheckId: string | null }[]>;
}

const roots: string[] = [];
const results = new Map<string, RealFinding[] | Error>();

function zooJobs(): Job[] {
  const run = join(ZOO_HOME, "run");
  if (!existsSync(run)) return [];
  const jobs: Job[] = [];
  for (const name of readdirSync(run).sort()) {
    const dir = join(run, name);
    const cfgFile = join(dir, "openclaw.json");
    if (!existsSync(cfgFile)) continue; // relays
    const version = /^(?:oc|cb)(\d)(\d+)-/.exec(name);
    const pkgRoot = readdirSync(join(ZOO_HOME, "inst")).find((b) => {
      if (!version) return false;
      return (
        b.startsWith(name.startsWith("cb") ? "clawdbot-" : "openclaw-") &&
        b.replaceAll(".", "").replace(/^\D+/, "").startsWith(`2026${version[1]}${version[2]}`)
      );
    });
    if (!pkgRoot) continue;
    const root = mkdtempSync(join(tmpdir(), `cplive-${name}-`));
    roots.push(root);
    cpSync(join(dir, "state"), join(root, "state"), {
      recursive: true,
      filter: (src) => !/\/(cache|tmp)(\/|$)/.test(src.slice(dir.length)),
    });
    if (existsSync(join(dir, "gateway-file.log")))
      cpSync(join(dir, "gateway-file.log"), join(root, "gateway-file.log"));
    writeFileSync(
      join(root, "openclaw.json"),
      readFileSync(cfgFile, "utf8").replaceAll(join(dir, "gateway-file.log"), join(root, "gateway-file.log")),
    );
    const m: Materialized = { root, stateDir: join(root, "state"), configPath: join(root, "openclaw.json") };
    jobs.push({
      name: `zoo run dir ${name}`,
      build: pkgRoot,
      m,
      ours: async () =>
        (
          await runAudit({
            stateDir: m.stateDir,
            configPath: m.configPath,
            home: join(root, "home"),
            env: hardenedEnv(m),
            noProcesses: true,
            noLive: true,
            globalRoots: [],
            logDirs: [],
            assume: assumeFor(pkgRoot),
          })
        ).findings,
    });
  }
  return jobs;
}

function caseJobs(): Job[] {
  return listCases()
    .filter((n) => !n.startsWith("zoo-"))
    .map((name) => {
      const root = mkdtempSync(join(tmpdir(), `cplive-${name}-`));
      roots.push(root);
      let m: Materialized | null = null;
      return {
        name: `case ${name}`,
        build: readCase(name).build,
        env: readCase(name).env ?? {},
        get m() {
          return m!;
        },
        ours: async () => {
          const r = await auditCase(name, root);
          m = r.m;
          return r.report.findings;
        },
        root,
        caseName: name,
      } as unknown as Job & { caseName: string; root: string };
    });
}

describeLive("coverage of the real OpenClaw audit (live, zoo builds)", zooAvailable(), () => {
  const jobs: Job[] = [];
  beforeAll(async () => {
    jobs.push(...zooJobs(), ...caseJobs());
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const j = jobs[next++]!;
        try {
          const ours = await j.ours(); // materializes handmade cases
          void ours;
          const real = await runRealAudit(j.build, j.m, j.env ?? {});
          results.set(j.name, real.report.findings);
        } catch (err) {
          results.set(j.name, err as Error);
        }
      }
    };
    await Promise.all([worker(), worker()]);
  }, 1_800_000);
  afterAll(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  it("ran the real audit on every zoo instance and every handmade case", () => {
    expect(jobs.length).toBeGreaterThanOrEqual(listCases().filter((n) => !n.startsWith("zoo-")).length);
    const failed = [...results]
      .filter(([, r]) => r instanceof Error)
      .map(([n, r]) => `${n}: ${(r as Error).message}`);
    expect(failed).toEqual([]);
  });

  it("every check id the real audit reports is covered by a clawpatrol finding", async () => {
    const missing: string[] = [];
    for (const j of jobs) {
      const real = results.get(j.name);
      if (!Array.isArray(real)) continue;
      const ours = await j.ours();
      const gap = uncovered(real, ours);
      if (gap.length) missing.push(`${j.name} (${j.build}): ${gap.join(", ")}`);
    }
    expect(missing).toEqual([]);
  });
});
