// Compiles JSON Schemas (draft 2020-12) for OCSF event classes from a checkout of the OCSF
// schema (github.com/ocsf/ocsf-schema), so tests can validate the events we emit against the
// real schema without network access.
//
//   node scripts/build-ocsf-schema.ts <ocsf-schema-dir> [--out DIR] [--class NAME]... [--profile NAME]...
//
// Defaults: --out test/fixtures/schemas, the classes clawpatrol emits (vulnerability_finding,
// detection_finding), no profiles. Writes DIR/ocsf-<version>-<class>.schema.json.
//
// How the OCSF source becomes a class (the rules the OCSF compiler and server apply):
// - `attributes.$include` merges a profile's attributes under the item's own (the item wins);
//   included profile attributes are bound to that profile unless the item says `"profile": null`.
//   An attribute-level `$include` merges that file under the attribute.
// - `extends` copies the parent (recursively) and merges the child's attributes over it, key by
//   key (nested maps such as `enum` are merged, so a class adds activity ids to base_event's).
// - Each attribute is finally merged over its dictionary.json definition (type, is_array, enum,
//   sibling, caption). Missing requirements are "optional".
// - A class's uid is category_uid * 1000 + uid; class_uid, category_uid and type_uid
//   (class_uid * 100 + activity_id, plus 0) become single-class enums.
// - With the `datetime` profile, every timestamp_t attribute gets a `<name>_dt` (datetime_t) sibling.
// - Dictionary types map to JSON types (string_t, integer_t/long_t/timestamp_t, float_t,
//   boolean_t, json_t) with their regex / max_len / range; other types are objects ($defs).
// - Profiles: like the OCSF validator, attributes of a profile exist only when the event applies
//   that profile (metadata.profiles). The schema is for events applying exactly --profile ones.
// - Objects and classes allow no other attributes, except the attribute-less `object` (open).
// - Object constraints: just_one = exactly one present; at_least_one = one or more present.
// - Enum siblings (severity for severity_id, ...) must carry the enum caption unless the id is
//   99 (Other); the OCSF validator warns about a mismatch, these schemas reject it.
// - Dictionary type regexes are enforced (the OCSF validator warns on a mismatch).
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

interface EnumEntry {
  caption?: string;
  "@deprecated"?: Json;
}

interface Attribute {
  type?: string;
  is_array?: boolean;
  enum?: Record<string, EnumEntry>;
  sibling?: string;
  requirement?: string;
  profiles?: string[] | null;
  caption?: string;
  "@deprecated"?: Json;
  [k: string]: unknown;
}

interface Item {
  name: string;
  caption?: string;
  extends?: string;
  uid?: number;
  category?: string;
  meta?: string;
  attributes: Record<string, Attribute>;
  profiles?: string[];
  constraints?: { just_one?: string[]; at_least_one?: string[] };
  annotations?: Record<string, Json>;
  "@deprecated"?: Json;
  [k: string]: unknown;
}

interface DataType {
  type?: string;
  regex?: string;
  max_len?: number;
  range?: [number, number];
  caption?: string;
}

const clone = <T>(v: T): T => structuredClone(v);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Merge source into dest in place: nested objects merge, everything else is replaced. */
function deepMerge(dest: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(source)) {
    const d = dest[k];
    if (isObject(d) && isObject(v)) deepMerge(d, v);
    else dest[k] = clone(v);
  }
}

const RANK: Record<string, number> = { optional: 1, recommended: 2, required: 3 };

/** One attribute's details merged over another's (the OCSF merge: profiles unite, requirement of two profiles is the stronger). */
function mergeAttribute(dest: Attribute, source: Attribute): void {
  for (const [k, v] of Object.entries(source)) {
    if (!(k in dest) || dest[k] === undefined) dest[k] = clone(v);
    else if (k === "profiles") {
      dest.profiles =
        v === null ? null : [...new Set([...(dest.profiles ?? []), ...((v as string[]) ?? [])])].sort();
    } else if (k === "requirement" && source.profiles && dest.profiles) {
      const a = RANK[dest.requirement ?? ""] ?? 0;
      const b = RANK[(v as string) ?? ""] ?? 0;
      dest.requirement = a >= b ? dest.requirement : (v as string);
    } else if (isObject(dest[k]) && isObject(v)) deepMerge(dest[k] as Record<string, unknown>, v);
    else dest[k] = clone(v);
  }
}

