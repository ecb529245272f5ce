// File-permission checks: the state dir, the config and its includes, credential and
// session stores, logs (OpenClaw's fs.* ids), plus what OpenClaw does not look at:
// config backups, .env files and paired-device stores, which hold the same secrets.
import { lstatSync, readdirSync, type Stats, statSync } from "node:fs";
import { join } from "node:path";
import type { FixId } from "../../fix/fix-ids.ts";
import { getString } from "../config.ts";
import type { AuditCheck, AuditFinding, CheckContext } from "../types.ts";
import { fileEvidence, mk } from "./util.ts";

export interface PermInfo {
  path: string;
  mode: number;
  isDir: boolean;
  isSymlink: boolean;
}

export function permInfo(path: string): PermInfo | null {
  let l: Stats;
  try {
    l = lstatSync(path);
  } catch {
    return null;
  }
  let s = l;
  if (l.isSymbolicLink()) {
    try {
      s = statSync(path);
    } catch {
      return { path, mode: l.mode & 0o7777, isDir: false, isSymlink: true };
    }
  }
  return { path, mode: s.mode & 0o7777, isDir: s.isDirectory(), isSymlink: l.isSymbolicLink() };
}

const oct = (m: number) => m.toString(8).padStart(3, "0");

function permFinding(
  ctx: CheckContext,
  p: PermInfo,
  ruleId: string,
  ocId: string | null,
  severity: AuditFinding["severity"],
  title: string,
  want: number,
  fix: FixId = "file-modes",
): AuditFinding {
  return mk(ctx, {
    ruleId,
    openclawCheckId: ocId,
    severity,
    title,
    group: "files",
    asset: p.path,
    evidence: [
      fileEvidence(p.path, `${p.path} has mode ${oct(p.mode)}; want ${oct(want)}`, `mode=${oct(p.mode)}`),
    ],
    remediation: `chmod ${oct(want)} ${JSON.stringify(p.path)} (\`clawpatrol fix\` tightens every mode in one go).`,
    fixes: [fix],
  });
}

const isWin = process.platform === "win32";

/** Files whose readable/writable bits we judge, with their OpenClaw ids (or null). */
function secretFileFindings(
  ctx: CheckContext,
  p: PermInfo,
  kind: string,
  ids: { writable: string | null; world: string | null; group: string | null },
  /** Rule ids for writable, world-readable and group-readable, in that order. */
  ruleIds: readonly [string, string, string],
): AuditFinding[] {
  const out: AuditFinding[] = [];
  if (p.mode & 0o022) {
    out.push(
      permFinding(ctx, p, ruleIds[0], ids.writable, "critical", `${kind} is writable by other users`, 0o600),
    );
  } else if (p.mode & 0o004) {
    out.push(permFinding(ctx, p, ruleIds[1], ids.world, "critical", `${kind} is world-readable`, 0o600));
  } else if (p.mode & 0o040) {
    out.push(permFinding(ctx, p, ruleIds[2], ids.group, "medium", `${kind} is group-readable`, 0o600));
  }
  return out;
}

function listFiles(dir: string, filter: (name: string) => boolean, depth = 0, out: string[] = []): string[] {
  if (depth > 3 || out.length > 500) return out;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const p = join(dir, n);
    const info = permInfo(p);
    if (!info || info.isSymlink) continue;
    if (info.isDir) listFiles(p, filter, depth + 1, out);
    else if (filter(n)) out.push(p);
  }
  return out;
}

