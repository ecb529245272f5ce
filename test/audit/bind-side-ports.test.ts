// The side ports the audit checks follow each release's own derivation (src/audit/side-ports.ts):
// per release family, a gateway on a non-default port with its relay listening beyond loopback is
// reported on the port that release really opens, and a port only another era opens is not.
import { afterAll, describe, expect, it } from "vitest";
import type { AuditFinding, ListeningSocket, Product } from "../../src/audit/types.ts";
import { buildContext, cleanupScenarios, run } from "./support/scenario.ts";

afterAll(() => cleanupScenarios());

const GATEWAY = 28789;
const TOKEN = "a".repeat(40);

const sock = (port: number): ListeningSocket => ({
  proto: "tcp",
  address: "0.0.0.0",
  port,
  inode: 1,
  pid: 4242,
  process: "openclaw-gateway",
});

const proc = {
  pid: 4242,
  cmdline: ["openclaw-gateway"],
  env: {},
  stateDir: null,
  configPath: null,
  packageDir: null,
};

interface Family {
  name: string;
  product: Product;
  version: string;
  /** The relay ports this release derives from gateway 28789. */
  relays: { port: number; what: string }[];
  /** A port some other era opens, which this release does not. */
  notOpened: number;
  allSidePorts: number[];
}

const FAMILIES: Family[] = [
  {
    name: "before the bridge removal (2026.1.16)",
    product: "clawdbot",
    version: "2026.1.16",
    relays: [{ port: 28792, what: "browser CDP relay" }],
    notOpened: 28799,
    allSidePorts: [28790, 28791, 28792, 28793],
  },
  {
    name: "clawdbot 2026.1.24-3",
    product: "clawdbot",
    version: "2026.1.24-3",
    relays: [{ port: 28792, what: "browser CDP relay" }],
    notOpened: 28799,
    allSidePorts: [28791, 28792],
  },
  {
    name: "openclaw 2026.5.28 (last without the extension relay)",
    product: "openclaw",
    version: "2026.5.28",
    relays: [{ port: 28792, what: "browser CDP relay" }],
    notOpened: 28799,
    allSidePorts: [28791, 28792],
  },
  {
    name: "openclaw 2026.9.6 (extension relay at gateway + 10)",
    product: "openclaw",
    version: "2026.9.6",
    relays: [
      { port: 28792, what: "browser CDP relay" },
      { port: 28799, what: "browser extension relay" },
    ],
    notOpened: 28790,
    allSidePorts: [28791, 28792, 28799],
  },
];

const config = (extra = "") => `{ gateway: { port: ${GATEWAY}, auth: { token: "${TOKEN}" } }${extra} }`;

const sidePortFindings = (findings: AuditFinding[]) => findings.filter((f) => f.ruleId === "CP-AUDIT-101");

describe("bind.ts side ports per release family", () => {
  for (const fam of FAMILIES) {
    it(`${fam.name}: the derived side ports`, () => {
      const ctx = buildContext({ config: config(), product: fam.product, version: fam.version });
      expect(ctx.gw.sidePorts.map((p) => p.port)).toEqual(fam.allSidePorts);
    });

    it(`${fam.name}: each relay listening beyond loopback is reported on its own port`, async () => {
      for (const relay of fam.relays) {
        const { findings } = await run({
          config: config(),
          product: fam.product,
          version: fam.version,
          sockets: [sock(GATEWAY), sock(relay.port)],
          processes: [proc],
        });
        const side = sidePortFindings(findings);
        expect(side.map((f) => f.asset)).toEqual([`0.0.0.0:${relay.port}`]);
        expect(side[0]?.title).toContain(relay.what);
      }
    });

    it(`${fam.name}: a port only another era opens is not a side port`, async () => {
      const { findings } = await run({
        config: config(),
        product: fam.product,
        version: fam.version,
        sockets: [sock(GATEWAY), sock(fam.notOpened)],
        processes: [proc],
      });
      expect(sidePortFindings(findings)).toEqual([]);
    });
  }

  it("a disabled browser opens no relay, so none is checked", async () => {
    const ctx = buildContext({ config: config(", browser: { enabled: false }"), version: "2026.9.6" });
    expect(ctx.gw.sidePorts).toEqual([]);
    const { findings } = await run({
      config: config(", browser: { enabled: false }"),
      version: "2026.9.6",
      sockets: [sock(GATEWAY), sock(28799)],
      processes: [proc],
    });
    expect(sidePortFindings(findings)).toEqual([]);
  });
});
