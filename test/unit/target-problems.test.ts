// host:port targets, names resolved before the scan, and targets that cannot be scanned:
// every one is reported, none is dropped. No real name is ever looked up: the resolver is
// injected, or the name is under .invalid (which the default resolver never sends out).
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.ts";
import { hasScannableTarget, problemLines, reportProblems } from "../../src/targets/problems.ts";
import { defaultResolver, type Resolver, resolveNames } from "../../src/targets/resolve.ts";
import { parseTarget, planTargets } from "../../src/targets/spec.ts";
import { type Endpoint, streamEndpoints, type TargetItem } from "../../src/targets/stream.ts";

/** Knows localhost only; counts lookups so a test can see a name is resolved once. */
function stubResolver(): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const fn = (async (name: string) => {
    calls.push(name);
    if (name === "localhost")
      return [
        { address: "127.0.0.1", family: 4 },
        { address: "::1", family: 6 },
      ];
    if (name === "empty.test") return [];
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: "ENOTFOUND" });
  }) as Resolver & { calls: string[] };
  fn.calls = calls;
  return fn;
}

async function items(targets: string[], ports: number[], excludes: string[] = []): Promise<TargetItem[]> {
  const { plan } = planTargets(targets, excludes);
  const out: TargetItem[] = [];
  for await (const i of streamEndpoints(plan, ports, { seed: 3, resolve: stubResolver() })) out.push(i);
  return out;
}

const endpoints = (list: TargetItem[]): Endpoint[] =>
  list.flatMap((i) => ("endpoint" in i ? [i.endpoint] : []));

describe("host:port targets", () => {
  it("reads host:port, [v6]:port and still reads a bare IPv6 address as an address", () => {
    expect(parseTarget("127.0.0.1:8080")).toEqual({
      kind: "endpoint",
      endpoint: { host: "127.0.0.1", port: 8080, family: 4 },
    });
    expect(parseTarget("[::1]:18789")).toEqual({
      kind: "endpoint",
      endpoint: { host: "::1", port: 18789, family: 6 },
    });
    expect(parseTarget("[0:0::1]:1")).toMatchObject({ endpoint: { host: "::1", port: 1 } });
    expect(parseTarget("LocalHost:443")).toEqual({
      kind: "endpoint",
      endpoint: { host: "localhost", port: 443, family: null },
    });
    // Without brackets an IPv6 address has no port: fe80::1:8080 is one address.
    expect(parseTarget("::1")).toMatchObject({ kind: "interval", interval: { family: 6, start: 1n } });
    expect(parseTarget("fe80::1:8080")).toMatchObject({ kind: "interval", interval: { family: 6 } });
    expect(parseTarget("[::1]")).toMatchObject({ kind: "interval", interval: { start: 1n, end: 1n } });
  });

  it("rejects ports out of range, ports on CIDRs and ranges, and bracketed IPv4", () => {
    const cases: [string, RegExp][] = [
      ["127.0.0.1:0", /port "0" is not 1-65535/],
      ["127.0.0.1:65536", /port "65536"/],
      ["127.0.0.1:", /port "" is not/],
      ["127.0.0.1:http", /port "http"/],
      ["[::1]:99999", /port "99999"/],
      ["[127.0.0.1]:80", /not an IPv6 address/],
      ["[nonsense]:80", /not an IPv6 address/],
      ["10.0.0.0/24:80", /use -p for CIDRs and ranges/],
      ["10.0.0.1-10.0.0.9:80", /use -p for CIDRs and ranges/],
      ["1.2.3:80", /not a valid IPv4/],
      ["bad_name:80", /not an address or a hostname/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseTarget(text), text).toThrow(UsageError);
      expect(() => parseTarget(text), text).toThrow(message);
    }
  });

  it("scans a host:port target on its own port only, beside -p for the others", async () => {
    const eps = endpoints(await items(["127.0.0.1:8080", "127.0.0.2", "[::1]:9090"], [18789, 18790]));
    expect(eps.map((e) => `${e.host} ${e.port}`).sort()).toEqual([
      "127.0.0.1 8080",
      "127.0.0.2 18789",
      "127.0.0.2 18790",
      "::1 9090",
    ]);
    const v6 = eps.find((e) => e.host === "::1")!;
    expect(v6).toMatchObject({ ip: "::1", family: 6, hostHeader: "[::1]:9090", servername: null });
  });

  it("a name with a port resolves to every address, on that port, with the name as Host and SNI", async () => {
    const eps = endpoints(await items(["localhost:8443"], [18789]));
    expect(eps.map((e) => [e.ip, e.port, e.hostHeader, e.servername])).toEqual([
      ["127.0.0.1", 8443, "localhost:8443", "localhost"],
      ["::1", 8443, "localhost:8443", "localhost"],
    ]);
  });

  it("honours excludes and does not scan an endpoint the address walk already covers", async () => {
    expect(endpoints(await items(["127.0.0.1:8080"], [18789], ["127.0.0.0/30"]))).toEqual([]);
    const eps = endpoints(await items(["127.0.0.1:18789", "127.0.0.1"], [18789]));
    expect(eps.map((e) => `${e.ip}:${e.port}`)).toEqual(["127.0.0.1:18789"]);
    // The same endpoint named twice is one endpoint.
    expect(planTargets(["127.0.0.1:80", "127.0.0.1:80"], []).plan.endpoints).toHaveLength(1);
  });
});