function mergeAttributes(dest: Record<string, Attribute>, source: Record<string, Attribute>): void {
  for (const [name, attr] of Object.entries(source)) {
    const d = dest[name];
    if (d) mergeAttribute(d, attr);
    else dest[name] = clone(attr);
  }
}

function readJson(path: string): JsonObject {
  const v = JSON.parse(readFileSync(path, "utf8")) as Json;
  if (!isObject(v)) throw new Error(`${path}: not a JSON object`);
  return v as JsonObject;
}

function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...jsonFiles(p));
    else if (name.endsWith(".json")) out.push(p);
  }
  return out;
}

export interface CompiledSchema {
  version: string;
  types: Record<string, DataType>;
  classes: Map<string, Item>;
  objects: Map<string, Item>;
}

/** Read an OCSF schema checkout and resolve includes, extends, dictionary details and class ids. */
export function compileOcsf(root: string): CompiledSchema {
  const version = String(readJson(join(root, "version.json")).version);
  const categories = readJson(join(root, "categories.json")).attributes as Record<
    string,
    { uid: number; caption: string }
  >;
  const dictionary = readJson(join(root, "dictionary.json"));
  const dictAttributes = dictionary.attributes as unknown as Record<string, Attribute>;
  const types = (dictionary.types as unknown as { attributes: Record<string, DataType> }).attributes;

  const includeCache = new Map<string, Item>();
  const readInclude = (rel: string): Item => {
    const p = resolve(root, rel);
    let item = includeCache.get(p);
    if (!item) {
      item = readJson(p) as unknown as Item;
      includeCache.set(p, item);
    }
    return item;
  };

  const load = (dir: string): Item[] =>
    jsonFiles(join(root, dir)).map((p) => {
      const item = readJson(p) as unknown as Item;
      item.attributes ??= {};
      // "profile": "x" → profiles: ["x"]; "profile": null → profiles: null (not profile-bound).
      for (const attr of Object.values(item.attributes)) {
        if (!isObject(attr) || !("profile" in attr)) continue;
        attr.profiles = attr.profile === null ? null : [attr.profile as string];
        delete attr.profile;
      }
      return item;
    });

  const resolveIncludes = (item: Item): void => {
    const attrs = item.attributes as Record<string, unknown>;
    const inc = attrs.$include;
    if (inc !== undefined) {
      delete attrs.$include;
      for (const rel of Array.isArray(inc) ? (inc as string[]) : [inc as string]) {
        const included = readInclude(rel);
        const merged = clone(included.attributes ?? {}) as Record<string, Attribute>;
        for (const a of Object.values(merged)) {
          if (included.meta === "profile") a.profiles = [included.name];
          for (const [k, v] of Object.entries(included.annotations ?? {})) if (!(k in a)) a[k] = v;
        }
        mergeAttributes(merged, item.attributes);
        item.attributes = merged;
      }
    }
    for (const [name, attr] of Object.entries(item.attributes)) {
      const ai = (attr as Record<string, unknown>).$include;
      if (typeof ai !== "string") continue;
      delete (attr as Record<string, unknown>).$include;
      const base = clone(readInclude(ai)) as unknown as Attribute;
      deepMerge(base as Record<string, unknown>, attr as Record<string, unknown>);
      item.attributes[name] = base;
    }
  };

  const byName = (list: Item[], kind: string): Map<string, Item> => {
    const map = new Map<string, Item>();
    const patches: Item[] = [];
    for (const item of list) {
      resolveIncludes(item);
      if (item.extends === item.name) patches.push(item);
      else if (map.has(item.name)) throw new Error(`${kind} "${item.name}" is defined twice`);
      else map.set(item.name, item);
    }
    for (const p of patches) {
      const base = map.get(p.name);
      if (!base) throw new Error(`${kind} patch "${p.name}" has no base`);
      mergeAttributes(base.attributes, p.attributes);
      if (p.profiles) base.profiles = [...new Set([...(base.profiles ?? []), ...p.profiles])].sort();
      if (p.constraints) base.constraints = p.constraints;
    }
    return map;
  };

  const flatten = (items: Map<string, Item>, kind: string): Map<string, Item> => {
    const done = new Map<string, Item>();
    const resolveOne = (name: string, chain: string[]): Item => {
      const hit = done.get(name);
      if (hit) return hit;
      const item = items.get(name);
      if (!item) throw new Error(`${kind} "${chain.at(-1)}" extends undefined ${kind} "${name}"`);
      if (chain.includes(name)) throw new Error(`${kind} extends cycle: ${[...chain, name].join(" → ")}`);
      let out: Item;
      if (item.extends) {
        out = clone(resolveOne(item.extends, [...chain, name]));
        for (const [k, v] of Object.entries(item)) {
          if (k === "attributes") mergeAttributes(out.attributes, item.attributes);
          else if (k === "profiles")
            out.profiles = [...new Set([...(out.profiles ?? []), ...(v as string[])])].sort();
          else out[k] = clone(v);
        }
      } else out = clone(item);
      done.set(name, out);
      return out;
    };
    for (const name of items.keys()) resolveOne(name, []);
    return done;
  };

  const rawClasses = byName(load("events"), "class");
  const rawObjects = byName(load("objects"), "object");
  const observableIds = observableTypeIds(dictAttributes, types, rawClasses, rawObjects);
  const classes = flatten(rawClasses, "class");
  const objects = flatten(rawObjects, "object");
  // observable.type_id enumerates every observable type the schema declares anywhere.
  const observable = objects.get("observable");
  if (observable) {
    const typeId = observable.attributes.type_id ?? {};
    observable.attributes.type_id = typeId;
    typeId.enum = { ...(typeId.enum ?? {}), ...observableIds };
  }

  // Datetime siblings, default requirements, then dictionary details under each attribute.
  const datetime = existsProfile(root, "datetime") && "datetime_t" in types;
  for (const item of [...classes.values(), ...objects.values()]) {
    for (const [name, attr] of Object.entries(item.attributes)) {
      const type = attr.type ?? dictAttributes[name]?.type;
      if (datetime && type === "timestamp_t" && !(`${name}_dt` in item.attributes)) {
        item.attributes[`${name}_dt`] = {
          ...clone(attr),
          type: "datetime_t",
          profiles: ["datetime"],
          requirement: "optional",
        };
      }
    }
    for (const [name, attr] of Object.entries(item.attributes)) {
      const base =
        name.endsWith("_dt") && !dictAttributes[name]
          ? dictAttributes[name.slice(0, -3)]
          : dictAttributes[name];
      if (!base) throw new Error(`attribute "${name}" of "${item.name}" is not in the dictionary`);
      const merged = clone(base);
      deepMerge(merged as Record<string, unknown>, attr as Record<string, unknown>);
      if (name.endsWith("_dt") && !dictAttributes[name]) merged.type = "datetime_t";
      merged.requirement ??= "optional";
      item.attributes[name] = merged;
    }
  }
  // Class ids: category * 1000 + uid; the uid enums are the class's own (type_uid from the
  // activity ids the class allows once the dictionary's are merged in).
  for (const [name, cls] of [...classes]) {
    if (cls.uid === undefined) {
      classes.delete(name); // abstract (finding, ...) or base_event: not emitted
      continue;
    }
    const category = cls.category ? categories[cls.category] : undefined;
    if (!category) throw new Error(`class "${name}" has unknown category "${cls.category}"`);
    const uid = category.uid * 1000 + cls.uid;
    cls.uid = uid;
    const activities = cls.attributes.activity_id?.enum;
    if (!activities) throw new Error(`class "${name}" has no activity_id enum`);
    const typeEnum: Record<string, EnumEntry> = {
      [String(uid * 100)]: { caption: `${cls.caption}: Unknown` },
    };
    for (const [k, v] of Object.entries(activities))
      typeEnum[String(uid * 100 + Number(k))] = { caption: `${cls.caption}: ${v.caption ?? ""}` };
    cls.attributes.type_uid = { ...(cls.attributes.type_uid ?? {}), enum: typeEnum };
    cls.attributes.class_uid = {
      ...(cls.attributes.class_uid ?? {}),
      enum: { [String(uid)]: { caption: cls.caption ?? name } },
    };
    cls.attributes.category_uid = {
      ...(cls.attributes.category_uid ?? {}),
      enum: { [String(category.uid)]: { caption: category.caption } },
    };
    cls.category_uid = category.uid;
  }

  return { version, types, classes, objects };
}

