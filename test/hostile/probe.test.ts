// The probe, fingerprint and renderer against every hostile behaviour of the harness, in
// process: each endpoint ends within its deadlines (or well before one, when a byte cap or
// frame budget should end it), stays within its byte caps, yields a record that validates,
// keeps target bytes out of the terminal, truncates evidence visibly, and is never fooled
// into a confident wrong version. Then a whole scan of the harness: the tarpits do not stop
// the others, and the real gateway among them is still found exactly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeOpenClaw } from "../../src/fingerprints/openclaw/probe.ts";
import type { Transcript } from "../../src/fingerprints/transcript.ts";
import { DEFAULT_LIMITS, type ExchangeLimits } from "../../src/net/limits.ts";
import { NO_ADVISORIES } from "../../src/scan/assess.ts";
import { observe, runScan } from "../../src/scan/engine.ts";
import type { Observation } from "../../src/scan/record.ts";
import { tableRow } from "../../src/scan/render.ts";
import type { Endpoint, TargetItem } from "../../src/targets/stream.ts";
import { type Behaviour, behaviours, type Harness, startHarness } from "./harness.ts";
import { endpointRounds, expectSafeRecord, MAX_ROUNDS } from "./invariants.ts";

/** --timeout for these runs. */
const TIMEOUT = 1000;
/** Scheduling slack allowed past a deadline (2 shared cores, dozens of sockets at once). */
const SLACK = 400;

const limits: ExchangeLimits = { ...DEFAULT_LIMITS, exchangeTimeoutMs: TIMEOUT, connectTimeoutMs: TIMEOUT };

interface Outcome {
  behaviour: Behaviour;
  ms: number;
  transcript: Transcript;
  observation: Observation;
}

let harness: Harness;
const outcomes = new Map<string, Outcome>();
/** Measured time per behaviour, printed once so a run documents itself. */
const table: string[] = [];

function endpointOf(ip: string, port: number): Endpoint {
  return {
    host: ip,
    ip,
    family: 4,
    port,
    tls: null,
    basePath: "",
    hostHeader: `${ip}:${port}`,
    servername: null,
  };
}

