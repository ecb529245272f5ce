// Flowise from what it answers before login: its UI page titled "Flowise - ..."
// (packages/ui/index.html); `GET /api/v1/version`, on the auth whitelist
// (packages/server/src/utils/constants.ts WHITELIST_URLS), answers `{"version": <package.json
// version>}` (packages/server/src/services/versions/index.ts); `GET /api/v1/settings`, also
// whitelisted in 2.x/3.x, answers `{"PLATFORM_TYPE": ...}` (services/settings/index.ts).
// `GET /api/v1/chatflows` is the flow listing: a release without authentication configured
// (1.x/2.x without FLOWISE_USERNAME/FLOWISE_PASSWORD) answers it to anyone; with auth, 401.
// 3.x always asks for a sign-in, but until the first account exists anyone can create it and
// own the instance: `POST /api/v1/auth/resolve` (whitelisted; it only counts organisations,
// enterprise/middleware/passport, as the UI does on load) says `{"redirectUrl":
// "/organization-setup"}` then, `/signin` after (checked live on flowise 3.1.4). Pure.
import type { Evidence } from "../../findings/model.ts";
import type { HttpExchange } from "../../net/http.ts";
import {
  answered,
  asObject,
  cleanText,
  evidenceOf,
  hasExactKeys,
  htmlTitle,
  jsonBody,
  serviceVerdict,
} from "../service.ts";
import type { Transcript } from "../transcript.ts";
import { type AuthState, type Facts, NOT_A_GATEWAY, type Verdict } from "../verdict.ts";

export function isFlowisePage(x: HttpExchange | undefined): boolean {
  return x?.response?.status === 200 && /^Flowise\b/.test(htmlTitle(x) ?? "");
}

export function fingerprintFlowise(t: Transcript): Verdict {
  const versionX = answered(t, "/api/v1/version");
  const versionDoc = jsonBody(versionX);
  const version = hasExactKeys(versionDoc, ["version"]) ? cleanText(asObject(versionDoc)?.version, 40) : null;
  const root = answered(t, "/");
  const page = isFlowisePage(root);
  const settingsX = answered(t, "/api/v1/settings");
  const settings = asObject(jsonBody(settingsX));
  const platform = cleanText(settings?.PLATFORM_TYPE, 30);
  // The version document alone is generic: the page or the settings' own key must agree.
  if (!version || !versionX || !(page || platform)) return NOT_A_GATEWAY;
  const evidence: Evidence[] = [];
  if (page && root) evidence.push(evidenceOf(root, `UI page titled "${htmlTitle(root)}"`));
  evidence.push(evidenceOf(versionX, `/api/v1/version reports ${version}`));
  const facts: Facts = {};
  if (platform) facts.platformType = platform;
  const flowsX = answered(t, "/api/v1/chatflows");
  const flows = jsonBody(flowsX);
  const resolveX = answered(t, "/api/v1/auth/resolve", "POST");
  const resolved = asObject(jsonBody(resolveX));
  const redirect =
    resolved && hasExactKeys(resolved, ["redirectUrl"]) ? cleanText(resolved.redirectUrl, 40) : null;
  let auth: AuthState = "unknown";
  let authConfidence = 0;
  if (Array.isArray(flows) && flowsX) {
    auth = "not-required";
    authConfidence = 0.85;
    facts.chatflowsListed = flows.length;
    evidence.push(evidenceOf(flowsX, `/api/v1/chatflows lists ${flows.length} flows without credentials`));
  } else if (redirect === "/organization-setup" && resolveX) {
    auth = "not-required";
    authConfidence = 0.9;
    facts.accountSetUp = false;
    evidence.push(
      evidenceOf(
        resolveX,
        "/api/v1/auth/resolve: no account yet, the first visitor sets one up and owns the instance",
      ),
    );
  } else if (flowsX && (flowsX.response!.status === 401 || flowsX.response!.status === 403)) {
    auth = "required";
    authConfidence = 0.8;
    evidence.push(evidenceOf(flowsX, `/api/v1/chatflows refused with ${flowsX.response!.status}`));
    if (redirect === "/signin" && resolveX) {
      facts.accountSetUp = true;
      authConfidence = 0.9;
      evidence.push(evidenceOf(resolveX, "/api/v1/auth/resolve: an account exists (sign-in page)"));
    }
  }
  return serviceVerdict({
    product: "flowise",
    // Tested against the running product (test/live/services.test.ts).
    confidence: page && platform ? 0.95 : 0.8,
    version,
    auth,
    authConfidence,
    evidence,
    facts,
  });
}
