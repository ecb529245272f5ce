import { describe, expect, it } from "vitest";
import { type AdvisoryMatch, gatewaySeverity, type MatchResult } from "../../src/advisories/match.ts";

function m(over: Partial<AdvisoryMatch>): AdvisoryMatch {
  return {
    id: "GHSA-xxxx-xxxx-xxxx",
    aliases: [],
    summary: "s",
    severity: "high",
    cvss: null,
    preAuth: false,
    exposure: ["gateway"],
    knownExploited: false,
    fixed: "2026.3.13",
    certainty: "affected",
    fixedUpstream: null,
    userInteraction: false,
    ...over,
  };
}

function result(affected: AdvisoryMatch[], possiblyAffected: AdvisoryMatch[] = []): MatchResult {
  return { affected, possiblyAffected, upgradeTo: null, unfixed: [], notes: [] };
}

const none = result([]);

describe("gatewaySeverity", () => {
  it("exposed without auth is critical whatever the version", () => {
    expect(
      gatewaySeverity({ exposed: true, auth: "not-required", remoteLooksLocal: false, matches: none }),
    ).toBe("critical");
  });

  it("exposed and treating remote clients as local is critical", () => {
    expect(gatewaySeverity({ exposed: true, auth: "required", remoteLooksLocal: true, matches: none })).toBe(
      "critical",
    );
  });

  it("exposed with auth: medium on its own, high when auth is unknown", () => {
    expect(gatewaySeverity({ exposed: true, auth: "required", remoteLooksLocal: false, matches: none })).toBe(
      "medium",
    );
    expect(gatewaySeverity({ exposed: true, auth: "unknown", remoteLooksLocal: false, matches: none })).toBe(
      "high",
    );
  });

  it("the worst pre-auth advisory on a network listener raises an exposed gateway", () => {
    const critical = m({ severity: "critical", preAuth: true, exposure: ["gateway"] });
    expect(
      gatewaySeverity({
        exposed: true,
        auth: "required",
        remoteLooksLocal: false,
        matches: result([critical]),
      }),
    ).toBe("critical");
    const webhook = m({ severity: "high", preAuth: true, exposure: ["webhook"] });
    expect(
      gatewaySeverity({
        exposed: true,
        auth: "required",
        remoteLooksLocal: false,
        matches: result([webhook]),
      }),
    ).toBe("high");
  });

  it("pre-auth advisories that only a chat sender can reach do not raise the gateway", () => {
    const chat = m({ severity: "critical", preAuth: true, exposure: ["channel"] });
    expect(
      gatewaySeverity({ exposed: true, auth: "required", remoteLooksLocal: false, matches: result([chat]) }),
    ).toBe("medium");
  });

  it("a possible pre-auth advisory raises to one step below", () => {
    const possible = m({ severity: "critical", preAuth: true, certainty: "possibly-affected" });
    expect(
      gatewaySeverity({
        exposed: true,
        auth: "required",
        remoteLooksLocal: false,
        matches: result([], [possible]),
      }),
    ).toBe("high");
  });

  it("credentialed advisories alone do not push an exposed gateway above medium", () => {
    const authed = m({ severity: "critical", preAuth: false });
    expect(
      gatewaySeverity({
        exposed: true,
        auth: "required",
        remoteLooksLocal: false,
        matches: result([authed]),
      }),
    ).toBe("medium");
  });

  it("loopback-only: info, one step below advisories, but browser-bridged ones keep their severity", () => {
    expect(
      gatewaySeverity({ exposed: false, auth: "not-required", remoteLooksLocal: false, matches: none }),
    ).toBe("info");
    const local = m({ severity: "high", preAuth: false });
    expect(
      gatewaySeverity({
        exposed: false,
        auth: "required",
        remoteLooksLocal: false,
        matches: result([local]),
      }),
    ).toBe("medium");
    // CVE-2026-25253 shape: pre-auth, needs a click, reaches the gateway through the victim's browser.
    const bridged = m({ severity: "high", preAuth: true, userInteraction: true, exposure: ["gateway"] });
    expect(
      gatewaySeverity({
        exposed: false,
        auth: "required",
        remoteLooksLocal: false,
        matches: result([bridged]),
      }),
    ).toBe("high");
  });
});