beforeAll(async () => {
  harness = await startHarness();
  await Promise.all(
    harness.endpoints.map(async (e) => {
      const started = performance.now();
      const transcript = await probeOpenClaw(
        endpointOf(e.ip, e.port),
        { limits, beforeConnect: async () => {} },
        true,
      );
      const ms = performance.now() - started;
      outcomes.set(e.behaviour.name, {
        behaviour: e.behaviour,
        ms,
        transcript,
        observation: observe(transcript, NO_ADVISORIES),
      });
    }),
  );
  for (const b of harness.behaviours) {
    const o = outcomes.get(b.name)!;
    const rounds = endpointRounds(o.transcript);
    table.push(
      `${b.name.padEnd(24)} ${String(Math.round(o.ms)).padStart(5)} ms  bound ${rounds} x ${TIMEOUT} ms${b.fast ? `; ends on a cap, must be < ${TIMEOUT} ms` : ""}`,
    );
  }
  process.stdout.write(`\nhostile endpoints, --timeout ${TIMEOUT} ms:\n${table.join("\n")}\n`);
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

const ALL = behaviours();

describe("every hostile endpoint ends within its deadlines and caps", () => {
  for (const b of ALL) {
    it(b.name, () => {
      const o = outcomes.get(b.name)!;
      const t = o.transcript;
      const rounds = endpointRounds(t);
      expect(rounds).toBeLessThanOrEqual(MAX_ROUNDS);
      // The endpoint as a whole: its sequential exchanges, each bounded by --timeout.
      expect(o.ms, `${b.name} took ${Math.round(o.ms)} ms for ${rounds} rounds`).toBeLessThanOrEqual(
        rounds * TIMEOUT + SLACK,
      );
      // Caps and budgets, not deadlines, end these.
      if (b.fast) expect(o.ms, `${b.name} should end on a cap`).toBeLessThan(TIMEOUT);
      for (const x of t.http) {
        expect(x.ms).toBeLessThanOrEqual(TIMEOUT + SLACK);
        expect(x.raw.length).toBeLessThanOrEqual(limits.maxHeaderBytes + limits.maxBodyBytes + 1024);
        if (x.response) {
          expect(x.response.body.length).toBeLessThanOrEqual(limits.maxBodyBytes);
          expect(x.response.headers.length).toBeLessThanOrEqual(limits.maxHeaderCount);
        }
        if (x.nonHttp) expect(x.nonHttp.length).toBeLessThanOrEqual(limits.maxBodyBytes);
      }
      for (const w of t.ws) {
        expect(w.ms).toBeLessThanOrEqual(TIMEOUT + SLACK);
        const raw = w.rawSegments.reduce((n, s) => n + s.length, 0);
        expect(raw).toBeLessThanOrEqual(
          limits.maxHeaderBytes + limits.maxFrames * (limits.maxFrameBytes + 16),
        );
        expect(w.frames.filter((f) => f.dir === "in").length).toBeLessThanOrEqual(limits.maxFrames);
        for (const f of w.frames) expect(f.bytes).toBeLessThanOrEqual(limits.maxFrameBytes);
        // We send at most one frame, and only our fixed protocol probe.
        expect(w.frames.filter((f) => f.dir === "out").length).toBeLessThanOrEqual(1);
      }
      // A bounded number of connections per endpoint: root (+TLS retry), one upgrade, six follow-ups, two extras.
      expect(t.http.length + t.ws.length).toBeLessThanOrEqual(11);
    });
  }
});

describe("every hostile endpoint yields a valid, bounded, terminal-safe record", () => {
  for (const b of ALL) {
    it(b.name, () => {
      expectSafeRecord(outcomes.get(b.name)!.observation);
    });
  }
});

describe("what each behaviour must come out as", () => {
  const get = (name: string) => outcomes.get(name)!;
  const root = (name: string) => get(name).transcript.http[0]!;

  it("tarpits and drips end at the deadline, marked as timed out", () => {
    for (const name of ["silent", "drip-head"]) expect(root(name).timedOut, name).toBe(true);
    expect(root("drip-body").response?.bodyTruncated).toBe(true);
    expect(root("lying-length").response?.bodyTruncated).toBe(true);
    expect(get("ws-silent").transcript.ws[0]?.timedOut).toBe(true);
  });

  it("endless bodies are cut at the body cap and say so", () => {
    for (const name of ["endless-body", "endless-chunked", "gzip-bomb", "gzip-bomb-chunked"]) {
      const r = root(name).response!;
      expect(r.bodyTruncated, name).toBe(true);
      expect(r.body.length, name).toBeGreaterThan(limits.maxBodyBytes / 2);
      expect(r.body.length, name).toBeLessThanOrEqual(limits.maxBodyBytes);
    }
  });

  it("compression bombs are never inflated: we ask for identity and keep the raw gzip bytes", () => {
    for (const name of ["gzip-bomb", "gzip-bomb-chunked"]) {
      const x = root(name);
      expect(x.request.headers).toContainEqual(["Accept-Encoding", "identity"]);
      expect(x.response!.body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    }
  });

  it("oversized heads are refused at the head cap", () => {
    for (const name of ["huge-header-line", "many-headers"]) {
      expect(root(name).response, name).toBeNull();
      expect(root(name).error, name).toMatch(/head larger than|more than \d+ headers/);
    }
  });

  it("HTTP/0.9 and invalid answers are kept as bytes, never as a gateway", () => {
    for (const name of ["http09", "invalid-responses", "tls-garbage"]) {
      expect(root(name).nonHttp, name).not.toBeNull();
      expect(get(name).observation.product, name).toBeNull();
    }
    expect(root("bad-chunked").error).toMatch(/chunk/);
  });

  it("resets and half-open sockets end the exchange at once and are reported", () => {
    expect(root("reset-mid-head").error).toMatch(/ECONNRESET|closed/);
    expect(root("reset-mid-body").error).toMatch(/ECONNRESET|closed mid-body/);
    expect(root("half-open").error).toMatch(/closed without a response/);
    expect(root("half-open-mid-body").error).toMatch(/closed mid-body/);
  });

  it("TLS garbage and oversized chains fail the handshake quickly; hostile certificates are kept, capped", () => {
    const chain = get("tls-huge-chain").transcript.http;
    expect(chain.some((x) => /^tls:/.test(x.error ?? ""))).toBe(true);
    const stall = get("tls-stall").transcript.http;
    expect(stall.some((x) => x.timedOut)).toBe(true);
    const hostile = get("tls-hostile-cert").observation;
    expect(hostile.tls?.subject).toContain("\u001b]0;pwned");
    expect(tableRow(hostile)).toContain("\\x1b]0;pwned\\x07");
    const sans = get("tls-many-sans").observation.tls!.subjectAltNames;
    expect(sans).toHaveLength(65);
    expect(sans[64]).toMatch(/^…\[truncated 2936 more\]$/);
  });

  it("WebSocket floods, giant frames and endless fragments hit the frame caps", () => {
    const ws = (name: string) => get(name).transcript.ws[0]!;
    expect(ws("ws-ping-flood").error).toMatch(/more than \d+ frames/);
    expect(ws("ws-giant-frame").error).toMatch(/announces 4294967296 bytes/);
    expect(ws("ws-giant-frame-2e63").error).toMatch(/announces 9223372036854775807 bytes/);
    expect(ws("ws-endless-fragments").error).toMatch(/fragmented message over|more than \d+ frames/);
    expect(ws("ws-mega-nonce").error).toMatch(/announces \d+ bytes/);
    expect(get("ws-mega-nonce").observation.product).toBeNull();
  });

  it("a huge but in-cap challenge is read, and its evidence is truncated with a marker", () => {
    const o = get("ws-big-nonce").observation;
    expect(o.product).toBe("openclaw");
    const ws = o.evidence.filter((e) => e.source === "WebSocket /");
    expect(ws.length).toBeGreaterThan(0);
    for (const e of ws) {
      expect(e.truncated).toBe(true);
      expect(e.excerpt).toMatch(/…\[truncated \d+ chars\]$/);
      expect(e.detail.length).toBeLessThan(2000);
    }
  });

  it("the tarpit behind a convincing gateway costs its follow-up rounds, no more", () => {
    const o = get("tarpit-after-hello");
    expect(o.observation.product).toBe("openclaw");
    expect(o.transcript.http.filter((x) => x.timedOut).length).toBeGreaterThanOrEqual(5);
  });

  it("contradictory claims give a conflict, a range and low confidence, never an exact version", () => {
    for (const [name, conflict] of [
      ["contradictory-versions", /pre-auth version statements disagree/],
      ["config-liar", /pre-auth version statements disagree/],
      ["era-liar", /healthz liveness probe .* contradicts version 2026\.1\.5/],
      ["impostor-brand", /brand signals disagree/],
    ] as const) {
      const o = get(name).observation;
      expect(o.product, name).not.toBeNull();
      expect(o.version, name).toBeNull();
      expect(o.versionRange, name).not.toBeNull();
      expect(o.conflicts.join("\n"), name).toMatch(conflict);
      expect(o.confidence.version, name).toBeLessThanOrEqual(0.3);
      expect(
        o.findings.map((f) => f.ruleId),
        name,
      ).toContain("CP-SCAN-006");
    }
    const impostor = get("impostor-brand").observation;
    expect(impostor.confidence.product).toBeLessThanOrEqual(0.6);
    expect(impostor.conflicts.join("\n")).toMatch(/2026\.9\.6 was published as openclaw, never as clawdbot/);
  });

  it("no hostile field is repeated as a version", () => {
    for (const name of [
      "escape-banners",
      "invalid-utf8",
      "long-versions",
      "deep-json",
      "ws-big-nonce",
      "ws-deep-json",
    ]) {
      const o = get(name).observation;
      expect(o.version, name).toBeNull();
      for (const v of [o.versionRange?.min, o.versionRange?.max, ...(o.versionRange?.candidates ?? [])])
        if (v) expect(v, name).toMatch(/^\d{4}\.\d{1,2}\.\d{1,3}(-\d{1,4})?(-(alpha|beta|rc)\.?\d{0,4})?$/);
    }
    // The one honest, uncontested claim on an otherwise hostile page is still read.
    expect(get("html-js").observation.version).toBe("2026.5.28");
  });

  it("borrowing the title and element alone does not make a gateway", () => {
    expect(get("title-only-impostor").observation.product).toBeNull();
  });

  it("the real gateway among them is fingerprinted exactly", () => {
    const o = get("control-gateway").observation;
    expect([o.product, o.version, o.auth, o.conflicts]).toEqual(["openclaw", "2026.9.6", "required", []]);
    expect(o.confidence.version).toBeGreaterThanOrEqual(0.9);
  });
});

describe("a whole scan of the harness", () => {
  it("goes on past every tarpit and reports every endpoint once, in parallel time", async () => {
    const items: TargetItem[] = harness.endpoints.map((e) => ({ endpoint: endpointOf(e.ip, e.port) }));
    async function* stream(): AsyncGenerator<TargetItem> {
      yield* items;
    }
    const started = performance.now();
    const records: Observation[] = [];
    for await (const o of runScan(stream(), {
      rate: 0,
      concurrency: 128,
      probeConcurrency: 64,
      perHost: 2,
      limits,
      includeClosed: true,
      advise: NO_ADVISORIES,
    }))
      records.push(o);
    const ms = performance.now() - started;
    expect(records).toHaveLength(items.length);
    expect(new Set(records.map((r) => r.ip)).size).toBe(items.length);
    // Everything runs side by side: the scan takes about as long as its slowest endpoint.
    expect(ms).toBeLessThanOrEqual(MAX_ROUNDS * TIMEOUT + SLACK);
    for (const r of records) {
      expect(r.reachable).toBe(true);
      expectSafeRecord(r);
    }
    const control = records.find((r) => r.ip === harness.ipOf("control-gateway"))!;
    expect([control.product, control.version, control.auth]).toEqual(["openclaw", "2026.9.6", "required"]);
  }, 30_000);
});
