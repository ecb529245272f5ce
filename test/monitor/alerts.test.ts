// The alert rules: what each asset event says, its severity, its remediation and its dedupe key.
import { describe, expect, it } from "vitest";
import {
  type AdvisoryLookup,
  type AssetEvent,
  alertForEvent,
  alertKey,
  flappingAlert,
  orderAlert,
  routeTakes,
} from "../../src/monitor/alerts.ts";
import { alertLine, alertToCef } from "../../src/monitor/format.ts";
import { parseCef } from "./support.ts";

const lookup: AdvisoryLookup = (id) =>
  id === "GHSA-crit-crit-crit"
    ? { id, aliases: ["CVE-2026-1"], severity: "critical", summary: "rce", fixed: "2026.2.2" }
    : { id, aliases: [], severity: "medium", summary: "meh", fixed: "2026.3.1" };
const meta = { profile: "p", runId: "scan-1", upgradeTo: "2026.6.5" };
const none = { remoteLooksLocal: false, preauthAdvisories: [] };

const ev = (patch: Partial<AssetEvent>): AssetEvent => ({
  runId: "scan-1",
  ip: "10.0.0.1",
  port: 18789,
  kind: "new",
  at: "2026-11-24T10:00:00.000Z",
  product: "openclaw",
  version: "2026.9.6",
  auth: "required",
  changes: {},
  ...patch,
});

