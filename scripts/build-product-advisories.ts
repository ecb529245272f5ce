// `npm run build:product-advisories -- [--ghsa <advisory-database>] [--vuln-list <vuln-list>] [--go-vulndb <vulndb>]`
// regenerates data/product-advisories/: the advisories of every registered product whose
// fingerprinter meta names an OSV ecosystem and packages (n8n, Flowise, LiteLLM, Open WebUI,
// vLLM, Ollama, ...), from
//   --ghsa       a checkout (or bare git dir) of github.com/github/advisory-database: the
//                GitHub-reviewed OSV records under advisories/github-reviewed/
//   --vuln-list  a checkout of github.com/aquasecurity/vuln-list (or a directory laid out like it):
//                the same GitHub-reviewed advisories as GitHub's GraphQL API gives them, under
//                ghsa/<npm|pip|go>/<package>/GHSA-*.json; converted to OSV here. Without git, a
//                `_commits.json` ({path: commit}) beside ghsa/ names the commit each file was read at.
//   --go-vulndb  a checkout (or bare git dir) of go.googlesource.com/vulndb (github golang/vulndb):
//                the Go ecosystem's OSV records under data/osv/, which carry the GHSA id as an alias
// Each record keeps its id, aliases, ranges, references and its source's modified date, and
// gains the clawpatrol block: pre-auth from a CVSS vector with AV:N and PR:N, or from the
// advisory's own words when it has no vector; provenance (repository, path, commit) in
// fixed_source.evidence. A GHSA record and a vulndb record of the same advisory are one
// record (the GHSA one wins). The directory is rewritten whole, so the output is exactly what
// the sources hold.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PRODUCT_ADVISORY_DIR, packageKey, parseProductAdvisory } from "../src/advisories/product-store.ts";
import { vectorLooksPreAuthNetwork, vectorNeedsUserInteraction } from "../src/advisories/severity.ts";
import { shippedDataDir } from "../src/core/data-dir.ts";
import { FINGERPRINTERS } from "../src/fingerprints/registry.ts";

const { values } = parseArgs({
  options: {
    ghsa: { type: "string" },
    "go-vulndb": { type: "string" },
    "vuln-list": { type: "string" },
    out: { type: "string" },
  },
});
if (!values.ghsa && !values["go-vulndb"] && !values["vuln-list"]) {
  process.stderr.write(
    "give --ghsa <advisory-database>, --vuln-list <vuln-list> and/or --go-vulndb <vulndb> (checkouts or git dirs)\n",
  );
  process.exit(2);
}
const outDir = values.out ?? join(shippedDataDir(), PRODUCT_ADVISORY_DIR);

/** Every (ecosystem, package) a registered product's advisories are matched in. */
const wanted = new Map<string, string>();
for (const f of FINGERPRINTERS) {
  const a = f.meta.advisories;
  if (!a || f.id === "openclaw") continue; // OpenClaw's advisories live in data/advisories/
  for (const p of a.packages) wanted.set(packageKey(a.ecosystem, p), f.id);
}

/** Read files from a checkout or a bare git dir (HEAD), with the commit for provenance. */
function source(dir: string) {
  const git = (...args: string[]) =>
    execFileSync("git", ["--git-dir", existsSync(join(dir, ".git")) ? join(dir, ".git") : dir, ...args], {
      encoding: "utf8",
      maxBuffer: 1 << 30,
    });
  const commit = git("rev-parse", "HEAD").trim();
  return {
    commit,
    /** Paths under `prefix` whose text contains one of `needles` (git grep, fixed strings). */
    grep(prefix: string, needles: string[]): string[] {
      const args = ["grep", "-l", "-i", "-F", ...needles.flatMap((n) => ["-e", n]), "HEAD", "--", prefix];
      try {
        return git(...args)
          .split("\n")
          .filter(Boolean)
          .map((l) => l.replace(/^HEAD:/, ""));
      } catch {
        return []; // git grep exits 1 when nothing matches
      }
    },
    read: (path: string) => git("show", `HEAD:${path}`),
    lastChanged: (path: string) => git("log", "-1", "--format=%cI", "HEAD", "--", path).trim(),
  };
}

