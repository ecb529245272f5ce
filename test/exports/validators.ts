// Validators for what clawpatrol emits, built on the real schemas:
// - OCSF: JSON Schemas generated from the OCSF schema by scripts/build-ocsf-schema.ts
//   (test/fixtures/schemas/ocsf-<version>-<class>.schema.json; see the README there);
// - SARIF 2.1.0: the OASIS JSON Schema as shipped in the npm package @microsoft/jest-sarif
//   (draft-04), plus the one rule the OASIS errata 01 schema added (a region names a start);
// - STIX 2.1: the required properties, id and timestamp rules of the STIX 2.1 specification
//   for the objects we emit (bundle, identity, indicator, vulnerability, relationship,
//   ipv4-addr / ipv6-addr, network-traffic), checked by hand.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv2020 } from "ajv/dist/2020.js";
import ajvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import { OCSF_VERSION } from "../../src/findings/ocsf.ts";

const require = createRequire(import.meta.url);
const SCHEMAS = new URL("../fixtures/schemas/", import.meta.url);

type Validate = ((data: unknown) => boolean) & {
  errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] | null;
};
const withFormats = addFormats as unknown as (ajv: unknown) => void;
// A CommonJS module: under Node's ESM the class is the default export's `default`.
const AjvDraft04 = ((ajvDraft04 as unknown as { default?: unknown }).default ?? ajvDraft04) as new (
  opts: Record<string, unknown>,
) => { compile(schema: unknown): unknown };

function describeErrors(v: Validate): string[] {
  return (v.errors ?? []).map((e) => {
    const extra = e.params?.additionalProperty ?? e.params?.allowedValue ?? e.params?.missingProperty;
    return `${e.instancePath || "/"} ${e.message ?? ""}${extra === undefined ? "" : ` (${JSON.stringify(extra)})`}`;
  });
}

let ocsf: Map<number, Validate> | null = null;

/** The OCSF classes we emit, by class_uid, compiled once. */
export function ocsfValidators(): Map<number, Validate> {
  if (ocsf) return ocsf;
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
  withFormats(ajv);
  ajv.addKeyword("x-ocsf-version");
  ajv.addKeyword("x-ocsf-class-uid");
  ocsf = new Map();
  for (const name of ["vulnerability_finding", "detection_finding"]) {
    const schema = JSON.parse(
      readFileSync(new URL(`ocsf-${OCSF_VERSION}-${name}.schema.json`, SCHEMAS), "utf8"),
    ) as { "x-ocsf-class-uid": number };
    ocsf.set(schema["x-ocsf-class-uid"], ajv.compile(schema) as Validate);
  }
  return ocsf;
}

/** Errors of one OCSF event against the schema of its class (empty when valid). */
export function ocsfErrors(event: unknown): string[] {
  const uid = (event as { class_uid?: unknown }).class_uid;
  const v = typeof uid === "number" ? ocsfValidators().get(uid) : undefined;
  if (!v) return [`class_uid ${String(uid)} is not one of ${[...ocsfValidators().keys()].join(", ")}`];
  return v(event) ? [] : describeErrors(v);
}

let sarif: Validate | null = null;

/** Errors of a SARIF log against the SARIF 2.1.0 JSON Schema (empty when valid). */
export function sarifErrors(log: unknown): string[] {
  if (!sarif) {
    // Not unicode-mode regexes: the shipped schema's `language` pattern has a stray `]` that only
    // non-unicode JavaScript regexes accept (the OASIS errata fixed the pattern; we never set it).
    const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
    withFormats(ajv);
    const path = require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
    sarif = ajv.compile(JSON.parse(readFileSync(path, "utf8"))) as Validate;
  }
  const errors = sarif(log) ? [] : describeErrors(sarif);
  // Errata 01 of SARIF 2.1.0: a region gives at least one of startLine, charOffset, byteOffset.
  const runs = (log as { runs?: { results?: { locations?: unknown[] }[] }[] }).runs ?? [];
  runs.forEach((run, r) => {
    run.results?.forEach((res, i) => {
      res.locations?.forEach((loc, l) => {
        const region = (loc as { physicalLocation?: { region?: Record<string, unknown> } }).physicalLocation
          ?.region;
        if (region && !("startLine" in region || "charOffset" in region || "byteOffset" in region))
          errors.push(`/runs/${r}/results/${i}/locations/${l}/physicalLocation/region names no start`);
      });
    });
  });
  return errors;
}

// ── STIX 2.1 ─────────────────────────────────────────────────────────────────────────────

