// `audit --with-openclaw FILE`: merge the JSON of an `openclaw security audit --json` the user
// already ran into clawpatrol's findings, one finding per issue. An OpenClaw finding that a
// clawpatrol finding names (its openclawCheckId covers the check id) is attached to that
// finding, so both ids show; one that no clawpatrol finding names becomes a CP-AUDIT-400
// finding carrying OpenClaw's id, title, detail and remediation.
import { readFileSync, statSync } from "node:fs";
import { UsageError } from "../core/errors.ts";
import type { Severity } from "../findings/model.ts";
import { idCovers } from "./rule-catalogue.ts";
import { type AuditFinding, finding } from "./types.ts";

export interface OpenClawFinding {
  checkId: string;
  severity: "info" | "warn" | "critical";
  title: string;
  detail?: string;
  remediation?: string;
}

const MAX_BYTES = 32 * 1024 * 1024;
/** OpenClaw's three levels on clawpatrol's five: critical is high at least, warn medium. */
export const FROM_OPENCLAW: Record<OpenClawFinding["severity"], Severity> = {
  critical: "high",
  warn: "medium",
  info: "info",
};

/** Parse the report; old releases print doctor notes before the JSON, which starts at a line "{". */
export function parseOpenClawAudit(text: string, file: string): OpenClawFinding[] {
  const start = text.search(/^\{/m);
  if (start < 0)
    throw new UsageError(
      `--with-openclaw ${file}: no JSON object found (expected \`openclaw security audit --json\` output)`,
    );
  let doc: unknown;
  try {
    doc = JSON.parse(text.slice(start));
  } catch (err) {
    throw new UsageError(`--with-openclaw ${file}: not valid JSON (${(err as Error).message})`);
  }
  const findings = (doc as { findings?: unknown })?.findings;
  if (!Array.isArray(findings))
    throw new UsageError(
      `--with-openclaw ${file}: no "findings" array (expected \`openclaw security audit --json\` output)`,
    );
  return findings.map((f, i) => {
    const o = f as Record<string, unknown>;
    if (
      typeof o?.checkId !== "string" ||
      !/^[A-Za-z0-9_.*-]{1,200}$/.test(o.checkId) ||
      (o.severity !== "info" && o.severity !== "warn" && o.severity !== "critical")
    )
      throw new UsageError(`--with-openclaw ${file}: findings[${i}] has no valid checkId and severity`);
    return {
      checkId: o.checkId,
      severity: o.severity,
      title: typeof o.title === "string" ? o.title.slice(0, 500) : o.checkId,
      ...(typeof o.detail === "string" ? { detail: o.detail.slice(0, 4000) } : {}),
      ...(typeof o.remediation === "string" ? { remediation: o.remediation.slice(0, 2000) } : {}),
    };
  });
}

export function readOpenClawAudit(file: string): OpenClawFinding[] {
  let text: string;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new UsageError(`--with-openclaw ${file}: not a regular file`);
    if (st.size > MAX_BYTES) throw new UsageError(`--with-openclaw ${file}: larger than 32 MB`);
    text = readFileSync(file, "utf8");
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(
      `--with-openclaw ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  return parseOpenClawAudit(text, file);
}

/** clawpatrol's findings with OpenClaw's merged in: attached where named, else added. */
export function mergeOpenClaw(
  ours: AuditFinding[],
  theirs: OpenClawFinding[],
  source: string,
): AuditFinding[] {
  const merged = ours.map((f) => ({ ...f }));
  for (const o of theirs) {
    const named = merged.find((f) => f.openclawCheckId !== null && idCovers(f.openclawCheckId, o.checkId));
    const seen = { checkId: o.checkId, severity: o.severity, title: o.title };
    if (named) {
      named.openclaw = [...(named.openclaw ?? []), seen];
      continue;
    }
    const same = merged.find((f) => f.ruleId === "CP-AUDIT-400" && f.openclawCheckId === o.checkId);
    if (same) {
      same.openclaw = [...(same.openclaw ?? []), seen];
      continue;
    }
    merged.push({
      ...finding({
        ruleId: "CP-AUDIT-400",
        openclawCheckId: o.checkId,
        severity: FROM_OPENCLAW[o.severity],
        title: o.title,
        group: "config",
        asset: source,
        evidence: [
          {
            source: "file",
            detail: `reported by openclaw security audit (${o.severity})`,
            location: o.checkId,
            path: source,
            ...(o.detail ? { excerpt: o.detail } : {}),
          },
        ],
        remediation: o.remediation ?? "See the OpenClaw security docs for this check.",
        stateDir: null,
      }),
      openclaw: [seen],
    });
  }
  return merged;
}
