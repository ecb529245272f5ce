// Open WebUI from its public configuration (backend/open_webui/main.py, get_app_config):
// `GET /api/config` answers anyone with `{"status": true, "name": WEBUI_NAME, "version",
// "features": {"auth": WEBUI_AUTH, "enable_signup", ...}}`, plus `"onboarding": true` while the
// instance has no user at all (the first visitor to sign up becomes its admin). WEBUI_NAME is
// "Open WebUI", or a custom name with " (Open WebUI)" appended (backend/open_webui/env.py).
// `features.auth: false` is WEBUI_AUTH=False: no login, every visitor is the admin. Pure.
import type { Evidence } from "../../findings/model.ts";
import type { HttpExchange } from "../../net/http.ts";
import {
  answered,
  asObject,
  cleanText,
  evidenceOf,
  htmlTitle,
  jsonBody,
  serviceVerdict,
} from "../service.ts";
import type { Transcript } from "../transcript.ts";
import { type Facts, NOT_A_GATEWAY, type Verdict } from "../verdict.ts";

export function isOpenWebUiPage(x: HttpExchange | undefined): boolean {
  return x?.response?.status === 200 && (htmlTitle(x)?.includes("Open WebUI") ?? false);
}

export function fingerprintOpenWebUi(t: Transcript): Verdict {
  const configX = answered(t, "/api/config");
  const config = asObject(jsonBody(configX));
  const features = asObject(config?.features);
  const name = cleanText(config?.name, 80);
  if (
    !config ||
    !configX ||
    config.status !== true ||
    !name?.includes("Open WebUI") ||
    typeof config.version !== "string" ||
    !features ||
    typeof features.auth !== "boolean"
  )
    return NOT_A_GATEWAY;
  const root = answered(t, "/");
  const version = cleanText(config.version, 40);
  const onboarding = config.onboarding === true;
  const facts: Facts = { loginRequired: features.auth, onboarding };
  if (typeof features.enable_signup === "boolean") facts.signupOpen = features.enable_signup;
  if (name !== "Open WebUI") facts.name = name;
  const evidence: Evidence[] = [];
  if (isOpenWebUiPage(root) && root)
    evidence.push(evidenceOf(root, 'web root is the Open WebUI app (title "Open WebUI")'));
  const open = features.auth === false || onboarding;
  evidence.push(
    evidenceOf(
      configX,
      features.auth === false
        ? "/api/config: features.auth is false (WEBUI_AUTH=False): no login, every visitor is the admin"
        : onboarding
          ? "/api/config: onboarding is true: no account exists yet, the first visitor to sign up becomes admin"
          : `/api/config: login required${facts.signupOpen ? ", anyone may sign up" : ""}`,
    ),
  );
  return serviceVerdict({
    product: "open-webui",
    confidence: 0.85,
    version,
    auth: open ? "not-required" : "required",
    authConfidence: 0.85,
    evidence,
    facts,
  });
}
