// ComfyUI from what its aiohttp server answers (server.py): the web root is the frontend's
// index.html titled "ComfyUI"; `GET /system_stats` (also under /api) answers
// `{"system": {"os", "ram_total", "ram_free", "comfyui_version", "python_version",
// "pytorch_version", "embedded_python", "argv"}, "devices": [...]}`. ComfyUI has no
// authentication: the same server takes `POST /prompt` (queue a workflow), `/queue`,
// `/interrupt`, `/free` and uploads from anyone who reaches it. Pure.
import type { Evidence } from "../../findings/model.ts";
import type { HttpExchange } from "../../net/http.ts";
import {
  answered,
  asObject,
  cleanText,
  evidenceOf,
  htmlTitle,
  jsonBody,
  listFact,
  serviceVerdict,
} from "../service.ts";
import type { Transcript } from "../transcript.ts";
import { type Facts, NOT_A_GATEWAY, type Verdict } from "../verdict.ts";

export function isComfyUiPage(x: HttpExchange | undefined): boolean {
  return x?.response?.status === 200 && htmlTitle(x) === "ComfyUI";
}

export function fingerprintComfyUi(t: Transcript): Verdict {
  const root = answered(t, "/");
  const statsX = answered(t, "/system_stats");
  const stats = asObject(jsonBody(statsX));
  const system = asObject(stats?.system);
  const devices = stats?.devices;
  const statsShape =
    system !== null &&
    Array.isArray(devices) &&
    typeof system.python_version === "string" &&
    typeof system.pytorch_version === "string" &&
    "embedded_python" in system;
  const page = isComfyUiPage(root);
  const refused = statsX && (statsX.response!.status === 401 || statsX.response!.status === 403);
  if (!statsShape && !(page && refused)) return NOT_A_GATEWAY;

  const evidence: Evidence[] = [];
  if (page && root) evidence.push(evidenceOf(root, 'web root is the ComfyUI frontend (title "ComfyUI")'));
  if (!statsShape || !system || !statsX) {
    evidence.push(
      evidenceOf(statsX!, `/system_stats refused with ${statsX!.response!.status} (an authenticating proxy)`),
    );
    return serviceVerdict({
      product: "comfyui",
      confidence: 0.6,
      version: null,
      auth: "required",
      authConfidence: 0.7,
      evidence,
      facts: {},
    });
  }
  const version = cleanText(system.comfyui_version, 40);
  const facts: Facts = {};
  const os = cleanText(system.os, 20);
  if (os) facts.os = os;
  const python = cleanText(system.python_version, 20);
  if (python) facts.pythonVersion = python;
  const torch = cleanText(system.pytorch_version, 40);
  if (torch) facts.pytorchVersion = torch;
  const deviceNames = (devices as unknown[])
    .map((d) => cleanText(asObject(d)?.name, 80))
    .filter((n): n is string => n !== null);
  if (deviceNames.length > 0) facts.devices = listFact(deviceNames, 4);
  if (Array.isArray(system.argv)) {
    const argv = system.argv.slice(0, 40).map((a) => cleanText(a, 100) ?? "");
    facts.argv = cleanText(argv.join(" "), 300) ?? "";
  }
  facts.workflowQueueOpen = true;
  evidence.push(
    evidenceOf(
      statsX,
      `/system_stats answered without credentials${version ? ` (ComfyUI ${version})` : ""}; the same server queues workflows for anyone`,
    ),
  );
  return serviceVerdict({
    product: "comfyui",
    confidence: page ? 0.85 : 0.75,
    version,
    auth: "not-required",
    authConfidence: 0.85,
    evidence,
    facts,
  });
}
