// The patterns the code analyzers share: what counts as a download or decode, secret
// material (strong and weak), persistence and agent paths, secret env var names.
import type { SgNode } from "@ast-grep/napi";

export const SHELL_DL =
  /\b(?:curl|wget|iwr|invoke-webrequest|irm|bitsadmin|certutil)\b|\b(?:ba|z)?sh\s+-c\b|\bpowershell\b|\bpwsh\b|\biex\b|\bnc\s+-|\bosascript\b/i;
export const DECODE_JS =
  /\batob\s*\(|Buffer\.from\s*\([^)]*,\s*["'`](?:base64|base64url|hex)["'`]|fromCharCode|decodeURIComponent|unescape\s*\(|inflate|gunzip|brotliDecompress|\.reverse\(\)\.join/;
export const REMOTE_JS =
  /\bfetch\s*\(|\.text\s*\(\s*\)|\.data\b|axios|\bgot\s*\(|https?\.get\s*\(|response|\bres\.body\b/;
export const DECODE_PY =
  /b64decode|b32decode|b85decode|a85decode|codecs\.decode|zlib\.decompress|marshal\.loads|bytes\.fromhex|unhexlify|bz2\.decompress|lzma\.decompress|\[::-1\]/;
export const REMOTE_PY = /urlopen|requests\.(?:get|post)|httpx\.|urllib|http\.client/;

/** Secret material whose flow to the network is theft whatever the destination. */
export const STRONG_SOURCE =
  /\.ssh[\\/](?:id_|identity)|\bid_(?:rsa|ed25519|ecdsa)\b|\.aws[\\/]credentials|\.(?:openclaw|clawdbot|moltbot)[\\/](?:\.env|credentials|auth-profiles|identity|devices)|auth-profiles\.json|Keychains[\\/]|login\.keychain|Login Data|Default[\\/]Cookies|key4\.db|logins\.json|wallet\.dat|exodus\.wallet|Exodus[\\/]|Electrum[\\/]|electrum[\\/]wallets|nkbihfbeogaeaoehlefnkodbefgpgknn|solana[\\/]id\.json|keystore[\\/]UTC--|\.gnupg[\\/]|\.kube[\\/]config|\.npmrc\b|\.netrc\b|\.git-credentials|\/etc\/shadow|Local State/;
/** Config a skill often reads for its own keys: only suspicious when sent somewhere risky. */
export const WEAK_SOURCE = /\.env\b|\.openclaw|\.clawdbot|\.moltbot|\/etc\/passwd/;
export const SENSITIVE_LITERAL = new RegExp(`${STRONG_SOURCE.source}|${WEAK_SOURCE.source}`);
export const PERSIST_LITERAL =
  /\.(?:bashrc|bash_profile|zshrc|zprofile|profile|zshenv)\b|LaunchAgents|LaunchDaemons|systemd[\\/](?:user|system)|\/etc\/cron|crontab|authorized_keys|CurrentVersion\\+Run|\/etc\/rc\.local|ld\.so\.preload/;
export const AGENT_LITERAL =
  /\b(?:SOUL|MEMORY|AGENTS|HEARTBEAT|IDENTITY|BOOTSTRAP)\.md\b|\b(?:openclaw|clawdbot|moltbot)\.json\b/;
export const SECRET_ENV =
  /(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASS|CREDENTIALS?|AUTH|COOKIE|SESSION|PRIVATE_KEY|MNEMONIC|SEED|PAT)(?:$|_)/i;

export interface Source {
  node: SgNode;
  what: string;
  /** Strong: keys, wallets, browser data, keychain, whole env, OpenClaw secrets. */
  strong: boolean;
}

export function source(node: SgNode, text: string, verb: string): Source {
  const strong = STRONG_SOURCE.exec(text);
  const any = strong ?? SENSITIVE_LITERAL.exec(text);
  return { node, what: `${verb} ${any ? any[0] : "a sensitive path"}`, strong: strong !== null };
}
