// SIEM formats for findings: OCSF (against JSON Schemas compiled from the OCSF schema),
// CEF (parsed back), SARIF 2.1.0 (against its JSON Schema), STIX 2.1 (required properties,
// ids, timestamps, references, patterns).
import { describe, expect, it } from "vitest";
import { toCef } from "../../src/findings/cef.ts";
import { findingWriter, runItems } from "../../src/findings/export.ts";
import type { ExportItem } from "../../src/findings/export-item.ts";
import { findingId } from "../../src/findings/identity.ts";
import type { Finding } from "../../src/findings/model.ts";
import { OCSF_VERSION, toOcsf } from "../../src/findings/ocsf.ts";
import { toSarif } from "../../src/findings/sarif.ts";
import { toStixBundle, uuidv5 } from "../../src/findings/stix.ts";
import { findingId as storeFindingId } from "../../src/store/write.ts";
import { synthetic } from "../store/records.ts";
import { ocsfErrors, sarifErrors, stixErrors } from "./validators.ts";

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

/** A version finding as `scan` makes it: advisories with their aliases in the evidence. */
const advisoryFinding: Finding = {
  ruleId: "CP-SCAN-004",
  severity: "critical",
  title: "Gateway version has advisories exploitable without credentials",
  asset: "[2001:db8::7]:18789",
  evidence: [
    { source: "advisories", detail: "GHSA-rv39-79c4-7459 (CVE-2026-28472): device identity checks skipped" },
    { source: "advisories", detail: "GHSA-4rj2-gpmh-qq5x: a pre-auth flaw without a CVE" },
  ],
  remediation: "Upgrade to 2026.6.5 or later.",
  references: ["https://github.com/openclaw/openclaw/security/advisories"],
};
const skillFinding = {
  ruleId: "CP-SKILL-EXEC-001",
  severity: "high" as const,
  title: "Downloads and runs a remote script",
  asset: "skills/polymarket-tracker",
  evidence: [
    {
      source: "file",
      detail: "curl | bash",
      path: "skills/polymarket-tracker/SKILL.md",
      line: 15,
      column: 7,
    },
  ],
  remediation: "Remove the skill.",
  references: [],
  confidence: "high",
};
const auditFinding: Finding = {
  ruleId: "CP-AUDIT-012",
  severity: "info",
  title: "Gateway token is short",
  asset: "/home/u/.openclaw",
  evidence: [
    { source: "config", detail: "gateway.auth.token is 5 characters", location: "gateway.auth.token" },
  ],
  remediation: "Use a long random token.",
  references: [],
};
const once = (f: Finding): ExportItem => ({
  id: findingId(f),
  finding: f,
  firstSeen: "2026-10-01T00:00:00.000Z",
  lastSeen: "2026-10-01T00:00:00.000Z",
});

