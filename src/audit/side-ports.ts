// The side ports an OpenClaw-family gateway opens, derived from its own port the way the real
// releases derive them (read in the shipped dist of each build in the test zoo):
//   browser control  gateway + 2, or 18791 when that is not a port   deriveDefaultBrowserControlPort,
//                                                                    every build (clawdbot 2026.1.24-3 … openclaw 2026.9.6)
//   browser CDP      browser control + 1                             resolveBrowserConfig `derivedPort = controlPort + 1`,
//                                                                    every build
//   extension relay  browser control + 8                             EXTENSION_RELAY_PORT_OFFSET, in 2026.9.6, not in 2026.5.28
//   legacy bridge    gateway + 1, or 18790                           deriveDefaultBridgePort, before 2026.1.20
//   legacy canvas    gateway + 4, or 18793                           deriveDefaultCanvasHostPort, before 2026.1.20
// (clawdbot 2026.1.24-3 still ships the bridge/canvas module, but nothing imports it: the bridge
// was removed in 2026.1.20, see docs/audit.md.)
import { compareVersions, isCalVer } from "../advisories/calver.ts";

export interface SidePort {
  port: number;
  what: string;
}

const DEFAULT_BRIDGE_PORT = 18790;
const DEFAULT_BROWSER_CONTROL_PORT = 18791;
const DEFAULT_CANVAS_HOST_PORT = 18793;
const CDP_OFFSET = 1;
const EXTENSION_RELAY_OFFSET = 8;
/** Last build seen without the extension relay port, first with the legacy bridge gone. */
const LAST_WITHOUT_EXTENSION_RELAY = "2026.5.28";
const BRIDGE_REMOVED = "2026.1.20";

const isPort = (n: number) => Number.isInteger(n) && n > 0 && n <= 65535;

/** OpenClaw's derivePort: base + offset when that is a port, else the fixed default. */
function derivePort(base: number, offset: number, fallback: number): number {
  return isPort(base + offset) ? base + offset : fallback;
}

/** Unknown versions get every era's ports: a firewall rule too many is cheaper than one missing. */
function versionAfter(version: string | null, v: string): boolean {
  return version === null || !isCalVer(version) || compareVersions(version, v) > 0;
}
function versionBefore(version: string | null, v: string): boolean {
  return version === null || !isCalVer(version) || compareVersions(version, v) < 0;
}

/**
 * The side ports of a gateway listening on `gatewayPort`, ascending; null when `gatewayPort` is
 * not a TCP port, so nothing can be derived from it.
 */
export function derivedSidePorts(
  gatewayPort: number,
  version: string | null,
  opts: { browserEnabled?: boolean } = {},
): SidePort[] | null {
  if (!isPort(gatewayPort)) return null;
  const out: SidePort[] = [];
  if (versionBefore(version, BRIDGE_REMOVED)) {
    out.push({ port: derivePort(gatewayPort, 1, DEFAULT_BRIDGE_PORT), what: "legacy node bridge" });
    out.push({ port: derivePort(gatewayPort, 4, DEFAULT_CANVAS_HOST_PORT), what: "legacy canvas host" });
  }
  if (opts.browserEnabled !== false) {
    const control = derivePort(gatewayPort, 2, DEFAULT_BROWSER_CONTROL_PORT);
    out.push({ port: control, what: "browser control" });
    if (isPort(control + CDP_OFFSET)) out.push({ port: control + CDP_OFFSET, what: "browser CDP relay" });
    if (versionAfter(version, LAST_WITHOUT_EXTENSION_RELAY) && isPort(control + EXTENSION_RELAY_OFFSET))
      out.push({ port: control + EXTENSION_RELAY_OFFSET, what: "browser extension relay" });
  }
  const seen = new Set<number>();
  return out
    .filter((p) => p.port !== gatewayPort && !seen.has(p.port) && seen.add(p.port))
    .sort((a, b) => a.port - b.port);
}
