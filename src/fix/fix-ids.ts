// The `clawpatrol fix` actions, one id each. Findings name the actions that repair them with
// these ids, and `fix --only` accepts them: a typo in either is a compile error or a usage error.
export const FIX_IDS = [
  "bind-loopback",
  "auth-token",
  "hooks-token",
  "hooks-path",
  "dangerous-flags",
  "mdns-off",
  "rate-limit",
  "tailscale-serve",
  "file-modes",
] as const;

export type FixId = (typeof FIX_IDS)[number];

export function isFixId(s: string): s is FixId {
  return (FIX_IDS as readonly string[]).includes(s);
}
