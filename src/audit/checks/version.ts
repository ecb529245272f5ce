// Version advisories for the build that runs this state dir, from the project's advisory
// data (src/advisories/match.ts), weighed by how exposed this gateway is.
import { isCalVer } from "../../advisories/calver.ts";
import {
  COUNT_LABELS,
  countAdvisories,
  describeCounts,
  distinctAdvisories,
} from "../../advisories/counts.ts";
import { gatewaySeverity, matchAdvisories } from "../../advisories/match.ts";
import type { AuditFinding, CheckContext } from "../types.ts";
import { mk } from "./util.ts";

export interface Exposure {
  exposed: boolean;
  noAuth: boolean;
  remoteLooksLocal: boolean;
}

export function versionFindings(ctx: CheckContext, x: Exposure): AuditFinding[] {
  const v = ctx.target.version;
  if (!v || !isCalVer(v)) {
    return [
      mk(ctx, {
        ruleId: "CP-AUDIT-121",
        openclawCheckId: null,
        severity: "info",
        title: "Gateway version unknown",
        group: "version",
        evidence: [
          {
            source: "discovery",
            detail: `No running process, service, log or meta.lastTouchedVersion named the version (${ctx.target.versionSource})`,
          },
        ],
        remediation:
          "Run `openclaw --version`; advisories could not be matched (`clawpatrol audit --assume-version openclaw@<version>`).",
      }),
    ];
  }
  const r = matchAdvisories({ product: ctx.target.product, version: v });
  if (r.affected.length === 0 && r.possiblyAffected.length === 0) return [];
  const severity = gatewaySeverity({
    exposed: x.exposed,
    auth: x.noAuth ? "not-required" : "required",
    remoteLooksLocal: x.remoteLooksLocal,
    matches: r,
  });
  // The config's auth state stands for the endpoint's: "usable here" as the scan counts it.
  const distinct = distinctAdvisories(r.affected);
  const advisoryCounts = countAdvisories(
    [...r.affected, ...r.possiblyAffected],
    x.noAuth ? "not-required" : "required",
  );
  const versionFinding = mk(ctx, {
    ruleId: "CP-AUDIT-120",
    openclawCheckId: null,
    severity,
    title: `${ctx.target.product} ${v} advisories: ${describeCounts(advisoryCounts)}`,
    group: "version",
    evidence: distinct.slice(0, 12).map(({ id, aliases, entries: [a] }) => ({
      source: "advisory",
      detail: `${id}${aliases[0] ? ` (${aliases[0]})` : ""} ${a!.severity}${a!.preAuth ? `, ${COUNT_LABELS.preAuth}` : ""}: ${a!.summary}${a!.fixed ? ` — fixed in ${a!.fixed}` : ""}`,
      location: id,
    })),
    remediation: `${r.upgradeTo ? `Upgrade to ${r.upgradeTo} or later (npm i -g openclaw@${r.upgradeTo}).` : "Upgrade to the newest release."}${ctx.target.product !== "openclaw" ? " The clawdbot/moltbot packages are end-of-life: move to openclaw." : ""} Old builds leaked gateway tokens: rotate it after upgrading.`,
    references: distinct.slice(0, 5).map((a) => `https://github.com/advisories/${a.id}`),
  });
  return [{ ...versionFinding, advisoryCounts }];
}
