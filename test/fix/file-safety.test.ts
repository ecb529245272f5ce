// `clawpatrol fix --apply` over every kind of destination a config path can name: missing
// parent, directory, symlink, dangling symlink, FIFO, character device, read-only file,
// read-only directory, a full disk (a 64 KiB tmpfs mounted here), kill -9 mid-write.
// Property for every row: nothing is ever lost or replaced by a stub. Either the command is
// refused with one line (exit 2 or 3) and every byte and mode is as it was, or the fix is
// applied and the new config holds everything the old one did.
import { execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statfsSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import JSON5 from "json5";
import { afterAll, describe, expect, it } from "vitest";
import { cleanStaleTemps } from "../../src/fix/apply.ts";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";

const root = mkdtempSync(join(tmpdir(), "cp-file-safety-"));
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) {
    try {
      execFileSync("umount", [m], { stdio: "ignore" });
    } catch {
      // already gone
    }
  }
  rmSync(root, { recursive: true, force: true });
});

let n = 0;
function fresh(): string {
  const d = join(root, String(n++));
  mkdirSync(d);
  return d;
}

/** A config with something to fix (open bind, no auth), a comment and a padding value to keep. */
function dangerous(padBytes = 0): string {
  return `// keep this comment
{
  meta: { lastTouchedVersion: "2026.9.6" },
  gateway: { bind: "lan", auth: { mode: "none" } },
  notes: "${"n".repeat(padBytes)}",
}
`;
}

interface Snapshot {
  path: string;
  kind: "file" | "link" | "dir" | "other";
  bytes: Buffer | null;
  link: string | null;
  mode: number;
  uid: number;
  entries: string[] | null;
}

function snap(path: string): Snapshot {
  const st = lstatSync(path);
  const kind = st.isSymbolicLink() ? "link" : st.isFile() ? "file" : st.isDirectory() ? "dir" : "other";
  return {
    path,
    kind,
    bytes: kind === "file" ? readFileSync(path) : null,
    link: kind === "link" ? readlinkSync(path) : null,
    mode: st.mode & 0o7777,
    uid: st.uid,
    entries: kind === "dir" ? readdirSync(path).sort() : null,
  };
}

function expectUnchanged(s: Snapshot): void {
  expect(snap(s.path), s.path).toEqual(s);
}

/** The kept content of a config: everything but the keys a fix may change. */
function kept(text: string): { comment: boolean; notes: unknown; meta: unknown } {
  const v = JSON5.parse(text) as { notes: unknown; meta: unknown };
  return { comment: text.includes("// keep this comment"), notes: v.notes, meta: v.meta };
}

const noTemps = (dir: string) => readdirSync(dir).filter((x) => x.includes("clawpatrol-tmp"));

async function fix(args: string[], home: string) {
  return runClawpatrol(["fix", ...args, "--home", home, "--allow-lockout"], {
    env: { OPENCLAW_STATE_DIR: "", OPENCLAW_CONFIG_PATH: "", OPENCLAW_NIX_MODE: "" },
  });
}

/** mknod and mount need privileges a test machine may not grant: probe once, skip with the reason. */
function probe(what: string, f: (dir: string) => void): string | null {
  const d = fresh();
  try {
    f(d);
    return null;
  } catch (err) {
    return `${what} not permitted here (${(err as Error).message.split("\n")[0]})`;
  }
}
const mknodSkip = probe("mknod", (d) =>
  execFileSync("mknod", [join(d, "null"), "c", "1", "3"], { stdio: "pipe" }),
);
const mountSkip = probe("mount -t tmpfs", (d) => {
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", d], { stdio: "pipe" });
  execFileSync("umount", [d], { stdio: "pipe" });
});

interface RefusalRow {
  name: string;
  skip?: string | null;
  /** Build the destination; returns the fix arguments and every path that must stay as it was. */
  setup(dir: string): { args: string[]; watch: string[] };
  code: 2 | 3;
  stderr: RegExp;
}

