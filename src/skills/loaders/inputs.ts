// Turns what the user named (folders, SKILL.md files, archives, npm tarballs) into skill
// units: one unit per folder holding a SKILL.md, one per plugin package, and one for any
// files left over. Folders are walked without following links out of the root; archives
// are opened in memory (see archive.ts), including archives nested inside skills.
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { LoadIssue, SkillFile, SkillUnit } from "../types.ts";
import { type ArchiveEntry, DEFAULT_LIMITS, extractArchive, type Limits } from "./archive.ts";

export interface LoadOptions {
  limits?: Limits;
  /** Also walk node_modules folders (off by default: dependencies are not the skill). */
  includeNodeModules?: boolean;
  cwd?: string;
  /** Label for units found by --installed. */
  source?: string;
}

const SKIP_DIRS = new Set([".git", ".hg", ".svn"]);
const MAX_DIR_DEPTH = 16;

export function displayPath(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  if (rel === "") return ".";
  if (!rel.startsWith("..") && !isAbsolute(rel)) return rel.split(sep).join("/");
  return abs.split(sep).join("/");
}

interface RawFile {
  rel: string;
  bytes: Uint8Array;
  executable?: boolean;
}

interface Tree {
  files: RawFile[];
  issues: LoadIssue[];
}

function walkDir(root: string, rootDisplay: string, opts: LoadOptions, limits: Limits): Tree {
  const files: RawFile[] = [];
  const issues: LoadIssue[] = [];
  let rootReal: string;
  try {
    rootReal = realpathSync(root);
  } catch (err) {
    return {
      files,
      issues: [
        {
          ruleId: "CP-SKILL-ARCH-005",
          display: rootDisplay,
          detail: `cannot read: ${String(err)}`,
          match: root,
        },
      ],
    };
  }
  const visited = new Set<string>([rootReal]);
  let total = 0;
  const visit = (dir: string, relDir: string, depth: number) => {
    if (depth > MAX_DIR_DEPTH) {
      issues.push({
        ruleId: "CP-SKILL-ARCH-005",
        display: `${rootDisplay}/${relDir}`,
        detail: `folders nested deeper than ${MAX_DIR_DEPTH} levels were not read`,
        match: relDir,
      });
      return;
    }
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (err) {
      issues.push({
        ruleId: "CP-SKILL-ARCH-005",
        display: `${rootDisplay}/${relDir}`,
        detail: `cannot list: ${String(err)}`,
        match: relDir,
      });
      return;
    }
    for (const name of names) {
      if (SKIP_DIRS.has(name)) continue;
      if (name === "node_modules" && !opts.includeNodeModules) continue;
      const abs = join(dir, name);
      const rel = relDir ? `${relDir}/${name}` : name;
      let st: ReturnType<typeof lstatSync>;
      try {
        st = lstatSync(abs);
      } catch {
        continue;
      }
      let isDir = st.isDirectory();
      let isFile = st.isFile();
      if (st.isSymbolicLink()) {
        let real: string;
        try {
          real = realpathSync(abs);
        } catch {
          issues.push({
            ruleId: "CP-SKILL-ARCH-003",
            display: `${rootDisplay}/${rel}`,
            detail: "dangling symlink",
            match: rel,
          });
          continue;
        }
        if (real !== rootReal && !real.startsWith(rootReal + sep)) {
          issues.push({
            ruleId: "CP-SKILL-ARCH-003",
            display: `${rootDisplay}/${rel}`,
            detail: `symlink points outside the skill to ${real}`,
            match: `${rel} -> ${real}`,
          });
          continue;
        }
        const tst = statSync(real);
        isDir = tst.isDirectory();
        isFile = tst.isFile();
        if (isDir) {
          if (visited.has(real)) continue;
          visited.add(real);
        }
      }
      if (isDir) {
        visit(abs, rel, depth + 1);
        continue;
      }
      if (!isFile) continue;
      if (st.isFile() && st.nlink > 1 && !st.isSymbolicLink()) {
        // Hard links can alias files outside the skill; OpenClaw refuses them for skills.
        issues.push({
          ruleId: "CP-SKILL-ARCH-003",
          display: `${rootDisplay}/${rel}`,
          detail: `file has ${st.nlink} hard links (may alias a file outside the skill)`,
          match: rel,
          severity: "low",
          confidence: "low",
        });
      }
      if (files.length >= limits.maxEntries) {
        issues.push({
          ruleId: "CP-SKILL-ARCH-005",
          display: rootDisplay,
          detail: `more than ${limits.maxEntries} files; the rest were not read`,
          match: rootDisplay,
        });
        return;
      }
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(abs);
      } catch (err) {
        issues.push({
          ruleId: "CP-SKILL-ARCH-005",
          display: `${rootDisplay}/${rel}`,
          detail: `cannot read: ${String(err)}`,
          match: rel,
        });
        continue;
      }
      total += bytes.length;
      if (total > limits.maxTotalBytes * 4) {
        issues.push({
          ruleId: "CP-SKILL-ARCH-005",
          display: rootDisplay,
          detail: "folder is larger than the scan cap; the rest was not read",
          match: rootDisplay,
        });
        return;
      }
      files.push({ rel, bytes, executable: (st.mode & 0o111) !== 0 });
    }
  };
  visit(root, "", 0);
  return { files, issues };
}

