// scripts/build-ocsf-schema.ts on a small OCSF-shaped schema tree written here: includes,
// extends, enum merging, dictionary types, profiles, constraints, siblings and class ids become
// a JSON Schema that accepts what OCSF accepts and rejects what it does not.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, describe, expect, it } from "vitest";
import { classJsonSchema, compileOcsf } from "../../scripts/build-ocsf-schema.ts";

const root = mkdtempSync(join(tmpdir(), "cp-ocsf-src-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, value: unknown): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), JSON.stringify(value));
}

put("version.json", { version: "9.9.0" });
put("categories.json", { attributes: { findings: { uid: 2, caption: "Findings" } } });
put("dictionary.json", {
  types: {
    attributes: {
      string_t: { caption: "String" },
      integer_t: { caption: "Integer" },
      long_t: { caption: "Long" },
      boolean_t: { caption: "Boolean" },
      float_t: { caption: "Float" },
      json_t: { caption: "JSON" },
      timestamp_t: { caption: "Timestamp", type: "long_t" },
      datetime_t: { caption: "Datetime", type: "string_t", regex: "^\\d{4}-\\d{2}-\\d{2}T" },
      ip_t: {
        caption: "IP",
        type: "string_t",
        regex: "^\\d+\\.\\d+\\.\\d+\\.\\d+$",
        max_len: 15,
        observable: 2,
      },
      port_t: { caption: "Port", type: "integer_t", range: [0, 65535] },
    },
  },
  attributes: {
    activity_id: {
      caption: "Activity ID",
      type: "integer_t",
      sibling: "activity_name",
      enum: { 0: { caption: "Unknown" }, 99: { caption: "Other" } },
    },
    activity_name: { caption: "Activity", type: "string_t" },
    category_uid: { caption: "Category ID", type: "integer_t" },
    class_uid: { caption: "Class ID", type: "integer_t" },
    type_uid: { caption: "Type ID", type: "long_t" },
    time: { caption: "Time", type: "timestamp_t" },
    severity_id: {
      caption: "Severity ID",
      type: "integer_t",
      sibling: "severity",
      enum: { 1: { caption: "Low" }, 2: { caption: "High" }, 99: { caption: "Other" } },
    },
    severity: { caption: "Severity", type: "string_t" },
    metadata: { caption: "Metadata", type: "metadata" },
    product: { caption: "Product", type: "product" },
    profiles: { caption: "Profiles", type: "string_t", is_array: true },
    version: { caption: "Version", type: "string_t" },
    name: { caption: "Name", type: "string_t" },
    uid: { caption: "UID", type: "string_t" },
    ip: { caption: "IP", type: "ip_t" },
    port: { caption: "Port", type: "port_t" },
    thing: { caption: "Thing", type: "thing" },
    hosts: { caption: "Hosts", type: "host", is_array: true },
    a: { caption: "A", type: "string_t" },
    b: { caption: "B", type: "string_t" },
    cloud: { caption: "Cloud", type: "cloud" },
    unmapped: { caption: "Unmapped", type: "object" },
    legacy: { caption: "Legacy", type: "string_t", "@deprecated": { since: "1.0.0", message: "no" } },
    observables: { caption: "Observables", type: "observable", is_array: true },
    type_id: { caption: "Type ID", type: "integer_t", enum: { 0: { caption: "Unknown" } } },
  },
});
put("profiles/cloud.json", {
  name: "cloud",
  meta: "profile",
  caption: "Cloud",
  attributes: { cloud: { requirement: "required" } },
});
put("profiles/datetime.json", { name: "datetime", meta: "profile", caption: "Date/Time", attributes: {} });
put("events/base_event.json", {
  name: "base_event",
  caption: "Base Event",
  category: "other",
  attributes: {
    $include: ["profiles/cloud.json"],
    activity_id: { requirement: "required" },
    activity_name: { requirement: "optional" },
    category_uid: { requirement: "required" },
    class_uid: { requirement: "required" },
    type_uid: { requirement: "required" },
    time: { requirement: "required" },
    severity_id: { requirement: "required" },
    severity: {},
    metadata: { requirement: "required" },
    observables: { requirement: "recommended" },
    unmapped: { requirement: "optional" },
  },
  profiles: ["cloud", "datetime"],
});
put("events/findings/finding.json", {
  name: "finding",
  caption: "Finding",
  extends: "base_event",
  category: "findings",
  attributes: { activity_id: { enum: { 1: { caption: "Create" } } } },
});
put("events/findings/thing_finding.json", {
  name: "thing_finding",
  caption: "Thing Finding",
  extends: "finding",
  uid: 9,
  attributes: {
    thing: { requirement: "required" },
    hosts: { requirement: "optional" },
    legacy: { requirement: "optional" },
  },
});
put("objects/object.json", { name: "object", caption: "Object" });
put("objects/_entity.json", {
  name: "_entity",
  caption: "Entity",
  extends: "object",
  constraints: { at_least_one: ["name", "uid"] },
  attributes: { name: { requirement: "recommended" }, uid: { requirement: "recommended" } },
});
put("objects/product.json", {
  name: "product",
  caption: "Product",
  extends: "_entity",
  attributes: { version: {} },
});
put("objects/metadata.json", {
  name: "metadata",
  caption: "Metadata",
  extends: "object",
  attributes: {
    product: { requirement: "required" },
    version: { requirement: "required" },
    profiles: { requirement: "optional" },
  },
});
put("objects/thing.json", {
  name: "thing",
  caption: "Thing",
  extends: "object",
  constraints: { just_one: ["a", "b"] },
  attributes: { a: {}, b: {}, ip: { requirement: "optional" }, port: { requirement: "optional" } },
});
put("objects/host.json", {
  name: "host",
  caption: "Host",
  extends: "object",
  attributes: { ip: { requirement: "required" }, name: { requirement: "optional", observable: 20 } },
});
put("objects/cloud.json", { name: "cloud", caption: "Cloud", extends: "object", attributes: { name: {} } });
put("objects/observable.json", {
  name: "observable",
  caption: "Observable",
  extends: "object",
  attributes: { type_id: { requirement: "required" }, name: { requirement: "required" } },
});

function validator(profiles: string[] = []) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
  (addFormats as unknown as (a: unknown) => void)(ajv);
  ajv.addKeyword("x-ocsf-version");
  ajv.addKeyword("x-ocsf-class-uid");
  const schema = classJsonSchema(compileOcsf(root), "thing_finding", { profiles });
  return { schema, validate: ajv.compile(schema) };
}