type Json = Record<string, unknown> & {
  id: string;
  aliases?: string[];
  summary?: string;
  details?: string;
  modified: string;
  severity?: { type: string; score: string }[];
  affected: { package: { ecosystem: string; name: string } }[];
  database_specific?: Record<string, unknown>;
};

// When a record has no CVSS vector, its own words decide (never a guess in favour of risk):
const SAYS_PRE_AUTH =
  /\b(unauthenticated|without authentication|missing authentication|no authentication)\b/i;
const SAYS_USER_ACTION = /\b(dns rebinding|victim|visit|click|malicious (registry|server|website))\b/i;
const SAYS_HIGH =
  /\b(path traversal|arbitrary file|outside of the parent directory|code execution|missing authentication|deletion of arbitrary)\b/i;

function clawpatrolBlock(rec: Json, provenance: string) {
  const vector = rec.severity?.find((s) => s.type === "CVSS_V3" || s.type === "CVSS_V4")?.score ?? null;
  const text = `${rec.summary ?? ""}\n${rec.details ?? ""}`;
  const label = rec.database_specific?.severity;
  const estimate = !vector && typeof label !== "string";
  return {
    pre_auth_network: vector ? vectorLooksPreAuthNetwork(vector) : SAYS_PRE_AUTH.test(text),
    user_interaction: vector ? vectorNeedsUserInteraction(vector) : SAYS_USER_ACTION.test(text),
    known_exploited: false,
    // The product's own service port is the exposure a network vector (or a server-side
    // advisory without one) reaches; a local vector stays local.
    exposure: vector && !/\/AV:N/.test(vector) ? ["local"] : ["gateway"],
    ...(estimate ? { severity: SAYS_HIGH.test(text) ? "high" : "medium", severity_estimated: true } : {}),
    fixed_source: { method: "ghsa", evidence: provenance },
  };
}

/** The GitHub GraphQL shape vuln-list stores (only the fields used here). */
interface GraphQlAdvisory {
  Severity: string;
  Advisory: {
    GhsaId: string;
    Identifiers: { Type: string; Value: string }[];
    References: { Url: string }[];
    PublishedAt: string;
    UpdatedAt: string;
    WithdrawnAt: string;
    Summary: string;
    CVSS?: { VectorString?: string };
  };
  Versions: { VulnerableVersionRange: string; FirstPatchedVersion?: { Identifier: string } }[];
}

/** GitHub's range text (`>= 1.2.0, < 1.4.1`, `<= 3.1.1`, `= 2.0.0`) as OSV events or listed versions. */
function eventsOfRange(range: string): { events: Record<string, string>[] } | { versions: string[] } | null {
  const parts = range
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  let introduced = "0";
  let end: Record<string, string> | null = null;
  for (const p of parts) {
    const m = /^(>=|<=|<|=)\s*(\S+)$/.exec(p);
    if (!m) return null; // `>` has no OSV event
    if (m[1] === "=") return parts.length === 1 ? { versions: [m[2]!] } : null;
    if (m[1] === ">=") introduced = m[2]!;
    else if (m[1] === "<") end = { fixed: m[2]! };
    else end = { last_affected: m[2]! };
  }
  return { events: [{ introduced }, ...(end ? [end] : [])] };
}

/**
 * With a first patched version, the range ends there (`fixed`), as GitHub's OSV export writes
 * it: `<= 3.0.5` patched in 3.0.6 is `introduced 0, fixed 3.0.6`; `= 3.0.5` is
 * `introduced 3.0.5, fixed 3.0.6`. Without one, the advisory's own end stands.
 */
