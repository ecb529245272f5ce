// The scan record schema (clawpatrol.scan/v1) as zod: validates records (import, tests) and
// generates docs/scan-record.schema.json (`npm run schema`). Kept in lock-step with the
// Observation interface by the type assertions at the bottom.
import { z } from "zod";
import { PRODUCTS } from "../fingerprints/products.ts";
import type { Observation } from "./record.ts";

const severity = z.enum(["info", "low", "medium", "high", "critical"]);

const evidence = z
  .object({
    source: z.string().describe("where the proof came from, e.g. 'GET /readyz' or 'WebSocket /'"),
    detail: z.string().describe("what this evidence shows"),
    excerpt: z.string().optional().describe("the exact bytes seen, capped; see truncated"),
    truncated: z.boolean().optional(),
    location: z.string().optional(),
    path: z.string().optional(),
    line: z.number().int().optional(),
    column: z.number().int().optional(),
  })
  .strict();

const finding = z
  .object({
    ruleId: z.string().describe("stable rule id, e.g. CP-SCAN-002"),
    severity,
    title: z.string(),
    asset: z.string(),
    evidence: z.array(evidence),
    remediation: z.string(),
    references: z.array(z.string()),
  })
  .strict();

const tls = z
  .object({
    protocol: z.string().nullable(),
    subject: z.string().nullable(),
    issuer: z.string().nullable(),
    subjectAltNames: z.array(z.string()),
    validFrom: z.string().nullable(),
    validTo: z.string().nullable(),
    sha256: z.string().nullable().describe("SHA-256 of the leaf certificate (DER), hex"),
  })
  .strict();

const unit = z.number().min(0).max(1);

export const observationSchema = z
  .object({
    schema: z.literal("clawpatrol.scan/v1"),
    host: z.string().describe("the name or address the user gave"),
    ip: z.string().describe("the address connected to (empty when a name did not resolve)"),
    port: z.number().int().min(1).max(65535),
    url: z.string().describe("base URL probed"),
    reachable: z.boolean().describe("TCP connect succeeded"),
    exposure: z.enum(["loopback", "network"]).describe("reached over loopback, or over any other address"),
    tls: tls.nullable(),
    product: z.enum(PRODUCTS).nullable(),
    version: z.string().nullable().describe("exact version, when a pre-auth signal names one"),
    versionRange: z
      .object({ min: z.string().nullable(), max: z.string().nullable(), candidates: z.array(z.string()) })
      .strict()
      .nullable()
      .describe("narrowest honest range when the exact version is unknown"),
    protocol: z.number().int().nullable().describe("gateway wire-protocol version"),
    auth: z.enum(["required", "not-required", "unknown"]),
    remoteLooksLocal: z
      .boolean()
      .describe("the gateway treats this (non-loopback) scanner as a local client"),
    confidence: z.object({ product: unit, version: unit, auth: unit, remoteLooksLocal: unit }).strict(),
    conflicts: z.array(z.string()),
    evidence: z.array(evidence),
    facts: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .describe("product-specific facts read before auth (docs/scan.md), e.g. an MCP server's transport"),
    advisories: z.array(
      z
        .object({
          id: z.string(),
          aliases: z.array(z.string()),
          severity: z.string(),
          preAuth: z.boolean(),
          exposure: z.array(z.string()),
          fixed: z.string().nullable(),
          certainty: z.enum(["affected", "possibly-affected"]),
        })
        .strict(),
    ),
    advisoryCounts: z
      .object({
        affecting: z.number().int().min(0),
        possiblyAffecting: z.number().int().min(0),
        preAuth: z.number().int().min(0),
        usableHere: z.number().int().min(0),
      })
      .strict()
      .optional()
      .describe(
        "distinct advisories (aliases merged): affecting this version, possibly affecting it, pre-auth of the affecting, usable on this port given its auth state (docs/advisories.md)",
      ),
    upgradeTo: z.string().nullable(),
    findings: z.array(finding),
    severity: severity.nullable(),
    error: z.string().nullable(),
    scannedAt: z.string(),
    ms: z.number().min(0),
    source: z
      .object({
        format: z.string().describe("the export's format, e.g. masscan-json, nmap-xml, shodan, censys"),
        file: z.string(),
        line: z.number().int().min(1),
        verified: z.boolean().describe("probed now (scan --from) or stored from the file alone (import)"),
      })
      .strict()
      .optional()
      .describe("set when the endpoint was read from a scan export"),
    sourceClaim: z
      .object({
        product: z.string().nullable(),
        version: z.string().nullable(),
        service: z.string().nullable(),
        seenAt: z.string().nullable(),
        asn: z.number().int().min(0).nullable(),
        org: z.string().nullable(),
        country: z.string().nullable(),
        outcome: z.enum(["confirmed", "changed", "gone", "unverified"]),
      })
      .strict()
      .optional()
      .describe("what the export claimed, and how it compares with what clawpatrol found"),
    asn: z
      .number()
      .int()
      .min(0)
      .nullable()
      .optional()
      .describe("AS number routing the address (offline database)"),
    asOrg: z.string().nullable().optional().describe("that AS's organisation"),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .nullable()
      .optional()
      .describe("ISO 3166-1 alpha-2 country of the address"),
    specialUse: z
      .string()
      .nullable()
      .optional()
      .describe(
        "the IANA special-purpose range the address lies in (private use, loopback, ...), null when public",
      ),
  })
  .strict();

// Compile-time: the schema and the interface describe the same record.
type FromSchema = z.infer<typeof observationSchema>;
const _toSchema = (o: Observation): FromSchema => o;
const _fromSchema = (o: FromSchema): Observation => o;
void _toSchema;
void _fromSchema;

export function observationJsonSchema(): Record<string, unknown> {
  return {
    $id: "https://clawpatrol.dev/schema/scan-record-v1.json",
    title: "clawpatrol scan record (clawpatrol.scan/v1)",
    ...z.toJSONSchema(observationSchema, { target: "draft-2020-12" }),
  };
}
