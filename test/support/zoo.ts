// What every zoo gateway must come out as, from each vantage. The same table drives the
// transcript-replay tests (fast, recorded) and the live suite (the real gateways).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export type Vantage = "local" | "remote";

export interface ZooExpectation {
  name: string;
  /** Address and port as seen from each vantage; absent when that vantage cannot reach it. */
  local: { host: string; port: number };
  remote: { host: string; port: number } | null;
  product: "openclaw" | "clawdbot" | "moltbot";
  version: string;
  auth: "required" | "not-required";
  /** The expected remoteLooksLocal verdict from the remote vantage (from loopback it is always false). */
  remoteLooksLocal: boolean;
}

const R = "198.18.0.1";

export const ZOO: ZooExpectation[] = [
  {
    name: "oc96-lan-token",
    local: { host: "127.0.0.1", port: 18789 },
    remote: { host: R, port: 18789 },
    product: "openclaw",
    version: "2026.9.6",
    auth: "required",
    remoteLooksLocal: false,
  },
  {
    name: "oc96-loopback-token",
    local: { host: "127.0.0.1", port: 18809 },
    remote: null,
    product: "openclaw",
    version: "2026.9.6",
    auth: "required",
    remoteLooksLocal: false,
  },
  {
    name: "oc96-loopback-noauth",
    local: { host: "127.0.0.1", port: 18829 },
    remote: null,
    product: "openclaw",
    version: "2026.9.6",
    auth: "not-required",
    remoteLooksLocal: false,
  },
  {
    name: "oc96-noauth-relayed",
    local: { host: "127.0.0.1", port: 28829 },
    remote: { host: R, port: 28829 },
    product: "openclaw",
    version: "2026.9.6",
    auth: "not-required",
    remoteLooksLocal: true,
  },
  {
    name: "oc528-custom-password",
    local: { host: "127.0.0.52", port: 18849 },
    remote: null,
    product: "openclaw",
    version: "2026.5.28",
    auth: "required",
    remoteLooksLocal: false,
  },
  {
    name: "oc313-lan-token",
    local: { host: "127.0.0.1", port: 18869 },
    remote: { host: R, port: 18869 },
    product: "openclaw",
    version: "2026.3.13",
    auth: "required",
    remoteLooksLocal: false,
  },
  {
    name: "oc129-lan-token",
    local: { host: "127.0.0.1", port: 18889 },
    remote: { host: R, port: 18889 },
    product: "openclaw",
    version: "2026.1.29",
    auth: "required",
    remoteLooksLocal: false,
  },
  {
    name: "cb124-lan-token",
    local: { host: "127.0.0.1", port: 18909 },
    remote: { host: R, port: 18909 },
    product: "clawdbot",
    version: "2026.1.24-3",
    auth: "required",
    remoteLooksLocal: false,
  },
  {
    name: "cb124-loopback-noauth",
    local: { host: "127.0.0.1", port: 18929 },
    remote: null,
    product: "clawdbot",
    version: "2026.1.24-3",
    auth: "not-required",
    remoteLooksLocal: false,
  },
  {
    name: "cb124-noauth-relayed",
    local: { host: "127.0.0.1", port: 28929 },
    remote: { host: R, port: 28929 },
    product: "clawdbot",
    version: "2026.1.24-3",
    auth: "not-required",
    remoteLooksLocal: true,
  },
];

/**
 * Builds beyond the base zoo (test/live/zoo-extra.catalogue, started with ZOO_CATALOGUE_EXTRA):
 * the version table must name them exactly too.
 */
export const ZOO_EXTRA: ZooExpectation[] = [
  {
    name: "oc527-lan-token",
    local: { host: "127.0.0.1", port: 18949 },
    remote: { host: R, port: 18949 },
    product: "openclaw",
    version: "2026.5.27",
    auth: "required",
    remoteLooksLocal: false,
  },
  {
    name: "oc415-loopback-noauth",
    local: { host: "127.0.0.1", port: 18969 },
    remote: null,
    product: "openclaw",
    version: "2026.4.15",
    auth: "not-required",
    remoteLooksLocal: false,
  },
];

export const ZOO_EXTRA_CATALOGUE = fileURLToPath(new URL("../live/zoo-extra.catalogue", import.meta.url));

/** Side ports that answer HTTP but are not gateways: they must never be reported as one. */
export const ZOO_SIDE_PORTS = [18871, 18872, 18892, 18911, 18912, 18931, 18932];

export const ZOO_SH = fileURLToPath(new URL("../../../shared/zoo/zoo.sh", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** null when the zoo is up, else why not (for describeLive). */
export function zooUnavailable(instances: ZooExpectation[] = ZOO): string | null {
  if (!existsSync(ZOO_SH)) return `no zoo script at ${ZOO_SH}`;
  if (process.getuid?.() !== 0) return "the zoo needs root (network namespaces)";
  try {
    const out = execFileSync(ZOO_SH, ["status"], {
      encoding: "utf8",
      timeout: 60_000,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ZOO_CATALOGUE_EXTRA: ZOO_EXTRA_CATALOGUE },
    });
    const down = instances
      .filter((z) => !new RegExp(`^${z.name} .* running`, "m").test(out))
      .map((z) => z.name);
    return down.length === 0 ? null : `zoo instances not running: ${down.join(", ")} (run ${ZOO_SH} up)`;
  } catch (err) {
    return `zoo status failed: ${(err as Error).message.split("\n")[0]}`;
  }
}
