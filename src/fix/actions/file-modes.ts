// file-modes: remove group/other bits from the state dir, config files, credentials, agent state,
// transcripts, logs and pairing stores. Planned whenever wanted, not only when a finding names it:
// the audit reports some of these files only in aggregate.
import { lstatSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { sideSecretFiles } from "../../audit/checks/files.ts";
import { getString } from "../../audit/config.ts";
import type { FixAction } from "../plan-types.ts";

/** Entries of `dir` that are not symbolic links; none when it cannot be read. */
function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => {
      try {
        return !statSync(join(dir, n)).isSymbolicLink();
      } catch {
        return false;
      }
    });
  } catch {
    return [];
  }
}

export const fileModes: FixAction<"file-modes"> = {
  id: "file-modes",
  plan({ ctx }, draft) {
    if (process.platform === "win32") return;
    const cfg = ctx.config;
    // links are not followed (a link could point anywhere), except for the config's own files,
    // which a fix rewrites through their links anyway
    const modeWant = (p: string, to: number, why: string, followLink = false) => {
      try {
        const st = followLink ? statSync(p) : lstatSync(p);
        if (st.isSymbolicLink()) return;
        const cur = st.mode & 0o777;
        const next = cur & to; // only ever remove bits
        if (next !== cur) draft.modes.push({ path: p, from: cur, to: next, why });
      } catch {
        // absent
      }
    };
    const sd = ctx.target.stateDir;
    if (!ctx.target.stateDirFromConfig) modeWant(sd, 0o700, "state dir: only its owner should enter");
    if (cfg.exists) modeWant(cfg.path, 0o600, "config holds tokens", true);
    for (const f of cfg.files.slice(1))
      modeWant(f.path, 0o600, "config include holds settings and secrets", true);
    for (const f of sideSecretFiles(ctx)) modeWant(f.path, 0o600, `${f.kind} holds secrets`);
    modeWant(join(sd, "credentials"), 0o700, "channel credentials");
    for (const n of safeList(join(sd, "credentials")))
      modeWant(join(sd, "credentials", n), 0o600, "channel credentials");
    modeWant(join(sd, "agents"), 0o700, "agent state");
    for (const a of safeList(join(sd, "agents"))) {
      modeWant(join(sd, "agents", a), 0o700, "agent state");
      modeWant(join(sd, "agents", a, "agent"), 0o700, "agent credentials");
      modeWant(join(sd, "agents", a, "agent", "auth-profiles.json"), 0o600, "model API keys");
      modeWant(join(sd, "agents", a, "sessions"), 0o700, "transcripts");
      for (const s of safeList(join(sd, "agents", a, "sessions")))
        modeWant(join(sd, "agents", a, "sessions", s), 0o600, "transcripts");
    }
    const log = getString(cfg.effective, "logging.file");
    if (log) modeWant(log, 0o600, "gateway log");
    for (const d of ["devices", "nodes", "identity"]) {
      modeWant(join(sd, d), 0o700, "pairing and identity stores");
      for (const n of safeList(join(sd, d))) modeWant(join(sd, d, n), 0o600, "pairing and identity stores");
    }
  },
};
