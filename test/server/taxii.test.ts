// serve's TAXII 2.1 server of the STIX picture, on a store written the way scans write it: real
// records (the recorded zoo gateways through the real fingerprint and the shipped advisories),
// moved to public IPv4 / IPv6 and private addresses, in two runs two days apart (the private
// one gone by the second). Every resource is checked against the TAXII 2.1 resource schemas and
// every STIX object against the OASIS STIX 2.1 JSON schemas; `export --format stix` must give the
// same objects.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlaceDb } from "../../src/enrich/place.ts";
import { addStoredSuppression } from "../../src/findings/stored-suppressions.ts";
import { evidencePin } from "../../src/findings/suppress.ts";
import { transcriptFromJson } from "../../src/fingerprints/transcript.ts";
import { scanAdvisor } from "../../src/scan/advise.ts";
import { observe } from "../../src/scan/engine.ts";
import type { Observation } from "../../src/scan/record.ts";
import { createApp } from "../../src/server/app.ts";
import { COLLECTION_ID } from "../../src/server/taxii/routes.ts";
import { openStore, type Store } from "../../src/store/db.ts";
import { beginRun, completeRun, RunWriter } from "../../src/store/write.ts";
import {
  stixObjectErrors,
  stixSchemaErrors,
  type TaxiiResource,
  taxiiErrors,
} from "../exports/stix-schemas.ts";
import { runClawpatrol } from "../support/cli.ts";
import { describeLive } from "../support/live.ts";
import { REPO_ROOT } from "../support/zoo.ts";
import { dropSchema, freshSchemaUrl } from "./support.ts";