describe("targets that cannot be scanned", () => {
  it("planTargets keeps the readable targets and lists every unreadable one with its reason", () => {
    const { plan, rejected } = planTargets(["127.0.0.1", "300.1.1.1", "a..b", "localhost:8080"], []);
    expect(plan.addressCount).toBe(1n);
    expect(plan.endpoints).toEqual([{ host: "localhost", port: 8080, family: null }]);
    expect(rejected.map((r) => r.target)).toEqual(["300.1.1.1", "a..b"]);
    expect(rejected[0]!.reason).toMatch(/invalid target "300\.1\.1\.1": not a valid IPv4 address/);
    // A bad exclude is never skipped: it would scan what the user meant to spare.
    expect(() => planTargets(["127.0.0.1"], ["not an address"])).toThrow(UsageError);
  });

  it("resolves each name once (names, host:port names and URL hosts), and lists the failures", async () => {
    const resolve = stubResolver();
    const { plan: read } = planTargets(
      ["localhost", "localhost:80", "http://localhost/x/", "gone.invalid", "gone.invalid:1", "empty.test"],
      [],
    );
    const { plan, failures } = await resolveNames(read, resolve);
    expect(resolve.calls.sort()).toEqual(["empty.test", "gone.invalid", "localhost"]);
    expect(failures).toEqual([
      { name: "gone.invalid", error: "cannot resolve: ENOTFOUND" },
      { name: "empty.test", error: "cannot resolve: the name has no address" },
    ]);
    // The stream uses the answers: no second lookup, and the failures become unresolved items.
    const again = stubResolver();
    const streamed: TargetItem[] = [];
    for await (const i of streamEndpoints(plan, [18789], { seed: 1, resolve: again })) streamed.push(i);
    expect(again.calls).toEqual([]);
    const unresolved = streamed.flatMap((i) => ("unresolved" in i ? [i.unresolved] : []));
    expect(unresolved.map((u) => `${u.host}:${u.port} ${u.error}`).sort()).toEqual([
      "empty.test:18789 cannot resolve: the name has no address",
      "gone.invalid:1 cannot resolve: ENOTFOUND",
      "gone.invalid:18789 cannot resolve: ENOTFOUND",
    ]);
    // localhost and localhost:80 on both addresses; the URL on its first address.
    expect(endpoints(streamed)).toHaveLength(5);
  });

  it("the default resolver never sends a query for a name under .invalid (RFC 6761)", async () => {
    await expect(defaultResolver("nonexistent.invalid")).rejects.toThrow(/\.invalid, which never resolves/);
    await expect(defaultResolver("x.INVALID.")).rejects.toThrow(/never resolves/);
  });

  it("says each problem once and goes on when something is left to scan", () => {
    const { plan, rejected } = planTargets(["127.0.0.1", "300.1.1.1"], []);
    const warned: string[] = [];
    const counts = reportProblems(
      plan,
      { rejected, unresolved: [{ name: "gone.invalid", error: "cannot resolve: ENOTFOUND" }] },
      (l) => warned.push(l),
    );
    expect(counts).toEqual({ unreadable: 1, unresolved: 1 });
    expect(warned).toEqual([
      'invalid target "300.1.1.1": not a valid IPv4 address (skipped)',
      'target "gone.invalid": cannot resolve: ENOTFOUND (skipped)',
    ]);
  });

  it("is a usage error when nothing is left: the one problem, or each problem and a sum", async () => {
    const one = planTargets(["300.1.1.1"], []);
    expect(() => reportProblems(one.plan, { rejected: one.rejected, unresolved: [] }, () => {})).toThrow(
      /^invalid target "300\.1\.1\.1": not a valid IPv4 address$/,
    );
    const names = await resolveNames(planTargets(["a.invalid", "b.invalid:80"], []).plan, stubResolver());
    expect(hasScannableTarget(names.plan)).toBe(false);
    const warned: string[] = [];
    expect(() =>
      reportProblems(
        names.plan,
        { rejected: [{ target: "x", reason: "bad x" }], unresolved: names.failures },
        (l) => warned.push(l),
      ),
    ).toThrow("no target could be scanned (1 not a valid target, 2 did not resolve)");
    expect(warned).toHaveLength(3);
    // A URL whose host is an address needs no lookup: it stays scannable.
    const url = await resolveNames(planTargets(["http://127.0.0.1:1/gw/"], []).plan, stubResolver());
    expect(hasScannableTarget(url.plan)).toBe(true);
  });

  it("escapes control bytes in what it prints", () => {
    const { rejected } = planTargets(["\u001b[31mevil"], []);
    const [line] = problemLines({ rejected, unresolved: [] });
    expect(line).not.toMatch(/\u001b/);
    expect(line).toContain("\\x1b[31mevil");
  });
});
