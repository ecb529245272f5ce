// scan --contact: the operator's contact goes into every probe's User-Agent; without it the
// request bytes stay exactly what recorded transcripts replay.
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CampaignSpec } from "../../src/distributed/campaigns.ts";
import { shardScanOptions } from "../../src/distributed/worker.ts";
import { buildRequestBytes, MAX_CONTACT_LENGTH, USER_AGENT, userAgentWith } from "../../src/net/http.ts";
import { isOneLineError, runClawpatrol } from "../support/cli.ts";
import { loopbackTarget } from "../support/loopback-target.ts";

describe("userAgentWith", () => {
  it("puts the contact inside the User-Agent's comment", () => {
    expect(userAgentWith("scans@example.org")).toBe(
      "clawpatrol/0.1 (+benign pre-auth exposure scan; contact: scans@example.org)",
    );
    expect(userAgentWith("  https://example.org/scanning  ")).toBe(
      "clawpatrol/0.1 (+benign pre-auth exposure scan; contact: https://example.org/scanning)",
    );
  });

  it("refuses text that could break the header or the comment", () => {
    for (const bad of [
      "a\r\nX-Injected: 1",
      "a\nb",
      "tab\there",
      "é@example.org",
      "x) (y",
      "a\\b",
      "",
      "   ",
    ])
      expect(userAgentWith(bad), JSON.stringify(bad)).toBeNull();
    expect(userAgentWith("a".repeat(MAX_CONTACT_LENGTH))).not.toBeNull();
    expect(userAgentWith("a".repeat(MAX_CONTACT_LENGTH + 1))).toBeNull();
  });

  it("leaves the request bytes unchanged when no User-Agent is given", () => {
    const plain = buildRequestBytes(loopbackTarget(18789), { method: "GET", path: "/" }).bytes.toString(
      "latin1",
    );
    expect(plain).toBe(
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:18789\r\nUser-Agent: ${USER_AGENT}\r\nAccept: */*\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n`,
    );
    const withUa = buildRequestBytes(
      { ...loopbackTarget(18789), userAgent: userAgentWith("ops@example.org")! },
      { method: "GET", path: "/" },
    ).bytes.toString("latin1");
    expect(withUa).toBe(plain.replace(USER_AGENT, `${USER_AGENT.slice(0, -1)}; contact: ops@example.org)`));
  });
});

describe("scan --contact through the real CLI", () => {
  let server: Server;
  let port = 0;
  const heads: string[] = [];

  beforeAll(async () => {
    // A plain HTTP server that keeps every request head it receives and answers 404.
    server = createServer((socket: Socket) => {
      let buf = "";
      socket.on("data", (d) => {
        buf += d.toString("latin1");
        let end = buf.indexOf("\r\n\r\n");
        while (end >= 0) {
          heads.push(buf.slice(0, end));
          buf = buf.slice(end + 4);
          socket.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
          end = buf.indexOf("\r\n\r\n");
        }
      });
      socket.on("error", () => {});
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  const userAgents = () =>
    heads
      .map((h) => /\r\nUser-Agent: ([^\r]*)/.exec(h)?.[1] ?? "(none)")
      .filter((v, i, a) => a.indexOf(v) === i);

  it("sends the contact in every request, and the plain User-Agent without it", async () => {
    heads.length = 0;
    const r = await runClawpatrol([
      "scan",
      "127.0.0.1",
      "-p",
      String(port),
      "--contact",
      "scan-team@example.org",
      "--json",
      "--no-progress",
      "--fail-on",
      "none",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(heads.length).toBeGreaterThan(0);
    expect(userAgents()).toEqual([`${USER_AGENT.slice(0, -1)}; contact: scan-team@example.org)`]);

    heads.length = 0;
    const plain = await runClawpatrol(["scan", "127.0.0.1", "-p", String(port), "--json", "--no-progress"]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(heads.length).toBeGreaterThan(0);
    expect(userAgents()).toEqual([USER_AGENT]);
  });

  it("refuses a contact with a line break: exit 2, one line, nothing sent", async () => {
    heads.length = 0;
    const r = await runClawpatrol(["scan", "127.0.0.1", "-p", String(port), "--contact", "a\r\nX-Evil: 1"]);
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/--contact/);
    expect(heads).toEqual([]);
  });
});

describe("campaign --contact", () => {
  const spec: CampaignSpec = {
    targets: ["127.0.0.0/24"],
    excludes: [],
    ports: [18789],
    rate: 100,
    concurrency: 64,
    probeConcurrency: 8,
    perHost: 2,
    timeoutMs: 2000,
    all: false,
    blocklist: [],
    shardPrefix: 24,
    seed: 1,
    leaseSeconds: 60,
  };

  it("every worker scans a campaign's shards with its contact in the User-Agent", () => {
    expect(shardScanOptions({ ...spec, contact: "noc@example.org" }, 50, 64).userAgent).toBe(
      `${USER_AGENT.slice(0, -1)}; contact: noc@example.org)`,
    );
    const plain = shardScanOptions(spec, 50, 64);
    expect(plain.userAgent).toBeUndefined();
    expect(plain).toMatchObject({ rate: 50, concurrency: 64, probeConcurrency: 8, perHost: 2 });
  });

  it("keeps one advisor per worker process, so its answers per version outlive each shard", async () => {
    const load = (o: ReturnType<typeof shardScanOptions>) => {
      if (typeof o.advise === "function") throw new Error("expected a loader");
      return o.advise.load();
    };
    const first = await load(shardScanOptions(spec, 50, 64));
    const second = await load(shardScanOptions({ ...spec, seed: 2 }, 10, 8));
    expect(typeof first).toBe("function");
    expect(second).toBe(first);
  });

  it("campaign create refuses a contact that cannot go into a header, before it needs a database", async () => {
    const r = await runClawpatrol(["campaign", "create", "c", "127.0.0.0/24", "--contact", "a\nb"], {
      env: { DATABASE_URL: "" },
    });
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/--contact/);
  });
});