const refusals: RefusalRow[] = [
  {
    name: "missing parent directory (--config)",
    setup: (d) => ({ args: ["--config", join(d, "nope/openclaw.json"), "--apply"], watch: [d] }),
    code: 2,
    stderr: /--config .*nope\/openclaw\.json: no such path/,
  },
  {
    name: "missing state dir (--state-dir)",
    setup: (d) => ({ args: ["--state-dir", join(d, "nope"), "--apply"], watch: [d] }),
    code: 2,
    stderr: /--state-dir .*nope: no such path/,
  },
  {
    name: "a directory as --config",
    setup: (d) => {
      mkdirSync(join(d, "cfg"));
      writeFileSync(join(d, "cfg/openclaw.json"), dangerous());
      return {
        args: ["--config", join(d, "cfg"), "--apply"],
        watch: [d, join(d, "cfg"), join(d, "cfg/openclaw.json")],
      };
    },
    code: 2,
    stderr: /a directory, not a config file/,
  },
  {
    name: "a directory where the state dir's config should be",
    setup: (d) => {
      mkdirSync(join(d, "openclaw.json"));
      return { args: ["--state-dir", d, "--apply"], watch: [d, join(d, "openclaw.json")] };
    },
    code: 2,
    stderr: /openclaw\.json: a directory, not a config file/,
  },
  {
    name: "a file as --state-dir",
    setup: (d) => {
      writeFileSync(join(d, "openclaw.json"), dangerous());
      return {
        args: ["--state-dir", join(d, "openclaw.json"), "--apply"],
        watch: [join(d, "openclaw.json")],
      };
    },
    code: 2,
    stderr: /--state-dir .*: a file, not a directory/,
  },
  {
    name: "dangling symlink as --config",
    setup: (d) => {
      symlinkSync("gone.json", join(d, "openclaw.json"));
      return {
        args: ["--config", join(d, "openclaw.json"), "--apply"],
        watch: [d, join(d, "openclaw.json")],
      };
    },
    code: 2,
    stderr: /a symlink to something that does not exist/,
  },
  {
    name: "dangling symlink found in the state dir",
    setup: (d) => {
      symlinkSync("gone.json", join(d, "openclaw.json"));
      return { args: ["--state-dir", d, "--apply"], watch: [d, join(d, "openclaw.json")] };
    },
    code: 3,
    stderr: /openclaw\.json: a symlink to a file that does not exist; nothing was changed/,
  },
  {
    name: "FIFO as --config",
    setup: (d) => {
      execFileSync("mkfifo", [join(d, "openclaw.json")]);
      return {
        args: ["--config", join(d, "openclaw.json"), "--apply"],
        watch: [d, join(d, "openclaw.json")],
      };
    },
    code: 2,
    stderr: /a FIFO, not a config file/,
  },
  {
    name: "FIFO found in the state dir (read without blocking)",
    setup: (d) => {
      execFileSync("mkfifo", [join(d, "openclaw.json")]);
      return { args: ["--state-dir", d, "--apply"], watch: [d, join(d, "openclaw.json")] };
    },
    code: 2,
    stderr: /openclaw\.json: a FIFO, not a config file/,
  },
  {
    name: "character device (mknod) as --config",
    skip: mknodSkip,
    setup: (d) => {
      execFileSync("mknod", [join(d, "openclaw.json"), "c", "1", "3"]);
      return {
        args: ["--config", join(d, "openclaw.json"), "--apply"],
        watch: [d, join(d, "openclaw.json")],
      };
    },
    code: 2,
    stderr: /a character device, not a config file/,
  },
  {
    name: "character device (mknod) found in the state dir",
    skip: mknodSkip,
    setup: (d) => {
      execFileSync("mknod", [join(d, "openclaw.json"), "c", "1", "3"]);
      return { args: ["--state-dir", d, "--apply"], watch: [d, join(d, "openclaw.json")] };
    },
    code: 2,
    stderr: /a character device, not a config file/,
  },
  {
    name: "read-only config file (mode 444, refused even for root)",
    setup: (d) => {
      writeFileSync(join(d, "openclaw.json"), dangerous());
      chmodSync(join(d, "openclaw.json"), 0o444);
      return { args: ["--state-dir", d, "--apply"], watch: [d, join(d, "openclaw.json")] };
    },
    code: 3,
    stderr: /openclaw\.json is read-only \(mode 444\)/,
  },
  {
    name: "read-only directory (mode 555, refused even for root)",
    setup: (d) => {
      mkdirSync(join(d, "ro"));
      writeFileSync(join(d, "ro/openclaw.json"), dangerous());
      chmodSync(join(d, "ro"), 0o555);
      return {
        args: ["--state-dir", join(d, "ro"), "--apply"],
        watch: [join(d, "ro"), join(d, "ro/openclaw.json")],
      };
    },
    code: 3,
    stderr: /ro is read-only \(mode 555\)/,
  },
  {
    name: "config larger than the 8 MiB read limit",
    setup: (d) => {
      writeFileSync(join(d, "openclaw.json"), dangerous(9 * 1024 * 1024));
      return { args: ["--state-dir", d, "--apply"], watch: [d, join(d, "openclaw.json")] };
    },
    code: 3,
    stderr: /more than the 8388608-byte limit: refusing to edit/,
  },
  {
    name: "10 MB config that is one JSON string",
    setup: (d) => {
      writeFileSync(join(d, "openclaw.json"), JSON.stringify("s".repeat(10_000_000)));
      return { args: ["--state-dir", d, "--apply"], watch: [d, join(d, "openclaw.json")] };
    },
    code: 3,
    stderr: /refusing to edit a config that cannot be read whole/,
  },
  {
    name: "a small config that is one JSON string",
    setup: (d) => {
      writeFileSync(join(d, "openclaw.json"), '"gateway"\n');
      return { args: ["--state-dir", d, "--apply"], watch: [d, join(d, "openclaw.json")] };
    },
    code: 2,
    stderr: /openclaw\.json: the top level is not an object/,
  },
  {
    name: "invalid JSON5 (line:column named)",
    setup: (d) => {
      writeFileSync(join(d, "openclaw.json"), '{\n  gateway: { bind: "lan" },\n  oops\n}\n');
      return { args: ["--state-dir", d, "--apply"], watch: [d, join(d, "openclaw.json")] };
    },
    code: 2,
    stderr: /openclaw\.json:4:1: not valid JSON5/,
  },
  {
    name: "invalid UTF-8 (an edit would alter bytes it did not mean to)",
    setup: (d) => {
      const [head, tail] = dangerous().split('notes: "');
      const bytes = Buffer.concat([
        Buffer.from(`${head}notes: "`),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(tail!),
      ]);
      writeFileSync(join(d, "openclaw.json"), bytes);
      return { args: ["--state-dir", d, "--apply"], watch: [d, join(d, "openclaw.json")] };
    },
    code: 2,
    stderr: /not valid UTF-8/,
  },
];

