// Port lists: `18789`, `80,443`, `18700-18799`, and named presets.
import { UsageError } from "../core/errors.ts";

export const DEFAULT_PORT = 18789;

export const PORT_PRESETS: Record<string, number[]> = {
  /** The gateway port only. */
  default: [18789],
  /** The gateway, its legacy side ports (bridge, browser control, relay, canvas) and common proxy ports. */
  extended: [18789, 18790, 18791, 18792, 18793, 80, 443, 8080, 8443],
};

export function parsePorts(spec: string): number[] {
  if (Object.hasOwn(PORT_PRESETS, spec)) return [...PORT_PRESETS[spec]!];
  const out = new Set<number>();
  for (const raw of spec.split(",")) {
    const part = raw.trim();
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    if (!m)
      throw new UsageError(
        `invalid port list "${spec}": "${part}" is not a port or a range like 18700-18799`,
      );
    const lo = Number(m[1]);
    const hi = m[2] !== undefined ? Number(m[2]) : lo;
    if (lo < 1 || hi > 65535 || lo > hi)
      throw new UsageError(`invalid port range "${part}": ports are 1-65535, low-high`);
    for (let p = lo; p <= hi; p++) out.add(p);
  }
  return [...out];
}