describe("alerts for asset events", () => {
  it("new gateway without auth: critical, says why, and how to close it", () => {
    const a = alertForEvent(ev({ auth: "not-required" }), none, lookup, meta);
    expect(a).toMatchObject({
      kind: "new",
      severity: "critical",
      title: "New gateway exposed without auth",
      key: "10.0.0.1:18789|new",
      asset: { address: "10.0.0.1:18789", product: "openclaw", version: "2026.9.6", state: "open" },
    });
    expect(a.why).toMatch(/anyone who can reach 10\.0\.0\.1:18789 can drive its agent/);
    expect(a.remediation.join("\n")).toMatch(/gateway\.auth\.mode "token"/);
    expect(a.remediation.join("\n")).toMatch(/gateway\.bind "loopback"/);
    expect(a.remediation.join("\n")).toMatch(/Firewall TCP 18789/);
  });

  it("new gateway with auth: medium; with pre-auth advisories: their severity (at least high) and the upgrade", () => {
    expect(alertForEvent(ev({}), none, lookup, meta)).toMatchObject({
      severity: "medium",
      title: "New gateway exposed with auth required",
    });
    const withAdv = alertForEvent(
      ev({}),
      { remoteLooksLocal: false, preauthAdvisories: ["GHSA-mmmm"] },
      lookup,
      meta,
    );
    expect(withAdv.severity).toBe("high");
    const crit = alertForEvent(
      ev({}),
      { remoteLooksLocal: false, preauthAdvisories: ["GHSA-mmmm", "GHSA-crit-crit-crit"] },
      lookup,
      meta,
    );
    expect(crit).toMatchObject({
      severity: "critical",
      title: "New gateway exposed with 2 pre-auth advisories",
    });
    expect(crit.advisories.map((x) => x.id)).toEqual(["GHSA-crit-crit-crit", "GHSA-mmmm"]);
    expect(crit.why).toMatch(
      /2 pre-auth advisories apply to openclaw 2026\.9\.6 \(GHSA-crit-crit-crit, GHSA-mmmm\)/,
    );
    expect(crit.remediation).toContain(
      "Upgrade to 2026.6.5 or later (npm install -g openclaw@2026.6.5), then restart the gateway.",
    );
  });

  it("counts every pre-auth advisory, lists the worst 20", () => {
    const ids = Array.from({ length: 25 }, (_, i) => `GHSA-test-${String(i).padStart(4, "0")}`);
    const a = alertForEvent(ev({}), { remoteLooksLocal: false, preauthAdvisories: ids }, lookup, meta);
    expect(a.title).toBe("New gateway exposed with 25 pre-auth advisories");
    expect(a.why).toMatch(
      /25 pre-auth advisories apply to openclaw 2026\.9\.6 \(GHSA-test-0000, GHSA-test-0001, GHSA-test-0002 and 22 more\)/,
    );
    expect(a.advisories).toHaveLength(20);
  });

  it("remote-looks-local and unknown auth", () => {
    expect(
      alertForEvent(ev({}), { remoteLooksLocal: true, preauthAdvisories: [] }, lookup, meta),
    ).toMatchObject({
      severity: "critical",
      title: "New gateway exposed treating remote clients as local",
    });
    expect(alertForEvent(ev({ auth: "unknown", version: null }), none, lookup, meta)).toMatchObject({
      severity: "high",
      title: "New gateway exposed with auth state unknown",
    });
  });

  it("closed is good news (info); reopened says it is back", () => {
    const c = alertForEvent(ev({ kind: "closed" }), none, lookup, meta);
    expect(c).toMatchObject({ severity: "info", title: "Gateway closed", key: "10.0.0.1:18789|closed" });
    expect(c.why).toMatch(/good news/);
    expect(c.asset.state).toBe("closed");
    const r = alertForEvent(ev({ kind: "reopened", auth: "not-required" }), none, lookup, meta);
    expect(r).toMatchObject({ severity: "critical", title: "Gateway exposed again without auth" });
  });

  it("changed: auth off is critical; a new pre-auth advisory is at least high; upgrades are info", () => {
    const off = alertForEvent(
      ev({ kind: "changed", auth: "not-required", changes: { auth: ["required", "not-required"] } }),
      none,
      lookup,
      meta,
    );
    expect(off).toMatchObject({ severity: "critical", title: "Gateway changed: auth turned off" });
    const adv = alertForEvent(
      ev({ kind: "changed", changes: { preauthAdvisories: { added: ["GHSA-mmmm"], removed: [] } } }),
      none,
      lookup,
      meta,
    );
    expect(adv).toMatchObject({
      severity: "high",
      title: "Gateway changed: pre-auth advisory GHSA-mmmm now applies",
    });
    expect(adv.remediation[0]).toMatch(/Upgrade to 2026\.6\.5/);
    const up = alertForEvent(
      ev({
        kind: "changed",
        changes: {
          version: ["2026.1.29", "2026.9.6"],
          preauthAdvisories: { added: [], removed: ["GHSA-a", "GHSA-b"] },
          advisories: { added: [], removed: ["GHSA-a", "GHSA-b"] },
        },
      }),
      none,
      lookup,
      meta,
    );
    expect(up.severity).toBe("info");
    expect(up.title).toBe(
      "Gateway changed: version 2026.1.29 → 2026.9.6; 2 pre-auth advisories no longer apply",
    );
    const down = alertForEvent(
      ev({ kind: "changed", changes: { version: ["2026.9.6", "2026.1.29"] } }),
      none,
      lookup,
      meta,
    );
    expect(down).toMatchObject({
      severity: "low",
      title: "Gateway changed: downgraded 2026.9.6 → 2026.1.29",
    });
  });

  it("dedupe keys: asset + kind + what changed", () => {
    const a = ev({ kind: "changed", changes: { version: ["2026.1.29", "2026.9.6"] } });
    expect(alertKey(a)).toBe("10.0.0.1:18789|changed|version:2026.1.29>2026.9.6");
    expect(alertKey({ ...a, changes: { version: ["2026.9.6", "2026.1.29"] } })).not.toBe(alertKey(a));
    const l1 = alertKey({ ...a, changes: { advisories: { added: ["b", "a"], removed: [] } } });
    const l2 = alertKey({ ...a, changes: { advisories: { added: ["a", "b"], removed: [] } } });
    expect(l1).toBe(l2);
    expect(alertKey(ev({ ip: "::1", kind: "closed" }))).toBe("[::1]:18789|closed");
    // The same key in another run is another delivery id (receivers dedupe redeliveries by id).
    const x = alertForEvent(ev({}), none, lookup, meta);
    const y = alertForEvent(ev({}), none, lookup, { ...meta, runId: "scan-2" });
    expect(x.key).toBe(y.key);
    expect(x.id).not.toBe(y.id);
  });

  it("flapping: one summary at the severity the gateway has while open", () => {
    const f = flappingAlert(ev({ kind: "closed", auth: "not-required" }), none, lookup, meta, {
      flips: 4,
      windowStart: "2026-11-24T06:00:00.000Z",
      quietUntil: "2026-11-25T10:00:00.000Z",
    });
    expect(f).toMatchObject({
      kind: "flapping",
      key: "10.0.0.1:18789|flapping",
      severity: "critical",
      title: "Gateway flapping: 4 open/closed flips since 2026-11-24T06:00Z, now closed",
    });
    expect(f.why).toMatch(/further flips are not alerted until 2026-11-25T10:00:00\.000Z/);
  });

  it("an alert read back from a JSON column is put back in the documented key order", () => {
    const a = alertForEvent(
      ev({ auth: "not-required" }),
      { remoteLooksLocal: false, preauthAdvisories: ["GHSA-x"] },
      lookup,
      meta,
    );
    const shuffled = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(a).reverse())));
    expect(JSON.stringify(orderAlert(shuffled))).toBe(JSON.stringify(a));
  });

  it("routes filter by minimum severity and kind", () => {
    const crit = alertForEvent(ev({ auth: "not-required" }), none, lookup, meta);
    const info = alertForEvent(ev({ kind: "closed" }), none, lookup, meta);
    const pager = { minSeverity: "high" as const, kinds: ["new" as const, "flapping" as const] };
    expect(routeTakes(pager, crit)).toBe(true);
    expect(routeTakes(pager, info)).toBe(false);
    expect(routeTakes({ minSeverity: "info", kinds: ["closed"] }, info)).toBe(true);
    expect(routeTakes({ minSeverity: "info", kinds: ["closed"] }, crit)).toBe(false);
  });

  it("hostile text stays inside its CEF field and is escaped on a terminal", () => {
    const bad = alertForEvent(ev({ version: "1|2=3\\4\r\n\u001b]0;x\u0007" }), none, lookup, meta);
    const line = alertToCef(bad);
    expect(line.includes("\n")).toBe(false);
    expect(line.includes("\r")).toBe(false);
    const cef = parseCef(line);
    // Control bytes (CR, ESC, BEL) arrive as visible escapes, never raw; the line break as CEF's \n.
    expect(cef.ext.cs2).toBe("1|2=3\\4\\x0d\n\\x1b]0;x\\x07");
    expect(cef.signatureId).toBe("CP-MONITOR-NEW");
    const term = alertLine(bad);
    expect(term).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(term).toMatch(/\\x1b\]0;x\\x07/);
  });
});
