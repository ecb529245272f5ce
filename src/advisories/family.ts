// Which npm packages belong to the OpenClaw product line. Kept free of zod so that the
// matching fast path (cached, already validated data) does not have to load the validator.

/** The npm packages that make up the one OpenClaw product line (clawdbot -> moltbot -> openclaw). */
export const CORE_PACKAGES = ["openclaw", "clawdbot", "moltbot"] as const;
/** Plugin packages are released in lock-step with the core and share its version line. */
const PLUGIN_SCOPES = ["@openclaw/", "@clawdbot/", "@moltbot/"];

export function isFamilyPackage(name: string): boolean {
  const n = name.trim().toLowerCase();
  return (CORE_PACKAGES as readonly string[]).includes(n) || PLUGIN_SCOPES.some((s) => n.startsWith(s));
}
