// auth-token: a strong gateway secret (token, or password in password mode); secrets managed
// elsewhere (SecretRef, ${ENV}) and trusted-proxy auth get advice instead of an edit.
import { getPath, getString, isObject, type Json } from "../../audit/config.ts";
import type { FixAction } from "../plan-types.ts";
import { generateSecret } from "../secret.ts";

const managed = (x: Json | undefined) =>
  isObject(x ?? null) || (typeof x === "string" && x.includes("$" + "{"));

export const authToken: FixAction<"auth-token"> = {
  id: "auth-token",
  plan({ ctx, named }, draft) {
    if (!named) return;
    const c = ctx.config.effective;
    const rawTok = getPath(c, ["gateway", "auth", "token"]);
    const rawPw = getPath(c, ["gateway", "auth", "password"]);
    if (ctx.gw.authMode === "password" && getString(c, "gateway.auth.mode") === "password") {
      if (managed(rawPw))
        draft.advice.push(
          "The gateway password comes from a SecretRef or an environment variable: set a long random value at its source.",
        );
      else {
        const pw = generateSecret();
        draft.newToken = { kind: "password", value: pw };
        draft.edits.push({
          path: ["gateway", "auth", "password"],
          value: pw,
          why: "the password is short or a placeholder",
          action: "auth-token",
        });
      }
    } else if (managed(rawTok)) {
      draft.advice.push(
        "The gateway token comes from a SecretRef or an environment variable: set a long random value at its source.",
      );
    } else if (ctx.gw.authMode === "trusted-proxy") {
      draft.advice.push("trusted-proxy auth: secure the proxy; no token was written.");
    } else {
      const tok =
        typeof rawTok === "string" &&
        rawTok.trim().length >= 32 &&
        !/^(changeme|token|undefined|null)$/i.test(rawTok.trim())
          ? null
          : generateSecret();
      if (getString(c, "gateway.auth.mode") !== "token")
        draft.edits.push({
          path: ["gateway", "auth", "mode"],
          value: "token",
          why: `auth is ${ctx.gw.authMode}: anyone who reaches the port is an operator`,
          action: "auth-token",
        });
      if (tok) {
        draft.newToken = { kind: "token", value: tok };
        draft.edits.push({
          path: ["gateway", "auth", "token"],
          value: tok,
          why: "no token, or a short/placeholder one",
          action: "auth-token",
        });
      }
    }
  },
};