const stateDirCheck: AuditCheck = {
  id: "CP-AUDIT-070",
  openclawCheckId: "fs.state_dir.perms_readable",
  title: "State directory permissions",
  group: "files",
  run(ctx) {
    if (isWin) return [];
    const p = permInfo(ctx.target.stateDir);
    if (!p) return [];
    const out: AuditFinding[] = [];
    if (p.isSymlink) {
      out.push(
        mk(ctx, {
          ruleId: "CP-AUDIT-073",
          openclawCheckId: "fs.state_dir.symlink",
          severity: "medium",
          title: "State directory is a symlink",
          group: "files",
          asset: p.path,
          evidence: [fileEvidence(p.path, "The state dir is a symbolic link; check where it points")],
          remediation: "Point OPENCLAW_STATE_DIR at the real directory.",
        }),
      );
    }
    if (p.mode & 0o002)
      out.push(
        permFinding(
          ctx,
          p,
          "CP-AUDIT-071",
          "fs.state_dir.perms_world_writable",
          "critical",
          "State directory is world-writable",
          0o700,
        ),
      );
    else if (p.mode & 0o020)
      out.push(
        permFinding(
          ctx,
          p,
          "CP-AUDIT-072",
          "fs.state_dir.perms_group_writable",
          "medium",
          "State directory is group-writable",
          0o700,
        ),
      );
    else if (p.mode & 0o044)
      out.push(
        permFinding(
          ctx,
          p,
          "CP-AUDIT-070",
          "fs.state_dir.perms_readable",
          "medium",
          "State directory is readable by other users",
          0o700,
        ),
      );
    return out;
  },
};

const configCheck: AuditCheck = {
  id: "CP-AUDIT-074",
  openclawCheckId: "fs.config.perms_world_readable",
  title: "Config file permissions",
  group: "files",
  run(ctx) {
    if (isWin || !ctx.config.exists) return [];
    const out: AuditFinding[] = [];
    const p = permInfo(ctx.config.path);
    if (!p) return [];
    if (p.isSymlink) {
      out.push(
        mk(ctx, {
          ruleId: "CP-AUDIT-077",
          openclawCheckId: "fs.config.symlink",
          severity: "medium",
          title: "Config file is a symlink",
          group: "files",
          asset: p.path,
          evidence: [fileEvidence(p.path, "The config is a symbolic link")],
          remediation: "Check the link target's permissions; OpenClaw skips them.",
        }),
      );
    }
    out.push(
      ...secretFileFindings(
        ctx,
        p,
        "Config file",
        {
          writable: "fs.config.perms_writable",
          world: "fs.config.perms_world_readable",
          group: "fs.config.perms_group_readable",
        },
        ["CP-AUDIT-074", "CP-AUDIT-075", "CP-AUDIT-076"],
      ),
    );
    for (const inc of ctx.config.files.slice(1)) {
      const ip = permInfo(inc.path);
      if (ip)
        out.push(
          ...secretFileFindings(
            ctx,
            ip,
            "Config include",
            {
              writable: "fs.config_include.perms_writable",
              world: "fs.config_include.perms_world_readable",
              group: "fs.config_include.perms_group_readable",
            },
            ["CP-AUDIT-078", "CP-AUDIT-079", "CP-AUDIT-080"],
          ),
        );
    }
    return out;
  },
};

const storesCheck: AuditCheck = {
  id: "CP-AUDIT-081",
  openclawCheckId: "fs.credentials_dir.perms_readable",
  title: "Credential, session and log file permissions",
  group: "files",
  run(ctx) {
    if (isWin) return [];
    const sd = ctx.target.stateDir;
    const out: AuditFinding[] = [];
    const cred = permInfo(join(sd, "credentials"));
    if (cred?.isDir) {
      if (cred.mode & 0o022)
        out.push(
          permFinding(
            ctx,
            cred,
            "CP-AUDIT-081",
            "fs.credentials_dir.perms_writable",
            "critical",
            "Credentials directory is writable by others",
            0o700,
          ),
        );
      else if (cred.mode & 0o044)
        out.push(
          permFinding(
            ctx,
            cred,
            "CP-AUDIT-082",
            "fs.credentials_dir.perms_readable",
            "medium",
            "Credentials directory is readable by others",
            0o700,
          ),
        );
    }
    for (const f of listFiles(join(sd, "agents"), (n) => n === "auth-profiles.json" || n === "auth.json")) {
      const p = permInfo(f)!;
      if (p.mode & 0o022)
        out.push(
          permFinding(
            ctx,
            p,
            "CP-AUDIT-083",
            "fs.auth_profiles.perms_writable",
            "critical",
            "Model credentials file is writable by others",
            0o600,
          ),
        );
      else if (p.mode & 0o044)
        out.push(
          permFinding(
            ctx,
            p,
            "CP-AUDIT-084",
            "fs.auth_profiles.perms_readable",
            "high",
            "Model credentials file is readable by others",
            0o600,
          ),
        );
    }
    for (const f of listFiles(join(sd, "agents"), (n) => n === "sessions.json" || n.endsWith(".jsonl"))) {
      const p = permInfo(f)!;
      if (p.mode & 0o044)
        out.push(
          permFinding(
            ctx,
            p,
            "CP-AUDIT-085",
            "fs.sessions_store.perms_readable",
            "medium",
            "Session transcript is readable by others",
            0o600,
          ),
        );
    }
    const logFile = getString(ctx.config.effective, "logging.file");
    if (logFile) {
      const p = permInfo(logFile);
      if (p && !p.isDir && p.mode & 0o044)
        out.push(
          permFinding(
            ctx,
            p,
            "CP-AUDIT-086",
            "fs.log_file.perms_readable",
            "medium",
            "Gateway log file is readable by others",
            0o600,
          ),
        );
    }
    return out;
  },
};

