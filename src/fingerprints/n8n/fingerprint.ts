// n8n from what it answers before login: the editor page titled "n8n.io - Workflow
// Automation" (packages/frontend/editor-ui/index.html), and `GET /rest/settings`, which an
// unauthenticated caller gets as the public settings (packages/cli/src/services/
// frontend.service.ts getPublicSettings: settingsMode "public", userManagement with
// showSetupOnFirstLoad, authenticationMethod, ...; versionCli in the releases that include
// it), wrapped as `{"data": ...}` by packages/cli/src/response-helper.ts. showSetupOnFirstLoad
// true means no owner account exists yet: the first visitor to open the editor sets one up
// and owns the instance. Pure.
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
import { type Facts, NOT_A_GATEWAY, type Verdict } from "../verdict.ts";

export const N8N_TITLE = "n8n.io - Workflow Automation";
/**
 * A public API route (packages/cli/src/public-api): it answers `401 {"message":"Unauthorized"}`
 * to a caller without a key. Seen live on n8n 2.40.7: the routes (and the Swagger UI under
 * /api/v1/docs/) are mounted even with N8N_PUBLIC_API_DISABLED=true, which only makes every
 * key refused, so "reachable" is what a scan can tell, not whether keys work.
 */
export const PUBLIC_API_PROBE = "/api/v1/workflows";

export function isN8nPage(x: HttpExchange | undefined): boolean {
  return x?.response?.status === 200 && htmlTitle(x) === N8N_TITLE;
}

const SENTRY_META = /<meta name="n8n:config:sentry" content="([A-Za-z0-9+/]{1,2048}={0,2})"/;

/**
 * The release the editor page names. `n8n start` writes `<meta name="n8n:config:sentry"
 * content="<base64 JSON>">` into every page it serves, whose `release` is `n8n@<version>`
 * whether or not Sentry is configured (packages/cli/src/commands/start.ts generateConfigTags;
 * seen live on n8n 2.40.7).
 */
export function pageRelease(x: HttpExchange | undefined): string | null {
  const body = x?.response?.body;
  if (!body) return null;
  const m = SENTRY_META.exec(body.subarray(0, 64 * 1024).toString("latin1"));
  if (!m) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(m[1]!, "base64").toString("utf8"));
  } catch {
    return null;
  }
  const release = asObject(doc)?.release;
  const v =
    typeof release === "string"
      ? /^n8n@(\d{1,4}\.\d{1,4}\.\d{1,4}(?:-[0-9A-Za-z.]{1,20})?)$/.exec(release)
      : null;
  return v ? v[1]! : null;
}

export function fingerprintN8n(t: Transcript): Verdict {
  const settingsX = answered(t, "/rest/settings");
  const data = asObject(asObject(jsonBody(settingsX))?.data);
  const um = asObject(data?.userManagement);
  if (
    !data ||
    !settingsX ||
    !um ||
    typeof um.showSetupOnFirstLoad !== "boolean" ||
    typeof um.authenticationMethod !== "string"
  )
    return NOT_A_GATEWAY;
  const root = answered(t, "/");
  const page = isN8nPage(root);
  // The settings shape alone is n8n's own; with the page, more so.
  if (!page && data.settingsMode === undefined && typeof data.versionCli !== "string") return NOT_A_GATEWAY;
  // Older releases put versionCli in the public settings; newer ones only name it in the page.
  const version = cleanText(data.versionCli, 40) ?? (page ? pageRelease(root) : null);
  const noOwner = um.showSetupOnFirstLoad;
  const facts: Facts = {
    ownerSetUp: !noOwner,
    authenticationMethod: cleanText(um.authenticationMethod, 20) ?? "",
  };
  const mode = cleanText(data.settingsMode, 20);
  if (mode) facts.settingsMode = mode;
  const apiX = answered(t, PUBLIC_API_PROBE);
  const apiAnswer = jsonBody(apiX, 401);
  if (apiX)
    facts.publicApi = hasExactKeys(apiAnswer, ["message"]) && asObject(apiAnswer)?.message === "Unauthorized";
  const evidence: Evidence[] = [];
  if (page && root)
    evidence.push(
      evidenceOf(
        root,
        `editor page titled "${N8N_TITLE}"${version && !data.versionCli ? `; its config meta names release n8n@${version}` : ""}`,
      ),
    );
  evidence.push(
    evidenceOf(
      settingsX,
      noOwner
        ? "/rest/settings: userManagement.showSetupOnFirstLoad is true: no owner yet, the first visitor becomes owner"
        : `/rest/settings: an owner account exists (sign-in by ${facts.authenticationMethod})${version ? `; versionCli ${version}` : ""}`,
    ),
  );
  if (apiX && facts.publicApi)
    evidence.push(
      evidenceOf(apiX, `${PUBLIC_API_PROBE} answers as n8n's public API: refused without an API key`),
    );
  return serviceVerdict({
    product: "n8n",
    // Tested against the running product (test/live/services.test.ts).
    confidence: page ? 0.95 : 0.8,
    version,
    auth: noOwner ? "not-required" : "required",
    authConfidence: 0.85,
    evidence,
    facts,
  });
}
