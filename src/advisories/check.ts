// The shipped-data checks behind `npm run check:data` (and the data test): strict schema,
// range sanity, file naming, alias uniqueness, first-npm-release existence, and no overlap
// between data/advisories/*.json and UNVERIFIED.md.
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { compareVersions } from "./calver.ts";
import { contains } from "./ranges.ts";
import { lineReleases, loadAdvisoryDb, SHIPPED_DIR } from "./store.ts";

export interface CheckReport {
  records: number;
  unverified: number;
  problems: string[];
}

export function checkShippedData(opts: { dir?: string } = {}): CheckReport {
  const dir = opts.dir ?? SHIPPED_DIR;
  const db = loadAdvisoryDb({ shippedDir: dir, userDir: null });
  const problems: string[] = [];
  for (const p of db.problems) for (const e of p.errors) problems.push(`${basename(p.file)}: ${e}`);
  if (!existsSync(join(dir, "_releases.json")))
    problems.push("_releases.json: missing (needed for upgrade targets)");

  const releases = new Set(lineReleases(db.releases));
  const aliasOwner = new Map<string, string>();
  for (const a of db.advisories) {
    const name = basename(a.file);
    if (name !== `${a.id}.json`) problems.push(`${name}: file name must be ${a.id}.json`);
    for (const alias of [a.id, ...a.aliases]) {
      const owner = aliasOwner.get(alias);
      if (owner && owner !== a.id) problems.push(`${name}: ${alias} is also claimed by ${owner}`);
      aliasOwner.set(alias, a.id);
    }
    const first = a.fixedSource?.first_npm_release;
    if (first) {
      if (!releases.has(first))
        problems.push(`${name}: first_npm_release ${first} is not a published version`);
      else if (a.intervals.some((iv) => contains(iv, first)))
        problems.push(`${name}: first_npm_release ${first} is still inside an affected range`);
    }
    for (const iv of a.intervals) {
      const end = iv.fixed ?? iv.lastAffected;
      if (end && iv.introduced && compareVersions(end, iv.introduced) < 0)
        problems.push(`${name}: range ends before it starts`);
    }
  }

  let unverified = 0;
  const unverifiedFile = join(dir, "UNVERIFIED.md");
  if (existsSync(unverifiedFile)) {
    // Only the first column of the table names an unverified id; prose may mention others.
    const ids = new Set(
      readFileSync(unverifiedFile, "utf8")
        .split("\n")
        .map((line) => /^\|\s*((?:GHSA|CVE)-[A-Za-z0-9-]+)\s*\|/.exec(line)?.[1])
        .filter((id): id is string => id !== undefined),
    );
    unverified = ids.size;
    const known = new Set(db.advisories.flatMap((a) => [a.id, ...a.aliases]));
    for (const id of ids)
      if (known.has(id)) problems.push(`UNVERIFIED.md: ${id} is listed but also has a verified record`);
  }
  return { records: db.advisories.length, unverified, problems };
}