/** type--UUID, where the UUID is RFC 4122 (variant 10xx), as STIX 2.1 §2.9 requires. */
const STIX_ID =
  /^([a-z0-9][a-z0-9-]*[a-z0-9])--[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** STIX timestamps: RFC 3339, UTC ("Z"), seconds required, fraction optional (§3.2). */
const STIX_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?Z$/;

const COMMON_SDO = ["type", "spec_version", "id", "created", "modified"];
const REQUIRED: Record<string, string[]> = {
  identity: [...COMMON_SDO, "name"],
  indicator: [...COMMON_SDO, "pattern", "pattern_type", "valid_from"],
  vulnerability: [...COMMON_SDO, "name"],
  relationship: [...COMMON_SDO, "relationship_type", "source_ref", "target_ref"],
  "ipv4-addr": ["type", "id", "value"],
  "ipv6-addr": ["type", "id", "value"],
  "network-traffic": ["type", "id", "protocols"],
};
const TIME_PROPS = ["created", "modified", "valid_from", "valid_until"];
const REF_PROPS = ["created_by_ref", "dst_ref", "src_ref", "source_ref", "target_ref"];

/** Errors of a STIX 2.1 bundle (empty when valid). */
export function stixErrors(bundle: unknown): string[] {
  const errors: string[] = [];
  const b = bundle as { type?: unknown; id?: unknown; objects?: unknown; spec_version?: unknown };
  if (b.type !== "bundle") errors.push("bundle: type is not 'bundle'");
  if (typeof b.id !== "string" || !STIX_ID.test(b.id) || !b.id.startsWith("bundle--"))
    errors.push(`bundle: bad id ${String(b.id)}`);
  if ("spec_version" in b) errors.push("bundle: a 2.1 bundle has no spec_version");
  if (!Array.isArray(b.objects) || b.objects.length === 0) {
    errors.push("bundle: objects must be a non-empty array");
    return errors;
  }
  const ids = new Set<string>();
  for (const o of b.objects as Record<string, unknown>[]) {
    const id = String(o.id);
    const where = `${String(o.type)} ${id}`;
    if (typeof o.type !== "string" || !REQUIRED[o.type]) {
      errors.push(`${where}: unexpected object type`);
      continue;
    }
    for (const k of REQUIRED[o.type]!) if (o[k] === undefined) errors.push(`${where}: missing ${k}`);
    if (o.spec_version !== "2.1") errors.push(`${where}: spec_version must be 2.1`);
    if (!STIX_ID.test(id) || !id.startsWith(`${o.type}--`)) errors.push(`${where}: bad id`);
    if (ids.has(id)) errors.push(`${where}: duplicate id`);
    ids.add(id);
    for (const k of TIME_PROPS)
      if (o[k] !== undefined && (typeof o[k] !== "string" || !STIX_TIME.test(o[k] as string)))
        errors.push(`${where}: ${k} is not a STIX timestamp`);
    if (typeof o.created === "string" && typeof o.modified === "string" && o.modified < o.created)
      errors.push(`${where}: modified before created`);
    if (o.type === "indicator") {
      if (o.pattern_type === "stix" && !/^\[.+\]$/.test(String(o.pattern)))
        errors.push(`${where}: a STIX pattern is one or more [comparison] expressions`);
      if (typeof o.valid_until === "string" && o.valid_until <= String(o.valid_from))
        errors.push(`${where}: valid_until must be after valid_from`);
      if (
        o.indicator_types !== undefined &&
        (!Array.isArray(o.indicator_types) || o.indicator_types.length === 0)
      )
        errors.push(`${where}: indicator_types must be a non-empty list`);
    }
    if (o.type === "network-traffic" && o.src_ref === undefined && o.dst_ref === undefined)
      errors.push(`${where}: network-traffic needs src_ref or dst_ref`);
    for (const ext of (o.external_references as Record<string, unknown>[] | undefined) ?? []) {
      if (typeof ext.source_name !== "string")
        errors.push(`${where}: external reference without source_name`);
      if (ext.description === undefined && ext.url === undefined && ext.external_id === undefined)
        errors.push(`${where}: external reference needs description, url or external_id`);
      if (ext.source_name === "cve" && !/^CVE-\d{4}-\d{4,}$/.test(String(ext.external_id)))
        errors.push(`${where}: a cve reference's external_id is a CVE id`);
    }
  }
  for (const o of b.objects as Record<string, unknown>[])
    for (const k of REF_PROPS)
      if (o[k] !== undefined && !ids.has(String(o[k])))
        errors.push(`${String(o.id)}: ${k} points outside the bundle (${String(o[k])})`);
  return errors;
}
