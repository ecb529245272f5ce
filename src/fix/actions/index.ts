// The fix actions, one per id. The mapped type makes a missing action, an extra one, or an
// action filed under another id a compile error; FIX_IDS fixes the order they run in.
import { FIX_IDS, type FixId } from "../fix-ids.ts";
import type { FixAction } from "../plan-types.ts";
import { authToken } from "./auth-token.ts";
import { bindLoopback } from "./bind-loopback.ts";
import { dangerousFlagsOff } from "./dangerous-flags.ts";
import { fileModes } from "./file-modes.ts";
import { hooksPath } from "./hooks-path.ts";
import { hooksToken } from "./hooks-token.ts";
import { mdnsOff } from "./mdns-off.ts";
import { rateLimit } from "./rate-limit.ts";
import { tailscaleServe } from "./tailscale-serve.ts";

export const FIX_ACTIONS: { readonly [Id in FixId]: FixAction<Id> } = {
  "bind-loopback": bindLoopback,
  "auth-token": authToken,
  "hooks-token": hooksToken,
  "hooks-path": hooksPath,
  "dangerous-flags": dangerousFlagsOff,
  "mdns-off": mdnsOff,
  "rate-limit": rateLimit,
  "tailscale-serve": tailscaleServe,
  "file-modes": fileModes,
};

/**
 * In the order they run: bind-loopback first, since what it decides (willBeLoopback) changes
 * what dangerous-flags and rate-limit write.
 */
export const ORDERED_FIX_ACTIONS: readonly FixAction[] = FIX_IDS.map((id) => FIX_ACTIONS[id]);