/**
 * Observable type ids: declared by dictionary types and attributes (`observable`), by objects
 * (top-level `observable`), by class and object attributes, and by class attribute paths
 * (`observables`), each with the caption the OCSF compiler gives it. Read before `extends` is
 * flattened, so an id declared once is counted once.
 */
function observableTypeIds(
  dictAttributes: Record<string, Attribute>,
  types: Record<string, DataType & { observable?: number }>,
  classes: Map<string, Item>,
  objects: Map<string, Item>,
): Record<string, EnumEntry> {
  const ids: Record<string, EnumEntry> = {};
  const add = (id: unknown, caption: string) => {
    if (typeof id !== "number") return;
    if (String(id) in ids) throw new Error(`observable type_id ${id} declared twice`);
    ids[String(id)] = { caption };
  };
  const captionOf = (items: Map<string, Item>, item: Item): string => {
    let cur: Item | undefined = item;
    while (cur && cur.caption === undefined) cur = cur.extends ? items.get(cur.extends) : undefined;
    return cur?.caption ?? item.name;
  };
  for (const t of Object.values(types)) add(t.observable, t.caption ?? "");
  for (const a of Object.values(dictAttributes)) add(a.observable, a.caption ?? "");
  for (const [kind, items] of [
    ["Class", classes],
    ["Object", objects],
  ] as const) {
    for (const item of items.values()) {
      const caption = captionOf(items, item);
      if (kind === "Object") add(item.observable, caption);
      for (const [name, a] of Object.entries(item.attributes))
        add(a.observable, `${caption} ${kind}: ${name}`);
      for (const [path, id] of Object.entries((item.observables as Record<string, number> | undefined) ?? {}))
        add(id, `${caption} ${kind}: ${path}`);
    }
  }
  return ids;
}