describe("fix --apply refuses destinations it cannot write safely (nothing changes)", () => {
  for (const row of refusals) {
    const title = row.skip ? `${row.name} (skipped: ${row.skip})` : row.name;
    it.skipIf(Boolean(row.skip))(title, { timeout: 30_000 }, async () => {
      const d = fresh();
      const home = fresh();
      const { args, watch } = row.setup(d);
      const before = watch.map(snap);
      const r = await fix(args, home);
      expect(r.stderr).toMatch(row.stderr);
      expect(isOneLineError(r.stderr), r.stderr).toBe(true);
      expect(r.code).toBe(row.code);
      for (const s of before) expectUnchanged(s);
      expect(existsSync(join(d, ".clawpatrol"))).toBe(false);
    });
  }
});

describe("fix --apply writes safely where it may", () => {
  it("a symlinked config: the target is replaced beside itself, the link, owner and mode stay", async () => {
    const d = fresh();
    const home = fresh();
    mkdirSync(join(d, "real"));
    mkdirSync(join(d, "state"));
    const target = join(d, "real/openclaw.json");
    writeFileSync(target, dangerous(100));
    chmodSync(target, 0o640);
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chownSync(target, 4321, 4321); // another user's file: root must give it back to them
    symlinkSync("../real/openclaw.json", join(d, "state/openclaw.json"));
    const old = readFileSync(target, "utf8");
    const r = await fix(["--state-dir", join(d, "state"), "--apply"], home);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(lstatSync(join(d, "state/openclaw.json")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(d, "state/openclaw.json"))).toBe("../real/openclaw.json");
    const now = readFileSync(target, "utf8");
    expect(JSON5.parse(now).gateway.bind).toBe("loopback");
    expect(kept(now)).toEqual(kept(old));
    expect(now.length).toBeGreaterThan(old.length);
    const st = statSync(target);
    if (asRoot) expect([st.uid, st.gid]).toEqual([4321, 4321]);
    expect(st.mode & 0o777).toBe(0o600); // tightened (only bits removed), through the link
    expect(noTemps(join(d, "real"))).toEqual([]);
    expect(noTemps(join(d, "state"))).toEqual([]);
    // the backup holds the old bytes
    const backups = join(d, "state/.clawpatrol/backups");
    const [b] = readdirSync(backups);
    expect(readFileSync(join(backups, b!, "0-openclaw.json"), "utf8")).toBe(old);
    // and rollback writes them back through the link
    const rb = await fix(["--state-dir", join(d, "state"), "--rollback"], home);
    expect(rb.code).toBe(0);
    expect(lstatSync(join(d, "state/openclaw.json")).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, "utf8")).toBe(old);
    if (asRoot) expect(statSync(target).uid).toBe(4321);
  });

  it("--config alone: the file is fixed, the directory it sits in (maybe /etc or /tmp) keeps its mode", async () => {
    const d = fresh();
    const home = fresh();
    chmodSync(d, 0o1777);
    const cfg = join(d, "gateway.json5");
    writeFileSync(cfg, dangerous());
    const r = await fix(["--config", cfg, "--apply"], home);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON5.parse(readFileSync(cfg, "utf8")).gateway.bind).toBe("loopback");
    expect(statSync(d).mode & 0o7777).toBe(0o1777);
    expect(r.stdout).not.toMatch(new RegExp(`chmod \\d+ → \\d+  ${d}  `));
  });

  describe("full disk (a 64 KiB tmpfs)", () => {
    const title = (s: string) => (mountSkip ? `${s} (skipped: ${mountSkip})` : s);
    function mounted(): string {
      const d = fresh();
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", d]);
      mounts.push(d);
      return d;
    }
    function fill(dir: string, leaveFree: number): void {
      const st = statfsSync(dir);
      const free = st.bavail * st.bsize;
      if (free > leaveFree) writeFileSync(join(dir, "filler"), Buffer.alloc(free - leaveFree));
    }
    // 1: no room for the backup; 2: room for the backup but not for the new file beside the config
    for (const [name, room] of [
      ["no room for the backup", 0],
      ["room for the backup, none for the new config", 1],
    ] as const) {
      it.skipIf(Boolean(mountSkip))(title(name), { timeout: 30_000 }, async () => {
        const d = mounted();
        const home = fresh();
        const cfg = join(d, "openclaw.json");
        writeFileSync(cfg, dangerous(12 * 1024));
        const size = statSync(cfg).size;
        // blocks are 4 KiB: the backup copy needs ceil(size) + a manifest block
        const backupNeeds = Math.ceil(size / 4096) * 4096 + 4096;
        fill(d, room === 0 ? 0 : backupNeeds);
        const before = snap(cfg);
        const r = await fix(["--state-dir", d, "--apply"], home);
        expect(r.code).toBe(3);
        expect(isOneLineError(r.stderr), r.stderr).toBe(true);
        expect(r.stderr).toMatch(/ENOSPC.*nothing was changed/);
        expectUnchanged(before);
        expect(noTemps(d)).toEqual([]);
        // an incomplete backup is not left behind to be mistaken for one
        const backups = join(d, ".clawpatrol/backups");
        for (const b of existsSync(backups) ? readdirSync(backups) : [])
          expect(existsSync(join(backups, b, "manifest.json"))).toBe(true);
      });
    }
  });
});

