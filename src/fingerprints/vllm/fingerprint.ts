// vLLM's OpenAI-compatible server from what it answers (vllm/entrypoints/openai/api_server.py):
// `GET /version` is `{"version": VLLM_VERSION}` and never needs a key; `GET /v1/models` lists
// model cards with `owned_by: "vllm"` (the protocol's ModelCard default). Started with
// `--api-key`, its AuthenticationMiddleware answers every /v1 path without the key with
// `401 {"error": "Unauthorized"}`. The root has no route: FastAPI's `404 {"detail":"Not Found"}`.
// Pure.
import type { Evidence } from "../../findings/model.ts";
import {
  answered,
  asObject,
  cleanText,
  evidenceOf,
  hasExactKeys,
  jsonBody,
  listFact,
  openAiModels,
  serviceVerdict,
} from "../service.ts";
import type { Transcript } from "../transcript.ts";
import { NOT_A_GATEWAY, type Verdict } from "../verdict.ts";

export function fingerprintVllm(t: Transcript): Verdict {
  const versionX = answered(t, "/version");
  const versionDoc = jsonBody(versionX);
  const version = hasExactKeys(versionDoc, ["version"]) ? cleanText(asObject(versionDoc)?.version, 40) : null;
  const modelsX = answered(t, "/v1/models");
  const models = openAiModels(jsonBody(modelsX));
  const own = models !== null && models.owners.has("vllm");
  const refusal = jsonBody(modelsX, 401);
  const refused = hasExactKeys(refusal, ["error"]) && asObject(refusal)?.error === "Unauthorized";
  if (!modelsX || !(own || (refused && version))) return NOT_A_GATEWAY;
  const evidence: Evidence[] = [];
  if (version && versionX) evidence.push(evidenceOf(versionX, `/version reports ${version}`));
  if (own && models) {
    evidence.push(
      evidenceOf(modelsX, `/v1/models lists ${models.ids.length} models owned by "vllm", without a key`),
    );
    return serviceVerdict({
      product: "vllm",
      confidence: version ? 0.85 : 0.75,
      version,
      auth: "not-required",
      authConfidence: 0.85,
      evidence,
      facts: {
        modelsListed: models.ids.length,
        ...(models.ids.length > 0 ? { modelNames: listFact(models.ids) } : {}),
      },
    });
  }
  // Behind --api-key: the refusal's exact body and the version document together.
  evidence.push(
    evidenceOf(modelsX, '/v1/models refused with vLLM\'s own 401 {"error":"Unauthorized"} (--api-key)'),
  );
  return serviceVerdict({
    product: "vllm",
    confidence: 0.6,
    version,
    auth: "required",
    authConfidence: 0.8,
    evidence,
    facts: {},
  });
}
