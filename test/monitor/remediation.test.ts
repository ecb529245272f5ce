// The firewall advice of an alert names the side ports derived from the gateway's own port, and
// none when they cannot be derived (a relay or proxy answered, or not an OpenClaw-family gateway).
import { describe, expect, it } from "vitest";
import { type AdvisoryLookup, type AssetEvent, alertForEvent } from "../../src/monitor/alerts.ts";
import { alertToCef } from "../../src/monitor/format.ts";

const lookup: AdvisoryLookup = () => null;
const meta = { profile: "p", runId: "scan-1", upgradeTo: null };
const direct = { remoteLooksLocal: false, preauthAdvisories: [] };

const ev = (patch: Partial<AssetEvent>): AssetEvent => ({
  runId: "scan-1",
  ip: "10.0.0.1",
  port: 18789,
  kind: "new",
  at: "2026-11-24T10:00:00.000Z",
  product: "openclaw",
  version: "2026.9.6",
  auth: "not-required",
  changes: {},
  ...patch,
});

const firewallLine = (e: AssetEvent, ctx = direct) =>
  alertForEvent(e, ctx, lookup, meta).remediation.find((r) => r.startsWith("Firewall TCP"))!;

describe("monitor firewall remediation", () => {
  it("derives the side ports from the gateway's real port", () => {
    const line = firewallLine(ev({ port: 28789 }));
    expect(line).toContain("Firewall TCP 28789 and the side ports OpenClaw derives from it");
    expect(line).toContain("28791 browser control, 28792 browser CDP relay, 28799 browser extension relay");
    expect(line).not.toMatch(/1879\d/);
  });

  it("names the legacy bridge and canvas ports only for the releases that had them", () => {
    expect(firewallLine(ev({ product: "clawdbot", version: "2026.1.16", port: 20000 }))).toContain(
      "20001 legacy node bridge, 20002 browser control, 20003 browser CDP relay, 20004 legacy canvas host",
    );
    expect(firewallLine(ev({ product: "clawdbot", version: "2026.1.24-3" }))).not.toContain("legacy");
  });

  it("says nothing about side ports when they cannot be derived", () => {
    const relayed = { remoteLooksLocal: false, preauthAdvisories: [] };
    for (const line of [
      firewallLine(ev({ port: 443 })),
      firewallLine(ev({ product: null, auth: "unknown" })),
      firewallLine(ev({ product: "ollama" })),
      firewallLine(ev({ port: 28929, auth: "unknown" }), { ...relayed, remoteLooksLocal: true }),
    ]) {
      expect(line).toMatch(/^Firewall TCP \d+ to everything but loopback/);
      expect(line).not.toMatch(/side port/);
    }
  });

  it("the changed-auth alert and the CEF line carry the same derived text", () => {
    const a = alertForEvent(
      ev({ kind: "changed", port: 30000, changes: { auth: ["required", "not-required"] } }),
      direct,
      lookup,
      meta,
    );
    expect(a.remediation.join(" ")).toContain("30002 browser control");
    expect(alertToCef(a)).toContain("30002 browser control");
  });
});
