// SIEM formats for stored findings: OCSF (against a schema of the required OCSF 1.x fields),
// CEF (parsed back), SARIF 2.1.0, STIX 2.1 (required properties, ids, patterns).
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { toCef } from "../../src/findings/cef.ts";
import type { ExportItem } from "../../src/findings/export-item.ts";
import type { Finding } from "../../src/findings/model.ts";
import { toOcsf } from "../../src/findings/ocsf.ts";
import { toSarif } from "../../src/findings/sarif.ts";
import { toStixBundle, uuidv5 } from "../../src/findings/stix.ts";
import { findingId } from "../../src/store/write.ts";
import { synthetic } from "../store/records.ts";
import { OCSF_FINDING_SCHEMA } from "./ocsf-schema.ts";

const tool = { name: "clawpatrol", version: "0.1.0" };

function items(): ExportItem[] {
  const out: ExportItem[] = [];
  for (let i = 0; i < 60; i++)
    for (const f of synthetic(i, 2).findings)
      out.push({
        id: findingId(f),
        finding: f,
        firstSeen: "2026-10-01T00:00:00.000Z",
        lastSeen: "2026-10-03T00:00:00.000Z",
      });
  return out;
}

const hostile: Finding = {
  ruleId: "CP-SCAN-005",
  severity: "high",
  title: "pipes | and back\\slashes = equals",
  asset: "10.9.8.7:18789",
  evidence: [
    { source: "GET /", detail: "version a=b | c\\d\nnext line names GHSA-abcd-efgh-jkmn and CVE-2026-12345" },
  ],
  remediation: "upgrade = now",
  references: ["https://example.invalid/a?b=c"],
};
const hostileItem: ExportItem = {
  id: findingId(hostile),
  finding: hostile,
  firstSeen: "2026-10-01T00:00:00.000Z",
  lastSeen: "2026-10-01T00:00:00.000Z",
};

describe("OCSF", () => {
  const schema = z.fromJSONSchema(OCSF_FINDING_SCHEMA as unknown as Parameters<typeof z.fromJSONSchema>[0]);
  it("every event has the required attributes of its class", () => {
    const all = [...items(), hostileItem];
    expect(all.length).toBeGreaterThan(20);
    for (const i of all) {
      const e = toOcsf(i, tool);
      const r = schema.safeParse(e);
      expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
      expect(e.type_uid).toBe((e.class_uid as number) * 100 + (e.activity_id as number));
    }
  });
  it("a finding that names advisories is a Vulnerability Finding with them", () => {
    const e = toOcsf(hostileItem, tool);
    expect(e.class_uid).toBe(2002);
    expect(e.activity_id).toBe(1);
    const v = e.vulnerabilities as { cve?: { uid: string }; advisory?: { uid: string } }[];
    expect(v.map((x) => x.cve?.uid ?? x.advisory?.uid).sort()).toEqual([
      "CVE-2026-12345",
      "GHSA-abcd-efgh-jkmn",
    ]);
    const plain = toOcsf(items()[0]!, tool);
    expect(plain.class_uid).toBe(2004);
    expect(plain.activity_id).toBe(2);
  });
  it("the schema rejects events missing required attributes", () => {
    const e = toOcsf(hostileItem, tool);
    for (const k of ["class_uid", "metadata", "finding_info", "severity_id", "time", "vulnerabilities"]) {
      const { [k]: _, ...rest } = e;
      expect(schema.safeParse(rest).success, k).toBe(false);
    }
  });
});

/** A CEF parser written from the spec, independent of the writer. */
function parseCef(line: string): { header: string[]; ext: Record<string, string> } {
  const header: string[] = [];
  let cur = "";
  let i = 0;
  while (header.length < 7) {
    const c = line[i++];
    if (c === undefined) throw new Error("short header");
    if (c === "\\") cur += line[i++];
    else if (c === "|") {
      header.push(cur);
      cur = "";
    } else cur += c;
  }
  const rest = line.slice(i);
  const ext: Record<string, string> = {};
  // Keys are [A-Za-z0-9_]+ followed by an unescaped '='; a value runs to the next ' key='.
  const re = /(?:^| )([A-Za-z0-9_]+)=/g;
  const marks: { key: string; start: number; end: number }[] = [];
  for (const m of rest.matchAll(re)) {
    const bs = /\\*$/.exec(rest.slice(0, m.index))![0].length;
    if (bs % 2 === 1) continue;
    marks.push({ key: m[1]!, start: m.index!, end: m.index! + m[0].length });
  }
  for (let k = 0; k < marks.length; k++) {
    const raw = rest.slice(marks[k]!.end, k + 1 < marks.length ? marks[k + 1]!.start : rest.length);
    ext[marks[k]!.key] = raw.replace(/\\(.)/g, (_m, c: string) => (c === "n" ? "\n" : c === "r" ? "\r" : c));
  }
  return { header, ext };
}