function fromEntries(entries: ArchiveEntry[]): RawFile[] {
  return entries.map((e) => ({
    rel: e.name,
    bytes: e.data,
    ...(e.mode ? { executable: (e.mode & 0o111) !== 0 } : {}),
  }));
}

const SKILL_MD = /(?:^|\/)(?:skill|skills)\.md$/i;
const PLUGIN_MANIFEST = /(?:^|\/)(?:openclaw|clawdbot)\.plugin\.json$/i;

/** Split a tree into skill / plugin / leftover units. */
export function splitUnits(
  tree: Tree,
  rootDisplay: string,
  join: (rootDisplay: string, rel: string) => string,
  source?: string,
): SkillUnit[] {
  const units: SkillUnit[] = [];
  const mk = (path: string, kind: SkillUnit["kind"], files: RawFile[], prefix: string): SkillUnit => ({
    path,
    kind,
    ...(source ? { source } : {}),
    files: files.map((f) => {
      const rel = prefix ? f.rel.slice(prefix.length + 1) : f.rel;
      return {
        rel,
        display: join(rootDisplay, f.rel),
        bytes: f.bytes,
        archiveDepth: 0,
        ...(f.executable ? { executable: true } : {}),
      } satisfies SkillFile;
    }),
    issues: [],
  });
  // npm tarballs put everything under package/.
  const top = new Set(tree.files.map((f) => f.rel.split("/")[0]));
  const pkgPrefix =
    top.size === 1 && tree.files.some((f) => f.rel === "package/package.json") ? "package" : "";
  const atTop = (name: string) =>
    tree.files.some((f) => f.rel === (pkgPrefix ? `${pkgPrefix}/${name}` : name));
  if (atTop("openclaw.plugin.json") || atTop("package.json") || atTop("clawdbot.plugin.json")) {
    const u = mk(rootDisplay, "plugin", tree.files, pkgPrefix);
    u.issues = tree.issues;
    return [u];
  }
  const dirOf = (rel: string) => (rel.includes("/") ? rel.slice(0, rel.lastIndexOf("/")) : "");
  const pluginDirs = new Set(tree.files.filter((f) => PLUGIN_MANIFEST.test(f.rel)).map((f) => dirOf(f.rel)));
  const skillDirs = [
    ...new Set([...tree.files.filter((f) => SKILL_MD.test(f.rel)).map((f) => dirOf(f.rel)), ...pluginDirs]),
  ].sort((a, b) => b.length - a.length);
  if (skillDirs.length === 0) {
    const u = mk(rootDisplay, "files", tree.files, "");
    u.issues = tree.issues;
    return tree.files.length > 0 || tree.issues.length > 0 ? [u] : [];
  }
  const dirSet = new Set(skillDirs);
  // Nearest enclosing unit folder: walk up the path (linear in depth, not in unit count).
  const owner = (rel: string): string | undefined => {
    let d = dirOf(rel);
    for (;;) {
      if (dirSet.has(d)) return d;
      if (d === "") return undefined;
      d = dirOf(d);
    }
  };
  const groups = new Map<string, RawFile[]>();
  const leftovers: RawFile[] = [];
  for (const f of tree.files) {
    const d = owner(f.rel);
    if (d === undefined) leftovers.push(f);
    else {
      const list = groups.get(d) ?? [];
      list.push(f);
      groups.set(d, list);
    }
  }
  for (const d of [...groups.keys()].sort()) {
    units.push(
      mk(
        d === "" ? rootDisplay : join(rootDisplay, d),
        pluginDirs.has(d) ? "plugin" : "skill",
        groups.get(d)!,
        d,
      ),
    );
  }
  if (leftovers.length > 0) units.push(mk(rootDisplay, "files", leftovers, ""));
  // Loader issues go to the unit whose path they fall under, else the first unit.
  for (const is of tree.issues) {
    const u = [...units]
      .reverse()
      .find(
        (x) =>
          is.display === x.path || is.display.startsWith(`${x.path}/`) || is.display.startsWith(`${x.path}!`),
      );
    (u ?? units[0]!).issues.push(is);
  }
  return units;
}

