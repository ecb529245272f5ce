// The policy file: an organisation's agentic-AI rules as data (YAML). One zod schema gives
// the type, the validation with one-line errors naming the key, and the JSON Schema that
// docs/policy.schema.json publishes (test/policy/schema.test.ts keeps them equal).
import { z } from "zod";

export const POLICY_SCHEMA_ID = "https://clawpatrol.dev/schemas/policy-1.json";

const PRODUCTS = ["openclaw", "clawdbot", "moltbot"] as const;
const VERSION = z
  .string()
  .regex(/^\d{4}\.\d{1,2}\.\d{1,3}(?:-[\w.]+)?$/, "must be a release version such as 2026.6.5");
const SHA256 = z.string().regex(/^[0-9a-f]{64}$/, "must be a sha256 (64 lower-case hex characters)");
const SEVERITY = z.enum(["info", "low", "medium", "high", "critical"]);

const Platforms = z
  .strictObject({
    allowed: z
      .array(z.enum(PRODUCTS))
      .min(1)
      .describe("agent platforms that may run: openclaw, clawdbot, moltbot (the older names)"),
    minimumVersion: z
      .strictObject({
        openclaw: VERSION.optional(),
        clawdbot: VERSION.optional(),
        moltbot: VERSION.optional(),
      })
      .optional()
      .describe("the oldest release allowed, per platform"),
    noPreAuthAdvisories: z
      .boolean()
      .default(true)
      .describe("no version with a published advisory exploitable without credentials"),
  })
  .describe("which agent platforms and versions may run");

const Gateway = z
  .strictObject({
    bind: z
      .enum(["loopback", "any"])
      .default("loopback")
      .describe("loopback: gateways listen on loopback only and are reached through a tunnel or proxy"),
    requireAuth: z.boolean().default(true).describe("every gateway demands a token or password"),
    forbidRemoteLooksLocal: z
      .boolean()
      .default(true)
      .describe("no relay or proxy on the gateway's host makes remote clients look local"),
  })
  .describe("how gateways listen and authenticate");

const Skills = z
  .strictObject({
    allowedSources: z
      .array(z.string().min(1))
      .optional()
      .describe(
        "where installed skills may come from (openclaw-bundled, openclaw-managed, openclaw-workspace, ...); unset: any",
      ),
    pinned: z
      .array(SHA256)
      .optional()
      .describe("the only skills allowed, by the sha256 `skills scan --json` gives each skill; unset: any"),
    forbidVerdicts: z
      .array(z.enum(["malicious", "suspicious"]))
      .default(["malicious"])
      .describe("skill verdicts that break the policy"),
  })
  .describe("which skills and plugins agents may load");

const Permissions = z
  .strictObject({
    forbidExecWithoutSandbox: z
      .boolean()
      .default(true)
      .describe("host command execution only with approval and inside a working sandbox"),
    forbidOpenChatsWithTools: z
      .boolean()
      .default(true)
      .describe("no open DMs or groups that reach powerful tools"),
  })
  .describe("least privilege for agents");

const Secrets = z
  .strictObject({
    forbidPlaintext: z
      .boolean()
      .default(true)
      .describe("no plaintext secrets in configs, backups, .env or service files, or stores"),
    redactLogs: z.boolean().default(true).describe("secret redaction in gateway logs stays on"),
  })
  .describe("how secrets are handled");

const Logging = z
  .strictObject({
    siem: z
      .string()
      .min(1)
      .optional()
      .describe("where gateway and audit logs are sent (stated in the usage policy; confirmed by people)"),
  })
  .describe("audit logs");

const Review = z
  .strictObject({
    beforeProduction: z
      .boolean()
      .default(true)
      .describe("an agent gets a security review before it reaches production"),
    reviewers: z.array(z.string().min(1)).optional().describe("who performs the review"),
  })
  .describe("risk review");

const Exposure = z
  .strictObject({
    noAuthHours: z
      .number()
      .positive()
      .max(8760)
      .optional()
      .describe("a gateway exposed without auth is closed within this many hours of being found"),
    preAuthAdvisoryHours: z
      .number()
      .positive()
      .max(8760)
      .optional()
      .describe("a gateway with a pre-auth advisory is upgraded within this many hours of being found"),
  })
  .describe("how fast exposures are closed (service level)");

export const PolicySchema = z
  .strictObject({
    version: z.literal(1).describe("policy file format version"),
    organisation: z.string().min(1).max(200).describe("who this policy is for"),
    owner: z.string().min(1).max(200).optional().describe("who owns the policy (a team or address)"),
    severity: SEVERITY.default("high").describe("severity of a broken clause, for --fail-on and SARIF"),
    platforms: Platforms.optional(),
    gateway: Gateway.optional(),
    skills: Skills.optional(),
    permissions: Permissions.optional(),
    secrets: Secrets.optional(),
    logging: Logging.optional(),
    review: Review.optional(),
    exposure: Exposure.optional(),
  })
  .describe("clawpatrol policy: an organisation's agentic-AI rules, checked by `clawpatrol policy check`");

export type Policy = z.output<typeof PolicySchema>;

/** The JSON Schema of the policy file (docs/policy.schema.json). */
export function policyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PolicySchema, { io: "input", target: "draft-2020-12" }) as Record<
    string,
    unknown
  >;
  return { $id: POLICY_SCHEMA_ID, title: "clawpatrol policy", ...schema };
}
