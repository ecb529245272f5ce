// -o over every kind of destination a user can name, through the real CLI. Property for every
// row: the command either writes where the path really leads (a file replaced only when complete,
// a FIFO or device written in place, a symlink followed and kept) or is refused at once with one
// line (exit 2 before any work, exit 3 for a disk that fails), and nothing that was there is lost
// or replaced by a stub. The fix command's own config writes have their table in
// test/fix/file-safety.test.ts.
import { execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";
import { REPO_ROOT } from "../support/zoo.ts";

const root = mkdtempSync(join(tmpdir(), "cp-output-dest-"));
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

const home = fresh();
const env = { CLAWPATROL_HOME: join(home, "cp"), DATABASE_URL: "" };

/** A state dir with findings, audited without reading this machine's sockets. */
function auditArgs(): string[] {
  const d = fresh();
  mkdirSync(join(d, "state"), { mode: 0o700 });
  mkdirSync(join(d, "h"));
  writeFileSync(join(d, "state", "openclaw.json"), `{ gateway: { bind: "lan", auth: { mode: "none" } } }`, {
    mode: 0o600,
  });
  return ["audit", "--state-dir", join(d, "state"), "--home", join(d, "h"), "--no-live", "--fail-on", "none"];
}

function skillArgs(): string[] {
  const d = join(fresh(), "weather");
  mkdirSync(d);
  writeFileSync(
    join(d, "SKILL.md"),
    "---\nname: weather\ndescription: tells the weather\n---\nSay the weather.\n",
  );
  return ["skills", "scan", d];
}

/** Every command that prints results, each with arguments that make it succeed. */
const COMMANDS: Record<string, () => string[]> = {
  scan: () => ["scan", "127.0.0.1", "-p", "1", "--all", "--format", "json", "--no-progress"],
  audit: auditArgs,
  "skills scan": skillArgs,
  "skills rules": () => ["skills", "rules"],
  "advisories list": () => ["advisories", "list", "--json"],
  "advisories check": () => ["advisories", "check", "2026.9.6"],
  inventory: () => ["inventory", "--json"],
  export: () => ["export"],
};

function entries(dir: string): string[] {
  return readdirSync(dir).sort();
}

describe.each(Object.entries(COMMANDS))("%s -o", (_name, args) => {
  it("refuses a directory at once: exit 2, one line, nothing created in it", async () => {
    const dir = fresh();
    writeFileSync(join(dir, "keep"), "k");
    const r = await runClawpatrol([...args(), "-o", dir], { env });
    expect(r.code, r.stderr).toBe(2);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/is a directory/);
    expect(entries(dir)).toEqual(["keep"]);
    expect(existsSync(`${dir}.partial`)).toBe(false);
  });

  it("refuses a missing parent directory: exit 2, nothing created", async () => {
    const dir = fresh();
    const r = await runClawpatrol([...args(), "-o", join(dir, "no", "such", "out.txt")], { env });
    expect(r.code, r.stderr).toBe(2);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/does not exist/);
    expect(entries(dir)).toEqual([]);
  });

  it("follows a symlink: the target gets the output, the link stays a link", async () => {
    const dir = fresh();
    writeFileSync(join(dir, "real.out"), "old\n");
    symlinkSync("real.out", join(dir, "link.out"));
    const r = await runClawpatrol([...args(), "-o", join(dir, "link.out")], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(dir, "link.out")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, "link.out"))).toBe("real.out");
    const written = readFileSync(join(dir, "real.out"), "utf8");
    // (inventory and export of an empty store write nothing: an empty file is their whole output)
    expect(written).not.toBe("old\n");
    expect(r.stdout).toBe("");
    expect(entries(dir)).toEqual(["link.out", "real.out"]);
  });
});

