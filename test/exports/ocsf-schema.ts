// A minimal JSON Schema of what OCSF 1.x requires of the two finding classes we emit,
// written from the public OCSF schema (base_event, finding, vulnerability_finding,
// detection_finding and the metadata / product / finding_info objects): the attributes
// marked "required" there, with their types and the enum values our classes allow.
const epochMs = { type: "integer", minimum: 0 };

const base = {
  type: "object",
  required: [
    "activity_id",
    "category_uid",
    "class_uid",
    "metadata",
    "severity_id",
    "time",
    "type_uid",
    "finding_info",
  ],
  properties: {
    activity_id: { type: "integer", enum: [0, 1, 2, 3, 99] },
    category_uid: { const: 2 },
    severity_id: { type: "integer", enum: [0, 1, 2, 3, 4, 5, 6, 99] },
    time: epochMs,
    type_uid: { type: "integer" },
    status_id: { type: "integer", enum: [0, 1, 2, 3, 4, 5, 6, 99] },
    metadata: {
      type: "object",
      required: ["product", "version"],
      properties: {
        version: { type: "string", pattern: "^1\\.\\d+\\.\\d+" },
        product: {
          type: "object",
          required: ["vendor_name"],
          properties: { vendor_name: { type: "string" }, name: { type: "string" } },
        },
      },
    },
    finding_info: {
      type: "object",
      required: ["uid", "title"],
      properties: { uid: { type: "string", minLength: 1 }, title: { type: "string", minLength: 1 } },
    },
  },
} as const;

export const OCSF_FINDING_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "OCSF 1.x Vulnerability Finding (2002) / Detection Finding (2004): required attributes",
  oneOf: [
    {
      ...base,
      required: [...base.required, "vulnerabilities"],
      properties: {
        ...base.properties,
        class_uid: { const: 2002 },
        vulnerabilities: {
          type: "array",
          minItems: 1,
          items: { type: "object", minProperties: 1 },
        },
      },
    },
    { ...base, properties: { ...base.properties, class_uid: { const: 2004 } } },
  ],
};
