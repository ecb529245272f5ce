// Output to a file (-o): written under FILE.partial in large buffered writes, renamed into
// place on close; nothing already written is lost when the process exits early, and a
// failing disk is a one-line error, not a stack trace.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openOutput } from "../../src/core/output.ts";
import { REPO_ROOT } from "../support/zoo.ts";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "clawpatrol-output-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("openOutput to a file", () => {
  it("holds small writes, then renames the complete file into place on close", () => {
    const path = join(tempDir(), "out.ndjson");
    const out = openOutput(path);
    out.write("one ");
    out.write(Buffer.from("two – "));
    // Held in memory until a flush: a write per record was a tenth of a scan's main thread.
    expect(readFileSync(`${path}.partial`, "utf8")).toBe("");
    const big = "x".repeat(300 * 1024);
    out.write(big);
    out.write("end\n");
    out.close();
    expect(existsSync(`${path}.partial`)).toBe(false);
    expect(readFileSync(path, "utf8")).toBe(`one two – ${big}end\n`);
  });

  it("writes what it holds within a quarter second, for tail -f on the .partial file", async () => {
    const path = join(tempDir(), "out.ndjson");
    const out = openOutput(path);
    out.write("record 1\n");
    await new Promise((r) => setTimeout(r, 400));
    expect(readFileSync(`${path}.partial`, "utf8")).toBe("record 1\n");
    out.close();
  });

  it("writes what it holds when the process exits without closing (a second Ctrl-C)", () => {
    const path = join(tempDir(), "out.ndjson");
    const script = `
      const { openOutput } = await import(${JSON.stringify(join(REPO_ROOT, "src/core/output.ts"))});
      const out = openOutput(${JSON.stringify(path)});
      out.write("kept 1\\n");
      out.write(Buffer.from("kept 2\\n"));
      process.exit(130);`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.status).toBe(130);
    expect(readFileSync(`${path}.partial`, "utf8")).toBe("kept 1\nkept 2\n");
  });

  it("reports a device that fails every write (/dev/full) as a RunError naming it, and leaves the node alone", () => {
    const out = openOutput("/dev/full");
    out.write("a record\n");
    expect(() => out.close()).toThrow(/cannot write \/dev\/full: ENOSPC/);
    expect(lstatSync("/dev/full").isCharacterDevice()).toBe(true);
  });

  it("replaces a stale .partial left by an interrupted run, but never writes through a planted symlink", () => {
    const dir = tempDir();
    const path = join(dir, "out.ndjson");
    writeFileSync(join(dir, "victim"), "keep me\n");
    symlinkSync(join(dir, "victim"), `${path}.partial`);
    const out = openOutput(path);
    out.write("a record\n");
    out.close();
    expect(readFileSync(path, "utf8")).toBe("a record\n");
    expect(readFileSync(join(dir, "victim"), "utf8")).toBe("keep me\n");
  });
});
