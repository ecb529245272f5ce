// Ollama from what its router answers (server/routes.go, GenerateRoutes): `GET /` is the
// plain-text banner "Ollama is running", `GET /api/version` is `{"version": …}`, `GET /api/tags`
// lists the local models as `{"models": [...]}`. Ollama has no authentication of its own: the
// same router serves /api/pull, /api/push, /api/delete, /api/create and /api/copy, so a
// listing answered without credentials means model management is open too. A 401/403 on the
// listing is an authenticating proxy in front. Pure.
import type { Evidence } from "../../findings/model.ts";
import {
  answered,
  asObject,
  bodyHead,
  cleanText,
  evidenceOf,
  hasExactKeys,
  jsonBody,
  listFact,
  serviceVerdict,
} from "../service.ts";
import type { Transcript } from "../transcript.ts";
import { type AuthState, type Facts, NOT_A_GATEWAY, type Verdict } from "../verdict.ts";

export const OLLAMA_BANNER = "Ollama is running";

export function isOllamaBanner(text: string): boolean {
  return text.trim() === OLLAMA_BANNER;
}

export function fingerprintOllama(t: Transcript): Verdict {
  const root = answered(t, "/");
  const banner = root?.response?.status === 200 && isOllamaBanner(bodyHead(root));
  const versionX = answered(t, "/api/version");
  const versionDoc = jsonBody(versionX);
  const version = hasExactKeys(versionDoc, ["version"]) ? cleanText(asObject(versionDoc)?.version, 40) : null;
  const tagsX = answered(t, "/api/tags");
  const tags = asObject(jsonBody(tagsX));
  const models = tags && Array.isArray(tags.models) && hasExactKeys(tags, ["models"]) ? tags.models : null;
  // The banner is the product's own sentence; the version document alone is too generic, the
  // listing's exact shape next to it is not.
  if (!banner && !(version && models)) return NOT_A_GATEWAY;

  const evidence: Evidence[] = [];
  if (banner && root) evidence.push(evidenceOf(root, `root answers the Ollama banner "${OLLAMA_BANNER}"`));
  if (version && versionX) evidence.push(evidenceOf(versionX, `/api/version reports ${version}`));
  const facts: Facts = {};
  let auth: AuthState = "unknown";
  let authConfidence = 0;
  if (models && tagsX) {
    const names = models.map((m) => cleanText(asObject(m)?.name, 120)).filter((n): n is string => n !== null);
    facts.modelsListed = models.length;
    if (names.length > 0) facts.modelNames = listFact(names);
    facts.modelManagementOpen = true;
    auth = "not-required";
    authConfidence = 0.9;
    evidence.push(
      evidenceOf(
        tagsX,
        `/api/tags lists ${models.length} models without credentials; the same API pulls, deletes and creates models`,
      ),
    );
  } else if (tagsX && (tagsX.response!.status === 401 || tagsX.response!.status === 403)) {
    auth = "required";
    authConfidence = 0.7;
    evidence.push(
      evidenceOf(tagsX, `/api/tags refused with ${tagsX.response!.status} (an authenticating proxy)`),
    );
  }
  return serviceVerdict({
    product: "ollama",
    confidence: banner && version ? 0.85 : 0.7,
    version,
    auth,
    authConfidence,
    evidence,
    facts,
  });
}
