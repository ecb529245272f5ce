// import / inventory / export / scan --store as a user runs them, on a PGlite store in a temp CLAWPATROL_HOME.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { observationSchema } from "../../src/scan/record-schema.ts";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";
import { type ReplayServer, startReplayServer } from "../support/replay-server.ts";
import { ndjson, synthetic } from "./records.ts";

const home = mkdtempSync(join(tmpdir(), "clawpatrol-home-"));
const env = { CLAWPATROL_HOME: home, DATABASE_URL: "" };
const run = (args: string[]) => runClawpatrol(args, { env });
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("import, inventory, export", () => {
  const file = join(home, "scan.ndjson");
  const N = 60;
  beforeAll(() => {
    const lines = ndjson(Array.from({ length: N }, (_, i) => synthetic(i, 0, (o) => o.port === 18790))).split(
      "\n",
    );
    lines.splice(10, 0, "{broken");
    writeFileSync(file, lines.join("\n"));
  });

  it("imports good lines, rejects bad ones with their line number, and counts a re-import once", async () => {
    const r = await run(["import", file]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/scan\.ndjson:11: rejected: not JSON/);
    expect(r.stdout).toMatch(new RegExp(`imported: ${N} records, 1 rejected`));
    const again = await run(["import", file]);
    expect(again.stdout).toMatch(/already imported/);
    const inv = await run(["inventory", "--json"]);
    expect(inv.code).toBe(0);
    expect(inv.stdout.trim().split("\n").length).toBe(N);
  });

  it("filters the inventory in text and JSON", async () => {
    const adv = await run(["inventory", "--json", "--advisory", "CVE-2026-00001"]);
    const rows = adv.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { port: number });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.port === 18790)).toBe(true);
    const text = await run(["inventory", "--network", "10.0.0.1/32", "--auth", "required"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ADDRESS/);
    expect(text.stdout).toMatch(/\d+ assets?\n$/);
    for (const line of text.stdout.split("\n").slice(1, -3))
      expect(line).toMatch(/^10\.0\.0\.1:\d+ .* required /);
    const none = await run(["inventory", "--json", "--since", "2027-01-01"]);
    expect(none.stdout).toBe("");
  });

  it("refuses bad filters with one line and exit 2", async () => {
    for (const args of [
      ["inventory", "--network", "10.0.0.0/99x"],
      ["inventory", "--auth", "maybe"],
      ["inventory", "--since", "yesterday-ish"],
      ["inventory", "--state", "gone"],
      ["export", "--format", "xml"],
      ["inventory", "--product", "foo"],
      ["export", "--run", "bogus"],
      ["runs", "--limit", "0"],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    }
    expect((await run(["inventory", "--product", "foo"])).stderr).toContain(
      "--product: one of openclaw, clawdbot, moltbot",
    );
    expect((await run(["export", "--run", "bogus"])).stderr).toContain(
      "no run bogus in the store; `clawpatrol runs` lists them",
    );
  });

  it("exports every format", async () => {
    const nd = await run(["export", "--format", "ndjson"]);
    const recs = nd.stdout.trim().split("\n");
    expect(recs.length).toBe(N);
    for (const l of recs) expect(observationSchema.safeParse(JSON.parse(l)).success).toBe(true);
    expect(recs[0]!.startsWith('{"schema":"clawpatrol.scan/v1","host":')).toBe(true);
    const ocsf = await run(["export", "--format", "ocsf"]);
    const events = ocsf.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { class_uid: number });
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.class_uid === 2002 || e.class_uid === 2004)).toBe(true);
    const cef = await run(["export", "-f", "cef"]);
    expect(cef.stdout.trim().split("\n").length).toBe(events.length);
    expect(cef.stdout).toMatch(/^CEF:0\|clawpatrol\|clawpatrol\|/);
    const sarif = await run(["export", "-f", "sarif"]);
    expect(JSON.parse(sarif.stdout).version).toBe("2.1.0");
    const out = join(home, "bundle.json");
    const stix = await run(["export", "-f", "stix", "-o", out]);
    expect(stix.code).toBe(0);
    const bundle = JSON.parse(readFileSync(out, "utf8")) as { type: string; objects: { type: string }[] };
    expect(bundle.type).toBe("bundle");
    expect(bundle.objects.filter((o) => o.type === "indicator").length).toBe(events.length);
  });
});