const SYNC_RE = /icloud|dropbox|google drive|googledrive|onedrive|mobile documents/i;

const syncedDir: AuditCheck = {
  id: "CP-AUDIT-087",
  openclawCheckId: "fs.synced_dir",
  title: "State or config sits in a cloud-synced folder",
  group: "files",
  run(ctx) {
    const hit = [ctx.target.stateDir, ctx.config.path].find((p) => SYNC_RE.test(p));
    if (!hit) return [];
    return [
      mk(ctx, {
        ruleId: this.id,
        openclawCheckId: this.openclawCheckId,
        severity: "medium",
        title: this.title,
        group: "files",
        asset: hit,
        evidence: [fileEvidence(hit, "Tokens and transcripts get copied to a sync service")],
        remediation: "Move the state dir out of the synced folder (OPENCLAW_STATE_DIR).",
      }),
    ];
  },
};

/** Backups, .env files, device stores: same secrets, not checked by OpenClaw. */
export function sideSecretFiles(ctx: CheckContext): { path: string; kind: string }[] {
  const sd = ctx.target.stateDir;
  const out: { path: string; kind: string }[] = [];
  const cfgDir = join(ctx.config.path, "..");
  for (const dir of new Set([sd, cfgDir])) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      if (/\.(json|json5)\.(bak(\.\d+)?|last-good|clawpatrol-[\w.-]+)$/.test(n) || /\.bak(\.\d+)?$/.test(n))
        out.push({ path: join(dir, n), kind: "config backup" });
      else if (n === ".env" || n.endsWith(".env")) out.push({ path: join(dir, n), kind: ".env file" });
      else if (n === "secrets.json") out.push({ path: join(dir, n), kind: "secrets file" });
    }
  }
  for (const rel of [
    "devices/paired.json",
    "devices/pending.json",
    "devices/bootstrap.json",
    "nodes/paired.json",
    "identity/device.json",
    "exec-approvals.json",
  ]) {
    const p = join(sd, rel);
    if (permInfo(p)) out.push({ path: p, kind: "pairing/identity store" });
  }
  return out;
}

const sideFiles: AuditCheck = {
  id: "CP-AUDIT-088",
  openclawCheckId: null,
  title: "Backups and stores with secrets are readable by others",
  group: "files",
  run(ctx) {
    if (isWin) return [];
    const out: AuditFinding[] = [];
    for (const f of sideSecretFiles(ctx)) {
      const p = permInfo(f.path);
      if (!p || p.isDir) continue;
      if (p.mode & 0o066) {
        out.push(
          permFinding(
            ctx,
            p,
            "CP-AUDIT-088",
            null,
            p.mode & 0o006 ? "high" : "medium",
            `${f.kind[0]!.toUpperCase()}${f.kind.slice(1)} is readable by other users`,
            0o600,
          ),
        );
      }
    }
    return out;
  },
};

export const FILE_CHECKS: AuditCheck[] = [stateDirCheck, configCheck, storesCheck, syncedDir, sideFiles];