describe("CEF", () => {
  it("escapes header and extension values so the line parses back", () => {
    const line = toCef(hostileItem, { vendor: "clawpatrol", ...tool });
    expect(line).not.toMatch(/\n/);
    const { header, ext } = parseCef(line);
    expect(header).toEqual(["CEF:0", "clawpatrol", "clawpatrol", "0.1.0", "CP-SCAN-005", hostile.title, "8"]);
    expect(ext.dst).toBe("10.9.8.7");
    expect(ext.dpt).toBe("18789");
    expect(ext.cs3).toBe("upgrade = now");
    expect(ext.msg).toBe(hostile.evidence[0]!.detail);
    expect(ext.cs2).toBe("CVE-2026-12345,GHSA-abcd-efgh-jkmn");
    expect(ext.externalId).toBe(hostileItem.id);
    expect(Number(ext.rt)).toBe(Date.parse(hostileItem.lastSeen));
  });
  it("every stored finding makes one parseable line", () => {
    for (const i of items()) {
      const { header, ext } = parseCef(toCef(i, { vendor: "clawpatrol", ...tool }));
      expect(header[4]).toBe(i.finding.ruleId);
      expect(ext.cs1).toBe(i.finding.asset);
    }
  });
});

describe("SARIF", () => {
  it("is a 2.1.0 log with one result per finding", () => {
    const all = items();
    const log = toSarif(
      all.map((i) => i.finding),
      tool,
    ) as { version: string; $schema: string; runs: { results: unknown[] }[] };
    expect(log.version).toBe("2.1.0");
    expect(log.runs[0]!.results.length).toBe(all.length);
  });
});

describe("STIX 2.1", () => {
  const ID = /^[a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  it("is a bundle of indicators with valid ids, required properties and patterns", () => {
    const all = [...items(), hostileItem];
    const b = toStixBundle(all, tool) as { type: string; id: string; objects: Record<string, unknown>[] };
    expect(b.type).toBe("bundle");
    expect(b.id).toMatch(/^bundle--/);
    const ids = new Set<string>();
    for (const o of b.objects) {
      expect(o.id as string).toMatch(ID);
      expect((o.id as string).startsWith(`${o.type}--`)).toBe(true);
      expect(o.spec_version).toBe("2.1");
      expect(ids.has(o.id as string)).toBe(false);
      ids.add(o.id as string);
    }
    for (const o of b.objects) {
      for (const ref of ["created_by_ref", "dst_ref"])
        if (o[ref]) expect(ids.has(o[ref] as string)).toBe(true);
    }
    const indicators = b.objects.filter((o) => o.type === "indicator");
    expect(indicators.length).toBe(all.length);
    for (const ind of indicators) {
      for (const k of ["created", "modified", "pattern", "pattern_type", "valid_from"])
        expect(ind[k], k).toBeDefined();
      expect(ind.pattern_type).toBe("stix");
      expect(ind.pattern as string).toMatch(
        /^\[network-traffic:dst_ref\.type = 'ipv[46]-addr' AND network-traffic:dst_ref\.value = '[0-9a-f.:]+' AND network-traffic:dst_port = \d{1,5}\]$/,
      );
      expect(Date.parse(ind.valid_from as string)).not.toBeNaN();
    }
    const addrs = b.objects.filter((o) => o.type === "ipv4-addr");
    expect(addrs.length).toBeGreaterThan(0);
  });
  it("makes SCO ids the STIX way (UUIDv5 in the STIX namespace)", () => {
    // Known UUIDv5 vector: the DNS namespace and "python.org".
    expect(uuidv5("python.org", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")).toBe(
      "886313e1-3b8a-5372-9b90-0c9aee199e5d",
    );
    const b = toStixBundle([hostileItem], tool) as { objects: Record<string, unknown>[] };
    const addr = b.objects.find((o) => o.type === "ipv4-addr")!;
    expect(addr.id).toBe(
      `ipv4-addr--${uuidv5('{"value":"10.9.8.7"}', "00abedb4-aa42-466c-9c01-fed23315a9b7")}`,
    );
  });
});