const home = mkdtempSync(join(tmpdir(), "clawpatrol-taxii-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const TAXII = "application/taxii+json;version=2.1";
const ROOT = "http://127.0.0.1/taxii2/clawpatrol/";
const COLLECTION = `${ROOT}collections/${COLLECTION_ID}/`;
const DAY1 = "2026-10-01T08:00:00.000Z";
const DAY3 = "2026-10-03T08:00:00.000Z";

/** A recorded zoo gateway through the real fingerprint and advisories, moved to ip:port. */
function gateway(transcript: string, ip: string, port: number, scannedAt: string): Observation {
  const o = observe(
    transcriptFromJson(readFileSync(new URL(`../fixtures/zoo/local/${transcript}`, import.meta.url), "utf8")),
    scanAdvisor(),
  );
  const asset = ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
  return {
    ...o,
    host: ip,
    ip,
    port,
    url: `http://${asset}/`,
    exposure: "network",
    scannedAt,
    findings: o.findings.map((f) => ({ ...f, asset })),
  };
}

const PLAN = [
  { transcript: "oc415-loopback-noauth.json", ip: "1.1.1.1", port: 18789 },
  { transcript: "oc527-lan-token.json", ip: "2606:4700:4700::1111", port: 18789 },
  { transcript: "oc96-loopback-noauth.json", ip: "8.8.8.8", port: 18789 },
  { transcript: "oc313-lan-token.json", ip: "10.0.0.7", port: 18789 },
];

async function writeRun(store: Store, id: string, at: string, which: typeof PLAN): Promise<void> {
  await beginRun(store.db, {
    id,
    kind: "scan",
    startedAt: at,
    scope: { ranges: [["10.0.0.0", "10.0.0.255"]], ports: [18789] },
  });
  const w = new RunWriter(store.db, id);
  for (const p of which) await w.add(gateway(p.transcript, p.ip, p.port, at));
  await w.flush();
  await completeRun(store.db, id, at);
}

type Json = Record<string, unknown>;
type StixObj = Json & { id: string; type: string };

let store: Store;
let app: ReturnType<typeof createApp>;
const get = (url: string, headers: Record<string, string> = { Accept: TAXII }) =>
  app.request(url, { headers });
async function resource(url: string, kind: TaxiiResource): Promise<{ res: Response; body: Json }> {
  const res = await get(url);
  expect(res.status, url).toBe(200);
  expect(res.headers.get("content-type")).toBe(TAXII);
  const body = (await res.json()) as Json;
  expect(taxiiErrors(kind, body), url).toEqual([]);
  return { res, body };
}
/** Every object of the collection, page by page (limit per page), checking each envelope. */
async function allObjects(query: string, limit: number): Promise<{ objects: StixObj[]; pages: number }> {
  const objects: StixObj[] = [];
  let next: string | undefined;
  let pages = 0;
  do {
    const q = new URLSearchParams(query);
    q.set("limit", String(limit));
    if (next) q.set("next", next);
    const { res, body } = await resource(`${COLLECTION}objects/?${q}`, "envelope");
    pages++;
    const page = (body.objects ?? []) as StixObj[];
    expect(page.length).toBeLessThanOrEqual(limit);
    if (page.length > 0) {
      expect(res.headers.get("x-taxii-date-added-first")).toMatch(/Z$/);
      expect(res.headers.get("x-taxii-date-added-last")).toMatch(/Z$/);
    }
    objects.push(...page);
    next = body.more ? (body.next as string) : undefined;
    if (body.more) expect(typeof body.next).toBe("string");
  } while (next);
  return { objects, pages };
}

beforeAll(async () => {
  store = await openStore({ dataDir: join(home, "db") });
  await writeRun(store, "run-day1", DAY1, PLAN);
  await writeRun(store, "run-day3", DAY3, PLAN.slice(0, 3));
  await store.close();
  store = await openStore({ dataDir: join(home, "db") });
  app = createApp(store);
}, 120_000);
afterAll(async () => {
  await store?.close();
});

describe("TAXII 2.1 resources", { timeout: 120_000 }, () => {
  it("discovery, API root, collections and the collection are TAXII 2.1 resources", async () => {
    const { body: discovery } = await resource("http://127.0.0.1/taxii2/", "discovery");
    expect(discovery.api_roots).toEqual([ROOT]);
    const { body: root } = await resource(ROOT, "api-root");
    expect(root.versions).toEqual([TAXII]);
    const { body: list } = await resource(`${ROOT}collections/`, "collections");
    const collections = list.collections as Json[];
    expect(collections.map((c) => c.id)).toEqual([COLLECTION_ID]);
    const { body: one } = await resource(COLLECTION, "collection");
    expect(one).toMatchObject({
      can_read: true,
      can_write: false,
      media_types: ["application/stix+json;version=2.1"],
    });
  });

  it("publishes each gateway as schema-valid STIX: infrastructure, address, AS, country, software, advisories", async () => {
    const { objects } = await allObjects("", 1000);
    expect(
      stixSchemaErrors({ type: "bundle", id: "bundle--6f3c1d9e-4b2a-4e57-9a40-2b8e5d7c1f03", objects }),
    ).toEqual([]);
    expect(stixObjectErrors(objects)).toEqual([]);
    const byId = new Map(objects.map((o) => [o.id, o]));
    expect(byId.size).toBe(objects.length);
    const of = (type: string) => objects.filter((o) => o.type === type);

    // One infrastructure per gateway; the private one is gone since the second run.
    const infra = of("infrastructure");
    expect(infra.map((o) => o.name).sort()).toEqual([
      "openclaw 2026.3.13 at 10.0.0.7:18789",
      "openclaw 2026.4.15 at 1.1.1.1:18789",
      "openclaw 2026.5.27 at [2606:4700:4700::1111]:18789",
      "openclaw 2026.9.6 at 8.8.8.8:18789",
    ]);
    const closed = infra.find((o) => String(o.name).includes("10.0.0.7"))!;
    expect(closed).toMatchObject({ x_clawpatrol_state: "closed", created: DAY1, modified: DAY3 });
    const open = infra.find((o) => String(o.name).includes("1.1.1.1"))!;
    expect(open).toMatchObject({
      x_clawpatrol_state: "open",
      x_clawpatrol_auth: "not-required",
      created: DAY1,
      modified: DAY3,
    });

    // Addresses, AS and country as the offline database places them (enriched when stored).
    const places = new PlaceDb();
    const rels = of("relationship");
    const targets = (source: string, type: string) =>
      rels
        .filter((r) => r.source_ref === source && r.relationship_type === type)
        .map((r) => byId.get(r.target_ref as string)!);
    for (const p of PLAN) {
      const i = infra.find((o) => String(o.name).includes(p.ip))!;
      const parts = targets(i.id, "consists-of");
      const addr = parts.find((o) => o.type === (p.ip.includes(":") ? "ipv6-addr" : "ipv4-addr"))!;
      expect(addr.value).toBe(p.ip);
      expect(parts.find((o) => o.type === "network-traffic")).toMatchObject({
        dst_ref: addr.id,
        dst_port: p.port,
      });
      expect(parts.find((o) => o.type === "software")?.name).toBe("openclaw");
      const place = places.lookup(p.ip);
      const located = targets(i.id, "located-at");
      if (place.country) expect(located.map((l) => l.country)).toEqual([place.country]);
      else expect(located).toEqual([]);
      if (place.asn) {
        const as = byId.get((addr.belongs_to_refs as string[])[0]!)!;
        expect(as).toMatchObject({ type: "autonomous-system", number: place.asn });
      } else expect(addr.belongs_to_refs).toBeUndefined();
    }
    expect(places.lookup("10.0.0.7").special).not.toBeNull();

    // A vulnerability per advisory that applies, each once, with its CVE / GHSA references.
    const stored = new Map(PLAN.map((p) => [p.ip, gateway(p.transcript, p.ip, p.port, DAY1).advisories]));
    const vulns = of("vulnerability");
    const refs = vulns.flatMap((v) =>
      (v.external_references as { external_id: string }[]).map((r) => r.external_id),
    );
    expect(new Set(refs).size).toBe(refs.length);
    for (const p of PLAN) {
      const i = infra.find((o) => String(o.name).includes(p.ip))!;
      const has = targets(i.id, "has");
      expect(has.length, p.ip).toBe(stored.get(p.ip)!.length);
      for (const a of stored.get(p.ip)!) {
        const v = has.find((h) =>
          (h.external_references as { external_id: string }[]).some((r) => r.external_id === a.id),
        );
        expect(v, a.id).toBeDefined();
        for (const alias of a.aliases.filter((x) => /^CVE-/.test(x)))
          expect((v!.external_references as { external_id: string }[]).map((r) => r.external_id)).toContain(
            alias,
          );
      }
    }
    expect(vulns.length).toBeGreaterThan(200);

    // The findings about each gateway are indicators that indicate its infrastructure.
    const indicators = of("indicator");
    const findings = PLAN.flatMap((p) => gateway(p.transcript, p.ip, p.port, DAY1).findings);
    expect(indicators.length).toBe(new Set(findings.map((f) => `${f.ruleId} ${f.asset}`)).size);
    for (const ind of indicators) {
      const [target] = targets(ind.id, "indicates");
      expect(target?.type, String(ind.name)).toBe("infrastructure");
    }
    // Every reference names an object of the collection.
    for (const r of rels) {
      expect(byId.has(r.source_ref as string), String(r.source_ref)).toBe(true);
      expect(byId.has(r.target_ref as string), String(r.target_ref)).toBe(true);
    }
  });

  it("gives the same ids on every poll and pages through everything once with limit/next", async () => {
    const first = await allObjects("", 1000);
    const again = await allObjects("", 1000);
    expect(again.objects).toEqual(first.objects);
    const paged = await allObjects("", 37);
    expect(paged.pages).toBe(Math.ceil(first.objects.length / 37));
    expect(paged.objects.map((o) => o.id)).toEqual(first.objects.map((o) => o.id));
  });

  it("filters by added_after, match[type], match[id] and match[version]", async () => {
    const { body: manifest } = await resource(`${COLLECTION}manifest/`, "manifest");
    const records = manifest.objects as {
      id: string;
      date_added: string;
      version: string;
      media_type: string;
    }[];
    expect(records.every((r) => r.media_type === "application/stix+json;version=2.1")).toBe(true);
    // Only what changed after the first run: the gateways seen again (and the closed one).
    const after = "2026-10-02T00:00:00.000Z";
    const { objects: changed } = await allObjects(`added_after=${after}`, 1000);
    const want = records.filter((r) => Date.parse(r.date_added) > Date.parse(after)).map((r) => r.id);
    expect(changed.map((o) => o.id)).toEqual(want);
    expect(want.length).toBeGreaterThan(0);
    expect(want.length).toBeLessThan(records.length);
    expect(changed.filter((o) => o.type === "infrastructure")).toHaveLength(4);
    expect(changed.some((o) => o.type === "identity")).toBe(false);

    const { objects: typed } = await allObjects("match[type]=location,autonomous-system", 1000);
    expect(new Set(typed.map((o) => o.type))).toEqual(new Set(["location", "autonomous-system"]));
    const infra = (await allObjects("match[type]=infrastructure", 1000)).objects;
    const { objects: one } = await allObjects(`match[id]=${infra[0]!.id}`, 1000);
    expect(one).toEqual([infra[0]]);
    const { objects: byVersion } = await allObjects(
      `match[type]=infrastructure&match[version]=${encodeURIComponent(DAY3)}`,
      1000,
    );
    expect(byVersion).toHaveLength(4);

    const { body: single } = await resource(`${COLLECTION}objects/${infra[0]!.id}/`, "envelope");
    expect(single.objects).toEqual([infra[0]]);
    const { body: versions } = await resource(`${COLLECTION}objects/${infra[0]!.id}/versions/`, "versions");
    expect(versions.versions).toEqual([infra[0]!.modified]);
  });

  it("answers errors as TAXII error resources: unknown object, bad filter, unacceptable media type, writes", async () => {
    const expectError = async (res: Response, status: number) => {
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toBe(TAXII);
      const body = (await res.json()) as Json;
      expect(taxiiErrors("error", body)).toEqual([]);
      expect(body.http_status).toBe(String(status));
    };
    await expectError(
      await get(`${COLLECTION}objects/indicator--00000000-0000-4000-8000-000000000000/`),
      404,
    );
    await expectError(await get(`${ROOT}collections/00000000-0000-4000-8000-000000000000/`), 404);
    await expectError(await get(`${COLLECTION}objects/?added_after=yesterday`), 400);
    await expectError(await get(`${COLLECTION}objects/?limit=0`), 400);
    await expectError(await get(`${COLLECTION}objects/?next=bm9wZQ`), 400);
    await expectError(await get(`${COLLECTION}objects/`, { Accept: "text/html" }), 406);
    await expectError(
      await get(`${COLLECTION}objects/`, { Accept: "application/taxii+json;version=2.0" }),
      406,
    );
    expect((await get(`${COLLECTION}objects/?limit=1`, {})).status).toBe(200);
    const post = await app.request(`${COLLECTION}objects/`, {
      method: "POST",
      headers: { "Content-Type": TAXII, Accept: TAXII },
      body: JSON.stringify({ objects: [] }),
    });
    expect(post.status).toBeGreaterThanOrEqual(403);
    expect(post.status).toBeLessThan(406);
  });
});

describe("TAXII behind the dashboard's token", { timeout: 60_000 }, () => {
  it("needs the Bearer token (401 JSON, never a login redirect) and keeps the loopback Host rule without one", async () => {
    const token = "t".repeat(32);
    const guarded = createApp(store, { token });
    const none = await guarded.request("http://127.0.0.1/taxii2/", { headers: { Accept: TAXII } });
    expect(none.status).toBe(401);
    expect(none.headers.get("location")).toBeNull();
    const wrong = await guarded.request("http://127.0.0.1/taxii2/", {
      headers: { Accept: TAXII, Authorization: `Bearer ${"x".repeat(32)}` },
    });
    expect(wrong.status).toBe(401);
    const ok = await guarded.request(
      `${COLLECTION.replace("http://127.0.0.1", "http://gw.example.invalid")}`,
      {
        headers: { Accept: TAXII, Authorization: `Bearer ${token}` },
      },
    );
    expect(ok.status).toBe(200);
    const rebinding = await app.request(
      `${COLLECTION}objects/`.replace("127.0.0.1", "evil.example.invalid"),
      {
        headers: { Accept: TAXII },
      },
    );
    expect(rebinding.status).toBe(403);
  });
});

describe("export --format stix", { timeout: 120_000 }, () => {
  it("writes the same objects as the TAXII collection, schema-valid, as one bundle", async () => {
    const { objects } = await allObjects("", 1000);
    await store.close();
    try {
      const out = join(home, "picture.json");
      const r = await runClawpatrol(["export", "--format", "stix", "-o", out], {
        env: { CLAWPATROL_HOME: home, DATABASE_URL: "" },
      });
      expect(r.code, r.stderr).toBe(0);
      const bundle = JSON.parse(readFileSync(out, "utf8")) as {
        type: string;
        id: string;
        objects: StixObj[];
      };
      expect(stixSchemaErrors(bundle)).toEqual([]);
      const sortById = (list: StixObj[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : 1));
      expect(sortById(bundle.objects)).toEqual(sortById(objects));

      // --country keeps the gateways placed there (and their findings' indicators) only.
      const cc = new PlaceDb().lookup("8.8.8.8").country!;
      const there = PLAN.filter((p) => new PlaceDb().lookup(p.ip).country === cc);
      const placed = join(home, "placed.json");
      const c = await runClawpatrol(
        ["export", "--format", "stix", "--country", cc.toLowerCase(), "-o", placed],
        {
          env: { CLAWPATROL_HOME: home, DATABASE_URL: "" },
        },
      );
      expect(c.code, c.stderr).toBe(0);
      const only = (JSON.parse(readFileSync(placed, "utf8")) as { objects: StixObj[] }).objects;
      const names = only.filter((o) => o.type === "infrastructure").map((o) => String(o.name));
      expect(names.length).toBe(there.length);
      for (const p of there) expect(names.some((n) => n.includes(p.ip))).toBe(true);
      expect(there.length).toBeLessThan(PLAN.length);
      const kept = new Set(only.map((o) => o.id));
      for (const ind of only.filter((o) => o.type === "indicator"))
        expect(
          there.some((p) => String(ind.name).includes(p.ip)),
          String(ind.name),
        ).toBe(true);
      expect(only.every((o) => o.type !== "relationship" || kept.has(o.source_ref as string))).toBe(true);
    } finally {
      store = await openStore({ dataDir: join(home, "db") });
      app = createApp(store);
    }
  });
});

describe("suppressions", { timeout: 60_000 }, () => {
  it("a finding the store's suppressions hold back is not published", async () => {
    const [f] = gateway("oc96-loopback-noauth.json", "8.8.8.8", 18789, DAY1).findings;
    const indicatorsOf = async () =>
      (await allObjects("match[type]=indicator", 1000)).objects.filter((o) =>
        String(o.name).includes("8.8.8.8"),
      );
    const before = await indicatorsOf();
    expect(before.length).toBe(1);
    await addStoredSuppression(
      store.db,
      {
        rule: f!.ruleId,
        path: f!.asset,
        sha256: evidencePin(f!),
        reason: "lab box",
        owner: null,
        expires: "2099-01-01",
      },
      "test",
      new Date(),
    );
    expect(await indicatorsOf()).toEqual([]);
  });
});

describe("a poll after the store changed", { timeout: 120_000 }, () => {
  it("sees the change: a gateway seen again is a new version, added after the last poll", async () => {
    const before = await allObjects("match[type]=infrastructure", 1000);
    const last = before.objects
      .map((o) => String(o.modified))
      .sort()
      .at(-1)!;
    const DAY5 = "2026-10-05T08:00:00.000Z";
    await writeRun(store, "run-day5", DAY5, PLAN.slice(0, 1));
    const { objects: changed } = await allObjects(`added_after=${last}`, 1000);
    const infra = changed.filter((o) => o.type === "infrastructure");
    expect(infra.map((o) => o.name)).toEqual(["openclaw 2026.4.15 at 1.1.1.1:18789"]);
    expect(infra[0]).toMatchObject({ created: DAY1, modified: DAY5 });
    const same = before.objects.find((o) => o.name === infra[0]!.name)!;
    expect(infra[0]!.id).toBe(same.id);
  });
});

describe("a real serve process", { timeout: 180_000 }, () => {
  it("answers TAXII over HTTP with a token, and export --format stix through it gives the same objects", async () => {
    const { objects } = await allObjects("", 1000);
    await store.close();
    const token = "taxii-serve-token-0123456789abcdef";
    const env = { ...process.env, CLAWPATROL_HOME: home, DATABASE_URL: "", CLAWPATROL_TOKEN: token };
    const child = spawn(process.execPath, [`${REPO_ROOT}/bin/clawpatrol.mjs`, "serve", "--port", "0"], {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stderr = "";
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 90_000);
        child.stderr!.on("data", (d) => {
          stderr += d;
          const m = /dashboard on (http:\/\/\S+\/)/.exec(stderr);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        exited.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
      });
      expect(new URL(url).hostname).toBe("127.0.0.1");
      const taxiiGet = (path: string, auth = true) =>
        fetch(new URL(path, url), {
          headers: { Accept: TAXII, ...(auth ? { Authorization: `Bearer ${token}` } : {}) },
        });
      expect((await taxiiGet("taxii2/", false)).status).toBe(401);
      const discovery = (await (await taxiiGet("taxii2/")).json()) as Json;
      expect(taxiiErrors("discovery", discovery)).toEqual([]);
      expect(discovery.api_roots).toEqual([new URL("taxii2/clawpatrol/", url).href]);
      const page = await taxiiGet(`taxii2/clawpatrol/collections/${COLLECTION_ID}/objects/?limit=1000`);
      expect(page.headers.get("content-type")).toBe(TAXII);
      const served = ((await page.json()) as { objects: StixObj[] }).objects;
      const sortById = (list: StixObj[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : 1));
      expect(sortById(served)).toEqual(sortById(objects));

      // While serve holds the PGlite store, export goes through its store API (/api/store/gateways).
      const out = join(home, "through-serve.json");
      const r = await runClawpatrol(["export", "--format", "stix", "-o", out], { env });
      expect(r.code, r.stderr).toBe(0);
      const bundle = JSON.parse(readFileSync(out, "utf8")) as { objects: StixObj[] };
      expect(sortById(bundle.objects)).toEqual(sortById(objects));
    } finally {
      child.kill("SIGTERM");
      await exited;
      store = await openStore({ dataDir: join(home, "db") });
      app = createApp(store);
    }
  });
});

const pgUrl = process.env.DATABASE_URL || null;
describeLive("the collection on PostgreSQL", pgUrl ? null : "DATABASE_URL is not set", () => {
  const SCHEMA = "taxii_test";
  afterAll(() => dropSchema(pgUrl!, SCHEMA));
  it("publishes the same objects from the same runs as PGlite", { timeout: 120_000 }, async () => {
    const fresh = (list: StixObj[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : 1));
    const pglite = await openStore({ dataDir: join(home, "db-again") });
    const pgStore = await openStore({ url: await freshSchemaUrl(pgUrl!, SCHEMA) });
    try {
      const objectsOf = async (s: Store) => {
        await writeRun(s, "run-day1", DAY1, PLAN);
        await writeRun(s, "run-day3", DAY3, PLAN.slice(0, 3));
        const res = await createApp(s).request(`${COLLECTION}objects/?limit=1000`, {
          headers: { Accept: TAXII },
        });
        expect(res.status).toBe(200);
        return ((await res.json()) as { objects: StixObj[] }).objects;
      };
      const onPg = await objectsOf(pgStore);
      expect(onPg.filter((o) => o.type === "infrastructure")).toHaveLength(4);
      expect(fresh(onPg)).toEqual(fresh(await objectsOf(pglite)));
    } finally {
      await pgStore.close();
      await pglite.close();
    }
  });
});