function existsProfile(root: string, name: string): boolean {
  try {
    return statSync(join(root, "profiles", `${name}.json`)).isFile();
  } catch {
    return false;
  }
}

/** JSON Schema's if/then keywords (plain data, never awaited). */
const ifThen = (condition: Json, consequence: Json): JsonObject => ({
  if: condition,
  // biome-ignore lint/suspicious/noThenProperty: the JSON Schema keyword, in plain data
  then: consequence,
});

const PRIMITIVE: Record<string, JsonObject> = {
  string_t: { type: "string" },
  integer_t: { type: "integer" },
  long_t: { type: "integer" },
  float_t: { type: "number" },
  boolean_t: { type: "boolean" },
  json_t: {},
};

/** JSON Schema of a dictionary type: its primitive plus every constraint along its `type` chain. */
function typeSchema(
  types: Record<string, DataType>,
  name: string,
): { schema: JsonObject; primitive: string } {
  const schema: JsonObject = {};
  let cur: string | undefined = name;
  const seen = new Set<string>();
  while (cur && !PRIMITIVE[cur]) {
    if (seen.has(cur)) throw new Error(`type cycle at ${cur}`);
    seen.add(cur);
    const t: DataType | undefined = types[cur];
    if (!t) throw new Error(`unknown type ${cur}`);
    if (t.regex !== undefined && schema.pattern === undefined) {
      new RegExp(t.regex, "u"); // fail here, not in a test, if the pattern is not a valid JS regex
      schema.pattern = t.regex;
    }
    if (t.max_len !== undefined && schema.maxLength === undefined) schema.maxLength = t.max_len;
    if (t.range && schema.minimum === undefined) {
      schema.minimum = t.range[0];
      schema.maximum = t.range[1];
    }
    cur = t.type;
  }
  if (!cur) throw new Error(`type ${name} has no primitive`);
  return { schema: { ...PRIMITIVE[cur], ...schema }, primitive: cur };
}