describe("OCSF against the OCSF schema", () => {
  const all = () => [...items(), hostileItem, once(advisoryFinding), once(skillFinding), once(auditFinding)];

  it("every event validates against the schema of its class", () => {
    const events = all().map((i) => toOcsf(i, tool));
    expect(events.length).toBeGreaterThan(20);
    expect(new Set(events.map((e) => e.class_uid))).toEqual(new Set([2002, 2004]));
    for (const e of events) expect(ocsfErrors(e), JSON.stringify(e)).toEqual([]);
    expect(events.every((e) => (e.metadata as { version: string }).version === OCSF_VERSION)).toBe(true);
  });

  it("a finding that names advisories is a Vulnerability Finding, one vulnerability per advisory", () => {
    const e = toOcsf(once(advisoryFinding), tool);
    expect([e.class_uid, e.type_uid, e.activity_id]).toEqual([2002, 200201, 1]);
    expect(e.vulnerabilities).toEqual([
      expect.objectContaining({
        cve: { uid: "CVE-2026-28472" },
        related_vulnerabilities: ["GHSA-rv39-79c4-7459"],
      }),
      expect.objectContaining({ advisory: expect.objectContaining({ uid: "GHSA-4rj2-gpmh-qq5x" }) }),
    ]);
    expect(e.device).toEqual({ ip: "2001:db8::7", type_id: 0, type: "Unknown" });
    const h = toOcsf(hostileItem, tool);
    const ids = (
      h.vulnerabilities as { cve?: { uid: string }; related_vulnerabilities?: string[] }[]
    ).flatMap((v) => [v.cve?.uid, ...(v.related_vulnerabilities ?? [])]);
    expect(ids.sort()).toEqual(["CVE-2026-12345", "GHSA-abcd-efgh-jkmn"]);
    const plain = toOcsf(items()[0]!, tool);
    expect([plain.class_uid, plain.activity_id, plain.type_uid]).toEqual([2004, 2, 200402]);
    expect(toOcsf(once(skillFinding), tool)).toMatchObject({ confidence_id: 3, confidence: "High" });
  });

  it("the id is the store's finding identity", () => {
    expect(findingId(advisoryFinding)).toBe(storeFindingId(advisoryFinding));
    expect((toOcsf(once(advisoryFinding), tool).finding_info as { uid: string }).uid).toBe(
      findingId(advisoryFinding),
    );
  });

  it("the schema rejects what OCSF does not allow", () => {
    const good = toOcsf(once(advisoryFinding), tool);
    const broken: [string, Record<string, unknown>][] = [];
    for (const k of [
      "class_uid",
      "metadata",
      "finding_info",
      "severity_id",
      "time",
      "vulnerabilities",
      "type_uid",
    ]) {
      const { [k]: _, ...rest } = good;
      broken.push([`without ${k}`, rest]);
    }
    const meta = good.metadata as Record<string, unknown>;
    broken.push(
      ["an attribute the class does not define", { ...good, remediation: { desc: "x" } }],
      ["a profile attribute without the profile", { ...good, cloud: { provider: "x" } }],
      ["a severity caption that does not match severity_id", { ...good, severity: "Low" }],
      ["an unknown severity_id", { ...good, severity_id: 7 }],
      ["a type_uid that is not class_uid * 100 + activity_id", { ...good, type_uid: 200202 }],
      ["a time that is not an integer", { ...good, time: "2026-10-01" }],
      ["another OCSF version", { ...good, metadata: { ...meta, version: "1.3.0" } }],
      ["a device address that is not an IP", { ...good, device: { ip: "gw.example", type_id: 0 } }],
      ["a device without type_id", { ...good, device: { ip: "10.0.0.1" } }],
      [
        "a vulnerability naming both a CVE and an advisory",
        { ...good, vulnerabilities: [{ cve: { uid: "CVE-2026-1" }, advisory: { uid: "GHSA-x" } }] },
      ],
    );
    for (const [name, e] of broken) expect(ocsfErrors(e), name).not.toEqual([]);
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

describe("SARIF against the SARIF 2.1.0 schema", () => {
  it("is a valid 2.1.0 log with one result per finding", () => {
    const all = [...items(), hostileItem, once(advisoryFinding), once(skillFinding), once(auditFinding)];
    const log = toSarif(
      all.map((i) => i.finding),
      tool,
    ) as { version: string; runs: { results: unknown[] }[] };
    expect(sarifErrors(log)).toEqual([]);
    expect(log.version).toBe("2.1.0");
    expect(log.runs[0]!.results.length).toBe(all.length);
    expect(sarifErrors(toSarif([], tool))).toEqual([]);
  });
  it("the schema catches a broken log", () => {
    const log = toSarif([hostile], tool) as { runs: { results: Record<string, unknown>[] }[] };
    const bad = structuredClone(log);
    bad.runs[0]!.results[0]!.level = "fatal";
    expect(sarifErrors(bad)).not.toEqual([]);
    expect(sarifErrors({ ...log, version: "2.0.0" })).not.toEqual([]);
    const noStart = structuredClone(log);
    noStart.runs[0]!.results[0]!.locations = [
      { physicalLocation: { artifactLocation: { uri: "a" }, region: { endLine: 2 } } },
    ];
    expect(sarifErrors(noStart)).not.toEqual([]);
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
    expect(stixErrors(b)).toEqual([]);
  });
  it("names each advisory once as a vulnerability, related to the indicators that name it", () => {
    const second: Finding = { ...advisoryFinding, asset: "10.1.1.1:18789" };
    const b = toStixBundle([once(advisoryFinding), once(second), once(auditFinding)], tool) as {
      objects: Record<string, unknown>[];
    };
    expect(stixErrors(b)).toEqual([]);
    const vulns = b.objects.filter((o) => o.type === "vulnerability");
    expect(vulns.map((v) => v.name).sort()).toEqual(["CVE-2026-28472", "GHSA-4rj2-gpmh-qq5x"]);
    expect(vulns.find((v) => v.name === "CVE-2026-28472")!.external_references).toEqual([
      { source_name: "cve", external_id: "CVE-2026-28472" },
      {
        source_name: "github",
        external_id: "GHSA-rv39-79c4-7459",
        url: "https://github.com/advisories/GHSA-rv39-79c4-7459",
      },
    ]);
    const indicators = b.objects.filter((o) => o.type === "indicator");
    expect(indicators).toHaveLength(2); // the host-config finding has no network indicator
    const rels = b.objects.filter((o) => o.type === "relationship");
    expect(rels).toHaveLength(4);
    for (const r of rels) {
      expect(r.relationship_type).toBe("related-to");
      expect(indicators.map((i) => i.id)).toContain(r.source_ref);
      expect(vulns.map((v) => v.id)).toContain(r.target_ref);
    }
    // Stable across exports: the same findings make the same object ids.
    const again = toStixBundle([once(advisoryFinding), once(second)], tool) as { objects: { id: string }[] };
    expect(again.objects.map((o) => o.id).sort()).toEqual(b.objects.map((o) => o.id as string).sort());
  });
  it("the checker catches a broken bundle", () => {
    const b = toStixBundle([once(advisoryFinding)], tool) as { objects: Record<string, unknown>[] };
    const find = (x: { objects: Record<string, unknown>[] }, type: string) =>
      x.objects.find((o) => o.type === type)!;
    const cases: [string, (x: { objects: Record<string, unknown>[] }) => void][] = [
      [
        "a timestamp with an offset",
        (x) => {
          find(x, "indicator").created = "2026-10-01T00:00:00+02:00";
        },
      ],
      [
        "a dangling reference",
        (x) => {
          find(x, "relationship").target_ref = "vulnerability--00000000-0000-4000-8000-000000000000";
        },
      ],
      [
        "an indicator without a pattern",
        (x) => {
          delete find(x, "indicator").pattern;
        },
      ],
      [
        "a non-UUID id",
        (x) => {
          find(x, "identity").id = "identity--clawpatrol";
        },
      ],
      [
        "a CVE reference without a CVE id",
        (x) => {
          (find(x, "vulnerability").external_references as Record<string, unknown>[])[0]!.external_id =
            "28472";
        },
      ],
    ];
    for (const [name, breakIt] of cases) {
      const copy = structuredClone(b);
      breakIt(copy);
      expect(stixErrors(copy), name).not.toEqual([]);
    }
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

describe("finding writers for one-off runs", () => {
  it("OCSF and CEF lines go out as findings arrive; SARIF and STIX are one document at the end", () => {
    for (const format of ["ocsf", "cef"] as const) {
      const out: string[] = [];
      const w = findingWriter(format, (t) => out.push(t), tool);
      w.add(runItems([hostile], "2026-10-01T00:00:00.000Z"));
      expect(out, format).toHaveLength(1);
      w.add(runItems([advisoryFinding, auditFinding], "2026-10-01T00:00:01.000Z"));
      expect(out, format).toHaveLength(3);
      w.finish();
      expect(out, format).toHaveLength(3);
    }
    for (const format of ["sarif", "stix"] as const) {
      const out: string[] = [];
      const w = findingWriter(format, (t) => out.push(t), tool);
      w.add(runItems([hostile, advisoryFinding], "2026-10-01T00:00:00.000Z"));
      expect(out, format).toHaveLength(0);
      w.finish();
      expect(out, format).toHaveLength(1);
      const doc = JSON.parse(out[0]!);
      expect(format === "sarif" ? sarifErrors(doc) : stixErrors(doc)).toEqual([]);
    }
  });
  it("a one-off item carries the store's identity and the run time as first and last seen", () => {
    const [item] = runItems([advisoryFinding], "2026-10-01T12:00:00.000Z");
    expect(item).toEqual({
      id: storeFindingId(advisoryFinding),
      finding: advisoryFinding,
      firstSeen: "2026-10-01T12:00:00.000Z",
      lastSeen: "2026-10-01T12:00:00.000Z",
    });
  });
});