const good = {
  activity_id: 1,
  activity_name: "Create",
  category_uid: 2,
  class_uid: 2009,
  type_uid: 200901,
  time: 1_790_000_000_000,
  severity_id: 2,
  severity: "High",
  metadata: { version: "9.9.0", product: { name: "clawpatrol" } },
  thing: { a: "x", ip: "10.0.0.1", port: 18789 },
  hosts: [{ ip: "10.0.0.2" }],
  unmapped: { anything: [1, { goes: true }] },
};

describe("build-ocsf-schema", () => {
  it("resolves extends, merges enums and computes the class ids", () => {
    const { schema } = validator();
    const props = schema.properties as Record<string, Record<string, unknown>>;
    expect(schema["x-ocsf-class-uid"]).toBe(2009);
    expect(props.class_uid!.const).toBe(2009);
    expect(props.category_uid!.const).toBe(2);
    expect(props.activity_id!.enum).toEqual([0, 1, 99]);
    expect(props.type_uid!.enum).toEqual([200900, 200901, 200999]);
    expect(props.time).toMatchObject({ type: "integer" });
    expect(props.legacy).toMatchObject({ deprecated: true });
    expect(schema.required).toEqual(
      expect.arrayContaining([
        "activity_id",
        "class_uid",
        "metadata",
        "severity_id",
        "thing",
        "time",
        "type_uid",
      ]),
    );
    // observable.type_id lists every observable the schema declares (types, object attributes).
    const defs = schema.$defs as Record<string, { properties: Record<string, { enum?: number[] }> }>;
    expect(defs.observable!.properties.type_id!.enum).toEqual([0, 2, 20]);
  });

  it("accepts a conforming event and rejects what OCSF does not allow", () => {
    const { validate } = validator();
    expect(validate(good), JSON.stringify(validate.errors)).toBe(true);
    const bad: [string, unknown][] = [
      ["type_uid of another activity", { ...good, type_uid: 200999 }],
      ["sibling caption mismatch", { ...good, severity: "Low" }],
      ["unknown enum value", { ...good, severity_id: 3 }],
      ["both of a just_one pair", { ...good, thing: { a: "x", b: "y" } }],
      ["neither of a just_one pair", { ...good, thing: { ip: "10.0.0.1" } }],
      ["a type regex", { ...good, thing: { a: "x", ip: "ten" } }],
      ["a type max_len", { ...good, thing: { a: "x", ip: "1000000.0.0.1000000" } }],
      ["a type range", { ...good, thing: { a: "x", port: 70000 } }],
      ["a required object attribute", { ...good, hosts: [{ name: "n" }] }],
      [
        "an at_least_one constraint inherited from _entity",
        { ...good, metadata: { version: "9.9.0", product: {} } },
      ],
      ["an unknown attribute", { ...good, extra: 1 }],
      ["an unknown nested attribute", { ...good, thing: { a: "x", extra: 1 } }],
      ["a profile attribute without the profile", { ...good, cloud: { name: "aws" } }],
      ["a datetime sibling without the profile", { ...good, time_dt: "2026-10-01T00:00:00Z" }],
      [
        "a profile the schema was not built for",
        { ...good, metadata: { ...good.metadata, profiles: ["cloud"] } },
      ],
      ["another schema version", { ...good, metadata: { ...good.metadata, version: "9.8.0" } }],
      ["a missing required attribute", { ...good, time: undefined }],
    ];
    for (const [name, event] of bad) expect(validate(JSON.parse(JSON.stringify(event))), name).toBe(false);
    // 99 (Other) carries the source's own caption.
    expect(validate({ ...good, severity_id: 99, severity: "Spicy" })).toBe(true);
  });

  it("profiles add their attributes (and requirements) only when applied", () => {
    const { validate } = validator(["cloud", "datetime"]);
    const withProfiles = {
      ...good,
      metadata: { ...good.metadata, profiles: ["cloud", "datetime"] },
      cloud: { name: "aws" },
      time_dt: "2026-10-01T00:00:00Z",
    };
    expect(validate(withProfiles), JSON.stringify(validate.errors)).toBe(true);
    const { cloud: _, ...noCloud } = withProfiles;
    expect(validate(noCloud)).toBe(false); // cloud is required by the cloud profile
    expect(validate({ ...withProfiles, time_dt: "yesterday" })).toBe(false);
  });

  it("writes ocsf-<version>-<class>.schema.json from the command line", () => {
    const out = mkdtempSync(join(tmpdir(), "cp-ocsf-out-"));
    try {
      const script = new URL("../../scripts/build-ocsf-schema.ts", import.meta.url).pathname;
      const r = spawnSync(process.execPath, [script, root, "--out", out, "--class", "thing_finding"], {
        encoding: "utf8",
      });
      expect(r.status, r.stderr).toBe(0);
      const written = JSON.parse(readFileSync(join(out, "ocsf-9.9.0-thing_finding.schema.json"), "utf8"));
      expect(written).toEqual(JSON.parse(JSON.stringify(validator().schema)));
      const usage = spawnSync(process.execPath, [script], { encoding: "utf8" });
      expect(usage.status).toBe(2);
      expect(usage.stderr).toMatch(/^usage:/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