const TRIALS = Number(process.env.CLAWPATROL_KILL_TRIALS ?? "20");

describe("kill -9 at random moments during apply", () => {
  it(`a symlinked 64 KB config is always wholly old or wholly new (${TRIALS} trials)`, {
    timeout: 300_000,
  }, async () => {
    const d = fresh();
    mkdirSync(join(d, "real"));
    mkdirSync(join(d, "state"));
    const target = join(d, "real/openclaw.json");
    writeFileSync(target, dangerous(64 * 1024));
    symlinkSync(target, join(d, "state/openclaw.json"));
    const old = readFileSync(target, "utf8");
    const child = join(import.meta.dirname, "support/kill-child.ts");
    const seen = { old: 0, new: 0 };
    for (let i = 0; i < TRIALS; i++) {
      const p = spawn(process.execPath, [child, join(d, "state"), join(d, "state/openclaw.json")], {
        stdio: ["ignore", "pipe", "ignore"],
      });
      await new Promise<void>((resolve) => p.stdout!.once("data", () => resolve()));
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 150)));
      p.kill("SIGKILL");
      await new Promise((r) => p.once("close", r));
      expect(lstatSync(join(d, "state/openclaw.json")).isSymbolicLink()).toBe(true);
      const now = readFileSync(target, "utf8");
      if (now === old) seen.old++;
      else {
        expect(JSON5.parse(now).gateway.bind).toBe("loopback");
        expect(kept(now)).toEqual(kept(old));
        seen.new++;
      }
      cleanStaleTemps(target);
      expect(noTemps(join(d, "real"))).toEqual([]);
    }
    process.stderr.write(`[kill-9 symlink] ${TRIALS} trials: ${JSON.stringify(seen)}\n`);
    expect(seen.old + seen.new).toBe(TRIALS);
  });
});
