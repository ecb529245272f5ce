// `clawpatrol update` end to end against a real npm registry (verdaccio on 127.0.0.1, no
// uplinks): data packages built by the real build script, published with the real npm
// client, fetched, verified and installed by the CLI run as a user runs it. Every bad update
// (tarball altered after publish, manifest hash mismatch, a registry whose newest is older)
// must leave the active data exactly as it was.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { runClawpatrol } from "../support/cli.ts";
import { describeLive } from "../support/live.ts";
import { ADDED_ID, buildPackage, dataCopy } from "./packages.ts";
import { type LocalRegistry, startVerdaccio } from "./verdaccio.ts";

const started = await startVerdaccio();
const registry: LocalRegistry | null = typeof started === "string" ? null : started;
afterAll(async () => {
  await registry?.stop();
});

const home = mkdtempSync(join(tmpdir(), "clawpatrol-update-home-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const env = { CLAWPATROL_HOME: home };

function currentPointer(): string | null {
  try {
    return readFileSync(join(home, "data", "current"), "utf8").trim();
  } catch {
    return null;
  }
}

async function update(...args: string[]) {
  return runClawpatrol(["update", "--registry", registry!.url, ...args], { env });
}

async function hasAddedAdvisory(): Promise<boolean> {
  const r = await runClawpatrol(["advisories", "list", "--json"], { env });
  expect(r.code).toBe(0);
  return r.stdout.includes(ADDED_ID);
}

function publish(dir: string) {
  const r = registry!.npm(["publish", dir]);
  expect(r.status, r.stderr).toBe(0);
}

describeLive(
  "update from a local npm registry (verdaccio)",
  typeof started === "string" ? started : null,
  () => {
    const withAdvisory = dataCopy({ addAdvisory: true });

    it("installs the newest release, verified, and commands use its data", async () => {
      expect(await hasAddedAdvisory()).toBe(false);
      const good = buildPackage(withAdvisory, "1.20261208.0");
      publish(good.dir);
      const r = await update("--json");
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report).toMatchObject({
        schema: "clawpatrol.update/v1",
        status: "installed",
        active: { version: "1.20261208.0", date: "2026-12-08", origin: "updated" },
        replaced: { origin: "shipped" },
      });
      expect(currentPointer()).toBe("1.20261208.0");
      expect(await hasAddedAdvisory()).toBe(true);
      const version = await runClawpatrol(["--version"], { env });
      expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\ndata 1\.20261208\.0 of 2026-12-08 \(updated/);

      // The same release again: nothing to do, exit 0.
      const again = await update();
      expect(again.code).toBe(0);
      expect(again.stdout).toContain("already up to date");
    });

    it("refuses a tarball altered after publish (integrity) and keeps the active data", async () => {
      const pkg = buildPackage(withAdvisory, "1.20261209.0");
      publish(pkg.dir);
      // Replace the stored tarball with other bytes: the registry's dist.integrity no longer matches.
      const stored = join(registry!.storage, "clawpatrol-data", "clawpatrol-data-1.20261209.0.tgz");
      const bytes = readFileSync(stored);
      const at = bytes.length - 10;
      bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
      writeFileSync(stored, bytes);
      const r = await update();
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/1\.20261209\.0: tarball does not match the registry's integrity/);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(currentPointer()).toBe("1.20261208.0");
      expect(await hasAddedAdvisory()).toBe(true);
    });

    it("refuses a package whose file does not match its manifest and keeps the active data", async () => {
      const pkg = buildPackage(withAdvisory, "1.20261210.0");
      // Change one advisory after the manifest was written: the package is published intact
      // (the registry's integrity matches) but its manifest no longer vouches for the file.
      const file = join(pkg.dir, "advisories", `${ADDED_ID}.json`);
      writeFileSync(file, readFileSync(file, "utf8").replace("(test)", "(tampered)"));
      publish(pkg.dir);
      const r = await update();
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`advisories/${ADDED_ID}.json: sha256 does not match the manifest`);
      expect(r.stderr).toContain("nothing changed");
      expect(currentPointer()).toBe("1.20261208.0");
      expect(await hasAddedAdvisory()).toBe(true);
    });

    it("refuses a registry whose newest release is older than the active data", async () => {
      // Deprecated releases are not offered: the registry's newest is now 1.20261208.0.
      for (const v of ["1.20261209.0", "1.20261210.0"])
        expect(registry!.npm(["deprecate", `clawpatrol-data@${v}`, "broken"]).status).toBe(0);
      // Newer data from a file (no advisory added): the registry's newest is now older.
      const newer = buildPackage(dataCopy(), "1.20261211.0");
      const offline = await runClawpatrol(["update", "--offline", newer.tarball], { env });
      expect(offline.code, offline.stderr).toBe(0);
      expect(currentPointer()).toBe("1.20261211.0");
      expect(await hasAddedAdvisory()).toBe(false);

      const r = await update();
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(
        /data 1\.20261208\.0 is older than the active data 1\.20261211\.0.*nothing changed/,
      );
      expect(currentPointer()).toBe("1.20261211.0");
    });

    it("rolls back to the data that was active before, and forward again", async () => {
      const back = await runClawpatrol(["update", "--rollback", "--json"], { env });
      expect(back.code, back.stderr).toBe(0);
      expect(JSON.parse(back.stdout)).toMatchObject({
        status: "rolled-back",
        active: { version: "1.20261208.0" },
        replaced: { version: "1.20261211.0" },
      });
      expect(currentPointer()).toBe("1.20261208.0");
      expect(await hasAddedAdvisory()).toBe(true);
      const forward = await runClawpatrol(["update", "--rollback"], { env });
      expect(forward.code).toBe(0);
      expect(currentPointer()).toBe("1.20261211.0");
    });
  },
);