describe("scan --store", () => {
  let gw: ReplayServer;
  beforeAll(async () => {
    gw = await startReplayServer(
      transcriptFromJson(
        readFileSync(new URL("../fixtures/zoo/local/cb124-loopback-noauth.json", import.meta.url), "utf8"),
      ),
    );
  });
  afterAll(() => gw?.close());

  it("writes the scan as a complete run whose assets the inventory lists", async () => {
    const r = await run([
      "scan",
      "127.0.0.1",
      "-p",
      String(gw.port),
      "--store",
      "--fail-on",
      "none",
      "--no-progress",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /clawpatrol: stored run scan-[\w-]+ in pglite \S+: 1 record; gateway assets 1 new, 0 changed, 0 closed, 0 reopened\n/,
    );
    const inv = await run(["inventory", "--json", "--network", "127.0.0.1/32"]);
    const rows = inv.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { port: number; product: string; auth: string });
    expect(rows).toEqual([
      expect.objectContaining({ port: gw.port, product: "clawdbot", auth: "not-required" }),
    ]);
    const nd = await run(["export", "--format", "ndjson"]);
    expect(nd.stdout).toMatch(new RegExp(`"port":${gw.port}`));
  });

  it("a later scan of the same scope that no longer finds the gateway closes it", async () => {
    const port = gw.port;
    gw.close();
    const r = await run([
      "scan",
      "127.0.0.1",
      "-p",
      String(port),
      "--store",
      "--fail-on",
      "none",
      "--no-progress",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/: 0 records; gateway assets 0 new, 0 changed, 1 closed, 0 reopened\n/);
    const runs = await run(["runs", "--json"]);
    expect(
      runs.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).endpoints),
    ).toEqual([0, 1, 60]);
    const closed = await run(["inventory", "--json", "--state", "closed"]);
    expect(
      closed.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { port: number; state: string }),
    ).toEqual([expect.objectContaining({ port, state: "closed" })]);
    const open = await run(["inventory", "--state", "open", "--network", "127.0.0.1/32"]);
    expect(open.stdout).toMatch(/\n0 assets\n$/);
  });
});

describe("one process per PGlite store", () => {
  it("a second process gets one line and exit 3 while the store is in use", async () => {
    const { openStore } = await import("../../src/store/db.ts");
    const dir = join(home, "busy");
    const store = await openStore({ dataDir: join(dir, "db") });
    try {
      const r = await runClawpatrol(["inventory"], { env: { CLAWPATROL_HOME: dir, DATABASE_URL: "" } });
      expect(r.code).toBe(3);
      expect(isOneLineError(r.stderr), r.stderr).toBe(true);
      expect(r.stderr).toMatch(/in use by process/);
      // scan --store says so before it scans anything (no serve holds this store).
      const scan = await runClawpatrol(["scan", "127.0.0.1", "-p", "1", "--store", "--no-progress"], {
        env: { CLAWPATROL_HOME: dir, DATABASE_URL: "" },
      });
      expect(scan.code).toBe(3);
      expect(isOneLineError(scan.stderr), scan.stderr).toBe(true);
      expect(scan.stderr).toMatch(/cannot open the store: .* in use by process \d+/);
      expect(scan.stdout).toBe("");
    } finally {
      await store.close();
    }
    const after = await runClawpatrol(["inventory"], { env: { CLAWPATROL_HOME: dir, DATABASE_URL: "" } });
    expect(after.code).toBe(0);
  });
});