export interface BuildOptions {
  profiles?: readonly string[];
  source?: string;
}

/** The JSON Schema of one event class, for events that apply exactly `profiles`. */
export function classJsonSchema(c: CompiledSchema, className: string, opts: BuildOptions = {}): JsonObject {
  const cls = c.classes.get(className);
  if (!cls) throw new Error(`no class "${className}" in OCSF ${c.version}`);
  const applied = new Set(opts.profiles ?? []);
  const visible = (a: Attribute) => !a.profiles || a.profiles.some((p) => applied.has(p));
  const defs: Record<string, JsonObject> = {};
  const queue: string[] = [];

  const attributeSchema = (a: Attribute): JsonObject => {
    const type = a.type ?? "";
    let s: JsonObject;
    if (c.types[type] || PRIMITIVE[type]) {
      const { schema, primitive } = typeSchema(c.types, type);
      s = { title: a.caption ?? "", ...schema };
      if (a.enum) {
        const keys = Object.keys(a.enum).sort((x, y) => Number(x) - Number(y) || x.localeCompare(y));
        const values = primitive === "string_t" ? keys : keys.map(Number);
        if (values.length === 1) s.const = values[0]!;
        else s.enum = values;
      }
    } else {
      if (!c.objects.has(type)) throw new Error(`unknown object type "${type}"`);
      if (!(type in defs) && !queue.includes(type)) queue.push(type);
      s = { title: a.caption ?? "", $ref: `#/$defs/${type}` };
    }
    if (a["@deprecated"]) s.deprecated = true;
    if (!a.is_array) return s;
    const { title, ...items } = s;
    return { title: title ?? "", type: "array", items };
  };

  const itemSchema = (item: Item, top: boolean): JsonObject => {
    const attrs = Object.entries(item.attributes)
      .filter(([, a]) => visible(a))
      .sort(([x], [y]) => x.localeCompare(y));
    const properties: JsonObject = {};
    const required: string[] = [];
    const constrained = new Set([
      ...(item.constraints?.just_one ?? []),
      ...(item.constraints?.at_least_one ?? []),
    ]);
    for (const [name, a] of attrs) {
      properties[name] = attributeSchema(a);
      if (a.requirement === "required" && !constrained.has(name)) required.push(name);
    }
    const s: JsonObject = { type: "object", title: item.caption ?? item.name };
    if (item["@deprecated"]) s.deprecated = true;
    s.properties = properties;
    if (required.length > 0) s.required = required;
    // The attribute-less `object` type is OCSF's open object (unmapped, xattributes).
    s.additionalProperties = attrs.length === 0 && Object.keys(item.attributes).length === 0;
    const all: Json[] = [];
    if (item.constraints?.just_one?.length)
      all.push({ oneOf: item.constraints.just_one.map((n) => ({ required: [n] })) });
    if (item.constraints?.at_least_one?.length)
      all.push({ anyOf: item.constraints.at_least_one.map((n) => ({ required: [n] })) });
    // Enum siblings carry the enum's caption (99 = Other carries the source's own text).
    for (const [name, a] of attrs) {
      if (!a.enum || !a.sibling || a.is_array) continue;
      const sib = item.attributes[a.sibling];
      if (!sib || !visible(sib) || sib.is_array) continue;
      const numeric = typeSchema(c.types, a.type ?? "string_t").primitive !== "string_t";
      const cases: Json[] = [];
      for (const [k, v] of Object.entries(a.enum)) {
        if (k === "99" || v.caption === undefined) continue;
        cases.push({
          properties: { [name]: { const: numeric ? Number(k) : k }, [a.sibling]: { const: v.caption } },
        });
      }
      if (a.enum["99"]) cases.push({ properties: { [name]: { const: numeric ? 99 : "99" } } });
      all.push(ifThen({ required: [name, a.sibling] }, { anyOf: cases }));
    }
    if (top) {
      // type_uid = class_uid * 100 + activity_id (the validator's type_uid check).
      for (const k of Object.keys(item.attributes.activity_id?.enum ?? {})) {
        all.push(
          ifThen(
            { required: ["activity_id"], properties: { activity_id: { const: Number(k) } } },
            { properties: { type_uid: { const: (item.uid as number) * 100 + Number(k) } } },
          ),
        );
      }
      // The event's metadata names the schema version and exactly the applied profiles.
      all.push({
        properties: {
          metadata: {
            properties: {
              version: { const: c.version },
              profiles: applied.size > 0 ? { items: { enum: [...applied].sort() } } : { maxItems: 0 },
            },
          },
        },
      });
    }
    if (all.length > 0) s.allOf = all;
    return s;
  };

  const root = itemSchema(cls, true);
  while (queue.length > 0) {
    const name = queue.shift()!;
    defs[name] = itemSchema(c.objects.get(name)!, false);
  }
  const sortedDefs: JsonObject = {};
  for (const k of Object.keys(defs).sort()) sortedDefs[k] = defs[k]!;
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `urn:clawpatrol:ocsf:${c.version}:${className}`,
    title: `OCSF ${c.version} ${cls.caption} (class_uid ${cls.uid})`,
    description: `Generated by scripts/build-ocsf-schema.ts from the OCSF schema ${c.version}${opts.source ? ` (${opts.source})` : ""}${applied.size > 0 ? `, profiles: ${[...applied].join(", ")}` : ", no profiles applied"}. Do not edit by hand.`,
    "x-ocsf-version": c.version,
    "x-ocsf-class-uid": cls.uid as number,
    ...root,
    $defs: sortedDefs,
  };
}