function withPatch(
  r: ReturnType<typeof eventsOfRange>,
  patched: string,
): (({ events: Record<string, string>[] } | { versions: string[] }) & { closedBy?: string }) | null {
  if (!r || !patched) return r;
  if ("versions" in r)
    return { events: [{ introduced: r.versions[0]! }, { fixed: patched }], closedBy: patched };
  const [start, end] = r.events;
  if (end && "fixed" in end) return r;
  return { events: [start!, { fixed: patched }], closedBy: patched };
}

function osvFromGraphQl(
  g: GraphQlAdvisory,
  ecosystem: string,
  name: string,
  skip: (why: string) => void,
): Json | null {
  const a = g.Advisory;
  if (a.WithdrawnAt) return null;
  const affected = [];
  for (const v of g.Versions) {
    const patched = v.FirstPatchedVersion?.Identifier ?? "";
    const r = withPatch(eventsOfRange(v.VulnerableVersionRange), patched);
    if (!r) {
      skip(`range "${v.VulnerableVersionRange}" cannot be written as OSV events`);
      return null;
    }
    affected.push({
      package: { ecosystem, name },
      ...("events" in r ? { ranges: [{ type: "ECOSYSTEM", events: r.events }] } : { versions: r.versions }),
      // As GitHub's own OSV export does when the range ends on the last affected release.
      ...(r.closedBy
        ? { database_specific: { last_known_affected_version_range: v.VulnerableVersionRange } }
        : {}),
    });
  }
  const vector = a.CVSS?.VectorString ?? "";
  return {
    schema_version: "1.6.0",
    id: a.GhsaId,
    modified: a.UpdatedAt,
    published: a.PublishedAt,
    aliases: a.Identifiers.filter((i) => i.Type === "CVE").map((i) => i.Value),
    summary: a.Summary,
    ...(vector.startsWith("CVSS:3") ? { severity: [{ type: "CVSS_V3", score: vector }] } : {}),
    affected,
    references: a.References.map((r) => ({
      type: r.Url.startsWith("https://github.com/advisories/") ? "ADVISORY" : "WEB",
      url: r.Url,
    })),
    database_specific: { severity: g.Severity, github_reviewed: true },
  } as Json;
}

/** The commit a file of a vuln-list directory was read at: git, else `_commits.json`. */
function readCommits(root: string): (path: string) => string {
  if (existsSync(join(root, ".git"))) {
    const head = source(root).commit;
    return () => head;
  }
  const map = JSON.parse(readFileSync(join(root, "_commits.json"), "utf8")) as Record<string, string>;
  return (path) => {
    const c = map[path];
    if (!c) throw new Error(`${path}: no commit in _commits.json`);
    return c;
  };
}

const records = new Map<string, Json>();
const keyOf = (r: Json) => [r.id, ...(r.aliases ?? [])].find((x) => x.startsWith("GHSA-")) ?? r.id;
const relevant = (r: Json) =>
  r.affected.some((a) => wanted.has(packageKey(a.package.ecosystem, a.package.name)));

if (values["go-vulndb"]) {
  const src = source(values["go-vulndb"]);
  const goPackages = [...wanted.keys()].filter((k) => k.startsWith("Go:")).map((k) => k.slice(3));
  for (const path of src.grep(
    "data/osv",
    goPackages.map((p) => `"${p}"`),
  )) {
    const rec = JSON.parse(src.read(path)) as Json;
    if (!relevant(rec) || rec.withdrawn) continue;
    // vulndb's files carry a placeholder date; the last commit that changed the file is when.
    const modified = src.lastChanged(path).replace(/([+-]\d\d:\d\d)$/, (z) => (z === "+00:00" ? "Z" : z));
    const published = rec.published === "0001-01-01T00:00:00Z" ? undefined : rec.published;
    const ghsa = keyOf(rec);
    const out: Json = {
      ...rec,
      modified: new Date(modified).toISOString().replace(/\.\d{3}Z$/, "Z"),
      ...(published ? { published } : {}),
    };
    if (!published) delete out.published;
    out.database_specific = {
      ...(rec.database_specific ?? {}),
      clawpatrol: clawpatrolBlock(
        rec,
        `Go vulnerability database (github.com/golang/vulndb) ${path} at commit ${src.commit}, reviewed from ${ghsa}; ranges as the record gives them, modified = the file's last change`,
      ),
    };
    records.set(ghsa, out);
  }
}

