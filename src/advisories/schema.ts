// The on-disk advisory format: OSV (schema 1.6) with clawpatrol's own fields under
// `database_specific.clawpatrol`. One record per file. zod gives the structural checks and
// the types; ranges.ts adds what a schema cannot say (ordered, non-overlapping ranges).
//
// Two levels of strictness:
//   - "shipped" (data/advisories/, `npm run check:data`): the clawpatrol block is required,
//     including where the fixed version came from.
//   - "import" (`clawpatrol advisories import`): any OSV record for an OpenClaw-family npm
//     package is accepted; missing clawpatrol fields get conservative defaults (see
//     advisoryFromRecord in store.ts).
import { z } from "zod";

export { CORE_PACKAGES, isFamilyPackage } from "./family.ts";

export const EXPOSURES = ["gateway", "webhook", "browser-relay", "channel", "local"] as const;
export type Exposure = (typeof EXPOSURES)[number];

export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const FIXED_SOURCE_METHODS = [
  /** The GitHub-reviewed advisory's affected range (GHSA text / structured range). */
  "ghsa",
  /** As above, and the upstream CHANGELOG lists the fix under the same release. */
  "ghsa+changelog",
  /** As above, and the fixing commit was located in upstream history. */
  "ghsa+commit",
  /** The upstream CHANGELOG names the advisory id under a release section. */
  "changelog",
  /** A tracker's claim, confirmed by locating the fix commit in upstream history. */
  "commit",
  /** Whoever imported the record vouches for it (offline import path). */
  "imported",
] as const;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const timestamp = z.string().regex(RFC3339, "must be an RFC 3339 timestamp such as 2026-03-02T00:00:00Z");
const shortText = (max: number) => z.string().max(max, `longer than ${max} characters`);

const eventSchema = z.union([
  z.object({ introduced: shortText(64) }).strict(),
  z.object({ fixed: shortText(64) }).strict(),
  z.object({ last_affected: shortText(64) }).strict(),
  z.object({ limit: shortText(64) }).strict(),
]);
export type OsvEvent = z.infer<typeof eventSchema>;

const rangeSchema = z.object({
  type: z.enum(["ECOSYSTEM", "SEMVER", "GIT"]),
  repo: z.string().optional(),
  events: z.array(eventSchema).min(1, "a range needs at least one event").max(64),
  database_specific: z.record(z.string(), z.unknown()).optional(),
});

const affectedSchema = z.object({
  package: z.object({
    ecosystem: z.string().min(1),
    name: shortText(214).min(1),
    purl: z.string().optional(),
  }),
  ranges: z.array(rangeSchema).max(32).optional(),
  versions: z.array(shortText(64)).max(2000).optional(),
  severity: z.array(z.unknown()).optional(),
  ecosystem_specific: z.record(z.string(), z.unknown()).optional(),
  database_specific: z.record(z.string(), z.unknown()).optional(),
});

const severityEntrySchema = z.object({
  type: z.enum(["CVSS_V2", "CVSS_V3", "CVSS_V4", "Ubuntu"]),
  score: shortText(400).min(1),
});

const referenceSchema = z.object({
  type: z.enum([
    "ADVISORY",
    "ARTICLE",
    "DETECTION",
    "DISCUSSION",
    "REPORT",
    "FIX",
    "INTRODUCED",
    "GIT",
    "PACKAGE",
    "EVIDENCE",
    "WEB",
  ]),
  url: z.string().url().max(2000),
});

export const fixedSourceSchema = z
  .object({
    method: z.enum(FIXED_SOURCE_METHODS),
    /** Human-readable evidence: advisory text read, changelog section, commit id. */
    evidence: shortText(2000).min(10),
    /** The version the upstream advisory names, when the range uses another one. */
    upstream_fixed: shortText(64).nullable().optional(),
    /** First version published on npm that contains the fix (what to upgrade to). */
    first_npm_release: shortText(64).nullable().optional(),
    note: shortText(2000).optional(),
  })
  .strict();

export const clawpatrolFieldsSchema = z
  .object({
    /** Exploitable over the network without gateway credentials, pairing or an allowlisted identity. */
    pre_auth_network: z.boolean(),
    /** Needs a victim to click, visit, paste or open something. */
    user_interaction: z.boolean(),
    /** Reported as exploited in the wild (e.g. CISA KEV). */
    known_exploited: z.boolean(),
    /** Which exposure makes the advisory relevant to a deployment. */
    exposure: z.array(z.enum(EXPOSURES)).min(1).max(EXPOSURES.length),
    /** Used when the record has no CVSS vector (or to override a vector-derived rating). */
    severity: z.enum(SEVERITIES).optional(),
    /** True when `severity` is clawpatrol's estimate rather than the advisory's own rating. */
    severity_estimated: z.boolean().optional(),
    fixed_source: fixedSourceSchema,
  })
  .strict();
export type ClawpatrolFields = z.infer<typeof clawpatrolFieldsSchema>;

const idSchema = z
  .string()
  .regex(
    /^[A-Z][A-Z0-9]{1,15}-[A-Za-z0-9][A-Za-z0-9._:-]{1,80}$/,
    "not an advisory id (e.g. GHSA-xxxx-xxxx-xxxx)",
  );

export const osvRecordSchema = z.object({
  schema_version: z
    .string()
    .regex(/^\d+\.\d+(\.\d+)?$/, "must look like 1.6.0")
    .optional(),
  id: idSchema,
  modified: timestamp,
  published: timestamp.optional(),
  withdrawn: timestamp.optional(),
  aliases: z.array(idSchema).max(64).optional(),
  upstream: z.array(z.string().max(100)).max(64).optional(),
  related: z.array(z.string().max(100)).max(256).optional(),
  summary: shortText(1000).optional(),
  details: shortText(50_000).optional(),
  severity: z.array(severityEntrySchema).max(8).optional(),
  affected: z.array(affectedSchema).min(1, "at least one affected package is required").max(64),
  references: z.array(referenceSchema).max(200).optional(),
  credits: z.array(z.unknown()).max(100).optional(),
  database_specific: z.record(z.string(), z.unknown()).optional(),
});
export type OsvRecord = z.infer<typeof osvRecordSchema>;

/** Turn zod issues into short lines a person can act on: `affected[0].ranges[0].events: ...`. */
export function describeIssues(error: z.ZodError, max = 8): string[] {
  const out = error.issues.slice(0, max).map((issue) => {
    const path = issue.path
      .map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`))
      .join("");
    return `${path || "(record)"}: ${issue.message}`;
  });
  if (error.issues.length > max) out.push(`... and ${error.issues.length - max} more problems`);
  return out;
}

/** The clawpatrol block of a record, or undefined when absent; errors when present but malformed. */
export function readClawpatrolFields(
  record: OsvRecord,
): { ok: true; fields: ClawpatrolFields | undefined } | { ok: false; errors: string[] } {
  const raw = record.database_specific?.clawpatrol;
  if (raw === undefined) return { ok: true, fields: undefined };
  const parsed = clawpatrolFieldsSchema.safeParse(raw);
  if (!parsed.success)
    return {
      ok: false,
      errors: describeIssues(parsed.error).map((e) => `database_specific.clawpatrol.${e}`),
    };
  return { ok: true, fields: parsed.data };
}