const joinFs = (root: string, rel: string) => (root === "." ? rel : `${root}/${rel}`);
const joinArchive = (root: string, rel: string) =>
  root.includes("!/") ? `${root}/${rel}` : `${root}!/${rel}`;

function looksLikeArchive(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return true;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return true;
  return bytes.length >= 262 && String.fromCharCode(...bytes.subarray(257, 262)) === "ustar";
}

/** Load one user-named path into units. Throws on a path that does not exist. */
export function loadPath(input: string, opts: LoadOptions = {}): SkillUnit[] {
  const cwd = opts.cwd ?? process.cwd();
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const abs = resolve(cwd, input);
  const st = statSync(abs);
  const display = displayPath(abs, cwd);
  if (st.isDirectory()) return splitUnits(walkDir(abs, display, opts, limits), display, joinFs, opts.source);
  const bytes = readFileSync(abs);
  if (looksLikeArchive(bytes)) {
    const ex = extractArchive(bytes, display, limits);
    const units = splitUnits(
      { files: fromEntries(ex.entries), issues: ex.issues },
      display,
      joinArchive,
      opts.source,
    );
    if (units.length === 0)
      return [
        {
          path: display,
          kind: "files",
          files: [],
          issues: ex.issues,
          ...(opts.source ? { source: opts.source } : {}),
        },
      ];
    return units;
  }
  // A single file: a SKILL.md (its folder name is the skill's) or any other file.
  return [
    {
      path: display,
      kind: SKILL_MD.test(basename(abs)) ? "skill" : "files",
      ...(opts.source ? { source: opts.source } : {}),
      files: [
        {
          rel: basename(abs),
          display,
          bytes,
          archiveDepth: 0,
          ...((st.mode & 0o111) !== 0 ? { executable: true } : {}),
        },
      ],
      issues: [],
    },
  ];
}

/** The folder name a unit would be installed under (for name checks). */
export function unitSlug(unit: SkillUnit): string {
  const p = unit.path.replace(/!\/?$/, "");
  if (unit.kind === "skill" && /(?:^|\/)(?:skill|skills)\.md$/i.test(p)) return basename(dirname(resolve(p)));
  const last = p.split(/[/!]/).filter(Boolean).pop() ?? p;
  return last.replace(/\.(?:zip|tgz|tar\.gz|tar|skill)$/i, "").replace(/-\d+\.\d+\.\d+.*$/, "");
}

/** Expand archives found inside a unit's files (bounded depth), adding their entries. */
export function expandNested(
  unit: SkillUnit,
  limits: Limits,
  isArchive: (f: SkillFile) => boolean,
): { nested: SkillFile[] } {
  const nested: SkillFile[] = [];
  const queue = [...unit.files];
  while (queue.length > 0) {
    const f = queue.shift()!;
    if (f.archiveDepth >= limits.maxArchiveDepth || !isArchive(f)) continue;
    const ex = extractArchive(f.bytes, f.display, limits);
    unit.issues.push(...ex.issues);
    for (const e of ex.entries) {
      const nf: SkillFile = {
        rel: `${f.rel}!/${e.name}`,
        display: `${f.display}!/${e.name}`,
        bytes: e.data,
        archiveDepth: f.archiveDepth + 1,
        ...(e.mode && (e.mode & 0o111) !== 0 ? { executable: true } : {}),
      };
      unit.files.push(nf);
      nested.push(nf);
      queue.push(nf);
    }
  }
  return { nested };
}
