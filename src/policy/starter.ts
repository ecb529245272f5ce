// The policy `policy init` writes: every clause switched on with common values, and a comment
// on each key saying what it means. Edit it, keep it in version control, check it in CI.
export const STARTER_POLICY = `# clawpatrol policy: your organisation's rules for agentic-AI gateways (OpenClaw,
# Clawdbot, Moltbot). \`clawpatrol policy check --policy policy.yml RESULTS...\` checks scan,
# audit and skills results against it; \`clawpatrol policy init\` wrote it with usage-policy.md,
# the same rules in plain words. Schema: docs/policy.schema.json. Reference: docs/policy.md.
version: 1
organisation: Example Corp           # who this policy is for
owner: security@example.com          # who owns it
severity: high                       # severity of a broken clause (for --fail-on and SARIF)

platforms:
  allowed: [openclaw]                # agent platforms that may run (clawdbot, moltbot: older names)
  minimumVersion:
    openclaw: "2026.6.5"             # the oldest release allowed
  noPreAuthAdvisories: true          # no version with an advisory exploitable without credentials

gateway:
  bind: loopback                     # loopback only; reach it through a tunnel or proxy ("any" to allow)
  requireAuth: true                  # a token or password on every gateway
  forbidRemoteLooksLocal: true       # no relay or proxy that makes strangers look local

skills:
  allowedSources: [openclaw-bundled, openclaw-managed, openclaw-workspace]
  # pinned: [<sha256 of each reviewed skill, from \`clawpatrol skills scan --json\`>]
  forbidVerdicts: [malicious, suspicious]

permissions:
  forbidExecWithoutSandbox: true     # host commands only with approval, in a working sandbox
  forbidOpenChatsWithTools: true     # no open DMs or groups that reach powerful tools

secrets:
  forbidPlaintext: true              # no plaintext secrets in configs, backups, .env, stores
  redactLogs: true                   # secret redaction in gateway logs stays on

logging:
  siem: syslog+tls://siem.example.internal:6514   # where logs and findings go (confirmed by people)

review:
  beforeProduction: true             # a security review before an agent reaches production
  reviewers: [security@example.com]

exposure:
  noAuthHours: 24                    # a gateway without auth is closed within 24 hours
  preAuthAdvisoryHours: 72           # a pre-auth advisory is fixed within 72 hours
`;