describe("-o destination kinds (audit: one document; scan: streamed records)", () => {
  it("a new file is created whole; stdout stays empty", async () => {
    const dir = fresh();
    const r = await runClawpatrol([...auditArgs(), "--format", "json", "-o", join(dir, "r.json")], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "r.json"), "utf8")).findings.length).toBeGreaterThan(0);
    expect(entries(dir)).toEqual(["r.json"]);
    // A report that names where secrets live is private to its owner.
    expect(lstatSync(join(dir, "r.json")).mode & 0o777).toBe(0o600);
  });

  it("an existing file keeps its mode when replaced", async () => {
    const dir = fresh();
    writeFileSync(join(dir, "r.json"), "old");
    chmodSync(join(dir, "r.json"), 0o640);
    const r = await runClawpatrol([...auditArgs(), "--format", "json", "-o", join(dir, "r.json")], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(dir, "r.json")).mode & 0o777).toBe(0o640);
    expect(readFileSync(join(dir, "r.json"), "utf8")).toMatch(/^\{/);
  });

  it("a dangling symlink: the file it names is created, the link kept", async () => {
    const dir = fresh();
    symlinkSync(join(dir, "target.json"), join(dir, "link.json"));
    const r = await runClawpatrol([...auditArgs(), "--format", "json", "-o", join(dir, "link.json")], {
      env,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(dir, "link.json")).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, "target.json"), "utf8")).findings).toBeDefined();
  });

  it("a read-only file is refused before any work and left as it was", async () => {
    const dir = fresh();
    writeFileSync(join(dir, "r.json"), "precious");
    chmodSync(join(dir, "r.json"), 0o444);
    const r = await runClawpatrol([...auditArgs(), "-o", join(dir, "r.json")], { env });
    expect(r.code, r.stderr).toBe(2);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/read-only/);
    expect(readFileSync(join(dir, "r.json"), "utf8")).toBe("precious");
    expect(entries(dir)).toEqual(["r.json"]);
  });

  it("a FIFO is written in place: its reader gets the whole report and it stays a FIFO", async () => {
    const dir = fresh();
    const fifo = join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    const reader = spawn("cat", [fifo]);
    let got = "";
    reader.stdout.on("data", (d) => {
      got += d;
    });
    const done = new Promise((resolve) => reader.on("close", resolve));
    const r = await runClawpatrol([...auditArgs(), "--format", "json", "-o", fifo], { env });
    await done;
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(got).findings.length).toBeGreaterThan(0);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(entries(dir)).toEqual(["pipe"]);
  });

  it("a character device made with mknod is written in place and stays a device", async () => {
    const dir = fresh();
    const dev = join(dir, "null");
    try {
      execFileSync("mknod", [dev, "c", "1", "3"], { stdio: "ignore" });
    } catch {
      // Not root, or a file system that refuses device nodes: /dev/null is the same kind.
    }
    const target = existsSync(dev) ? dev : "/dev/null";
    const r = await runClawpatrol([...auditArgs(), "--format", "json", "-o", target], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(target).isCharacterDevice()).toBe(true);
    expect(entries(dir)).toEqual(existsSync(dev) ? ["null"] : []);
  });

  it("/dev/full (every write fails) is one line, exit 3, and the device node is untouched", async () => {
    const r = await runClawpatrol([...auditArgs(), "--format", "json", "-o", "/dev/full"], { env });
    expect(r.code, r.stderr).toBe(3);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/cannot write \/dev\/full/);
    expect(lstatSync("/dev/full").isCharacterDevice()).toBe(true);
  });

  it("a socket or block device is refused", async () => {
    const r = await runClawpatrol([...auditArgs(), "-o", "/dev/loop0"], { env });
    if (existsSync("/dev/loop0") && lstatSync("/dev/loop0").isBlockDevice()) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/block device/);
    } else expect(r.code).not.toBe(0);
  });

  it("a full disk: exit 3 with one line, the old file whole, no .partial left behind", async (ctx) => {
    const mnt = fresh();
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt], { stdio: "ignore" });
    } catch {
      ctx.skip("cannot mount a tmpfs here (not root?)");
    }
    mounts.push(mnt);
    writeFileSync(join(mnt, "scan.ndjson"), "old records\n");
    // 1,024 closed endpoints reported with --all: far more than 64 KiB of NDJSON.
    const r = await runClawpatrol(
      [
        "scan",
        "127.0.0.1",
        "-p",
        "1-1024",
        "--all",
        "--format",
        "json",
        "--no-progress",
        "-o",
        join(mnt, "scan.ndjson"),
      ],
      { env },
    );
    expect(r.code, r.stderr).toBe(3);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/no space|ENOSPC/);
    expect(readFileSync(join(mnt, "scan.ndjson"), "utf8")).toBe("old records\n");
    expect(entries(mnt)).toEqual(["scan.ndjson"]);
  });

  it("kill -9 mid-scan: the old file is whole under its name; what was written is only in .partial", async () => {
    const dir = fresh();
    const out = join(dir, "scan.ndjson");
    writeFileSync(out, "yesterday's records\n");
    const child = spawn(
      process.execPath,
      [
        join(REPO_ROOT, "bin/clawpatrol.mjs"),
        "scan",
        "127.0.0.1",
        "-p",
        "1-65535",
        "--all",
        "--rate",
        "2000",
        "--format",
        "json",
        "--no-progress",
        "-o",
        out,
      ],
      { env: { ...process.env, ...env }, stdio: "ignore" },
    );
    // Wait until the scan has written something to its .partial file, then kill it hard.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (existsSync(`${out}.partial`) && readFileSync(`${out}.partial`).length > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    await new Promise((r) => child.on("close", r));
    expect(readFileSync(out, "utf8")).toBe("yesterday's records\n");
    const partial = readFileSync(`${out}.partial`, "utf8");
    expect(partial.length).toBeGreaterThan(0);
    // Whole lines up to the last flush, each a record.
    const lines = partial.split("\n").filter(Boolean);
    expect(JSON.parse(lines[0]!).port).toBeTypeOf("number");
  });

  it("a failed command leaves no empty .partial behind", async () => {
    const dir = fresh();
    const r = await runClawpatrol(["audit", "--state-dir", join(dir, "missing"), "-o", join(dir, "r.txt")], {
      env,
    });
    expect(r.code, r.stderr).toBe(2);
    expect(entries(dir)).toEqual([]);
  });
});