if (values.ghsa) {
  const src = source(values.ghsa);
  const names = [...wanted.keys()].map((k) => `"${k.slice(k.indexOf(":") + 1)}"`);
  for (const path of src.grep("advisories/github-reviewed", names)) {
    const rec = JSON.parse(src.read(path)) as Json;
    if (!relevant(rec) || rec.withdrawn) continue;
    rec.database_specific = {
      ...(rec.database_specific ?? {}),
      clawpatrol: clawpatrolBlock(
        rec,
        `GitHub-reviewed advisory ${path} (github.com/github/advisory-database) at commit ${src.commit}, modified ${rec.modified}; ranges as the advisory gives them`,
      ),
    };
    records.set(keyOf(rec), rec);
  }
}

if (values["vuln-list"]) {
  const root = values["vuln-list"];
  const commits = readCommits(root);
  const dirOf: Record<string, string> = { npm: "npm", PyPI: "pip", Go: "go" };
  for (const [key] of wanted) {
    const ecosystem = key.slice(0, key.indexOf(":"));
    const name = key.slice(key.indexOf(":") + 1);
    const rel = `ghsa/${dirOf[ecosystem]}/${name}`;
    let files: string[] = [];
    try {
      files = readdirSync(join(root, rel)).filter((f) => /^GHSA-.*\.json$/.test(f));
    } catch {
      continue; // no advisories for this package in the list
    }
    for (const f of files.sort()) {
      const path = `${rel}/${f}`;
      const gql = JSON.parse(readFileSync(join(root, path), "utf8")) as GraphQlAdvisory;
      const commit = commits(path);
      const rec = osvFromGraphQl(gql, ecosystem, name, (why) =>
        process.stderr.write(`skipped ${path}: ${why}\n`),
      );
      if (!rec) continue;
      const existing = records.get(rec.id);
      if (existing?.affected.some((a) => a.package.name === name)) continue;
      if (existing) existing.affected.push(...rec.affected);
      else {
        rec.database_specific = {
          ...(rec.database_specific ?? {}),
          clawpatrol: clawpatrolBlock(
            rec,
            `GitHub-reviewed advisory ${rec.id} (modified ${rec.modified}) as github.com/aquasecurity/vuln-list ${path} holds it at commit ${commit}; range "${gql.Versions.map((v) => v.VulnerableVersionRange).join("; ")}" as the advisory gives it`,
          ),
        };
        records.set(rec.id, rec);
      }
    }
  }
}

// Only records that pass the same validation the loader applies are written.
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const perProduct = new Map<string, number>();
let rejected = 0;
for (const rec of [...records.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
  const check = parseProductAdvisory(rec, rec.id);
  if (!check.ok) {
    rejected++;
    process.stderr.write(`skipped ${rec.id}: ${check.errors.join("; ")}\n`);
    continue;
  }
  writeFileSync(join(outDir, `${rec.id}.json`), `${JSON.stringify(rec, null, 2)}\n`);
  for (const a of rec.affected) {
    const product = wanted.get(packageKey(a.package.ecosystem, a.package.name));
    if (product) perProduct.set(product, (perProduct.get(product) ?? 0) + 1);
  }
}
process.stdout.write(
  `product advisories: ${readdirSync(outDir).length} written to ${outDir} (${[...perProduct].map(([p, n]) => `${p} ${n}`).join(", ") || "none"}), ${rejected} skipped\n`,
);