function main(argv: string[]): void {
  const args = [...argv];
  let out = "test/fixtures/schemas";
  const classNames: string[] = [];
  const profiles: string[] = [];
  let source: string | undefined;
  let dir: string | undefined;
  while (args.length > 0) {
    const a = args.shift()!;
    if (a === "--out") out = args.shift() ?? out;
    else if (a === "--class") classNames.push(args.shift() ?? "");
    else if (a === "--profile") profiles.push(args.shift() ?? "");
    else if (a === "--source") source = args.shift();
    else if (a.startsWith("-")) throw new Error(`unknown option ${a}`);
    else dir = a;
  }
  if (!dir) {
    process.stderr.write(
      "usage: node scripts/build-ocsf-schema.ts <ocsf-schema-dir> [--out DIR] [--class NAME]... [--profile NAME]... [--source TEXT]\n",
    );
    process.exit(2);
  }
  const compiled = compileOcsf(dir);
  for (const name of classNames.length > 0 ? classNames : ["vulnerability_finding", "detection_finding"]) {
    const schema = classJsonSchema(compiled, name, { profiles, ...(source ? { source } : {}) });
    const path = join(out, `ocsf-${compiled.version}-${name}.schema.json`);
    writeFileSync(path, `${JSON.stringify(schema, null, 1)}\n`);
    process.stdout.write(`wrote ${path} (${Object.keys(schema.$defs as JsonObject).length} objects)\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
